//===- ElementwiseOps.cpp - Elementwise ops and activations ---------------===//
//
// Type inference for the broadcasting ops, and the verifiers of the ops with attributes.
//
//===----------------------------------------------------------------------===//
#include "GradBuilder.h"
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace mlir::dl {

LogicalResult inferBroadcast(std::optional<Location> loc, ArrayRef<Type> operands,
                             SmallVectorImpl<Type> &inferred) {
  Type element = llvm::cast<RankedTensorType>(operands[0]).getElementType();
  shape::Shape joined = shapeOf(operands[0]);
  for (Type t : operands.drop_front()) {
    if (llvm::cast<RankedTensorType>(t).getElementType() != element)
      return inferenceError(loc, "operands have different element types: " +
                                     typeString(operands[0]) + " and " + typeString(t));
    std::string why;
    if (!shape::broadcast(joined, shapeOf(t), joined, why))
      return inferenceError(loc, "operands are not broadcast-compatible: " +
                                     typeString(operands[0]) + " and " + typeString(t) + " (" +
                                     why + ")");
  }
  inferred.push_back(tensorOf(joined, element));
  return success();
}

LogicalResult inferBroadcastInto(std::optional<Location> loc, Type operand, Type target,
                                 SmallVectorImpl<Type> &inferred) {
  std::string why;
  if (llvm::cast<RankedTensorType>(operand).getElementType() !=
      llvm::cast<RankedTensorType>(target).getElementType())
    return inferenceError(loc, "operands have different element types: " + typeString(target) +
                                   " and " + typeString(operand));
  if (!shape::broadcastsTo(shapeOf(operand), shapeOf(target), why))
    return inferenceError(loc, typeString(operand) + " does not broadcast to " +
                                   typeString(target) + " (" + why + ")");
  inferred.push_back(target);
  return success();
}

} // namespace mlir::dl

LogicalResult CmpOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> joined;
  if (failed(inferBroadcast(location, {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
                            joined)))
    return failure();
  inferred.push_back(tensorOf(shapeOf(joined[0]), IntegerType::get(context, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> values;
  if (failed(inferBroadcast(location,
                            {adaptor.getOnTrue().getType(), adaptor.getOnFalse().getType()},
                            values)))
    return failure();
  std::string why;
  shape::Shape joined;
  Type cond = adaptor.getCond().getType();
  if (!shape::broadcast(shapeOf(cond), shapeOf(values[0]), joined, why))
    return inferenceError(location, "condition " + typeString(cond) +
                                        " is not broadcast-compatible with " +
                                        typeString(values[0]) + " (" + why + ")");
  inferred.push_back(tensorOf(joined, llvm::cast<RankedTensorType>(values[0]).getElementType()));
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                           Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getValue().getType());
  return success();
}

LogicalResult ClampOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("has min ") << getMin().convertToDouble() << " above max " << getMax().convertToDouble();
  return success();
}

/// softmax and log_softmax: the axis must name a dimension.
template <typename SoftmaxLike> static LogicalResult verifySoftmaxAxis(SoftmaxLike op) {
  int64_t axis;
  std::string why;
  if (!shape::normalizeAxis(op.getAxis(), op.getType().getRank(), axis, why))
    return op.emitOpError() << why;
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifySoftmaxAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxAxis(*this); }

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  if (static_cast<int64_t>(adaptor.getClasses()) <= 0)
    return inferenceError(location, "one_hot needs a positive number of classes");
  shape::Shape out = shapeOf(adaptor.getInput().getType());
  out.push_back(adaptor.getClasses());
  inferred.push_back(tensorOf(out, Float32Type::get(context)));
  return success();
}

//===----------------------------------------------------------------------===//
// Gradients (VJPOpInterface). `dy` holds the result's gradient; each rule fills one gradient per
// operand, summed back to the operand's shape where it was broadcast. Integer operands get none.
//===----------------------------------------------------------------------===//

/// Binary ops: `dlhs`/`drhs` are the gradients at the broadcast shape, before summing back.
template <typename Op>
static LogicalResult binaryVJP(Op op, OpBuilder &b, Value dy, SmallVectorImpl<Value> &dx,
                               function_ref<std::pair<Value, Value>(GradBuilder &)> rule) {
  if (!GradBuilder::isFloat(op.getLhs())) {
    dx.append({Value(), Value()});
    return success();
  }
  GradBuilder g(b, op.getLoc());
  auto [dl, dr] = rule(g);
  dx.push_back(dl ? g.sumToType(dl, op.getLhs().getType()) : Value());
  dx.push_back(dr ? g.sumToType(dr, op.getRhs().getType()) : Value());
  return success();
}

