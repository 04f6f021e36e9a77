//===- RandomTest.cpp - Random ops and initializers ------------------------===//
//
// The random ops follow Philox.h's convention element for element; draws repeat for one (seed,
// stream, step) and change with each; their statistics are right over 100k draws; dropout keeps
// 1 - p of the elements and scales them. The augmentations follow the per-sample convention:
// random_flip flips a fraction p of the samples, random_crop places its windows uniformly over
// every position, random_crop_grad is its adjoint, gaussian_noise adds std * normal(i); their
// choices repeat for one seed and step and change with either. Initializers draw from their
// streams with the right spread, and orthogonal gives orthonormal rows or columns.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

#include "runtime/rng/Philox.h"

#include <set>

namespace dl::interp::test {
namespace {

using RandomTest = InterpreterTest;
using InitializerTest = InterpreterTest;

const std::string kUniform = R"(func.func @f() -> tensor<100000xf32> {
  %u = dl.random_uniform {lo = -1.0 : f64, hi = 3.0 : f64, stream = 5 : i64} : tensor<100000xf32>
  return %u : tensor<100000xf32>
})";

const std::string kNormal = R"(func.func @f() -> tensor<100000xf32> {
  %n = dl.random_normal {mean = 0.0 : f64, std = 1.0 : f64, stream = 2 : i64} : tensor<100000xf32>
  return %n : tensor<100000xf32>
})";

TEST_F(RandomTest, UniformFollowsTheConventionAndItsRange) {
  Tensor u = run1(kUniform, {}, /*seed=*/77, /*step=*/3);
  ASSERT_EQ(u.numElements(), 100000);
  for (uint64_t i : {0ull, 1ull, 99999ull})
    EXPECT_EQ(u.data[i], -1.0 + 4.0 * rng::uniform01(77, i, 5, 3));
  for (double v : u.data) {
    ASSERT_GE(v, -1.0);
    ASSERT_LT(v, 3.0);
  }
  // Mean of U(-1, 3) is 1; the standard error over 100k draws is 0.0037.
  auto [mean, std] = meanAndStd(u.data);
  EXPECT_NEAR(mean, 1.0, 0.02);
  EXPECT_NEAR(std, 4.0 / std::sqrt(12.0), 0.01);
}

TEST_F(RandomTest, Uniform01MeanIsOneHalf) {
  Tensor u = run1(R"(func.func @f() -> tensor<100000xf32> {
    %u = dl.random_uniform {stream = 0 : i64} : tensor<100000xf32>
    return %u : tensor<100000xf32>
  })", {}, 12345);
  auto [mean, std] = meanAndStd(u.data);
  EXPECT_NEAR(mean, 0.5, 0.005); // five standard errors
  EXPECT_NEAR(std, std::sqrt(1.0 / 12), 0.005);
}

TEST_F(RandomTest, NormalIsStandardAndFollowsTheConvention) {
  Tensor n = run1(kNormal, {}, /*seed=*/9, /*step=*/0);
  EXPECT_EQ(n.data[42], rng::normal(9, 42, 2, 0));
  auto [mean, std] = meanAndStd(n.data);
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(std, 1.0, 0.015);
  Tensor shifted = run1(R"(func.func @f() -> tensor<100000xf32> {
    %n = dl.random_normal {mean = 3.0 : f64, std = 0.5 : f64, stream = 2 : i64} : tensor<100000xf32>
    return %n : tensor<100000xf32>
  })", {}, 9, 0);
  for (size_t i = 0; i < 10; ++i)
    EXPECT_DOUBLE_EQ(shifted.data[i], 3.0 + 0.5 * n.data[i]);
}

