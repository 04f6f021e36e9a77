//===- Pooling.cpp - dl.maxpool2d, avgpool2d and their gradients -----------===//
//
// The pooling ops of PoolingOps.td (NCHW, f32) as element-wise Funcs over their results whose body
// visits the window's taps in an unrolled expression: windows are small (2x2, 3x3), so a loop
// would cost more than the taps. Tap (p, q) of window (i, j) reads input row i * sh - ph + p * dh
// and column j * sw - pw + q * dw (the dilation is 1 but for max pooling); when no tap of any
// window can leave the input (no padding, and no ceil_mode window overhanging it) no bounds are
// checked. Average pooling divides by KH * KW, or, where windows overhang the padded input
// (ceil_mode) or padding does not count (count_include_pad = false), by each window's count as
// PyTorch's avg_pool2d computes it (avgPoolCount, ShapeRules.h).
//
// The gradients gather: each input element (h, v) visits the taps that can read it, (p, q) with
// (h + ph - p * dh) / sh a whole row i of the output (and likewise for the column), and adds the
// window's gradient when that window sends it there.
//
// Max pooling's choice follows compiler/interpreter/Pooling.cpp exactly: the window's first tap
// inside the input (row-major, p outer) is the candidate, a later tap replaces it when its value
// compares `>` (so the first maximum wins a tie, and a NaN is chosen only as the first tap). The
// argmax of every window is a helper Func that the schedule computes once before the gradient reads
// it. The forward value is the maximum, NaN when the window holds a NaN.
//
// The values are ValueKind::Reduction: their element-wise producers are inlined into them, and a
// producer that is also stored is computed once (needsOneRounding in Schedule.h), so both readers
// see one rounding.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <limits>

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;

int i32(int64_t v) { return static_cast<int>(v); }

/// Kernel, stride, padding and dilation of a pooling op, [height, width], its options and the
/// input's shape.
struct PoolWindow {
  int64_t kh, kw, sh, sw, ph, pw, dh = 1, dw = 1;
  Shape in, out; ///< [N, C, H, W] and [N, C, OH, OW].
  bool ceilMode = false, countIncludePad = true;

  /// Whether some tap of some window lies outside the input.
  bool padded() const {
    return ph > 0 || pw > 0 || (out[2] - 1) * sh - ph + (kh - 1) * dh >= in[2] ||
           (out[3] - 1) * sw - pw + (kw - 1) * dw >= in[3];
  }
  /// Whether every window divides by KH * KW (average pooling).
  bool uniformCount() const {
    return countIncludePad ? (out[2] - 1) * sh - ph + kh <= in[2] + ph &&
                                 (out[3] - 1) * sw - pw + kw <= in[3] + pw
                           : !padded();
  }
};

PoolWindow poolWindow(Lowering &l, const KernelNode &node, const Shape &in, const Shape &out) {
  auto pair = [&](const std::string &name, const std::vector<int64_t> *fallback) {
    std::vector<int64_t> v = fallback ? l.intsAttr(node, name, *fallback) : l.intsAttr(node, name);
    if (v.size() != 2)
      throw l.error(node, name + " needs two values, [height, width]");
    return v;
  };
  std::vector<int64_t> zero{0, 0}, one{1, 1};
  std::vector<int64_t> k = pair("kernel_size", nullptr);
  std::vector<int64_t> s = pair("stride", &k), p = pair("padding", &zero),
                       d = pair("dilation", &one);
  if (k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || p[0] < 0 ||
      p[1] < 0 || 2 * p[0] > k[0] || 2 * p[1] > k[1])
    throw l.error(node, "needs kernel sizes, strides and dilations >= 1 and 0 <= padding <= "
                        "kernel / 2");
  if (in.size() != 4 || out.size() != 4 || in[0] != out[0] || in[1] != out[1])
    throw l.error(node, "needs NCHW tensors with the same batch and channels");
  bool ceilMode = l.intAttr(node, "ceil_mode", 0) != 0;
  // PyTorch's pooling_output_shape (ShapeRulesWindow.cpp).
  int64_t outSize[2];
  for (int a = 0; a < 2; ++a) {
    int64_t room = in[2 + a] + 2 * p[a] - d[a] * (k[a] - 1) - 1 + (ceilMode ? s[a] - 1 : 0);
    outSize[a] = room < 0 ? 0 : room / s[a] + 1;
    if (ceilMode && (outSize[a] - 1) * s[a] >= in[2 + a] + p[a])
      --outSize[a];
  }
  if (outSize[0] < 1 || outSize[1] < 1 || outSize[0] != out[2] || outSize[1] != out[3])
    throw l.error(node, "output size does not match the input, kernel, stride, padding, "
                        "dilation and ceil_mode");
  PoolWindow w{k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], in, out};
  w.ceilMode = ceilMode;
  w.countIncludePad = l.intAttr(node, "count_include_pad", 1) != 0;
  return w;
}

