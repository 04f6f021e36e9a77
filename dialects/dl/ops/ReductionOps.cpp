//===- ReductionOps.cpp - Reductions --------------------------------------===//
#include "GradBuilder.h"
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace mlir::dl {

LogicalResult inferReduction(std::optional<Location> loc, Type input, ArrayRef<int64_t> axes,
                             bool keepdims, SmallVectorImpl<Type> &inferred) {
  shape::Shape out;
  std::string why;
  if (!shape::reduce(shapeOf(input), std::vector<int64_t>(axes.begin(), axes.end()), keepdims, out,
                     why))
    return inferenceError(loc, "cannot reduce " + typeString(input) + ": " + why);
  inferred.push_back(tensorOf(out, llvm::cast<RankedTensorType>(input).getElementType()));
  return success();
}

LogicalResult inferArgExtremum(MLIRContext *context, std::optional<Location> loc, Type input,
                               int64_t axis, bool keepdims, SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> reduced;
  if (failed(inferReduction(loc, input, {axis}, keepdims, reduced)))
    return failure();
  inferred.push_back(tensorOf(shapeOf(reduced[0]), IntegerType::get(context, 32)));
  return success();
}

LogicalResult inferAlongAxis(std::optional<Location> loc, StringRef op, Type input, int64_t axis,
                             SmallVectorImpl<Type> &inferred) {
  int64_t rank = static_cast<int64_t>(shapeOf(input).size());
  if (axis < -rank || axis >= rank || rank == 0)
    return inferenceError(loc, op + " axis " + std::to_string(axis) + " is out of range for " +
                                   typeString(input));
  inferred.push_back(input);
  return success();
}

} // namespace mlir::dl

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

LogicalResult SumOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  GradBuilder g(b, getLoc());
  dx.push_back(g.unreduce(dy[0], getInput().getType(), getAxes(), getKeepdims()));
  return success();
}

LogicalResult MeanOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  GradBuilder g(b, getLoc());
  double count = double(GradBuilder::numElements(getInput())) / GradBuilder::numElements(getResult());
  dx.push_back(g.unreduce(g.scale(dy[0], 1.0 / count), getInput().getType(), getAxes(), getKeepdims()));
  return success();
}

/// max and min: the gradient is shared equally by the elements that attain the extremum.
template <typename Op>
static LogicalResult extremumVJP(Op op, OpBuilder &b, Value dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(op.getInput())) {
    dx.push_back(Value());
    return success();
  }
  GradBuilder g(b, op.getLoc());
  Type in = op.getInput().getType();
  Value y = g.unreduce(op.getResult(), in, op.getAxes(), op.getKeepdims());
  Value hit = g.cast(g.cmp(CmpPredicate::eq, op.getInput(), y), in);
  Value ties = g.unreduce(g.sum(hit, op.getAxes(), op.getKeepdims()), in, op.getAxes(), op.getKeepdims());
  Value share = g.div(g.unreduce(dy, in, op.getAxes(), op.getKeepdims()), ties);
  dx.push_back(g.mul(hit, share));
  return success();
}

LogicalResult ReduceMaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return extremumVJP(*this, b, dy[0], dx);
}
LogicalResult ReduceMinOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return extremumVJP(*this, b, dy[0], dx);
}

/// cumsum: each input element reaches every output at or after it (before it, reversed), so its
/// gradient is the cumulative sum of the output gradient taken the other way.
LogicalResult CumsumOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  dx.push_back(b.create<CumsumOp>(getLoc(), dy[0], getAxisAttr(), b.getBoolAttr(!getReverse())));
  return success();
}

LogicalResult LogSumExpOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  // d logsumexp(x) / dx = exp(x - logsumexp(x)), the softmax over the reduced axes.
  GradBuilder g(b, getLoc());
  Type in = getInput().getType();
  Value y = g.unreduce(getResult(), in, getAxes(), getKeepdims());
  Value p = g.exp(g.sub(getInput(), y));
  dx.push_back(g.mul(g.unreduce(dy[0], in, getAxes(), getKeepdims()), p));
  return success();
}
