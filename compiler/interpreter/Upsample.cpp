//===- Upsample.cpp - upsample_bilinear2d and its gradient ----------------===//
//
// The ops of UpsampleOps.td, NCHW, in double precision: each output element adds its four taps
// with the weights of linearTaps (ShapeRules.h, PyTorch's float32 weights, widened), in
// PyTorch's order, so that a zero weight on an infinite tap gives NaN as PyTorch's does; the
// gradient scatters each output's gradient onto the same taps.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include "dl/ShapeRules.h"

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

LogicalResult evalUpsampleBilinear2d(dlo::UpsampleBilinear2dOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &y = c.result();
  Dims4 xd(x.shape), yd(y.shape);
  std::vector<shape::LinearTap> rows = shape::linearTaps(xd.d2, op.getScale()[0],
                                                         op.getAlignCorners()),
                                cols = shape::linearTaps(xd.d3, op.getScale()[1],
                                                         op.getAlignCorners());
  for (int64_t n = 0; n < yd.d0; ++n)
    for (int64_t ch = 0; ch < yd.d1; ++ch)
      for (int64_t i = 0; i < yd.d2; ++i)
        for (int64_t j = 0; j < yd.d3; ++j) {
          const shape::LinearTap &r = rows[i], &q = cols[j];
          auto at = [&](int64_t h, int64_t w) { return x.data[xd.at(n, ch, h, w)]; };
          double top = at(r.i0, q.i0) * double(q.l0) + at(r.i0, q.i1) * double(q.l1);
          double bottom = at(r.i1, q.i0) * double(q.l0) + at(r.i1, q.i1) * double(q.l1);
          y.data[yd.at(n, ch, i, j)] = top * double(r.l0) + bottom * double(r.l1);
        }
  return success();
}

LogicalResult evalUpsampleBilinear2dGrad(dlo::UpsampleBilinear2dGradOp op, OpContext &c) {
  const Tensor &gy = c.operand(0);
  Tensor &gx = c.result();
  Dims4 gyd(gy.shape), xd(gx.shape);
  std::vector<shape::LinearTap> rows = shape::linearTaps(xd.d2, op.getScale()[0],
                                                         op.getAlignCorners()),
                                cols = shape::linearTaps(xd.d3, op.getScale()[1],
                                                         op.getAlignCorners());
  for (int64_t n = 0; n < gyd.d0; ++n)
    for (int64_t ch = 0; ch < gyd.d1; ++ch)
      for (int64_t i = 0; i < gyd.d2; ++i)
        for (int64_t j = 0; j < gyd.d3; ++j) {
          const shape::LinearTap &r = rows[i], &q = cols[j];
          double g = gy.data[gyd.at(n, ch, i, j)];
          gx.data[xd.at(n, ch, r.i0, q.i0)] += g * double(r.l0) * double(q.l0);
          gx.data[xd.at(n, ch, r.i0, q.i1)] += g * double(r.l0) * double(q.l1);
          gx.data[xd.at(n, ch, r.i1, q.i0)] += g * double(r.l1) * double(q.l0);
          gx.data[xd.at(n, ch, r.i1, q.i1)] += g * double(r.l1) * double(q.l1);
        }
  return success();
}

} // namespace

void registerUpsampleKernels(KernelTable &t) {
  addKernel<dlo::UpsampleBilinear2dOp>(t, evalUpsampleBilinear2d);
  addKernel<dlo::UpsampleBilinear2dGradOp>(t, evalUpsampleBilinear2dGrad);
}

} // namespace dl::interp
