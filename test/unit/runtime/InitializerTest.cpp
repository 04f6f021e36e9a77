//===- InitializerTest.cpp - Parameters start where the interpreter starts ===//
//
// Each parameter and buffer of fake_model.so uses one initializer; the expected values are the
// formulas of runtime/rng/InitializerMath.h written out again here with runtime/rng/Philox.h
// directly (stream kInitStreamBase + the tensor's index, step 0, element i row-major), in double,
// rounded to f32. Orthogonal is checked by its defining properties instead.
//
//===----------------------------------------------------------------------===//
#include "RuntimeTestUtil.h"

#include "runtime/rng/Philox.h"

#include <cmath>

namespace dl::test {
namespace {

using rng::kInitStreamBase;

class InitializerTest : public ::testing::TestWithParam<uint64_t> {
protected:
  void SetUp() override {
    lib = openFakeModel();
    ASSERT_TRUE(lib);
    inst = createInstance(lib.get(), seed());
    ASSERT_TRUE(inst);
  }
  uint64_t seed() const { return GetParam(); }

  /// Expects tensor `name` (stream index `k`) to hold normal(mean, std) draws.
  void expectNormal(const char *name, uint32_t k, double mean, double std) {
    std::vector<float> got = tensorValues<float>(inst.get(), name);
    ASSERT_FALSE(got.empty());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i], static_cast<float>(
                            mean + std * rng::normal(seed(), i, kInitStreamBase + k, 0)))
          << name << " element " << i;
  }
  /// Expects tensor `name` (stream index `k`) to hold uniform(lo, hi) draws.
  void expectUniform(const char *name, uint32_t k, double lo, double hi) {
    std::vector<float> got = tensorValues<float>(inst.get(), name);
    ASSERT_FALSE(got.empty());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], static_cast<float>(lo + (hi - lo) * rng::uniform01(seed(), i,
                                                                           kInitStreamBase + k, 0)))
          << name << " element " << i;
      EXPECT_GE(got[i], static_cast<float>(lo));
      EXPECT_LE(got[i], static_cast<float>(hi));
    }
  }

  Library lib;
  Instance inst;
};

TEST_P(InitializerTest, RandomInitializersFollowTheInterpreter) {
  expectNormal("dense.W", 0, 0.0, std::sqrt(2.0 / 4));                    // he_normal
  expectNormal("emb", 2, 1.0, 0.25);                                       // normal
  expectUniform("proj", 3, -2 * std::sqrt(6.0 / 9), 2 * std::sqrt(6.0 / 9)); // xavier_uniform, gain 2
  expectUniform("u", 4, -2, 3);                                            // uniform
  expectUniform("hu", 5, -std::sqrt(6.0 / 5), std::sqrt(6.0 / 5));         // he_uniform
  expectNormal("xn", 6, 0.0, 0.5 * std::sqrt(2.0 / 6));                    // xavier_normal, gain 0.5
}

TEST_P(InitializerTest, ConstantInitializersFillEveryDtype) {
  EXPECT_EQ(tensorValues<float>(inst.get(), "dense.b"), std::vector<float>(3, 0.5f));
  EXPECT_EQ(tensorValues<float>(inst.get(), "scale"), std::vector<float>(2, 1.0f));
  EXPECT_EQ(tensorValues<float>(inst.get(), "dense.W.velocity"), std::vector<float>(12, 0.0f));
  EXPECT_EQ(tensorValues<int32_t>(inst.get(), "count"), std::vector<int32_t>{7});
  EXPECT_EQ(tensorValues<uint8_t>(inst.get(), "mask"), std::vector<uint8_t>(3, 1));
  EXPECT_EQ(tensorValues<int32_t>(inst.get(), "seen"), std::vector<int32_t>(2, 0));
}

TEST_P(InitializerTest, SinusoidalIsTheTransformerTable) {
  std::vector<float> got = tensorValues<float>(inst.get(), "pos");
  ASSERT_EQ(got.size(), 24u);
  for (int pos = 0; pos < 4; ++pos)
    for (int j = 0; j < 6; ++j) {
      double angle = pos / std::pow(10000.0, (j - j % 2) / 6.0);
      EXPECT_EQ(got[pos * 6 + j], static_cast<float>(j % 2 ? std::cos(angle) : std::sin(angle)))
          << "position " << pos << " feature " << j;
    }
}

/// Checks that the `count` vectors of `length` elements (vector v, element e at data[v * sv + e *
/// se]) are orthogonal with norm `gain`, and that the first is the normalized first vector of the
/// normal draws of stream index `k`.
void expectOrthogonal(const std::vector<float> &data, int count, int length, int sv, int se,
                      double gain, uint64_t seed, uint32_t k) {
  for (int a = 0; a < count; ++a)
    for (int b = 0; b <= a; ++b) {
      double dot = 0;
      for (int e = 0; e < length; ++e)
        dot += double(data[a * sv + e * se]) * data[b * sv + e * se];
      EXPECT_NEAR(dot, a == b ? gain * gain : 0.0, 1e-5 * gain * gain)
          << "vectors " << a << " and " << b;
    }
  double norm = 0;
  for (int e = 0; e < length; ++e)
    norm += std::pow(rng::normal(seed, e * se, kInitStreamBase + k, 0), 2);
  norm = std::sqrt(norm);
  for (int e = 0; e < length; ++e)
    EXPECT_NEAR(data[e * se], gain * rng::normal(seed, e * se, kInitStreamBase + k, 0) / norm,
                1e-6 * gain)
        << "element " << e << " of the first vector";
}

TEST_P(InitializerTest, OrthogonalIsOrthonormalOverTheSmallerSide) {
  // orth [3, 5], gain 1: the three rows.
  expectOrthogonal(tensorValues<float>(inst.get(), "orth"), 3, 5, 5, 1, 1.0, seed(), 7);
  // orth_tall [6, 2], gain 3: the two columns.
  expectOrthogonal(tensorValues<float>(inst.get(), "orth_tall"), 2, 6, 1, 2, 3.0, seed(), 8);
}

// Seed 0 is a seed like any other; a seed above 2^32 uses both key words.
INSTANTIATE_TEST_SUITE_P(Seeds, InitializerTest,
                         ::testing::Values(uint64_t(0), uint64_t(42),
                                           uint64_t(0x123456789abcdef0ull)));

} // namespace
} // namespace dl::test
