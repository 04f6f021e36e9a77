//===- GatherVJPTest.cpp - The gradient of torch.gather -------------------===//
//
// dl.gather through dl-autodiff and the reference interpreter:
//  - finite differences (VJPHarness.h) along each axis of ranks 1 to 3, with repeated indices, an
//    index smaller than the input on another axis, and a gather inside a small network, the index
//    constant (it takes no gradient);
//  - the scatter-add itself: element q of the input's gradient is exactly the sum of the incoming
//    gradient at every position that picks q, and zero where none does;
//  - dl.gather_grad declares no gradient of its own.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

/// `%index = dl.constant` of `shape` holding `index`, then `%y = dl.gather %p0, %index`.
std::string pick(const std::string &input, const std::string &shape, const std::vector<int> &index,
                 int64_t axis, const std::string &result = "%y") {
  std::string values;
  for (size_t k = 0; k < index.size(); ++k)
    values += (k ? ", " : "") + std::to_string(index[k]);
  std::string flatType = T(std::to_string(index.size()), "i32"), type = T(shape, "i32");
  return "%flat = dl.constant dense<[" + values + "]> : " + flatType +
         "\n%index = dl.reshape %flat : (" + flatType + ") -> " + type + "\n" + result +
         " = dl.gather %p0, %index {axis = " + std::to_string(axis) + " : i64} : (" + T(input) +
         ", " + type + ") -> " + T(shape);
}

std::vector<Case> gatherCases() {
  std::vector<Case> cs;
  cs.push_back(make("gather_rank1", {"5"}, pick("5", "7", {4, 0, 2, 4, 1, 4, 0}, 0), "7"));
  // Axis 0 of [3, 4] by [2, 4]: column 1 picks row 2 twice; row 1 of column 3 is never picked.
  cs.push_back(make("gather_axis0", {"3x4"}, pick("3x4", "2x4", {0, 2, 1, 0, 2, 2, 0, 2}, 0),
                    "2x4"));
  cs.push_back(make("gather_axis1_smaller", {"3x5"},
                    pick("3x5", "2x3", {4, 4, 0, 1, 3, 1}, -1), "2x3"));
  cs.push_back(make("gather_rank3_middle", {"2x3x4"},
                    pick("2x3x4", "2x5x3", {0, 1, 2, 2, 2, 0, 1, 1, 1, 0, 0, 0, 2, 1, 0,
                                            1, 2, 0, 0, 0, 1, 2, 2, 2, 1, 0, 1, 0, 1, 2},
                         1),
                    "2x5x3"));
  // A gather inside a network: tanh(gather(x)) @ W, both parameters trained.
  cs.push_back(make("gather_tanh_matmul", {"4x3", "3x2"},
                    pick("4x3", "2x3", {3, 0, 3, 1, 1, 2}, 0, "%e") + "\n%h = dl.tanh %e : " +
                        T("2x3") + "\n%y = dl.matmul %h, %p1 : (" + T("2x3") + ", " + T("3x2") +
                        ") -> " + T("2x2"),
                    "2x2"));
  return cs;
}

INSTANTIATE_TEST_SUITE_P(Gather, VJPTest, ::testing::ValuesIn(gatherCases()), caseName);

TEST(GatherScatterAdd, RepeatedIndicesSumTheirGradients) {
  // Axis 1 of [2, 4] by [2, 3]: row 0 picks column 3 three times, row 1 columns 0, 0 and 2.
  std::vector<int> index = {3, 3, 3, 0, 0, 2};
  Gradients r = gradientsOf(make("scatter", {"2x4"}, pick("2x4", "2x3", index, 1), "2x3"));
  ASSERT_EQ(r.grads.size(), 1u);
  const Tensor &g = r.grads[0];
  ASSERT_EQ(g.shape, (std::vector<int64_t>{2, 4}));
  // The loss is sum(y * weight): the incoming gradient of y[i, j] is weight(3 i + j) in f32.
  std::vector<double> expected(8, 0.0);
  for (int64_t p = 0; p < 6; ++p)
    expected[(p / 3) * 4 + index[p]] += double(float(weight(p)));
  for (int64_t k = 0; k < 8; ++k)
    EXPECT_NEAR(g.data[k], expected[k], 1e-12) << "element " << k;
  for (int64_t k : {0, 1, 2, 5, 7})
    EXPECT_EQ(g.data[k], 0.0) << "element " << k << " is never picked";
}

TEST(GatherNonDifferentiable, TheGradientOpOnTheLossPathFailsThePass) {
  expectNoGradient(make("second_derivative", {"2"},
                        "%index = dl.constant dense<[1, 0]> : " + T("2", "i32") +
                            "\n%y = dl.gather_grad %index, %p0 {axis = 0 : i64, input_shape = "
                            "array<i64: 3>} : (" +
                            T("2", "i32") + ", " + T("2") + ") -> " + T("3"),
                        "3"),
                   "gather_grad");
}

} // namespace
