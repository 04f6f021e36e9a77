//===- Philox.h - The counter-based generator behind every random draw ---*- C++ -*-===//
//
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC 2011)
// and the one convention by which dlc turns it into random tensors. The reference interpreter and
// the runtime draw through these functions, and the compiled kernels, CPU and CUDA alike, follow
// the same convention in Halide Exprs (compiler/codegen/halide/Random.cpp), so every target
// produces the same bits for the same (seed, stream, step, element).
//
// Header-only and self-contained: <cstdint> for the integer words and <math.h> for the Box–Muller
// transform, no STL, every function `inline` (and `constexpr` where the math allows), and
// `__host__ __device__` under nvcc.
//
// THE DRAW CONVENTION (fixed; changing it changes every model's numbers)
//
//   key      = (uint32 seed, uint32 (seed >> 32))                      -- the instance's 64-bit seed
//   counter  = (uint32 i, uint32 (i >> 32), uint32 stream, uint32 step)
//              i      the element's row-major flat index in the random op's result
//              stream the op's `stream` attribute (unique within a model, assigned by the frontend)
//              step   the training-step counter
//   words    = Philox4x32-10(counter, key) = (word0, word1, word2, word3)
//
//   uniform01(i) = (word0 >> 8) * 2^-24                                 in [0, 1), exact in f32
//   normal(i)    = sqrt(-2 ln u1) * cos(2 pi u2)                         Box–Muller, one draw per i
//                  u1 = ((word0 >> 8) + 1) * 2^-24                       in (0, 1], so ln u1 is finite
//                  u2 = (word1 >> 8) * 2^-24                             in [0, 1)
//
//   dl.random_uniform  lo + (hi - lo) * uniform01(i)
//   dl.random_normal   mean + std * normal(i)
//   dl.dropout         keeps element i iff uniform01(i) >= p; kept values are scaled by 1 / (1 - p)
//   dl.gaussian_noise  x[i] + std * normal(i)
//
//   Per-sample draws (the augmentation ops, whose choice is one per sample of an NCHW batch): the
//   counter's index is the sample's index n along dimension 0, not an element's, so every element
//   of sample n sees the same words (one Philox call per sample, under the op's own stream):
//     words(n)     = Philox4x32-10((n, n >> 32, stream, step), key)
//     below(w, r)  = ((w >> 8) * r) >> 24          an integer in [0, r), for 1 <= r <= 2^24;
//                                                  floor(r * unitFromWord(w)), exact in integers
//   dl.random_flip       flips sample n along `axis` iff uniform01 of word0 < p, i.e. iff
//                        (word0 >> 8) < ceil(p * 2^24) (torchvision's `torch.rand(1) < p`)
//   dl.random_crop       sample n's window starts at row    top  = below(word0, H + 2 ph - h + 1)
//                        and column                         left = below(word1, W + 2 pw - w + 1)
//                        of the input zero-padded by (ph, pw): y[n,c,i,j] = x[n,c,i+top-ph,j+left-pw]
//                        (zero outside x); torchvision's RandomCrop(size, padding) draws i and j
//                        uniformly from the same ranges
//   dl.random_crop_grad  the same stream and step give the same (top, left): the crop's adjoint
//   random_translate(x, m) is dl.random_crop of size [H, W] with padding m: a shift by
//                        top - m, left - m, each uniform in [-m, m]
//
//   Parameter and buffer initialization draws with stream = kInitStreamBase + k, where k is the
//   index of the dl.param / dl.buffer op in the model body (both kinds counted together, in order),
//   and step = 0. Ops' streams are small numbers, so the two ranges never meet.
//
// This file does not know about tensors or ops; the interpreter (compiler/interpreter/Random.cpp and
// Initializers.cpp) applies the convention element by element.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_RNG_PHILOX_H
#define DL_RUNTIME_RNG_PHILOX_H

#include <math.h>
#include <cstdint>

#if defined(__CUDACC__)
#define DL_RNG_FN __host__ __device__ inline
#else
#define DL_RNG_FN inline
#endif

