//===- Shape.cpp - reshape, transpose, broadcast_to, concat, split, slice, pad ===//
//
// Data movement: every kernel computes, for each output element, which input element (if any) it
// copies. Shapes come from the op's result types, which the verifier has already checked against the
// operands with the shared shape rules.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <cmath>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

LogicalResult evalReshape(dlo::ReshapeOp, OpContext &c) {
  if (c.operand(0).data.size() != c.result().data.size())
    return c.fail("cannot reshape " + c.operand(0).typeString() + " to " + c.result().typeString());
  c.result().data = c.operand(0).data;
  return success();
}

LogicalResult evalTranspose(dlo::TransposeOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  llvm::ArrayRef<int64_t> perm = op.getPerm();
  Shape inStrides = stridesOf(x.shape);
  // Output dimension d walks input dimension perm[d].
  std::vector<int64_t> index(out.rank(), 0);
  for (size_t i = 0; i < out.data.size(); ++i) {
    int64_t flat = 0;
    for (int64_t d = 0; d < out.rank(); ++d)
      flat += index[d] * inStrides[perm[d]];
    out.data[i] = x.data[flat];
    nextIndex(index, out.shape);
  }
  return success();
}

LogicalResult evalBroadcastTo(dlo::BroadcastToOp, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  std::vector<int64_t> from = broadcastIndices(x.shape, out.shape);
  for (size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = x.data[from[i]];
  return success();
}

LogicalResult evalConcat(dlo::ConcatOp op, OpContext &c) {
  Tensor &out = c.result();
  int64_t axis = normalizeAxis(op.getAxis(), out.rank());
  AxisView o = viewAround(out.shape, axis);
  int64_t offset = 0; // where along the axis the current operand starts
  for (const Tensor *part : c.operands) {
    AxisView p = viewAround(part->shape, axis);
    for (int64_t outer = 0; outer < p.outer; ++outer)
      for (int64_t j = 0; j < p.size; ++j)
        for (int64_t in = 0; in < p.inner; ++in)
          out.data[(outer * o.size + offset + j) * o.inner + in] =
              part->data[(outer * p.size + j) * p.inner + in];
    offset += p.size;
  }
  return success();
}

LogicalResult evalSplit(dlo::SplitOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  int64_t axis = normalizeAxis(op.getAxis(), x.rank());
  AxisView v = viewAround(x.shape, axis);
  for (size_t r = 0; r < c.results.size(); ++r) {
    Tensor &piece = c.results[r];
    AxisView p = viewAround(piece.shape, axis);
    int64_t offset = static_cast<int64_t>(r) * p.size;
    for (int64_t outer = 0; outer < p.outer; ++outer)
      for (int64_t j = 0; j < p.size; ++j)
        for (int64_t in = 0; in < p.inner; ++in)
          piece.data[(outer * p.size + j) * p.inner + in] =
              x.data[(outer * v.size + offset + j) * v.inner + in];
  }
  return success();
}

LogicalResult evalSlice(dlo::SliceOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  llvm::ArrayRef<int64_t> start = op.getStart(), stride = op.getStride();
  Shape inStrides = stridesOf(x.shape);
  std::vector<int64_t> index(out.rank(), 0);
  for (size_t i = 0; i < out.data.size(); ++i) {
    int64_t flat = 0;
    for (int64_t d = 0; d < out.rank(); ++d)
      flat += (start[d] + index[d] * stride[d]) * inStrides[d];
    out.data[i] = x.data[flat];
    nextIndex(index, out.shape);
  }
  return success();
}

LogicalResult evalPad(dlo::PadOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  llvm::ArrayRef<int64_t> low = op.getLow();
  double value = op.getValue().convertToDouble();
  // The fill is an f64 attribute; integer tensors take it as a cast would.
  if (out.kind == ElementKind::I32)
    value = std::trunc(value);
  else if (out.kind == ElementKind::I1)
    value = value != 0 ? 1.0 : 0.0;
  Shape outStrides = stridesOf(out.shape);
  for (double &v : out.data)
    v = value;
  // Each input element lands `low` further along every dimension.
  std::vector<int64_t> index(x.rank(), 0);
  for (size_t i = 0; i < x.data.size(); ++i) {
    int64_t flat = 0;
    for (int64_t d = 0; d < x.rank(); ++d)
      flat += (index[d] + low[d]) * outStrides[d];
    out.data[flat] = x.data[i];
    nextIndex(index, x.shape);
  }
  return success();
}

} // namespace

void registerShapeKernels(KernelTable &t) {
  addKernel<dlo::ReshapeOp>(t, evalReshape);
  addKernel<dlo::TransposeOp>(t, evalTranspose);
  addKernel<dlo::BroadcastToOp>(t, evalBroadcastTo);
  addKernel<dlo::ConcatOp>(t, evalConcat);
  addKernel<dlo::SplitOp>(t, evalSplit);
  addKernel<dlo::SliceOp>(t, evalSlice);
  addKernel<dlo::PadOp>(t, evalPad);
}

} // namespace dl::interp
