//===- Upsample.cpp - dl.upsample_bilinear2d and its gradient -------------===//
//
// The ops of UpsampleOps.td (NCHW, f32), separably: along the width, then along the height.
//
// The taps of each axis (UpsampleOps.td: input indices i0 and i1, weights l0 and l1 of each output
// index) are expressions of the output index in strict float, computed exactly as linearTaps
// (ShapeRules.h) and PyTorch's CPU kernel compute them, so that a weight is exactly zero where
// PyTorch's is (and 0 * inf gives NaN where PyTorch's does).
//
//   upsample_bilinear2d       t(n, c, h, j) = x(n, c, h, i0w(j)) l0w(j) + x(n, c, h, i1w(j)) l1w(j)
//                             y(n, c, i, j) = t(n, c, i0h(i), j) l0h(i) + t(n, c, i1h(i), j) l1h(i)
//                             (PyTorch's order of operations; t is a helper computed once)
//   upsample_bilinear2d_grad  the transpose, gathered: u(n, c, i, w) sums gy(n, c, i, j) l(j) over
//                             the output columns j and taps that read column w, then gx(n, c, h, w)
//                             sums u(n, c, i, w) l(i) over the output rows i and taps that read
//                             row h. The columns (rows) that read input index k lie within a fixed
//                             span around k * out / in, found from the taps when the kernel is
//                             built; a NaN gradient reaches every tap of its output, weight 0
//                             or not.
//
// Both are ValueKind::Reduction window values (their element-wise producers inlined, their rows
// scheduled like pooling's).
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include "dl/ShapeRules.h"

#include <algorithm>

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;

int i32(int64_t v) { return static_cast<int>(v); }

/// The taps of one axis as expressions of an output index of that axis.
struct AxisTaps {
  std::function<Expr(Expr)> i0, i1, l0, l1;
  int64_t in = 0, out = 0;
  /// Output indices that read input index k lie in [center(k) + lo, center(k) + hi].
  int64_t lo = 0, hi = 0;
  Expr center(const Expr &k) const {
    return in > 1 ? k * i32(out - 1) / i32(in - 1) : Expr(0);
  }
};

/// The taps of an axis of `in` elements upsampled by `scale` (linearTaps, in Halide). Inline
/// expressions rather than Funcs: a few flops per use, and the clamps tell bounds inference which
/// rows and columns the taps read (a float-to-int index it cannot bound).
AxisTaps axisTaps(int64_t in, int64_t scale, bool alignCorners) {
  AxisTaps t;
  t.in = in;
  t.out = in * scale;
  if (scale == 1) {
    t.i0 = t.i1 = [](Expr i) { return i; };
    t.l0 = [](Expr) { return Expr(1.0f); };
    t.l1 = [](Expr) { return Expr(0.0f); };
  } else {
    float ratio = alignCorners ? (t.out > 1 ? float(in - 1) / float(t.out - 1) : 0.0f)
                               : float(1.0 / double(scale));
    auto src = [=](Expr i) {
      if (alignCorners)
        return Halide::strict_float(Expr(ratio) * Halide::cast<float>(i));
      Expr s = Halide::strict_float(Halide::cast<float>(
          Halide::cast<double>(Expr(ratio)) * (Halide::cast<double>(i) + Expr(0.5)) - Expr(0.5)));
      return Halide::max(s, 0.0f);
    };
    auto floorIndex = [=](Expr i) { return Halide::cast<int>(src(i)); };
    t.i0 = [=](Expr i) { return Halide::clamp(floorIndex(i), 0, i32(in - 1)); };
    t.i1 = [=](Expr i) { return Halide::clamp(floorIndex(i) + 1, 0, i32(in - 1)); };
    t.l1 = [=](Expr i) {
      return Halide::strict_float(src(i) - Halide::cast<float>(floorIndex(i)));
    };
    t.l0 = [=](Expr i) {
      return Halide::strict_float(
          1.0f - Halide::strict_float(src(i) - Halide::cast<float>(floorIndex(i))));
    };
  }
  // The span of output indices around center(k) that read input index k.
  std::vector<dl::shape::LinearTap> taps = dl::shape::linearTaps(in, scale, alignCorners);
  bool first = true;
  for (int64_t o = 0; o < t.out; ++o)
    for (int64_t k : {taps[o].i0, taps[o].i1}) {
      int64_t c = in > 1 ? k * (t.out - 1) / (in - 1) : 0, d = o - c;
      t.lo = first ? d : std::min(t.lo, d);
      t.hi = first ? d : std::max(t.hi, d);
      first = false;
    }
  return t;
}