/// avgPoolCount (ShapeRules.h) of window index `i` along dimension `a` (0: rows, 1: columns).
Expr windowCount(const PoolWindow &w, int a, const Expr &i) {
  int64_t k = a ? w.kw : w.kh, s = a ? w.sw : w.sh, p = a ? w.pw : w.ph, in = w.in[2 + a];
  Expr start = i * i32(s) - i32(p), end = Halide::min(start + i32(k), i32(in + p));
  if (w.countIncludePad)
    return end - start;
  return Halide::min(end, i32(in)) - Halide::max(start, 0);
}

/// The divisor of average-pooling window `window` (of the output's shape), as an f32.
Expr windowDivisor(const PoolWindow &w, const Index &window) {
  if (w.uniformCount())
    return Expr(static_cast<float>(w.kh * w.kw));
  return Halide::cast<float>(windowCount(w, 0, window[2]) * windowCount(w, 1, window[3]));
}

void expectF32(Lowering &l, const KernelNode &node) {
  for (size_t i = 0; i < node.operands.size(); ++i)
    if (l.operand(node, i).type.dtype != DType::F32)
      throw l.error(node, "pools f32 tensors only");
  if (node.type.dtype != DType::F32)
    throw l.error(node, "pools f32 tensors only");
}

/// Whether f32 `x` is a NaN, from its bits (immune to fast-math assumptions).
Expr nanBits(const Expr &x) {
  Expr bits = Halide::reinterpret(Halide::UInt(32), x);
  return (bits & Halide::Expr(uint32_t(0x7fffffff))) > Halide::Expr(uint32_t(0x7f800000));
}

/// One tap of window (i, j) of `x`: whether it is inside and its (clamped) value.
struct Tap {
  Expr inside, value;
};

Tap tapOf(const PoolWindow &w, const Func &x, const Index &window, int64_t p, int64_t q) {
  Expr h = window[2] * i32(w.sh) + i32(p * w.dh - w.ph),
       v = window[3] * i32(w.sw) + i32(q * w.dw - w.pw);
  if (!w.padded())
    return {Halide::Internal::const_true(), Lowering::call(x, {window[0], window[1], h, v})};
  Expr inside = h >= 0 && h < i32(w.in[2]) && v >= 0 && v < i32(w.in[3]);
  Expr value = Lowering::call(x, {window[0], window[1], Halide::clamp(h, 0, i32(w.in[2]) - 1),
                                  Halide::clamp(v, 0, i32(w.in[3]) - 1)});
  return {inside, value};
}

/// The sum over the taps (p, q) that read input element `element` (of shape w.in) of
/// term(window index, p * KW + q), for windows inside the output.
Expr gatherOverWindows(const PoolWindow &w, const Index &element,
                       const std::function<Expr(const Index &window, int64_t tap)> &term) {
  Expr sum = 0.0f;
  for (int64_t p = 0; p < w.kh; ++p) {
    Expr th = element[2] + i32(w.ph - p * w.dh), i = th / i32(w.sh);
    Expr rowOk = th % i32(w.sh) == 0 && i >= 0 && i < i32(w.out[2]);
    for (int64_t q = 0; q < w.kw; ++q) {
      Expr tw = element[3] + i32(w.pw - q * w.dw), j = tw / i32(w.sw);
      Expr ok = rowOk && tw % i32(w.sw) == 0 && j >= 0 && j < i32(w.out[3]);
      Index window{element[0], element[1], Halide::clamp(i, 0, i32(w.out[2]) - 1),
                   Halide::clamp(j, 0, i32(w.out[3]) - 1)};
      sum += Halide::select(ok, term(window, p * w.kw + q), 0.0f);
    }
  }
  return sum;
}

LoweredValue lowerMaxPool2d(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  expectF32(l, node);
  const LoweredValue &x = l.operand(node, 0);
  PoolWindow w = poolWindow(l, node, x.type.shape, node.type.shape);
  const Expr minusInf(-std::numeric_limits<float>::infinity());
  LoweredValue v = l.pointwise(node, [&](const Index &window) {
    Expr m = minusInf;
    for (int64_t p = 0; p < w.kh; ++p)
      for (int64_t q = 0; q < w.kw; ++q) {
        Tap t = tapOf(w, x.func, window, p, q);
        m = maxPropagatingNaN(m,
                              w.padded() ? Halide::select(t.inside, t.value, minusInf) : t.value);
      }
    return m;
  });
  v.kind = ValueKind::Reduction;
  v.window = true;
  return v;
}