TEST_F(RandomTest, DrawsRepeatForOneKeyAndChangeWithEach) {
  Tensor a = run1(kUniform, {}, 1, 0), b = run1(kUniform, {}, 1, 0);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(run1(kUniform, {}, 2, 0).data, a.data); // seed
  EXPECT_NE(run1(kUniform, {}, 1, 1).data, a.data); // step
  std::string otherStream = kUniform;
  otherStream.replace(otherStream.find("stream = 5"), 10, "stream = 6");
  EXPECT_NE(run1(otherStream, {}, 1, 0).data, a.data);
  // Two ops of one function with different streams differ too.
  std::vector<Tensor> two = run(R"(func.func @f() -> (tensor<64xf32>, tensor<64xf32>) {
    %a = dl.random_normal {stream = 0 : i64} : tensor<64xf32>
    %b = dl.random_normal {stream = 1 : i64} : tensor<64xf32>
    return %a, %b : tensor<64xf32>, tensor<64xf32>
  })", {});
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(two[0].data, two[1].data);
}

TEST_F(RandomTest, DropoutKeepsOneMinusPAndScales) {
  std::string func = R"(func.func @f(%x: tensor<100000xf32>) -> tensor<100000xf32> {
    %d = dl.dropout %x {p = 3.000000e-01 : f64, stream = 4 : i64} : tensor<100000xf32>
    return %d : tensor<100000xf32>
  })";
  Tensor x = Tensor::filled({100000}, 2.0);
  Tensor d = run1(func, {x}, 5, 7);
  int64_t kept = 0;
  for (size_t i = 0; i < d.data.size(); ++i) {
    bool keep = rng::uniform01(5, i, 4, 7) >= 0.3;
    ASSERT_EQ(d.data[i], keep ? 2.0 / 0.7 : 0.0) << i;
    kept += keep;
  }
  EXPECT_NEAR(static_cast<double>(kept) / 100000, 0.7, 0.01);
  // The mean is preserved in expectation.
  EXPECT_NEAR(meanAndStd(d.data).first, 2.0, 0.03);
  // p = 0 keeps everything unchanged.
  std::string none = func;
  none.replace(none.find("3.000000e-01"), 12, "0.000000e+00");
  EXPECT_EQ(run1(none, {x}).data, x.data);
}

/// A tensor whose element i holds i: every element tells where it came from.
Tensor iota(std::vector<int64_t> shape) {
  Tensor t = Tensor::filled(shape, 0.0);
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = static_cast<double>(i);
  return t;
}

/// A function applying `op` (with its attributes and type suffix) to %x of type `type`.
std::string unaryFunc(const std::string &type, const std::string &op, const std::string &attrs,
                      const std::string &resultType = "") {
  std::string result = resultType.empty() ? type : resultType;
  std::string suffix = resultType.empty() ? type : "(" + type + ") -> " + result;
  return "func.func @f(%x: " + type + ") -> " + result + " {\n  %y = dl." + op + " %x " + attrs +
         " : " + suffix + "\n  return %y : " + result + "\n}";
}

TEST_F(RandomTest, RandomFlipFlipsAFractionPOfTheSamplesPerTheConvention) {
  const int64_t n = 4000;
  for (double p : {0.5, 0.2}) {
    std::string func = unaryFunc("tensor<4000x1x2x3xf32>", "random_flip",
                                 "{axis = 3 : i64, p = " + std::to_string(p) + " : f64, stream = 7 : i64}");
    Tensor x = iota({n, 1, 2, 3});
    Tensor y = run1(func, {x}, /*seed=*/21, /*step=*/4);
    int64_t flipped = 0;
    for (int64_t s = 0; s < n; ++s) {
      bool flip = rng::uniform01(21, s, 7, 4) < p;
      flipped += flip;
      for (int64_t h = 0; h < 2; ++h)
        for (int64_t w = 0; w < 3; ++w)
          ASSERT_EQ(y.data[s * 6 + h * 3 + w], x.data[s * 6 + h * 3 + (flip ? 2 - w : w)])
              << "sample " << s;
    }
    EXPECT_NEAR(static_cast<double>(flipped) / n, p, 0.03) << "p = " << p;
  }
}