LogicalResult AddOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) { return std::pair(dy[0], dy[0]); });
}
LogicalResult SubOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) { return std::pair(dy[0], g.neg(dy[0])); });
}
LogicalResult MulOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    return std::pair(g.mul(dy[0], getRhs()), g.mul(dy[0], getLhs()));
  });
}
LogicalResult DivOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b.
    return std::pair(g.div(dy[0], getRhs()), g.neg(g.div(g.mul(dy[0], getResult()), getRhs())));
  });
}
LogicalResult PowOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a (only meaningful for a > 0).
    Value da = g.mul(dy[0], g.mul(getRhs(), g.pow(getLhs(), g.sub(getRhs(), g.one(getRhs())))));
    Value db = g.mul(dy[0], g.mul(getResult(), g.log(getLhs())));
    return std::pair(da, db);
  });
}
LogicalResult MaximumOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    Value left = g.cmp(CmpPredicate::ge, getLhs(), getRhs());  // Ties go to the left operand.
    return std::pair(g.where(left, dy[0]), g.select(left, g.scalar(0, dy[0]), dy[0]));
  });
}
LogicalResult MinimumOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    Value left = g.cmp(CmpPredicate::le, getLhs(), getRhs());
    return std::pair(g.where(left, dy[0]), g.select(left, g.scalar(0, dy[0]), dy[0]));
  });
}
LogicalResult ModOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    // As torch.remainder: a - b floor(a / b), so d/da = 1 and d/db = -floor(a / b).
    Value quotient = g.b.create<FloorOp>(g.loc, g.div(getLhs(), getRhs()));
    return std::pair(dy[0], g.neg(g.mul(dy[0], quotient)));
  });
}
LogicalResult FmodOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    // As torch.fmod: a - b trunc(a / b), so d/da = 1 and d/db = -trunc(a / b).
    Value q = g.div(getLhs(), getRhs());
    Value truncated = g.select(g.cmp(CmpPredicate::lt, q, g.scalar(0, q)),
                               g.b.create<CeilOp>(g.loc, q), g.b.create<FloorOp>(g.loc, q));
    return std::pair(dy[0], g.neg(g.mul(dy[0], truncated)));
  });
}
LogicalResult PReluOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return binaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g) {
    Value positive = g.cmp(CmpPredicate::gt, getLhs(), g.scalar(0, getLhs()));
    Value dxPart = g.select(positive, dy[0], g.mul(dy[0], getRhs()));
    Value dAlpha = g.select(positive, g.scalar(0, dy[0]), g.mul(dy[0], getLhs()));
    return std::pair(dxPart, dAlpha);
  });
}

LogicalResult SelectOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(Value());
  if (!GradBuilder::isFloat(getOnTrue())) {
    dx.append({Value(), Value()});
    return success();
  }
  GradBuilder g(b, getLoc());
  dx.push_back(g.sumToType(g.where(getCond(), dy[0]), getOnTrue().getType()));
  dx.push_back(g.sumToType(g.select(getCond(), g.scalar(0, dy[0]), dy[0]), getOnFalse().getType()));
  return success();
}

/// Unary ops: one rule from (x, y, dy) to dx.
template <typename Op>
static LogicalResult unaryVJP(Op op, OpBuilder &b, Value dy, SmallVectorImpl<Value> &dx,
                              function_ref<Value(GradBuilder &, Value x, Value y)> rule) {
  if (!GradBuilder::isFloat(op.getInput())) {
    dx.push_back(Value());
    return success();
  }
  GradBuilder g(b, op.getLoc());
  dx.push_back(rule(g, op.getInput(), op.getResult()));
  return success();
}

