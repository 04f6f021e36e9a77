//===- AttentionOps.cpp - Fused scaled dot-product attention --------------===//
//
// Type inference of dl.attention and dl.attention_grad (a failed inference names every operand
// type), and attention's gradient: one dl.attention_grad per operand.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace {

/// The result shape of attention over q, k and v ([L..., Tq, dv]), or an explanation in `why`.
bool attentionShape(const shape::Shape &q, const shape::Shape &k, const shape::Shape &v,
                    bool causal, shape::Shape &out, std::string &why) {
  if (q.size() < 2 || k.size() != q.size() || v.size() != q.size()) {
    why = "q, k and v need one rank of 2 or more ([L..., T, d])";
    return false;
  }
  size_t r = q.size();
  if (!std::equal(q.begin(), q.end() - 2, k.begin()) ||
      !std::equal(q.begin(), q.end() - 2, v.begin())) {
    why = "q, k and v need the same leading dimensions";
    return false;
  }
  if (q[r - 1] != k[r - 1]) {
    why = "queries and keys need one last dimension d";
    return false;
  }
  if (k[r - 2] != v[r - 2]) {
    why = "keys and values need one number of positions";
    return false;
  }
  if (causal && q[r - 2] != k[r - 2]) {
    why = "causal attention needs as many queries as keys";
    return false;
  }
  out = q;
  out[r - 1] = v[r - 1];
  return true;
}

std::string operandTypes(ValueRange operands) {
  std::string s;
  for (Value v : operands)
    s += (s.empty() ? "" : ", ") + typeString(v.getType());
  return s;
}

bool sameElementTypes(ValueRange operands) {
  Type first = llvm::cast<RankedTensorType>(operands[0].getType()).getElementType();
  return llvm::all_of(operands, [&](Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getElementType() == first;
  });
}

/// The type of attention over the first three of `operands` (q, k, v), after checking them; the
/// messages begin with `op`'s name.
LogicalResult inferAttention(std::optional<Location> location, StringRef op, ValueRange operands,
                             BoolAttr causalAttr, RankedTensorType &result) {
  if (!sameElementTypes(operands))
    return inferenceError(location, op + " operands have different element types: " +
                                        operandTypes(operands));
  bool causal = causalAttr && causalAttr.getValue();
  shape::Shape out;
  std::string why;
  if (!attentionShape(shapeOf(operands[0].getType()), shapeOf(operands[1].getType()),
                      shapeOf(operands[2].getType()), causal, out, why))
    return inferenceError(location, op + " of " + operandTypes(operands) + ": " + why);
  result = tensorOf(out, llvm::cast<RankedTensorType>(operands[0].getType()).getElementType());
  return success();
}

} // namespace

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  RankedTensorType result;
  if (failed(inferAttention(location, "attention", adaptor.getOperands(), adaptor.getCausalAttr(),
                            result)))
    return failure();
  inferred.push_back(result);
  return success();
}

LogicalResult AttentionGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  ValueRange operands = adaptor.getOperands();
  if (!adaptor.getWrtAttr() || adaptor.getWrt() < 0 || adaptor.getWrt() > 2)
    return inferenceError(location, "attention_grad needs 'wrt' = 0 (q), 1 (k) or 2 (v)");
  RankedTensorType result;
  if (failed(inferAttention(location, "attention_grad", operands, adaptor.getCausalAttr(),
                            result)))
    return failure();
  if (operands[3].getType() != result)
    return inferenceError(location, "attention_grad of " + operandTypes(operands) +
                                        ": the gradient must have the attention's type " +
                                        typeString(result));
  inferred.push_back(operands[adaptor.getWrt()].getType());
  return success();
}

/// Each of q, k and v takes its own dl.attention_grad; all three read the same operands.
LogicalResult AttentionOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  for (int64_t wrt = 0; wrt < 3; ++wrt)
    dx.push_back(b.create<AttentionGradOp>(getLoc(), getQ(), getK(), getV(), dy[0],
                                           getCausalAttr(), getScaleAttr(),
                                           b.getI64IntegerAttr(wrt)));
  return success();
}