TEST_F(RandomTest, RandomFlipAlongTheHeightAndTheChannels) {
  Tensor x = iota({16, 2, 3, 2});
  for (auto [axis, name] : std::vector<std::pair<int, const char *>>{{2, "-2"}, {1, "1"}}) {
    Tensor y = run1(unaryFunc("tensor<16x2x3x2xf32>", "random_flip",
                              std::string("{axis = ") + name + " : i64, stream = 3 : i64}"),
                    {x}, 5, 0);
    for (int64_t s = 0; s < 16; ++s) {
      bool flip = rng::uniform01(5, s, 3, 0) < 0.5;
      for (int64_t c = 0; c < 2; ++c)
        for (int64_t h = 0; h < 3; ++h)
          for (int64_t w = 0; w < 2; ++w) {
            int64_t sc = axis == 1 && flip ? 1 - c : c, sh = axis == 2 && flip ? 2 - h : h;
            ASSERT_EQ(y.data[((s * 2 + c) * 3 + h) * 2 + w], x.data[((s * 2 + sc) * 3 + sh) * 2 + w]);
          }
    }
  }
}

/// The top-left corner random_crop draws for sample `s` (Philox.h's per-sample convention).
std::pair<int64_t, int64_t> corner(uint64_t seed, int64_t s, uint32_t stream, uint32_t step,
                                   uint32_t rows, uint32_t cols) {
  rng::Words4 w = rng::drawWords(seed, s, stream, step);
  return {rng::below(w.w[0], rows), rng::below(w.w[1], cols)};
}

TEST_F(RandomTest, RandomCropReadsTheWindowOfThePaddedInputPerTheConvention) {
  // [N, 2, 4, 5] padded by [1, 2] is 6 x 9; windows of 3 x 4 have 4 x 6 positions.
  const int64_t n = 6000;
  Tensor x = iota({n, 2, 4, 5});
  for (double &v : x.data)
    v += 1; // never 0, so a 0 is padding
  Tensor y = run1(unaryFunc("tensor<6000x2x4x5xf32>", "random_crop",
                            "{size = array<i64: 3, 4>, padding = array<i64: 1, 2>, stream = 9 : i64}",
                            "tensor<6000x2x3x4xf32>"),
                  {x}, 8, 2);
  ASSERT_EQ(y.shape, (std::vector<int64_t>{n, 2, 3, 4}));
  std::vector<int64_t> count(4 * 6, 0);
  for (int64_t s = 0; s < n; ++s) {
    auto [top, left] = corner(8, s, 9, 2, 4, 6);
    ASSERT_LT(top, 4);
    ASSERT_LT(left, 6);
    ++count[top * 6 + left];
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 4; ++j) {
          int64_t r = i + top - 1, q = j + left - 2;
          double expected = r >= 0 && r < 4 && q >= 0 && q < 5 ? x.data[((s * 2 + c) * 4 + r) * 5 + q] : 0.0;
          ASSERT_EQ(y.data[((s * 2 + c) * 3 + i) * 4 + j], expected) << "sample " << s;
        }
  }
  // Every position is taken about n / 24 = 250 times (standard deviation about 15.5).
  for (int64_t k = 0; k < 24; ++k)
    EXPECT_NEAR(count[k], 250, 80) << "position " << k;
}

TEST_F(RandomTest, RandomTranslateShiftsByEveryAmountUpToThePadding) {
  // A crop to the input's own size with padding m shifts by top - m in [-m, m]: the pixel at
  // (2, 2) of a 5 x 5 one-hot image lands at (2 - (top - m), 2 - (left - m)).
  const int64_t n = 3000;
  Tensor x = Tensor::filled({n, 1, 5, 5}, 0.0);
  for (int64_t s = 0; s < n; ++s)
    x.data[s * 25 + 12] = 1.0;
  Tensor y = run1(unaryFunc("tensor<3000x1x5x5xf32>", "random_crop",
                            "{size = array<i64: 5, 5>, padding = array<i64: 2, 2>, stream = 1 : i64}",
                            "tensor<3000x1x5x5xf32>"),
                  {x}, 3, 11);
  std::set<std::pair<int64_t, int64_t>> shifts;
  for (int64_t s = 0; s < n; ++s) {
    int64_t at = -1;
    for (int64_t k = 0; k < 25; ++k)
      if (y.data[s * 25 + k] == 1.0)
        at = k;
    ASSERT_GE(at, 0) << "a shift of at most 2 keeps the centre pixel";
    shifts.insert({at / 5 - 2, at % 5 - 2});
  }
  EXPECT_EQ(shifts.size(), 25u);
}

