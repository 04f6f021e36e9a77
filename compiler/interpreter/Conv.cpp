//===- Conv.cpp - conv2d, maxpool2d, avgpool2d and their gradients --------===//
//
// The 2-D window ops of ConvOps.td, NCHW, in double precision, written as the formulas of their
// definitions: every output element of a forward op visits the taps of its window, and every
// gradient visits the same taps and adds into the element each tap reads (a scatter, the most
// direct reading of a vector-Jacobian product; compiled kernels may gather instead).
//
// Tap (p, q) of window (i, j) reads input row i * sh - ph + p * dh and column j * sw - pw + q * dw;
// a tap outside the input reads zero (convolution, average pooling) or is skipped (max pooling).
//
// Max pooling's choice, which maxpool2d_grad and compiled kernels must make identically: the
// window's first tap inside the input in row-major order (p outer, q inner) is the candidate, and
// each later tap inside the input replaces it when its value compares `>` than the candidate's. So
// the first maximal element wins a tie, and a NaN is chosen only as the first element. The forward
// value is the maximum, NaN when the window holds a NaN (as PyTorch gives).
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <cmath>
#include <limits>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// The spatial geometry of one window op: kernel, stride, padding and dilation, [height, width].
struct Window {
  int64_t kh, kw, sh, sw, ph, pw, dh = 1, dw = 1;

  /// The input row (column) that tap p (q) of output row i (column j) reads.
  int64_t row(int64_t i, int64_t p) const { return i * sh - ph + p * dh; }
  int64_t col(int64_t j, int64_t q) const { return j * sw - pw + q * dw; }
};

Window windowOf(ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                ArrayRef<int64_t> dilation = {1, 1}) {
  return Window{kernel[0], kernel[1], stride[0], stride[1],
                padding[0], padding[1], dilation[0], dilation[1]};
}

/// A rank-4 row-major tensor's dimensions and flat indexing.
struct Dims4 {
  int64_t d0, d1, d2, d3;
  explicit Dims4(const Shape &s) : d0(s[0]), d1(s[1]), d2(s[2]), d3(s[3]) {}
  int64_t at(int64_t a, int64_t b, int64_t c, int64_t d) const {
    return ((a * d1 + b) * d2 + c) * d3 + d;
  }
  bool inside(int64_t h, int64_t w) const { return h >= 0 && h < d2 && w >= 0 && w < d3; }
};

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

/// The flat index in `x` of the element window (i, j) of plane (n, ch) chooses (see the file
/// comment), or -1 when no tap of the window is inside `x` (the verifier's padding rule excludes
/// that).
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
  Window win = windowOf(op.getKernelSize(), op.getStride(), op.getPadding());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int64_t n = 0; n < yd.d0; ++n)
    for (int64_t ch = 0; ch < yd.d1; ++ch)
      for (int64_t i = 0; i < yd.d2; ++i)
        for (int64_t j = 0; j < yd.d3; ++j) {
          int64_t best = windowArgmax(x, xd, win, n, ch, i, j);
          if (best < 0)
            return c.fail("a window of " + x.typeString() + " holds no element of the input");
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
  Window win = windowOf(op.getKernelSize(), op.getStride(), op.getPadding());
  for (int64_t n = 0; n < gyd.d0; ++n)
    for (int64_t ch = 0; ch < gyd.d1; ++ch)
      for (int64_t i = 0; i < gyd.d2; ++i)
        for (int64_t j = 0; j < gyd.d3; ++j) {
          int64_t best = windowArgmax(x, xd, win, n, ch, i, j);
          if (best < 0)
            return c.fail("a window of " + x.typeString() + " holds no element of the input");
          gx.data[best] += gy.data[gyd.at(n, ch, i, j)];
        }
  return success();
}

LogicalResult evalAvgPool2d(dlo::AvgPool2dOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &y = c.result();
  Dims4 xd(x.shape), yd(y.shape);
  Window win = windowOf(op.getKernelSize(), op.getStride(), op.getPadding());
  // count_include_pad: padded taps count in the divisor.
  double count = double(win.kh * win.kw);
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
          y.data[yd.at(n, ch, i, j)] = sum / count;
        }
  return success();
}

LogicalResult evalAvgPool2dGrad(dlo::AvgPool2dGradOp op, OpContext &c) {
  const Tensor &gy = c.operand(0);
  Tensor &gx = c.result();
  Dims4 gyd(gy.shape), xd(gx.shape);
  Window win = windowOf(op.getKernelSize(), op.getStride(), op.getPadding());
  double count = double(win.kh * win.kw);
  for (int64_t n = 0; n < gyd.d0; ++n)
    for (int64_t ch = 0; ch < gyd.d1; ++ch)
      for (int64_t i = 0; i < gyd.d2; ++i)
        for (int64_t j = 0; j < gyd.d3; ++j) {
          double share = gy.data[gyd.at(n, ch, i, j)] / count;
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

void registerConvKernels(KernelTable &t) {
  addKernel<dlo::Conv2dOp>(t, evalConv2d);
  addKernel<dlo::Conv2dGradInputOp>(t, evalConv2dGradInput);
  addKernel<dlo::Conv2dGradWeightOp>(t, evalConv2dGradWeight);
  addKernel<dlo::MaxPool2dOp>(t, evalMaxPool2d);
  addKernel<dlo::MaxPool2dGradOp>(t, evalMaxPool2dGrad);
  addKernel<dlo::AvgPool2dOp>(t, evalAvgPool2d);
  addKernel<dlo::AvgPool2dGradOp>(t, evalAvgPool2dGrad);
}

} // namespace dl::interp