namespace dl::rng {

/// Philox4x32 multipliers and Weyl key increments (Random123's PHILOX_M4x32_* / PHILOX_W32_*).
constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;

/// The first stream used by parameter and buffer initialization (see the convention above).
constexpr uint32_t kInitStreamBase = 0x80000000u;

/// Four 32-bit words: a Philox counter or its output.
struct Words4 {
  uint32_t w[4];
};

/// One Philox round: two 32x32->64 multiplications, their halves mixed with the other words and
/// the round key.
DL_RNG_FN constexpr Words4 philoxRound(Words4 ctr, uint32_t key0, uint32_t key1) {
  uint64_t p0 = static_cast<uint64_t>(kPhiloxM0) * ctr.w[0];
  uint64_t p1 = static_cast<uint64_t>(kPhiloxM1) * ctr.w[2];
  uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
  uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
  return Words4{{hi1 ^ ctr.w[1] ^ key0, lo1, hi0 ^ ctr.w[3] ^ key1, lo0}};
}

/// Philox4x32-10: ten rounds, the key bumped by the Weyl constants between rounds.
DL_RNG_FN constexpr Words4 philox4x32_10(Words4 ctr, uint32_t key0, uint32_t key1) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key0 += kPhiloxW0;
      key1 += kPhiloxW1;
    }
    ctr = philoxRound(ctr, key0, key1);
  }
  return ctr;
}

/// The four words for element `index` of a draw keyed by (seed, stream, step), per the convention.
DL_RNG_FN constexpr Words4 drawWords(uint64_t seed, uint64_t index, uint32_t stream, uint32_t step) {
  Words4 ctr{{static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), stream, step}};
  return philox4x32_10(ctr, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

/// 2^-24: one unit in the last place of a 24-bit fraction.
constexpr double kTwoToMinus24 = 1.0 / 16777216.0;

/// A word's top 24 bits as a fraction in [0, 1); exactly representable in f32 and f64.
DL_RNG_FN constexpr double unitFromWord(uint32_t word) { return (word >> 8) * kTwoToMinus24; }

/// uniform01 of the convention: in [0, 1).
DL_RNG_FN constexpr double uniform01(uint64_t seed, uint64_t index, uint32_t stream, uint32_t step) {
  return unitFromWord(drawWords(seed, index, stream, step).w[0]);
}

/// below(w, r) of the per-sample convention: floor(r * (w >> 8) 2^-24), an integer in [0, r) for
/// 1 <= r <= 2^24 (each value taken by floor(2^24 / r) or one more of the 2^24 fractions).
DL_RNG_FN constexpr uint32_t below(uint32_t word, uint32_t range) {
  return static_cast<uint32_t>((static_cast<uint64_t>(word >> 8) * range) >> 24);
}

/// Whether uniform01 of `word` is below p (random_flip's choice), decided on the integer top 24
/// bits against ceil(p * 2^24), which is exact: p * 2^24 is exact in double for p in [0, 1].
DL_RNG_FN bool unitBelow(uint32_t word, double p) {
  return (word >> 8) < ceil(p * 16777216.0);
}

/// Box–Muller from two words: u1 in (0, 1] (never 0, so the log is finite), u2 in [0, 1).
DL_RNG_FN double normalFromWords(uint32_t word0, uint32_t word1) {
  const double kTwoPi = 6.283185307179586476925286766559;
  double u1 = ((word0 >> 8) + 1) * kTwoToMinus24;
  double u2 = (word1 >> 8) * kTwoToMinus24;
  return sqrt(-2.0 * log(u1)) * cos(kTwoPi * u2);
}

/// normal of the convention: a standard normal sample.
DL_RNG_FN double normal(uint64_t seed, uint64_t index, uint32_t stream, uint32_t step) {
  Words4 words = drawWords(seed, index, stream, step);
  return normalFromWords(words.w[0], words.w[1]);
}

} // namespace dl::rng

#endif // DL_RUNTIME_RNG_PHILOX_H