TEST_F(RandomTest, RandomCropGradIsTheAdjointOfRandomCrop) {
  // <crop(x), g> = <x, crop_grad(g)> for every x and g, at every step.
  Tensor x = iota({5, 2, 4, 3}), g = iota({5, 2, 6, 2});
  for (double &v : x.data)
    v = std::sin(v);
  for (double &v : g.data)
    v = std::cos(3 * v);
  for (uint32_t step : {0u, 1u, 2u}) {
    Tensor y = run1(unaryFunc("tensor<5x2x4x3xf32>", "random_crop",
                              "{size = array<i64: 6, 2>, padding = array<i64: 2, 1>, stream = 4 : i64}",
                              "tensor<5x2x6x2xf32>"),
                    {x}, 6, step);
    Tensor gx = run1(unaryFunc("tensor<5x2x6x2xf32>", "random_crop_grad",
                               "{input_size = array<i64: 4, 3>, padding = array<i64: 2, 1>, stream = 4 : i64}",
                               "tensor<5x2x4x3xf32>"),
                     {g}, 6, step);
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < y.data.size(); ++i)
      lhs += y.data[i] * g.data[i];
    for (size_t i = 0; i < x.data.size(); ++i)
      rhs += x.data[i] * gx.data[i];
    EXPECT_NEAR(lhs, rhs, 1e-12) << "step " << step;
  }
}

TEST_F(RandomTest, GaussianNoiseAddsStdTimesTheNormalOfEachElement) {
  Tensor x = iota({100000});
  Tensor y = run1(unaryFunc("tensor<100000xf32>", "gaussian_noise",
                            "{std = 2.500000e-01 : f64, stream = 2 : i64}"),
                  {x}, 9, 5);
  std::vector<double> noise(y.data.size());
  for (size_t i = 0; i < y.data.size(); ++i) {
    ASSERT_EQ(y.data[i], x.data[i] + 0.25 * rng::normal(9, i, 2, 5)) << i;
    noise[i] = y.data[i] - x.data[i];
  }
  auto [mean, std] = meanAndStd(noise);
  EXPECT_NEAR(mean, 0.0, 0.005);
  EXPECT_NEAR(std, 0.25, 0.004);
}

TEST_F(RandomTest, AugmentationsRepeatForOneKeyAndChangeWithTheStepAndTheSeed) {
  Tensor x = iota({64, 1, 4, 4});
  for (const std::string &func :
       {unaryFunc("tensor<64x1x4x4xf32>", "random_flip", "{axis = 3 : i64, stream = 0 : i64}"),
        unaryFunc("tensor<64x1x4x4xf32>", "random_crop",
                  "{size = array<i64: 4, 4>, padding = array<i64: 2, 2>, stream = 0 : i64}",
                  "tensor<64x1x4x4xf32>"),
        unaryFunc("tensor<64x1x4x4xf32>", "gaussian_noise", "{std = 1.0 : f64, stream = 0 : i64}")}) {
    SCOPED_TRACE(func);
    Tensor a = run1(func, {x}, 1, 7);
    EXPECT_EQ(run1(func, {x}, 1, 7).data, a.data);
    EXPECT_NE(run1(func, {x}, 1, 8).data, a.data); // the next step
    EXPECT_NE(run1(func, {x}, 2, 7).data, a.data); // another seed
  }
}

/// The states of a model whose body is `body`, initialized with `seed`.
std::unique_ptr<Interpreter> initialized(InterpreterTest &t, const std::string &body, uint64_t seed) {
  auto interp = t.interpreter(body, seed);
  if (!interp)
    return nullptr;
  std::string error;
  EXPECT_TRUE(interp->initialize(&error)) << error;
  return interp;
}

