//===- Random.cpp - dropout, random draws, data augmentation --------------===//
//
// Philox4x32-10 written with Halide integer Exprs, drawing exactly as runtime/rng/Philox.h's
// convention says: key = (seed lo, seed hi), counter = (flat row-major index of the element in the
// op's result lo, hi, the op's `stream`, the kernel's `step`), or, for the per-sample augmentations
// (random_flip, random_crop, random_crop_grad), the sample's index in place of the element's. The
// 32x32->64 products are uint64 multiplications of zero-extended words, which vectorize (vpmuludq
// on x86).
//
// Bit-exactness: dropout keeps element i iff uniform01(i) = (word0 >> 8) 2^-24 >= p, decided here
// on the integer (word0 >> 8) >= ceil(p 2^24), which is the same predicate without any rounding;
// the mask is therefore identical to the interpreter's, and so are random_flip's choices (the
// same test with <) and random_crop's corners (integer arithmetic throughout). Box-Muller for
// random_normal and gaussian_noise runs in double (as Philox.h does) and is rounded to f32 once.
//
// Schedule. A per-sample augmentation draws into a helper Func over the batch (one flag, or one
// corner coordinate, per sample), which both schedules compute once before the value's consumers
// (CpuSchedule.cpp: compute_root, vectorized; GpuSchedule.cpp: one thread per sample). The value
// itself is data movement (ValueKind::DataMovement) that inlines into its consumer like a pad or a
// transpose, reading the helper per sample. A flip reads both the element and its mirror and
// selects, so that a vectorized row stays two dense (one reversed) loads rather than a gather.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include "runtime/rng/Philox.h"

#include <cmath>

namespace dl::halide {
namespace {

using Halide::Expr;

struct Words {
  Expr w[4];
};

/// Philox4x32-10 of counter `c` under key (k0, k1), all uint32 Exprs.
Words philox(Words c, Expr k0, Expr k1) {
  Expr m0 = Halide::cast<uint64_t>(Expr(rng::kPhiloxM0));
  Expr m1 = Halide::cast<uint64_t>(Expr(rng::kPhiloxM1));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = k0 + Expr(rng::kPhiloxW0);
      k1 = k1 + Expr(rng::kPhiloxW1);
    }
    Expr p0 = m0 * Halide::cast<uint64_t>(c.w[0]);
    Expr p1 = m1 * Halide::cast<uint64_t>(c.w[2]);
    Expr hi0 = Halide::cast<uint32_t>(p0 >> 32), lo0 = Halide::cast<uint32_t>(p0);
    Expr hi1 = Halide::cast<uint32_t>(p1 >> 32), lo1 = Halide::cast<uint32_t>(p1);
    c = Words{{hi1 ^ c.w[1] ^ k0, lo1, hi0 ^ c.w[3] ^ k1, lo0}};
  }
  return c;
}

/// The Philox words of counter index `counterIndex` (an int32 Expr) under `node`'s stream.
Words drawWordsAt(Lowering &l, const KernelNode &node, const Expr &counterIndex) {
  int64_t stream = l.intAttr(node, "stream");
  if (stream < 0 || stream > 0xffffffffll)
    throw l.error(node, "has a 'stream' outside 32 bits");
  // Results hold fewer than 2^31 elements (checked by the Lowering), so the index's high word is 0.
  Expr flat = Halide::cast<uint32_t>(counterIndex);
  Expr seed = l.seed();
  Words counter{{flat, Expr(uint32_t(0)), Expr(static_cast<uint32_t>(stream)), l.step()}};
  return philox(counter, Halide::cast<uint32_t>(seed), Halide::cast<uint32_t>(seed >> 32));
}

/// The Philox words of the element at `index` of `node`'s result (see the file comment).
Words drawWords(Lowering &l, const KernelNode &node, const Index &index) {
  return drawWordsAt(l, node, flatIndex(index, node.type.shape));
}

/// The top 24 bits of a word: uniform01 is this times 2^-24.
Expr top24(const Expr &word) { return word >> 8; }

/// A standard normal sample of Philox.h's Box-Muller from words `w`, in double.
Expr normalOf(const Words &w) {
  Expr twoToMinus24 = Expr(1.0 / 16777216.0);
  Expr u1 = Halide::cast<double>(top24(w.w[0]) + 1) * twoToMinus24; // (0, 1]
  Expr u2 = Halide::cast<double>(top24(w.w[1])) * twoToMinus24;     // [0, 1)
  return Halide::sqrt(Expr(-2.0) * Halide::log(u1)) *
         Halide::cos(Expr(6.283185307179586476925286766559) * u2);
}

LoweredValue random(LoweredValue v) {
  v.kind = ValueKind::Random;
  return v;
}

