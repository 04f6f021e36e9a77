//===- Pooling.cpp - maxpool2d, avgpool2d and their gradients -------------===//
//
// The pooling ops of PoolingOps.td, NCHW, in double precision, written as the formulas of their
// definitions: every output element of a forward op visits the taps of its window, and every
// gradient visits the same taps and adds into the element each tap reads (a scatter, the most
// direct reading of a vector-Jacobian product; compiled kernels may gather instead).
//
// Tap (p, q) of window (i, j) reads input row i * sh - ph + p * dh and column j * sw - pw + q * dw
// (Window, Kernels.h; the dilation is 1 but for max pooling); a tap outside the input reads zero
// (average pooling) or is skipped (max pooling). The result's shape already says how many windows
// ceil_mode adds; average pooling divides each window by PyTorch's count (avgPoolCount,
// ShapeRules.h).
//
// Max pooling's choice, which maxpool2d_grad and compiled kernels must make identically: the
// window's first tap inside the input in row-major order (p outer, q inner) is the candidate, and
// each later tap inside the input replaces it when its value compares `>` than the candidate's. So
// the first maximal element wins a tie, and a NaN is chosen only as the first element. The forward
// value is the maximum, NaN when the window holds a NaN (as PyTorch gives).
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include "dl/ShapeRules.h"

#include <cmath>
#include <limits>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// The window of a max-pooling op (maxpool2d or its gradient), dilated when it says so.
template <typename Op> Window maxPoolWindow(Op op) {
  std::optional<llvm::ArrayRef<int64_t>> dilation = op.getDilation();
  return windowOf(op.getKernelSize(), op.getStride(), op.getPadding(),
                  dilation ? *dilation : llvm::ArrayRef<int64_t>{1, 1});
}

/// The divisor of average-pooling window (i, j) over input [H, W] = xd's.
template <typename Op>
double avgDivisor(Op op, const Window &win, const Dims4 &xd, int64_t i, int64_t j) {
  bool include = op.getCountIncludePad();
  return double(shape::avgPoolCount(i * win.sh - win.ph, win.kh, xd.d2, win.ph, include) *
                shape::avgPoolCount(j * win.sw - win.pw, win.kw, xd.d3, win.pw, include));
}

/// The flat index in `x` of the element window (i, j) of plane (n, ch) chooses (see the file
/// comment), or -1 when no tap of the window is inside `x` (a dilated window can fall between the
/// input's elements and its padding).
int64_t windowArgmax(const Tensor &x, const Dims4 &xd, const Window &win, int64_t n, int64_t ch,
                     int64_t i, int64_t j) {
  int64_t best = -1;
  for (int64_t p = 0; p < win.kh; ++p)
    for (int64_t q = 0; q < win.kw; ++q) {
      int64_t h = win.row(i, p), v = win.col(j, q);
      if (!xd.inside(h, v))
        continue;
      int64_t k = xd.at(n, ch, h, v);
      if (best < 0 || x.data[k] > x.data[best])
        best = k;
    }
  return best;
}

LogicalResult evalMaxPool2d(dlo::MaxPool2dOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &y = c.result();
  Dims4 xd(x.shape), yd(y.shape);
  Window win = maxPoolWindow(op);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int64_t n = 0; n < yd.d0; ++n)
    for (int64_t ch = 0; ch < yd.d1; ++ch)
      for (int64_t i = 0; i < yd.d2; ++i)
        for (int64_t j = 0; j < yd.d3; ++j) {
          int64_t best = windowArgmax(x, xd, win, n, ch, i, j);
          if (best < 0) {
            // A dilated window whose taps all fall in the padding: PyTorch's -inf.
            y.data[yd.at(n, ch, i, j)] = -std::numeric_limits<double>::infinity();
            continue;
          }
          double m = x.data[best];
          for (int64_t p = 0; p < win.kh && !std::isnan(m); ++p)
            for (int64_t q = 0; q < win.kw; ++q) {
              int64_t h = win.row(i, p), v = win.col(j, q);
              if (xd.inside(h, v) && std::isnan(x.data[xd.at(n, ch, h, v)]))
                m = nan;
            }
          y.data[yd.at(n, ch, i, j)] = m;
        }
  return success();
}

LogicalResult evalMaxPool2dGrad(dlo::MaxPool2dGradOp op, OpContext &c) {
  const Tensor &x = c.operand(0), &gy = c.operand(1);
  Tensor &gx = c.result();
  Dims4 xd(x.shape), gyd(gy.shape);
  Window win = maxPoolWindow(op);
  for (int64_t n = 0; n < gyd.d0; ++n)
    for (int64_t ch = 0; ch < gyd.d1; ++ch)
      for (int64_t i = 0; i < gyd.d2; ++i)
        for (int64_t j = 0; j < gyd.d3; ++j) {
          int64_t best = windowArgmax(x, xd, win, n, ch, i, j);
          if (best >= 0) // a window of padding only sends its gradient nowhere, as PyTorch's
            gx.data[best] += gy.data[gyd.at(n, ch, i, j)];
        }
  return success();
}

LogicalResult evalAvgPool2d(dlo::AvgPool2dOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &y = c.result();
  Dims4 xd(x.shape), yd(y.shape);
  Window win = windowOf(op.getKernelSize(), op.getStride(), op.getPadding());
  for (int64_t n = 0; n < yd.d0; ++n)
    for (int64_t ch = 0; ch < yd.d1; ++ch)
      for (int64_t i = 0; i < yd.d2; ++i)
        for (int64_t j = 0; j < yd.d3; ++j) {
          double sum = 0;
          for (int64_t p = 0; p < win.kh; ++p)
            for (int64_t q = 0; q < win.kw; ++q) {
              int64_t h = win.row(i, p), v = win.col(j, q);
              if (xd.inside(h, v))
                sum += x.data[xd.at(n, ch, h, v)];
            }
          y.data[yd.at(n, ch, i, j)] = sum / avgDivisor(op, win, xd, i, j);
        }
  return success();
}

LogicalResult evalAvgPool2dGrad(dlo::AvgPool2dGradOp op, OpContext &c) {
  const Tensor &gy = c.operand(0);
  Tensor &gx = c.result();
  Dims4 gyd(gy.shape), xd(gx.shape);
  Window win = windowOf(op.getKernelSize(), op.getStride(), op.getPadding());
  for (int64_t n = 0; n < gyd.d0; ++n)
    for (int64_t ch = 0; ch < gyd.d1; ++ch)
      for (int64_t i = 0; i < gyd.d2; ++i)
        for (int64_t j = 0; j < gyd.d3; ++j) {
          double share = gy.data[gyd.at(n, ch, i, j)] / avgDivisor(op, win, xd, i, j);
          for (int64_t p = 0; p < win.kh; ++p)
            for (int64_t q = 0; q < win.kw; ++q) {
              int64_t h = win.row(i, p), v = win.col(j, q);
              if (xd.inside(h, v))
                gx.data[xd.at(n, ch, h, v)] += share;
            }
        }
  return success();
}

} // namespace

void registerPoolingKernels(KernelTable &t) {
  addKernel<dlo::MaxPool2dOp>(t, evalMaxPool2d);
  addKernel<dlo::MaxPool2dGradOp>(t, evalMaxPool2dGrad);
  addKernel<dlo::AvgPool2dOp>(t, evalAvgPool2d);
  addKernel<dlo::AvgPool2dGradOp>(t, evalAvgPool2dGrad);
}

} // namespace dl::interp