TEST_F(InitializerTest, ConstantsAndStreamsOfTheConvention) {
  auto interp = initialized(*this, R"(
    dl.param @a : tensor<2x3xf32> = "zeros"
    dl.buffer @b : tensor<4xf32> = "ones"
    dl.param @c : tensor<2xf32> = "constant" {value = 2.500000e+00 : f64}
    dl.param @u : tensor<8xf32> = "uniform" {lo = -2.0 : f64, hi = 2.0 : f64}
    dl.buffer @n : tensor<8xf32> = "normal" {mean = 1.0 : f64, std = 3.0 : f64}
  )", 1234);
  ASSERT_TRUE(interp);
  expectTensor(*interp->state("a"), {2, 3}, {0, 0, 0, 0, 0, 0});
  expectTensor(*interp->state("b"), {4}, {1, 1, 1, 1});
  expectTensor(*interp->state("c"), {2}, {2.5, 2.5});
  // Params and buffers count together: @u is the fourth (index 3), @n the fifth.
  Tensor *u = interp->state("u");
  Tensor *n = interp->state("n");
  ASSERT_TRUE(u && n);
  for (uint64_t i = 0; i < 8; ++i) {
    EXPECT_EQ(u->data[i], -2.0 + 4.0 * rng::uniform01(1234, i, rng::kInitStreamBase + 3, 0));
    EXPECT_EQ(n->data[i], 1.0 + 3.0 * rng::normal(1234, i, rng::kInitStreamBase + 4, 0));
  }
  EXPECT_EQ(interp->state("missing"), nullptr);
}

TEST_F(InitializerTest, SameSeedSameValuesOtherSeedOtherValues) {
  std::string body = R"(dl.param @w : tensor<16x16xf32> = "he_normal" {fan_in = 16 : i64, fan_out = 16 : i64})";
  auto a = initialized(*this, body, 7), b = initialized(*this, body, 7), c = initialized(*this, body, 8);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->state("w")->data, b->state("w")->data);
  EXPECT_NE(a->state("w")->data, c->state("w")->data);
}

TEST_F(InitializerTest, FanBasedSpreads) {
  auto interp = initialized(*this, R"(
    dl.param @he : tensor<784x256xf32> = "he_normal" {fan_in = 784 : i64, fan_out = 256 : i64}
    dl.param @heu : tensor<784x256xf32> = "he_uniform" {fan_in = 784 : i64, fan_out = 256 : i64}
    dl.param @xn : tensor<300x500xf32> = "xavier_normal" {fan_in = 300 : i64, fan_out = 500 : i64, gain = 2.0 : f64}
    dl.param @xu : tensor<300x500xf32> = "xavier_uniform" {fan_in = 300 : i64, fan_out = 500 : i64}
  )", 99);
  ASSERT_TRUE(interp);
  auto check = [&](const char *name, double expectedStd, double bound) {
    SCOPED_TRACE(name);
    const Tensor *t = interp->state(name);
    ASSERT_TRUE(t);
    auto [mean, std] = meanAndStd(t->data);
    EXPECT_NEAR(mean, 0.0, 0.01 * expectedStd * 5);
    EXPECT_NEAR(std / expectedStd, 1.0, 0.02);
    if (bound > 0) {
      for (double v : t->data)
        ASSERT_LT(std::fabs(v), bound);
    }
  };
  check("he", std::sqrt(2.0 / 784), 0);
  double heBound = std::sqrt(6.0 / 784);
  check("heu", heBound / std::sqrt(3.0), heBound + 1e-15);
  check("xn", 2.0 * std::sqrt(2.0 / 800), 0);
  double xBound = std::sqrt(6.0 / 800);
  check("xu", xBound / std::sqrt(3.0), xBound + 1e-15);
}

