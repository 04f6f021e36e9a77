//===- KinkGradientTest.cpp - Gradients where finite differences cannot look --===//
//
// Tests that the gradient rules of the element-wise ops agree with PyTorch's backward at the
// points central differences cannot check: the kinks of hardswish (PyTorch takes the middle
// piece at both -3 and 3), the jumps of floor, ceil and round (zero), NaN and the infinities, and
// mod and fmod by zero. dl-autodiff's gradient, evaluated by the interpreter as VJPHarness.h
// does, is divided by each element's weight in the harness's loss, which leaves d y_k / d x_k.
// The expected values are PyTorch 1.13's (float32, CPU), printed by
//   /usr/bin/python3 -c "import torch; x = torch.tensor([...], requires_grad=True); ..."
// for the same inputs.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

#include <limits>

namespace {

using namespace dl::vjptest;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

/// The gradients dl-autodiff gives the parameters of `c` with their values set to `values`, each
/// element divided by the weight of its result element in the loss (the op is element-wise and
/// its operands have the result's shape).
std::vector<std::vector<double>> gradientsAt(const Case &c,
                                             const std::vector<std::vector<double>> &values) {
  std::vector<std::vector<double>> out;
  for (const Tensor &t : gradientsOf(c, values).grads) {
    std::vector<double> g = t.data;
    for (size_t k = 0; k < g.size(); ++k)
      g[k] /= weight(static_cast<int64_t>(k));
    out.push_back(g);
  }
  return out;
}

/// Element-wise comparison with PyTorch's float32 gradients: NaN for NaN, equal infinities, and
/// within float32 rounding elsewhere.
void expectGradients(const std::vector<double> &actual, const std::vector<double> &expected,
                     const std::string &what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(actual[i])) << what << "[" << i << "] = " << actual[i];
    else if (std::isinf(expected[i]))
      EXPECT_EQ(actual[i], expected[i]) << what << "[" << i << "]";
    else
      EXPECT_NEAR(actual[i], expected[i], 1e-6 * std::max(1.0, std::fabs(expected[i])))
          << what << "[" << i << "]";
  }
}

// The inputs of the unary cases and their count, as a shape.
const std::vector<double> kInputs = {-4, -3, -2, 0, 2, 3, 4, kNaN, kInf, -kInf, -0.0};
const std::string kShape = "11";

TEST(KinkGradients, UnaryOpsMatchPyTorchBackward) {
  struct Expected {
    const char *op;
    std::vector<double> grad;
  };
  std::vector<Expected> cases = {
      // F.hardswish: 0 below -3, x / 3 + 1/2 on [-3, 3] (ends included), 1 above 3 and for NaN.
      {"hardswish", {0, -0.5, -0.1666666865348816, 0.5, 1.1666667461395264, 1.5, 1, 1, 1, 0, 0.5}},
      {"silu",
       {-0.052664611488580704, -0.08810410648584366, -0.09078425168991089, 0.5, 1.0907843112945557,
        1.0881041288375854, 1.0526646375656128, kNaN, kNaN, kNaN, 0.5}},
      {"mish",
       {-0.05377320572733879, -0.09339312463998795, -0.10835510492324829, 0.6000000238418579,
        1.0693179368972778, 1.0211069583892822, 1.0044326782226562, kNaN, kNaN, kNaN,
        0.6000000238418579}},
      {"floor", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      {"ceil", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      {"round", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      // sin' = cos, cos' = -sin: NaN at the infinities.
      {"sin",
       {-0.6536436080932617, -0.9899924993515015, -0.416146844625473, 1, -0.416146844625473,
        -0.9899924993515015, -0.6536436080932617, kNaN, kNaN, kNaN, 1}},
      {"cos",
       {-0.756802499294281, 0.14112000167369843, 0.9092974066734314, -0.0, -0.9092974066734314,
        -0.14112000167369843, 0.756802499294281, kNaN, kNaN, kNaN, 0}},
      {"erf",
       {1.2698235707375716e-07, 0.00013925305393058807, 0.02066698670387268, 1.128379225730896,
        0.02066698670387268, 0.00013925305393058807, 1.2698235707375716e-07, kNaN, 0, 0,
        1.128379225730896}},
  };
  for (const Expected &e : cases) {
    std::vector<std::vector<double>> g = gradientsAt(unary(e.op, kShape), {kInputs});
    ASSERT_EQ(g.size(), 1u) << e.op;
    expectGradients(g[0], e.grad, e.op);
  }
}

TEST(KinkGradients, ModAndFmodMatchPyTorchBackward) {
  // torch.remainder: d/da = 1, d/db = -floor(a / b); torch.fmod: d/db = -trunc(a / b). By zero,
  // the quotient is infinite (7 / 0) or NaN (0 / 0).
  std::vector<double> a = {5.5, -5.5, 5.5, -5.5, 7, 0}, b = {2, 2, -2, -2, 0, 0};
  std::vector<double> ones = {1, 1, 1, 1, 1, 1};
  std::vector<std::vector<double>> mod = gradientsAt(binary("mod", "6", "6", "6"), {a, b});
  ASSERT_EQ(mod.size(), 2u);
  expectGradients(mod[0], ones, "d mod / da");
  expectGradients(mod[1], {-2, 3, 3, -2, -kInf, kNaN}, "d mod / db");
  std::vector<std::vector<double>> fmod = gradientsAt(binary("fmod", "6", "6", "6"), {a, b});
  ASSERT_EQ(fmod.size(), 2u);
  expectGradients(fmod[0], ones, "d fmod / da");
  expectGradients(fmod[1], {-2, 2, 2, -2, -kInf, kNaN}, "d fmod / db");
}

} // namespace