void expectShapes(Lowering &l, const KernelNode &node, const Shape &in, const Shape &out,
                  std::vector<int64_t> &scale) {
  scale = l.intsAttr(node, "scale");
  if (l.operand(node, 0).type.dtype != DType::F32 || node.type.dtype != DType::F32)
    throw l.error(node, "upsamples f32 tensors only");
  if (scale.size() != 2 || scale[0] < 1 || scale[1] < 1 || in.size() != 4 || out.size() != 4 ||
      in[0] != out[0] || in[1] != out[1] || out[2] != in[2] * scale[0] ||
      out[3] != in[3] * scale[1])
    throw l.error(node, "output size does not match the input and scale");
}

LoweredValue lowerUpsampleBilinear2d(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  const Shape &in = x.type.shape, &out = node.type.shape;
  std::vector<int64_t> scale;
  expectShapes(l, node, in, out, scale);
  bool align = l.intAttr(node, "align_corners", 0) != 0;
  LoweredValue v;
  AxisTaps rows = axisTaps(in[2], scale[0], align);
  AxisTaps cols = axisTaps(in[3], scale[1], align);
  Func t = l.newFunc(node, "_rows");
  Lowering::define(t, 4, [&](const Index &e) {
    Expr j = e[3];
    Expr a = Lowering::call(x.func, {e[0], e[1], e[2], cols.i0(j)});
    Expr b = Lowering::call(x.func, {e[0], e[1], e[2], cols.i1(j)});
    return Halide::strict_float(a * cols.l0(j) + b * cols.l1(j));
  });
  v.helpers.emplace_back(t, Shape{in[0], in[1], in[2], out[3]});
  LoweredValue result = l.pointwise(node, [&](const Index &e) {
    Expr i = e[2];
    Expr a = Lowering::call(t, {e[0], e[1], rows.i0(i), e[3]});
    Expr b = Lowering::call(t, {e[0], e[1], rows.i1(i), e[3]});
    return Halide::strict_float(a * rows.l0(i) + b * rows.l1(i));
  });
  result.helpers = std::move(v.helpers);
  result.kind = ValueKind::Reduction;
  result.window = true;
  return result;
}

/// The sum over the output indices o near input index `k` (taps.lo .. taps.hi around its center)
/// and each tap of o that reads k of term(o clamped into range) * that tap's weight.
Expr gatherAlong(const AxisTaps &taps, const Expr &k, const std::function<Expr(Expr)> &term) {
  Expr sum = 0.0f;
  for (int64_t d = taps.lo; d <= taps.hi; ++d) {
    Expr o = taps.center(k) + i32(d);
    Expr inside = o >= 0 && o < i32(taps.out);
    Expr oc = Halide::clamp(o, 0, i32(taps.out - 1));
    Expr g = term(oc);
    sum += Halide::select(inside && taps.i0(oc) == k, g * taps.l0(oc), 0.0f);
    sum += Halide::select(inside && taps.i1(oc) == k, g * taps.l1(oc), 0.0f);
  }
  return sum;
}

LoweredValue lowerUpsampleBilinear2dGrad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &gy = l.operand(node, 0);
  const Shape &in = node.type.shape, &out = gy.type.shape;
  std::vector<int64_t> scale, inputSize = l.intsAttr(node, "input_size");
  expectShapes(l, node, in, out, scale);
  if (inputSize.size() != 2 || inputSize[0] != in[2] || inputSize[1] != in[3])
    throw l.error(node, "input_size does not match the result's spatial size");
  bool align = l.intAttr(node, "align_corners", 0) != 0;
  LoweredValue v;
  AxisTaps rows = axisTaps(in[2], scale[0], align);
  AxisTaps cols = axisTaps(in[3], scale[1], align);
  Func u = l.newFunc(node, "_cols");
  Lowering::define(u, 4, [&](const Index &e) {
    return gatherAlong(cols, e[3], [&](Expr j) {
      return Lowering::call(gy.func, {e[0], e[1], e[2], j});
    });
  });
  v.helpers.emplace_back(u, Shape{out[0], out[1], out[2], in[3]});
  LoweredValue result = l.pointwise(node, [&](const Index &e) {
    return gatherAlong(rows, e[2],
                       [&](Expr i) { return Lowering::call(u, {e[0], e[1], i, e[3]}); });
  });
  result.helpers = std::move(v.helpers);
  result.kind = ValueKind::Reduction;
  result.window = true;
  return result;
}

} // namespace

void registerUpsampleLowerings(OpTable &t) {
  t["upsample_bilinear2d"] = lowerUpsampleBilinear2d;
  t["upsample_bilinear2d_grad"] = lowerUpsampleBilinear2dGrad;
}

} // namespace dl::halide