LoweredValue lowerDropout(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  if (!(x.type == node.type) || node.type.dtype != DType::F32)
    throw l.error(node, "maps an f32 tensor to one of the same type");
  double p = l.floatAttr(node, "p");
  if (!(p >= 0 && p < 1))
    throw l.error(node, "needs 0 <= p < 1");
  // uniform01 >= p  <=>  top24 * 2^-24 >= p  <=>  top24 >= ceil(p * 2^24) (p * 2^24 is exact).
  uint32_t threshold = static_cast<uint32_t>(std::ceil(p * 16777216.0));
  float scale = static_cast<float>(1.0 / (1.0 - p));
  return random(l.pointwise(node, [&](const Index &index) {
    Expr keep = top24(drawWords(l, node, index).w[0]) >= Expr(threshold);
    return Halide::select(keep, Lowering::call(x.func, index) * scale, 0.0f);
  }));
}

LoweredValue lowerRandomUniform(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 0);
  if (node.type.dtype != DType::F32)
    throw l.error(node, "draws f32 tensors only");
  double lo = l.floatAttr(node, "lo", 0.0), hi = l.floatAttr(node, "hi", 1.0);
  return random(l.pointwise(node, [&](const Index &index) {
    Expr u = Halide::cast<float>(top24(drawWords(l, node, index).w[0])) * (1.0f / 16777216.0f);
    return static_cast<float>(lo) + static_cast<float>(hi - lo) * u;
  }));
}

LoweredValue lowerRandomNormal(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 0);
  if (node.type.dtype != DType::F32)
    throw l.error(node, "draws f32 tensors only");
  double mean = l.floatAttr(node, "mean", 0.0), stddev = l.floatAttr(node, "std", 1.0);
  return random(l.pointwise(node, [&](const Index &index) {
    return Halide::cast<float>(Expr(mean) + Expr(stddev) * normalOf(drawWords(l, node, index)));
  }));
}

LoweredValue lowerGaussianNoise(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  if (!(x.type == node.type) || node.type.dtype != DType::F32)
    throw l.error(node, "maps an f32 tensor to one of the same type");
  double stddev = l.floatAttr(node, "std");
  if (!(stddev >= 0))
    throw l.error(node, "needs std >= 0");
  return random(l.pointwise(node, [&](const Index &index) {
    Expr noise = Halide::cast<float>(Expr(stddev) * normalOf(drawWords(l, node, index)));
    return Lowering::call(x.func, index) + noise;
  }));
}

/// Checks that `node` moves a rank-4 f32 tensor; returns its operand.
const LoweredValue &nchwOperand(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  if (x.type.dtype != DType::F32 || node.type.dtype != DType::F32 || x.type.shape.size() != 4 ||
      node.type.shape.size() != 4 || x.type.shape[0] != node.type.shape[0] ||
      x.type.shape[1] != node.type.shape[1])
    throw l.error(node, "maps an f32 [N, C, H, W] tensor to an f32 [N, C, h, w] one");
  return x;
}

LoweredValue dataMovement(LoweredValue v) {
  v.kind = ValueKind::DataMovement;
  return v;
}

LoweredValue lowerRandomFlip(Lowering &l, const KernelNode &node) {
  const LoweredValue &x = nchwOperand(l, node);
  if (!(x.type == node.type))
    throw l.error(node, "maps a tensor to one of the same type");
  int64_t axis = l.normalizeAxis(node, l.intAttr(node, "axis"), 4);
  double p = l.floatAttr(node, "p", 0.5);
  if (axis == 0 || !(p >= 0 && p <= 1))
    throw l.error(node, "needs an axis other than the batch and 0 <= p <= 1");
  // Flip iff uniform01 < p  <=>  top24 < ceil(p * 2^24) (rng::unitBelow).
  uint32_t threshold = static_cast<uint32_t>(std::ceil(p * 16777216.0));
  Halide::Func flips = l.newFunc(node, "_flips");
  Lowering::define(flips, 1, [&](const Index &n) {
    return Halide::cast<uint8_t>(top24(drawWordsAt(l, node, n[0]).w[0]) < Expr(threshold));
  });
  int32_t last = static_cast<int32_t>(x.type.shape[axis] - 1);
  LoweredValue v = dataMovement(l.pointwise(node, [&](const Index &index) {
    Index mirror = index;
    mirror[axis] = last - index[axis];
    return Halide::select(flips(index[0]) != 0, Lowering::call(x.func, mirror),
                          Lowering::call(x.func, index));
  }));
  v.helpers.push_back({flips, Shape{x.type.shape[0]}});
  return v;
}

