//===- Random.cpp - dropout, random_normal, random_uniform ----------------===//
//
// Philox4x32-10 written with Halide integer Exprs, drawing exactly as runtime/rng/Philox.h's
// convention says: key = (seed lo, seed hi), counter = (flat row-major index of the element in the
// op's result lo, hi, the op's `stream`, the kernel's `step`). The 32x32->64 products are uint64
// multiplications of zero-extended words, which vectorize (vpmuludq on x86).
//
// Bit-exactness: dropout keeps element i iff uniform01(i) = (word0 >> 8) 2^-24 >= p, decided here
// on the integer (word0 >> 8) >= ceil(p 2^24), which is the same predicate without any rounding;
// the mask is therefore identical to the interpreter's. Box-Muller for random_normal runs in double
// (as Philox.h does) and is rounded to f32 once.
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

/// The Philox words of the element at `index` of `node`'s result (see the file comment).
Words drawWords(Lowering &l, const KernelNode &node, const Index &index) {
  int64_t stream = l.intAttr(node, "stream");
  if (stream < 0 || stream > 0xffffffffll)
    throw l.error(node, "has a 'stream' outside 32 bits");
  // Results hold fewer than 2^31 elements (checked by the Lowering), so the index's high word is 0.
  Expr flat = Halide::cast<uint32_t>(flatIndex(index, node.type.shape));
  Expr seed = l.seed();
  Words counter{{flat, Expr(uint32_t(0)), Expr(static_cast<uint32_t>(stream)), l.step()}};
  return philox(counter, Halide::cast<uint32_t>(seed), Halide::cast<uint32_t>(seed >> 32));
}

/// The top 24 bits of a word: uniform01 is this times 2^-24.
Expr top24(const Expr &word) { return word >> 8; }

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
    Words w = drawWords(l, node, index);
    Expr twoToMinus24 = Expr(1.0 / 16777216.0);
    Expr u1 = Halide::cast<double>(top24(w.w[0]) + 1) * twoToMinus24; // (0, 1]
    Expr u2 = Halide::cast<double>(top24(w.w[1])) * twoToMinus24;     // [0, 1)
    Expr normal = Halide::sqrt(Expr(-2.0) * Halide::log(u1)) *
                  Halide::cos(Expr(6.283185307179586476925286766559) * u2);
    return Halide::cast<float>(Expr(mean) + Expr(stddev) * normal);
  }));
}

} // namespace

void registerRandomLowerings(OpTable &t) {
  t["dropout"] = lowerDropout;
  t["random_normal"] = lowerRandomNormal;
  t["random_uniform"] = lowerRandomUniform;
}

} // namespace dl::halide
