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

LogicalResult inferTopk(MLIRContext *context, std::optional<Location> loc, Type input, int64_t k,
                        int64_t axis, SmallVectorImpl<Type> &inferred) {
  shape::Shape in = shapeOf(input);
  int64_t rank = static_cast<int64_t>(in.size());
  if (axis < -rank || axis >= rank || rank == 0)
    return inferenceError(loc, "topk axis " + std::to_string(axis) + " is out of range for " +
                                   typeString(input));
  int64_t &extent = in[axis < 0 ? axis + rank : axis];
  if (k < 1 || k > extent)
    return inferenceError(loc, "topk k = " + std::to_string(k) + " is out of range [1, " +
                                   std::to_string(extent) + "] for axis " + std::to_string(axis) +
                                   " of " + typeString(input));
  extent = k;
  inferred.push_back(tensorOf(in, llvm::cast<RankedTensorType>(input).getElementType()));
  inferred.push_back(tensorOf(in, IntegerType::get(context, 32)));
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

/// topk: the gradient of each value goes back to the element it was taken from (its index), zero
/// elsewhere; the indices have none. Built as a one-hot scatter along the axis, moved last:
/// dx[..., j] = sum over slots s of (indices[..., s] == j ? dvalues[..., s] : 0). A select, not a
/// product, so that a NaN or an infinity in one slot's gradient reaches only its own element.
LogicalResult TopkOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  GradBuilder g(b, getLoc());
  shape::Shape in = shapeOf(getInput().getType());
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  int64_t n = in[axis];
  // The permutation that moves the axis last, and its inverse.
  SmallVector<int64_t> perm, inverse(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  for (int64_t d = 0; d < rank; ++d)
    inverse[perm[d]] = d;
  bool moves = axis != rank - 1;
  Value grad = moves ? g.transpose(dy[0], perm) : dy[0];
  Value ids = moves ? g.transpose(getIndices(), perm) : getIndices();
  shape::Shape rows = shapeOf(grad.getType()); // [..., k]
  shape::Shape spread = rows, column = rows;
  spread.push_back(n); // [..., k, n]
  column.push_back(1); // [..., k, 1]
  Type f32 = g.elementOf(dy[0]);
  Value hot = b.create<OneHotOp>(getLoc(), tensorOf(spread, b.getF32Type()), ids,
                                 b.getI64IntegerAttr(n));
  Value hit = g.cmp(CmpPredicate::ne, hot, g.zerosOf(RankedTensorType::get({}, b.getF32Type())));
  Value each = g.broadcastTo(g.reshape(grad, tensorOf(column, f32)), tensorOf(spread, f32));
  Value moved = g.sum(g.where(hit, each), {rank - 1}, /*keepdims=*/false); // [..., n]
  dx.push_back(moves ? g.transpose(moved, inverse) : moved);
  return success();
}