/// The corner coordinates of a random crop's windows, one per sample: Funcs over [N] of the top
/// row and left column in the padded input (rng::below of words 0 and 1), for an input of spatial
/// size `in` cropped to `out`.
std::pair<Halide::Func, Halide::Func> cropCorners(Lowering &l, const KernelNode &node,
                                                  const Shape &in, const Shape &out,
                                                  const std::vector<int64_t> &padding) {
  Halide::Func top = l.newFunc(node, "_top"), left = l.newFunc(node, "_left");
  // rng::below: ((word >> 8) * range) >> 24, in 64 bits.
  auto below = [](const Expr &word, int64_t range) {
    Expr product = Halide::cast<uint64_t>(top24(word)) * Expr(static_cast<uint64_t>(range));
    return Halide::cast<int32_t>(product >> 24);
  };
  int64_t rows = in[2] + 2 * padding[0] - out[2] + 1, cols = in[3] + 2 * padding[1] - out[3] + 1;
  Lowering::define(top, 1, [&](const Index &n) {
    return below(drawWordsAt(l, node, n[0]).w[0], rows);
  });
  Lowering::define(left, 1, [&](const Index &n) {
    return below(drawWordsAt(l, node, n[0]).w[1], cols);
  });
  return {top, left};
}

/// `source` (of shape `shape`) at (n, c, r, s), zero where (r, s) falls outside it; the
/// coordinates are clamped for Halide's bounds inference (Shape.cpp's pad does the same).
Expr readOrZero(const LoweredValue &source, const Index &index, const Expr &r, const Expr &s) {
  const Shape &shape = source.type.shape;
  int32_t rows = static_cast<int32_t>(shape[2]), cols = static_cast<int32_t>(shape[3]);
  Expr inside = r >= 0 && r < rows && s >= 0 && s < cols;
  Index at{index[0], index[1], Halide::clamp(r, 0, rows - 1), Halide::clamp(s, 0, cols - 1)};
  return Halide::select(inside, Lowering::call(source.func, at), 0.0f);
}

/// Checks a crop's `padding` and that its window fits; returns the padding.
std::vector<int64_t> cropPadding(Lowering &l, const KernelNode &node, const Shape &in,
                                 const Shape &out) {
  std::vector<int64_t> padding = l.intsAttr(node, "padding");
  if (padding.size() != 2)
    throw l.error(node, "needs 'padding' [height, width]");
  for (int d = 0; d < 2; ++d)
    if (padding[d] < 0 || out[2 + d] < 1 || out[2 + d] > in[2 + d] + 2 * padding[d] ||
        in[2 + d] + 2 * padding[d] - out[2 + d] + 1 > (int64_t(1) << 24))
      throw l.error(node, "has a window that does not fit its padded input");
  return padding;
}

LoweredValue lowerRandomCrop(Lowering &l, const KernelNode &node) {
  const LoweredValue &x = nchwOperand(l, node);
  const Shape &in = x.type.shape, &out = node.type.shape;
  std::vector<int64_t> padding = cropPadding(l, node, in, out);
  auto [top, left] = cropCorners(l, node, in, out, padding);
  int32_t ph = static_cast<int32_t>(padding[0]), pw = static_cast<int32_t>(padding[1]);
  LoweredValue v = dataMovement(l.pointwise(node, [&](const Index &index) {
    return readOrZero(x, index, index[2] + top(index[0]) - ph, index[3] + left(index[0]) - pw);
  }));
  v.helpers.push_back({top, Shape{in[0]}});
  v.helpers.push_back({left, Shape{in[0]}});
  return v;
}

LoweredValue lowerRandomCropGrad(Lowering &l, const KernelNode &node) {
  const LoweredValue &gy = nchwOperand(l, node);
  const Shape &in = node.type.shape, &out = gy.type.shape;
  std::vector<int64_t> padding = cropPadding(l, node, in, out);
  auto [top, left] = cropCorners(l, node, in, out, padding);
  int32_t ph = static_cast<int32_t>(padding[0]), pw = static_cast<int32_t>(padding[1]);
  LoweredValue v = dataMovement(l.pointwise(node, [&](const Index &index) {
    return readOrZero(gy, index, index[2] + ph - top(index[0]), index[3] + pw - left(index[0]));
  }));
  v.helpers.push_back({top, Shape{in[0]}});
  v.helpers.push_back({left, Shape{in[0]}});
  return v;
}

} // namespace

void registerRandomLowerings(OpTable &t) {
  t["dropout"] = lowerDropout;
  t["random_normal"] = lowerRandomNormal;
  t["random_uniform"] = lowerRandomUniform;
  t["gaussian_noise"] = lowerGaussianNoise;
  t["random_flip"] = lowerRandomFlip;
  t["random_crop"] = lowerRandomCrop;
  t["random_crop_grad"] = lowerRandomCropGrad;
}

} // namespace dl::halide
