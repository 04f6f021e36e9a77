//===- LossTest.cpp - Every loss against its closed form -------------------===//
//
// Each loss on a small input whose value the test computes by hand (or from the ODS formula written
// out independently), including the stable forms (bce_with_logits at a large logit) and the error
// for a label out of range.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

namespace dl::interp::test {
namespace {

using LossTest = InterpreterTest;

/// `@f(%p: T, %y: U) -> tensor<f32> { %l = dl.LOSS %p, %y ATTRS; return %l }`.
std::string lossFunc(const std::string &loss, const std::string &p, const std::string &y,
                     const std::string &attrs = "") {
  return "func.func @f(%p: " + p + ", %y: " + y + ") -> tensor<f32> {\n  %l = dl." + loss +
         " %p, %y " + attrs + " : (" + p + ", " + y + ") -> tensor<f32>\n  return %l : tensor<f32>\n}";
}

double loss(LossTest &t, const std::string &func, std::vector<Tensor> args) {
  Tensor r = t.run1(func, std::move(args));
  EXPECT_EQ(r.shape, std::vector<int64_t>{});
  EXPECT_EQ(r.kind, ElementKind::F32);
  return r.data.empty() ? NAN : r.data[0];
}

const std::string kT = "tensor<2x2xf32>";
const Tensor kP = f32({2, 2}, {0.2, 0.7, 0.9, 0.4});
const Tensor kY = f32({2, 2}, {0, 1, 1, 0});

TEST_F(LossTest, MseMaeHuber) {
  EXPECT_NEAR(loss(*this, lossFunc("mse", kT, kT), {kP, kY}), (0.04 + 0.09 + 0.01 + 0.16) / 4, 1e-15);
  EXPECT_NEAR(loss(*this, lossFunc("mae", kT, kT), {kP, kY}), (0.2 + 0.3 + 0.1 + 0.4) / 4, 1e-15);
  // delta = 0.25: |d| = 0.2 and 0.1 are quadratic, 0.3 and 0.4 linear.
  double huber = (0.5 * 0.04 + 0.25 * (0.3 - 0.125) + 0.5 * 0.01 + 0.25 * (0.4 - 0.125)) / 4;
  EXPECT_NEAR(loss(*this, lossFunc("huber", kT, kT, "{delta = 2.500000e-01 : f64}"), {kP, kY}), huber,
              1e-15);
  // Default delta = 1: every |d| < 1, so half the squared error.
  EXPECT_NEAR(loss(*this, lossFunc("huber", kT, kT), {kP, kY}), 0.5 * 0.075, 1e-15);
}

TEST_F(LossTest, BinaryCrossEntropy) {
  double expected = -(std::log(0.8) + std::log(0.7) + std::log(0.9) + std::log(0.6)) / 4;
  EXPECT_NEAR(loss(*this, lossFunc("bce", kT, kT), {kP, kY}), expected, 1e-15);
  // Soft targets.
  Tensor y = f32({2, 2}, {0.25, 0.5, 1, 0});
  double soft = -((0.25 * std::log(0.2) + 0.75 * std::log(0.8)) + (0.5 * std::log(0.7) + 0.5 * std::log(0.3)) +
                  std::log(0.9) + std::log(0.6)) / 4;
  EXPECT_NEAR(loss(*this, lossFunc("bce", kT, kT), {kP, y}), soft, 1e-15);
}

TEST_F(LossTest, BceWithLogitsMatchesBceOfSigmoidAndIsStable) {
  Tensor z = f32({2, 2}, {-2, 0.5, 3, -1});
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  double expected = -(std::log(1 - sig(-2)) + std::log(sig(0.5)) + std::log(sig(3)) +
                      std::log(1 - sig(-1))) / 4;
  EXPECT_NEAR(loss(*this, lossFunc("bce_with_logits", kT, kT), {z, kY}), expected, 1e-14);
  // A logit of 100 against target 0 costs 100, not inf; -100 against 1 also 100.
  Tensor big = f32({2, 2}, {-100, -100, 100, 100});
  Tensor y = f32({2, 2}, {0, 1, 1, 0});
  EXPECT_NEAR(loss(*this, lossFunc("bce_with_logits", kT, kT), {big, y}), (0 + 100 + 0 + 100) / 4.0,
              1e-12);
}

TEST_F(LossTest, Hinge) {
  Tensor p = f32({2, 2}, {0.5, -2, 1.5, 0.2});
  Tensor y = f32({2, 2}, {1, -1, 1, -1});
  EXPECT_NEAR(loss(*this, lossFunc("hinge", kT, kT), {p, y}), (0.5 + 0 + 0 + 1.2) / 4, 1e-15);
}

TEST_F(LossTest, KlDivIsBatchMeanAndTreatsZeroTargets) {
  Tensor logp = f32({2, 2}, {std::log(0.25), std::log(0.75), std::log(0.5), std::log(0.5)});
  Tensor y = f32({2, 2}, {0.5, 0.5, 1, 0});
  double expected = (0.5 * (std::log(0.5) - std::log(0.25)) + 0.5 * (std::log(0.5) - std::log(0.75)) +
                     1 * (0 - std::log(0.5)) + 0) / 2;
  EXPECT_NEAR(loss(*this, lossFunc("kl_div", kT, kT), {logp, y}), expected, 1e-15);
}

TEST_F(LossTest, CrossEntropyWithLabels) {
  Tensor logits = f32({2, 3}, {1, 2, 3, 1, 1, 1});
  double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  double expected = ((lse0 - 3) + std::log(3.0)) / 2; // labels 2 and 0
  EXPECT_NEAR(loss(*this, lossFunc("cross_entropy", "tensor<2x3xf32>", "tensor<2xi32>"),
                   {logits, i32({2}, {2, 0})}),
              expected, 1e-14);
  // Stable at large logits.
  Tensor big = f32({1, 2}, {1000, 0});
  EXPECT_NEAR(loss(*this, lossFunc("cross_entropy", "tensor<1x2xf32>", "tensor<1xi32>"),
                   {big, i32({1}, {1})}),
              1000, 1e-9);
}

TEST_F(LossTest, CrossEntropyWithSoftTargetsOverLeadingDims) {
  // [2, 2, 3] logits: four samples, classes on the last axis.
  std::vector<double> z = {1, 2, 3, 0, 0, 0, -1, 4, 2, 0.5, 0.5, -3};
  std::vector<double> t = {0, 0, 1, 0.5, 0.5, 0, 0.2, 0.3, 0.5, 1, 0, 0};
  double expected = 0;
  for (int s = 0; s < 4; ++s) {
    double lse = std::log(std::exp(z[3 * s]) + std::exp(z[3 * s + 1]) + std::exp(z[3 * s + 2]));
    for (int c = 0; c < 3; ++c)
      expected -= t[3 * s + c] * (z[3 * s + c] - lse);
  }
  expected /= 4;
  std::string ty = "tensor<2x2x3xf32>";
  EXPECT_NEAR(loss(*this, lossFunc("cross_entropy", ty, ty), {f32({2, 2, 3}, z), f32({2, 2, 3}, t)}),
              expected, 1e-14);
  // One-hot targets give the same value as the labels they encode.
  std::vector<double> onehot = {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  double viaOneHot =
      loss(*this, lossFunc("cross_entropy", ty, ty), {f32({2, 2, 3}, z), f32({2, 2, 3}, onehot)});
  double viaLabels = loss(*this, lossFunc("cross_entropy", ty, "tensor<2x2xi32>"),
                          {f32({2, 2, 3}, z), i32({2, 2}, {2, 0, 1, 2})});
  EXPECT_NEAR(viaOneHot, viaLabels, 1e-14);
}

TEST_F(LossTest, Nll) {
  Tensor logp = f32({2, 3}, {-1.5, -0.5, -2, -3, -0.25, -0.75});
  EXPECT_NEAR(loss(*this, lossFunc("nll", "tensor<2x3xf32>", "tensor<2xi32>"),
                   {logp, i32({2}, {1, 2})}),
              (0.5 + 0.75) / 2, 1e-15);
}

TEST_F(LossTest, KlNormal) {
  std::vector<double> mu = {0.5, -1, 0, 2}, lv = {0, 0.5, -1, 0.25};
  double sum = 0;
  for (int i = 0; i < 4; ++i)
    sum += 1 + lv[i] - mu[i] * mu[i] - std::exp(lv[i]);
  EXPECT_NEAR(loss(*this, lossFunc("kl_normal", kT, kT), {f32({2, 2}, mu), f32({2, 2}, lv)}),
              -0.5 * sum / 2, 1e-15);
  // N(0, 1) against itself: zero.
  EXPECT_EQ(loss(*this, lossFunc("kl_normal", kT, kT),
                 {Tensor::filled({2, 2}, 0), Tensor::filled({2, 2}, 0)}),
            0.0);
}

TEST_F(LossTest, LabelOutOfRangeIsAnError) {
  std::string error = runError(lossFunc("cross_entropy", "tensor<2x3xf32>", "tensor<2xi32>"),
                               {Tensor::filled({2, 3}, 0), i32({2}, {0, 3})});
  EXPECT_THAT(error, ::testing::HasSubstr("dl.cross_entropy"));
  EXPECT_THAT(error, ::testing::HasSubstr("label 3 is outside [0, 3)"));
  EXPECT_THAT(error, ::testing::HasSubstr("test.mlir:"));
  error = runError(lossFunc("nll", "tensor<2x3xf32>", "tensor<2xi32>"),
                   {Tensor::filled({2, 3}, 0), i32({2}, {-1, 0})});
  EXPECT_THAT(error, ::testing::HasSubstr("label -1"));
}

} // namespace
} // namespace dl::interp::test