LogicalResult NegOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) { return g.neg(dy[0]); });
}
LogicalResult AbsOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // sign(x) dy, with 0 at x = 0 as PyTorch does.
    Value zero = g.scalar(0, x);
    return g.select(g.cmp(CmpPredicate::gt, x, zero), dy[0],
                    g.select(g.cmp(CmpPredicate::lt, x, zero), g.neg(dy[0]), zero));
  });
}
LogicalResult ExpOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) { return g.mul(dy[0], y); });
}
LogicalResult LogOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) { return g.div(dy[0], x); });
}
LogicalResult SqrtOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.div(g.scale(dy[0], 0.5), y);
  });
}
LogicalResult RsqrtOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.div(g.mul(g.scale(dy[0], -0.5), y), x);  // -x^(-3/2) / 2
  });
}
LogicalResult SigmoidOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.mul(dy[0], g.mul(y, g.sub(g.one(y), y)));
  });
}
LogicalResult TanhOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.mul(dy[0], g.sub(g.one(y), g.mul(y, y)));
  });
}
LogicalResult ReluOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.where(g.cmp(CmpPredicate::gt, x, g.scalar(0, x)), dy[0]);
  });
}
LogicalResult GeluOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // Phi(x) + x phi(x), with Phi(x) = (1 + erf(x / sqrt 2)) / 2 and phi(x) = exp(-x^2/2) / sqrt(2 pi).
    Value cdf = g.scale(g.add(g.one(x), g.b.create<ErfOp>(g.loc, g.scale(x, M_SQRT1_2))), 0.5);
    Value pdf = g.scale(g.exp(g.scale(g.mul(x, x), -0.5)), 0.5 * M_2_SQRTPI * M_SQRT1_2);
    return g.mul(dy[0], g.add(cdf, g.mul(x, pdf)));
  });
}
LogicalResult ErfOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.mul(dy[0], g.scale(g.exp(g.neg(g.mul(x, x))), M_2_SQRTPI));
  });
}
LogicalResult CosOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.neg(g.mul(dy[0], g.b.create<SinOp>(g.loc, x)));
  });
}
LogicalResult SinOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.mul(dy[0], g.b.create<CosOp>(g.loc, x));
  });
}
// floor, ceil and round: zero almost everywhere, and zero where they jump, as in PyTorch.
LogicalResult FloorOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx,
                  [&](GradBuilder &g, Value x, Value) { return g.zerosOf(x.getType()); });
}
LogicalResult CeilOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx,
                  [&](GradBuilder &g, Value x, Value) { return g.zerosOf(x.getType()); });
}
LogicalResult RoundOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx,
                  [&](GradBuilder &g, Value x, Value) { return g.zerosOf(x.getType()); });
}
LogicalResult SiluOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // PyTorch's silu_backward: s (1 + x (1 - s)), s = sigmoid(x).
    Value s = g.sigmoid(x);
    return g.mul(dy[0], g.mul(s, g.add(g.one(x), g.mul(x, g.sub(g.one(s), s)))));
  });
}
LogicalResult HardswishOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // PyTorch's hardswish_backward: 0 below -3, x / 3 + 1/2 on [-3, 3] (both ends included, so
    // -1/2 at -3 and 3/2 at 3), 1 above 3 and for NaN.
    Value below = g.cmp(CmpPredicate::lt, x, g.scalar(-3, x));
    Value inside = g.cmp(CmpPredicate::le, x, g.scalar(3, x));
    Value slope = g.add(g.div(x, g.scalar(3, x)), g.scalar(0.5, x));
    return g.select(below, g.scalar(0, x), g.select(inside, g.mul(dy[0], slope), dy[0]));
  });
}
LogicalResult MishOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // PyTorch's mish_backward: t + x s (1 - t^2), t = tanh(softplus(x)), s = sigmoid(x).
    Value t = g.b.create<TanhOp>(g.loc, g.b.create<SoftplusOp>(g.loc, x));
    Value s = g.sigmoid(x);
    return g.mul(dy[0], g.add(t, g.mul(g.mul(x, s), g.sub(g.one(t), g.mul(t, t)))));
  });
}
LogicalResult SoftplusOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) { return g.mul(dy[0], g.sigmoid(x)); });
}
LogicalResult LeakyReluOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  double alpha = getAlpha().convertToDouble();
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    return g.select(g.cmp(CmpPredicate::gt, x, g.scalar(0, x)), dy[0], g.scale(dy[0], alpha));
  });
}
LogicalResult EluOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  double alpha = getAlpha().convertToDouble();
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // For x <= 0, d(alpha (e^x - 1))/dx = alpha e^x = y + alpha.
    return g.select(g.cmp(CmpPredicate::gt, x, g.scalar(0, x)), dy[0],
                    g.mul(dy[0], g.add(y, g.scalar(alpha, y))));
  });
}
LogicalResult ClampOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  double lo = getMin().convertToDouble(), hi = getMax().convertToDouble();
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    Value zero = g.scalar(0, x);
    return g.select(g.cmp(CmpPredicate::lt, x, g.scalar(lo, x)), zero,
                    g.select(g.cmp(CmpPredicate::gt, x, g.scalar(hi, x)), zero, dy[0]));
  });
}
LogicalResult SoftmaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  int64_t axis = getAxis();
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // y (dy - sum(dy y)) along the axis.
    Value dot = g.sum(g.mul(dy[0], y), {axis}, /*keepdims=*/true);
    return g.mul(y, g.sub(dy[0], dot));
  });
}
LogicalResult LogSoftmaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  int64_t axis = getAxis();
  return unaryVJP(*this, b, dy[0], dx, [&](GradBuilder &g, Value x, Value y) {
    // dy - softmax(x) sum(dy) along the axis.
    return g.sub(dy[0], g.mul(g.exp(y), g.sum(dy[0], {axis}, /*keepdims=*/true)));
  });
}
LogicalResult CastOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  // Gradients flow between float types only; an integer or boolean source takes none.
  if (!GradBuilder::isFloat(getInput()) || !GradBuilder::isFloat(getResult())) {
    dx.push_back(Value());
    return success();
  }
  GradBuilder g(b, getLoc());
  dx.push_back(g.cast(dy[0], getInput().getType()));
  return success();
}