/// max |(W W^T or W^T W) - gain^2 I| over the smaller side of W viewed as [rows, numel / rows].
double orthogonalityError(const Tensor &w, double gain) {
  int64_t rows = w.shape[0], cols = w.numElements() / rows;
  bool byRows = rows < cols;
  int64_t count = byRows ? rows : cols, length = byRows ? cols : rows;
  auto at = [&](int64_t v, int64_t e) { return byRows ? w.data[v * cols + e] : w.data[e * cols + v]; };
  double worst = 0;
  for (int64_t a = 0; a < count; ++a)
    for (int64_t b = 0; b < count; ++b) {
      double dot = 0;
      for (int64_t e = 0; e < length; ++e)
        dot += at(a, e) * at(b, e);
      worst = std::max(worst, std::fabs(dot - (a == b ? gain * gain : 0.0)));
    }
  return worst;
}

TEST_F(InitializerTest, OrthogonalIsOrthonormalOnTheSmallerSide) {
  auto interp = initialized(*this, R"(
    dl.param @tall : tensor<64x32xf32> = "orthogonal" {fan_in = 64 : i64, fan_out = 32 : i64, gain = 1.0 : f64}
    dl.param @wide : tensor<16x48xf32> = "orthogonal" {fan_in = 16 : i64, fan_out = 48 : i64, gain = 2.0 : f64}
    dl.param @square : tensor<20x20xf32> = "orthogonal" {fan_in = 20 : i64, fan_out = 20 : i64}
    dl.param @conv : tensor<8x4x3x3xf32> = "orthogonal" {fan_in = 36 : i64, fan_out = 72 : i64}
  )", 3);
  ASSERT_TRUE(interp);
  EXPECT_LT(orthogonalityError(*interp->state("tall"), 1.0), 1e-12);
  EXPECT_LT(orthogonalityError(*interp->state("wide"), 2.0), 1e-12);
  EXPECT_LT(orthogonalityError(*interp->state("square"), 1.0), 1e-12);
  EXPECT_LT(orthogonalityError(*interp->state("conv"), 1.0), 1e-12);
  // Not a trivial matrix: the entries spread around zero.
  auto [mean, std] = meanAndStd(interp->state("tall")->data);
  EXPECT_NEAR(std, std::sqrt(1.0 / 64), 0.3 / 8);
}

TEST_F(InitializerTest, OrthogonalMatchesGramSchmidtOfItsNormalDraws) {
  // Q's first column is the first column of the drawn normal matrix, normalized (R's diagonal is
  // positive, as torch.nn.init.orthogonal_ makes it).
  auto interp = initialized(*this, R"(
    dl.param @w : tensor<5x3xf32> = "orthogonal" {fan_in = 5 : i64, fan_out = 3 : i64, gain = 1.0 : f64}
  )", 11);
  ASSERT_TRUE(interp);
  std::vector<double> col(5);
  double norm = 0;
  for (int r = 0; r < 5; ++r) {
    col[r] = rng::normal(11, r * 3, rng::kInitStreamBase, 0);
    norm += col[r] * col[r];
  }
  norm = std::sqrt(norm);
  for (int r = 0; r < 5; ++r)
    EXPECT_NEAR(interp->state("w")->data[r * 3], col[r] / norm, 1e-14);
}

TEST_F(InitializerTest, SinusoidalPositionalTable) {
  auto interp = initialized(*this, R"(dl.buffer @pe : tensor<4x6xf32> = "sinusoidal")", 0);
  ASSERT_TRUE(interp);
  const Tensor &pe = *interp->state("pe");
  for (int pos = 0; pos < 4; ++pos)
    for (int i = 0; i < 3; ++i) {
      double angle = pos / std::pow(10000.0, 2.0 * i / 6);
      EXPECT_NEAR(pe.data[pos * 6 + 2 * i], std::sin(angle), 1e-15);
      EXPECT_NEAR(pe.data[pos * 6 + 2 * i + 1], std::cos(angle), 1e-15);
    }
}

} // namespace
} // namespace dl::interp::test
