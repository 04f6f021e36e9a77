//===- Conv.cpp - conv2d and its gradients --------------------------------===//
//
// The convolution ops of ConvOps.td, NCHW, in double precision, written as the formulas of their
// definitions (conv_transpose2d as its own scatter, not through conv2d_grad_input, so that the
// two check each other): every output element of conv2d visits the taps of its window, and every
// gradient visits the same taps and adds into the element each tap reads (a scatter, the most
// direct reading of a vector-Jacobian product; compiled kernels may gather instead).
//
// Tap (p, q) of window (i, j) reads input row i * sh - ph + p * dh and column j * sw - pw + q * dw
// (Window, Kernels.h); a tap outside the input reads zero.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

LogicalResult evalConv2d(dlo::Conv2dOp op, OpContext &c) {
  const Tensor &x = c.operand(0), &w = c.operand(1);
  Tensor &y = c.result();
  Dims4 xd(x.shape), wd(w.shape), yd(y.shape);
  Window win = windowOf({wd.d2, wd.d3}, op.getStride(), op.getPadding(), op.getDilation());
  for (int64_t n = 0; n < yd.d0; ++n)
    for (int64_t o = 0; o < yd.d1; ++o)
      for (int64_t i = 0; i < yd.d2; ++i)
        for (int64_t j = 0; j < yd.d3; ++j) {
          double sum = 0;
          for (int64_t ch = 0; ch < xd.d1; ++ch)
            for (int64_t p = 0; p < win.kh; ++p)
              for (int64_t q = 0; q < win.kw; ++q) {
                int64_t h = win.row(i, p), v = win.col(j, q);
                if (xd.inside(h, v))
                  sum += x.data[xd.at(n, ch, h, v)] * w.data[wd.at(o, ch, p, q)];
              }
          y.data[yd.at(n, o, i, j)] = sum;
        }
  return success();
}

LogicalResult evalConv2dGradInput(dlo::Conv2dGradInputOp op, OpContext &c) {
  const Tensor &gy = c.operand(0), &w = c.operand(1);
  Tensor &gx = c.result();
  Dims4 gyd(gy.shape), wd(w.shape), xd(gx.shape);
  Window win = windowOf({wd.d2, wd.d3}, op.getStride(), op.getPadding(), op.getDilation());
  for (int64_t n = 0; n < gyd.d0; ++n)
    for (int64_t o = 0; o < gyd.d1; ++o)
      for (int64_t i = 0; i < gyd.d2; ++i)
        for (int64_t j = 0; j < gyd.d3; ++j) {
          double g = gy.data[gyd.at(n, o, i, j)];
          for (int64_t ch = 0; ch < xd.d1; ++ch)
            for (int64_t p = 0; p < win.kh; ++p)
              for (int64_t q = 0; q < win.kw; ++q) {
                int64_t h = win.row(i, p), v = win.col(j, q);
                if (xd.inside(h, v))
                  gx.data[xd.at(n, ch, h, v)] += g * w.data[wd.at(o, ch, p, q)];
              }
        }
  return success();
}

LogicalResult evalConv2dGradWeight(dlo::Conv2dGradWeightOp op, OpContext &c) {
  const Tensor &x = c.operand(0), &gy = c.operand(1);
  Tensor &gw = c.result();
  Dims4 xd(x.shape), gyd(gy.shape), wd(gw.shape);
  Window win = windowOf({wd.d2, wd.d3}, op.getStride(), op.getPadding(), op.getDilation());
  for (int64_t o = 0; o < wd.d0; ++o)
    for (int64_t ch = 0; ch < wd.d1; ++ch)
      for (int64_t p = 0; p < win.kh; ++p)
        for (int64_t q = 0; q < win.kw; ++q) {
          double sum = 0;
          for (int64_t n = 0; n < gyd.d0; ++n)
            for (int64_t i = 0; i < gyd.d2; ++i)
              for (int64_t j = 0; j < gyd.d3; ++j) {
                int64_t h = win.row(i, p), v = win.col(j, q);
                if (xd.inside(h, v))
                  sum += gy.data[gyd.at(n, o, i, j)] * x.data[xd.at(n, ch, h, v)];
              }
          gw.data[wd.at(o, ch, p, q)] = sum;
        }
  return success();
}

/// y[n, o, i*sh - ph + p*dh, j*sw - pw + q*dw] += x[n, c, i, j] * w[c, o, p, q], taps outside y
/// dropped.
LogicalResult evalConvTranspose2d(dlo::ConvTranspose2dOp op, OpContext &c) {
  const Tensor &x = c.operand(0), &w = c.operand(1);
  Tensor &y = c.result();
  Dims4 xd(x.shape), wd(w.shape), yd(y.shape);
  Window win = windowOf({wd.d2, wd.d3}, op.getStride(), op.getPadding(), op.getDilation());
  for (int64_t n = 0; n < xd.d0; ++n)
    for (int64_t ch = 0; ch < xd.d1; ++ch)
      for (int64_t i = 0; i < xd.d2; ++i)
        for (int64_t j = 0; j < xd.d3; ++j) {
          double v = x.data[xd.at(n, ch, i, j)];
          for (int64_t o = 0; o < yd.d1; ++o)
            for (int64_t p = 0; p < win.kh; ++p)
              for (int64_t q = 0; q < win.kw; ++q) {
                int64_t h = win.row(i, p), col = win.col(j, q);
                if (yd.inside(h, col))
                  y.data[yd.at(n, o, h, col)] += v * w.data[wd.at(ch, o, p, q)];
              }
        }
  return success();
}

} // namespace

void registerConvKernels(KernelTable &t) {
  addKernel<dlo::ConvTranspose2dOp>(t, evalConvTranspose2d);
  addKernel<dlo::Conv2dOp>(t, evalConv2d);
  addKernel<dlo::Conv2dGradInputOp>(t, evalConv2dGradInput);
  addKernel<dlo::Conv2dGradWeightOp>(t, evalConv2dGradWeight);
}

} // namespace dl::interp
