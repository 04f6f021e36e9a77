//===- GradBuilder.h - Building gradient expressions ---------------*- C++ -*-===//
//
// A thin layer over OpBuilder that the ops' VJP rules use, so each rule reads like its formula:
// `g.mul(grad, g.sub(g.one(y), y))`. Every method builds dl ops at the builder's insertion point
// and infers their types. Private to dialects/dl.
//
//===----------------------------------------------------------------------===//
#ifndef DL_OPS_GRADBUILDER_H
#define DL_OPS_GRADBUILDER_H

#include "OpHelpers.h"

namespace mlir::dl {

class GradBuilder {
public:
  GradBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// A scalar constant of `like`'s element type.
  Value scalar(double v, Value like) {
    auto type = RankedTensorType::get({}, elementOf(like));
    return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, ArrayRef<Attribute>{attr(v, type)}));
  }
  Value zerosOf(Type type) {
    auto t = llvm::cast<RankedTensorType>(type);
    return b.create<ConstantOp>(loc, DenseElementsAttr::get(t, ArrayRef<Attribute>{attr(0, t)}));
  }
  Value one(Value like) { return scalar(1.0, like); }

  Value add(Value x, Value y) { return b.create<AddOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<SubOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<MulOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<DivOp>(loc, x, y); }
  Value pow(Value x, Value y) { return b.create<PowOp>(loc, x, y); }
  Value scale(Value x, double v) { return mul(x, scalar(v, x)); }
  Value neg(Value x) { return b.create<NegOp>(loc, x); }
  Value exp(Value x) { return b.create<ExpOp>(loc, x); }
  Value log(Value x) { return b.create<LogOp>(loc, x); }
  Value sigmoid(Value x) { return b.create<SigmoidOp>(loc, x); }
  Value softmax(Value x, int64_t axis) { return b.create<SoftmaxOp>(loc, x, b.getI64IntegerAttr(axis)); }
  Value logSoftmax(Value x, int64_t axis) {
    return b.create<LogSoftmaxOp>(loc, x, b.getI64IntegerAttr(axis));
  }
  Value cmp(CmpPredicate p, Value x, Value y) {
    return b.create<CmpOp>(loc, CmpPredicateAttr::get(b.getContext(), p), x, y);
  }
  Value select(Value c, Value x, Value y) { return b.create<SelectOp>(loc, c, x, y); }
  /// `x` where `c` holds, 0 elsewhere.
  Value where(Value c, Value x) { return select(c, x, scalar(0, x)); }
  Value cast(Value x, Type type) { return b.create<CastOp>(loc, type, x); }

  Value sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return b.create<SumOp>(loc, x, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepdims));
  }
  Value reshape(Value x, Type type) {
    return x.getType() == type ? x : b.create<ReshapeOp>(loc, type, x).getResult();
  }
  Value broadcastTo(Value x, Type type) {
    return x.getType() == type ? x : b.create<BroadcastToOp>(loc, type, x).getResult();
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return b.create<TransposeOp>(loc, x, b.getDenseI64ArrayAttr(perm));
  }
  Value matmul(Value x, Value y) { return b.create<MatmulOp>(loc, x, y); }

  /// Sums a gradient of a broadcast result back to the type of the operand that was broadcast.
  Value sumToType(Value grad, Type target) {
    if (grad.getType() == target)
      return grad;
    shape::Shape gs = shapeOf(grad.getType()), ts = shapeOf(target);
    size_t lead = gs.size() - ts.size();
    SmallVector<int64_t> axes;
    for (size_t d = 0; d < gs.size(); ++d)
      if (d < lead || (ts[d - lead] == 1 && gs[d] != 1))
        axes.push_back(d);
    Value summed = axes.empty() ? grad : sum(grad, axes, /*keepdims=*/false);
    return reshape(summed, target);
  }

  /// Spreads the gradient of a reduction over `axes` back over the reduced input's type.
  Value unreduce(Value grad, Type input, ArrayRef<int64_t> axes, bool keepdims) {
    shape::Shape in = shapeOf(input), kept;
    int64_t rank = in.size();
    SmallVector<bool> reduced(rank, axes.empty());
    for (int64_t a : axes)
      reduced[a < 0 ? a + rank : a] = true;
    for (int64_t d = 0; d < rank; ++d)
      kept.push_back(reduced[d] ? 1 : in[d]);
    Type keptType = RankedTensorType::get(kept, elementOf(grad));
    Value g = keepdims ? grad : reshape(grad, keptType);
    return broadcastTo(g, RankedTensorType::get(in, elementOf(grad)));
  }

  static Type elementOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getElementType(); }
  static int64_t numElements(Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getNumElements();
  }
  static bool isFloat(Value v) { return llvm::isa<FloatType>(elementOf(v)); }

  OpBuilder &b;
  Location loc;

private:
  Attribute attr(double v, RankedTensorType t) {
    Type e = t.getElementType();
    if (llvm::isa<FloatType>(e))
      return b.getFloatAttr(e, v);
    return b.getIntegerAttr(e, static_cast<int64_t>(v));
  }
};

} // namespace mlir::dl

#endif // DL_OPS_GRADBUILDER_H
