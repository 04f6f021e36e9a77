//===- PhiloxTest.cpp - Philox4x32-10 and dlc's draw convention ------------===//
//
// Philox4x32-10 against the known-answer vectors of the Random123 distribution (kat_vectors, the
// philox4x32 10-round lines), then the convention of runtime/rng/Philox.h: how the key and counter
// are formed, the uniform and normal transforms, and the per-sample choices of the augmentations
// (below, unitBelow). No MLIR here.
//
//===----------------------------------------------------------------------===//
#include "runtime/rng/Philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace {

using namespace dl::rng;

void expectWords(Words4 got, uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
  EXPECT_EQ(got.w[0], w0);
  EXPECT_EQ(got.w[1], w1);
  EXPECT_EQ(got.w[2], w2);
  EXPECT_EQ(got.w[3], w3);
}

TEST(PhiloxTest, KnownAnswerZero) {
  expectWords(philox4x32_10(Words4{{0, 0, 0, 0}}, 0, 0), 0x6627e8d5, 0xe169c58d, 0xbc57ac4c,
              0x9b00dbd8);
}

TEST(PhiloxTest, KnownAnswerAllOnes) {
  expectWords(philox4x32_10(Words4{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff,
                            0xffffffff),
              0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
}

TEST(PhiloxTest, KnownAnswerPi) {
  // Counter and key are the hexadecimal digits of pi.
  expectWords(philox4x32_10(Words4{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822,
                            0x299f31d0),
              0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
}

TEST(PhiloxTest, UsableInConstantExpressions) {
  static_assert(philox4x32_10(Words4{{0, 0, 0, 0}}, 0, 0).w[0] == 0x6627e8d5u);
  static_assert(uniform01(0, 0, 0, 0) == (0x6627e8d5u >> 8) / 16777216.0);
}

TEST(PhiloxTest, ConventionKeyAndCounterLayout) {
  // key = (seed lo, seed hi); counter = (i lo, i hi, stream, step).
  uint64_t seed = 0x299f31d0a4093822ull;
  uint64_t index = 0x85a308d3243f6a88ull;
  expectWords(drawWords(seed, index, 0x13198a2e, 0x03707344), 0xd16cfe09, 0x94fdcceb, 0x5001e420,
              0x24126ea1);
}

TEST(PhiloxTest, UniformIsTopTwentyFourBitsOfWordZero) {
  Words4 w = drawWords(42, 7, 3, 5);
  EXPECT_EQ(uniform01(42, 7, 3, 5), static_cast<double>(w.w[0] >> 8) / 16777216.0);
  EXPECT_EQ(unitFromWord(0), 0.0);
  EXPECT_EQ(unitFromWord(0xffffffffu), 1.0 - 1.0 / 16777216.0); // below 1
  // Exactly representable in f32.
  double u = uniform01(42, 7, 3, 5);
  EXPECT_EQ(static_cast<double>(static_cast<float>(u)), u);
}

TEST(PhiloxTest, NormalIsBoxMullerOfWordsZeroAndOne) {
  Words4 w = drawWords(42, 7, 3, 5);
  double u1 = ((w.w[0] >> 8) + 1) / 16777216.0;
  double u2 = (w.w[1] >> 8) / 16777216.0;
  double expected = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  EXPECT_DOUBLE_EQ(normal(42, 7, 3, 5), expected);
  // u1 is never 0: the largest magnitude comes from word0 = 0 and is finite.
  EXPECT_NEAR(normalFromWords(0, 0), std::sqrt(2 * 24 * std::log(2.0)), 1e-12);
  EXPECT_EQ(normalFromWords(0xffffffffu, 0), 0.0); // u1 = 1
}

TEST(PhiloxTest, BelowIsTheFloorOfRangeTimesTheUniform) {
  // Exactly floor(r * u) for u = (w >> 8) 2^-24, at the ends of the range and in between.
  for (uint32_t range : {1u, 2u, 3u, 5u, 29u, 1000u, 1u << 24})
    for (uint32_t word : {0u, 0xffu, 0x100u, 0x7fffffffu, 0x80000000u, 0xdeadbeefu, 0xffffffffu}) {
      uint32_t expected = static_cast<uint32_t>(std::floor(range * unitFromWord(word)));
      EXPECT_EQ(below(word, range), expected) << word << " of " << range;
      EXPECT_LT(below(word, range), range);
    }
  EXPECT_EQ(below(0xffffffffu, 5), 4u); // the top of the words reaches the last value
  EXPECT_EQ(below(0xffffffffu, 1u << 24), (1u << 24) - 1);
}

TEST(PhiloxTest, UnitBelowIsUniformBelowP) {
  // The same predicate as uniform01 < p, decided on integers, at the edges of every step of 2^-24.
  for (double p : {0.0, 0.5, 0.7, 1.0 / 3, 1.0 - 1.0 / 16777216.0, 1.0})
    for (uint32_t top : {0u, 1u, 5592405u, 5592406u, 8388607u, 8388608u, 11744051u, 11744052u,
                         16777215u})
      EXPECT_EQ(unitBelow(top << 8 | 0xff, p), unitFromWord(top << 8) < p) << top << " " << p;
  EXPECT_FALSE(unitBelow(0, 0.0)); // p = 0 never flips
  EXPECT_TRUE(unitBelow(0xffffffffu, 1.0)); // p = 1 always does
}

TEST(PhiloxTest, EveryPartOfTheKeyAndCounterMatters) {
  double base = uniform01(1, 0, 0, 0);
  EXPECT_NE(uniform01(2, 0, 0, 0), base);
  EXPECT_NE(uniform01(1ull << 32 | 1, 0, 0, 0), base); // high half of the seed
  EXPECT_NE(uniform01(1, 1, 0, 0), base);
  EXPECT_NE(uniform01(1, 1ull << 32, 0, 0), base); // high half of the index
  EXPECT_NE(uniform01(1, 0, 1, 0), base);
  EXPECT_NE(uniform01(1, 0, 0, 1), base);
  EXPECT_NE(uniform01(1, 0, kInitStreamBase, 0), base);
}

} // namespace