LoweredValue lowerMaxPool2dGrad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  expectF32(l, node);
  const LoweredValue &x = l.operand(node, 0), &gy = l.operand(node, 1);
  if (x.type.shape != node.type.shape)
    throw l.error(node, "result shape differs from the input's");
  PoolWindow w = poolWindow(l, node, x.type.shape, gy.type.shape);
  // argmax(n, c, i, j): the tap p * KW + q that window (i, j) sends its gradient to. `>` is false
  // when either side is NaN, as in the interpreter; Halide compiles with fast-math flags (LLVM
  // assumes no NaN: it folds is_nan away and turns the compare-and-select into a max instruction,
  // which returns the second operand for a NaN), so NaNs are recognized from their bits.
  Func argmax = l.newFunc(node, "_argmax");
  Lowering::define(argmax, 4, [&](const Index &window) {
    Expr found = Halide::Internal::const_false();
    Expr best = 0.0f;
    Expr index = 0;
    for (int64_t p = 0; p < w.kh; ++p)
      for (int64_t q = 0; q < w.kw; ++q) {
        Tap t = tapOf(w, x.func, window, p, q);
        Expr greater = !nanBits(t.value) && !nanBits(best) && t.value > best;
        Expr take = t.inside && (!found || greater);
        best = Halide::select(take, t.value, best);
        index = Halide::select(take, i32(p * w.kw + q), index);
        found = found || t.inside;
      }
    return index;
  });
  LoweredValue v = l.pointwise(node, [&](const Index &element) {
    return gatherOverWindows(w, element, [&](const Index &window, int64_t tap) {
      return Halide::select(Lowering::call(argmax, window) == i32(tap),
                            Lowering::call(gy.func, window), 0.0f);
    });
  });
  v.kind = ValueKind::Reduction;
  v.window = true;
  v.gatherStride = w.sw;
  v.helpers.emplace_back(argmax, gy.type.shape);
  return v;
}

LoweredValue lowerAvgPool2d(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  expectF32(l, node);
  const LoweredValue &x = l.operand(node, 0);
  PoolWindow w = poolWindow(l, node, x.type.shape, node.type.shape);
  LoweredValue v = l.pointwise(node, [&](const Index &window) {
    Expr sum = 0.0f;
    for (int64_t p = 0; p < w.kh; ++p)
      for (int64_t q = 0; q < w.kw; ++q) {
        Tap t = tapOf(w, x.func, window, p, q);
        sum += w.padded() ? Halide::select(t.inside, t.value, 0.0f) : t.value;
      }
    return sum / windowDivisor(w, window);
  });
  v.kind = ValueKind::Reduction;
  v.window = true;
  return v;
}

LoweredValue lowerAvgPool2dGrad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  expectF32(l, node);
  const LoweredValue &gy = l.operand(node, 0);
  std::vector<int64_t> inputSize = l.intsAttr(node, "input_size");
  const Shape &sx = node.type.shape;
  if (sx.size() != 4 || inputSize.size() != 2 || inputSize[0] != sx[2] || inputSize[1] != sx[3])
    throw l.error(node, "input_size does not match the result's spatial size");
  PoolWindow w = poolWindow(l, node, sx, gy.type.shape);
  LoweredValue v = l.pointwise(node, [&](const Index &element) {
    if (w.uniformCount()) {
      Expr sum = gatherOverWindows(w, element, [&](const Index &window, int64_t) {
        return Lowering::call(gy.func, window);
      });
      return sum / static_cast<float>(w.kh * w.kw);
    }
    return gatherOverWindows(w, element, [&](const Index &window, int64_t) {
      return Lowering::call(gy.func, window) / windowDivisor(w, window);
    });
  });
  v.kind = ValueKind::Reduction;
  v.window = true;
  v.gatherStride = w.sw;
  return v;
}

} // namespace

void registerPoolingLowerings(OpTable &t) {
  t["maxpool2d"] = lowerMaxPool2d;
  t["maxpool2d_grad"] = lowerMaxPool2dGrad;
  t["avgpool2d"] = lowerAvgPool2d;
  t["avgpool2d_grad"] = lowerAvgPool2dGrad;
}

} // namespace dl::halide
