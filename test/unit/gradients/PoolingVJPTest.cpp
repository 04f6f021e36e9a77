//===- PoolingVJPTest.cpp - Gradients of max and average pooling ----------===//
//
// maxpool2d and avgpool2d through dl-autodiff and the reference interpreter:
//  - finite differences (VJPHarness.h) at several kernels, strides and paddings, among them
//    strides that do not divide the padded input (the floor of the output size drops rows);
//  - max pooling's tie rule: a window whose maximum is shared sends its whole gradient to the
//    first maximal element in row-major window order;
//  - the forward semantics the gradients rest on: padding never wins a max, and an average divides
//    by the whole window.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

Case pool(const std::string &op, const std::string &name, const std::string &x, Pair kernel,
          Pair stride, Pair padding, const std::string &out) {
  return make(op + "_" + name, {x},
              "%y = dl." + op + " %p0 " +
                  windowAttrs(
                      {{"kernel_size", kernel}, {"stride", stride}, {"padding", padding}}) +
                  " : (" + T(x) + ") -> " + T(out),
              out);
}

std::vector<Case> poolingCases() {
  std::vector<Case> cs;
  // Max pooling: distinct values 0.4 apart, so no window holds a tie or a near-tie.
  auto maxpool = [](const std::string &name, const std::string &x, Pair k, Pair s, Pair p,
                    const std::string &out) {
    return pool("maxpool2d", name, x, k, s, p, out).with(grid(0, 0.0));
  };
  cs.push_back(maxpool("k2_s2", "1x2x4x4", {2, 2}, {2, 2}, {0, 0}, "1x2x2x2"));
  cs.push_back(maxpool("k3_s2_p1", "2x1x5x6", {3, 3}, {2, 2}, {1, 1}, "2x1x3x3"));
  cs.push_back(maxpool("overlapping", "1x1x4x4", {2, 2}, {1, 1}, {0, 0}, "1x1x3x3"));
  cs.push_back(maxpool("rect", "1x2x4x5", {3, 2}, {1, 2}, {1, 1}, "1x2x4x3"));
  cs.push_back(maxpool("s3_drops_rows", "1x1x7x5", {2, 2}, {3, 2}, {0, 0}, "1x1x2x2"));

  cs.push_back(pool("avgpool2d", "k2_s2", "1x2x4x4", {2, 2}, {2, 2}, {0, 0}, "1x2x2x2"));
  cs.push_back(pool("avgpool2d", "k3_s2_p1", "2x1x5x6", {3, 3}, {2, 2}, {1, 1}, "2x1x3x3"));
  cs.push_back(pool("avgpool2d", "overlapping", "1x1x4x4", {2, 2}, {1, 1}, {0, 0}, "1x1x3x3"));
  cs.push_back(pool("avgpool2d", "rect", "1x2x4x5", {3, 2}, {1, 2}, {1, 1}, "1x2x4x3"));
  cs.push_back(pool("avgpool2d", "s3_drops_rows", "1x1x7x5", {2, 2}, {3, 2}, {0, 0}, "1x1x2x2"));
  return cs;
}

INSTANTIATE_TEST_SUITE_P(PoolingOps, VJPTest, ::testing::ValuesIn(poolingCases()), caseName);

TEST(PoolingVJPCases, NamesAreUniqueAndEveryPoolingOpIsCovered) {
  expectUniqueNamesCovering(poolingCases(), {"maxpool2d", "avgpool2d"});
}

TEST(PoolingVJPNonDifferentiable, AGradientOpOnTheLossPathFailsThePass) {
  // Second derivatives are not needed: avgpool2d_grad (like every *_grad op) has none.
  expectNoGradient(make("second_derivative", {"1x1x2x2"},
                        "%y = dl.avgpool2d_grad %p0 " +
                            windowAttrs({{"kernel_size", {2, 2}},
                                         {"stride", {2, 2}},
                                         {"padding", {0, 0}},
                                         {"input_size", {4, 4}}}) +
                            " : (" + T("1x1x2x2") + ") -> " + T("1x1x4x4"),
                        "1x1x4x4"),
                   "avgpool2d_grad");
}

//===----------------------------------------------------------------------===//
// Max pooling's tie rule.
//===----------------------------------------------------------------------===//

/// maxpool2d with kernel 2x2 and `stride` over one 1x1xHxW plane of `x`; returns d loss / d x.
std::vector<double> maxPoolGradient(const std::string &xs, const std::vector<double> &x,
                                    Pair stride, const std::string &ys) {
  Case c = pool("maxpool2d", "tie", xs, {2, 2}, stride, {0, 0}, ys);
  Gradients r = gradientsOf(c, {x});
  return r.grads.empty() ? std::vector<double>{} : r.grads[0].data;
}

TEST(MaxPoolTies, TheFirstMaximumInRowMajorWindowOrderTakesTheWholeGradient) {
  // Windows of a 2x4 plane with stride 2: {1, 1; 1, 1} (a four-way tie) and {0, 3; 3, 3}.
  std::vector<double> x = {1, 1, 0, 3,
                           1, 1, 3, 3};
  std::vector<double> gx = maxPoolGradient("1x1x2x4", x, {2, 2}, "1x1x1x2");
  std::vector<double> expected = {lossWeight(0), 0, 0, lossWeight(1),
                                  0,             0, 0, 0};
  EXPECT_EQ(gx, expected);
}

TEST(MaxPoolTies, OverlappingWindowsEachChooseTheirOwnFirstMaximum) {
  // Stride 1 over a 2x3 plane of one value: window (0, 0) chooses column 0 and window (0, 1)
  // column 1, each the top-left element of its own window.
  std::vector<double> x(6, 2.5);
  std::vector<double> gx = maxPoolGradient("1x1x2x3", x, {1, 1}, "1x1x1x2");
  std::vector<double> expected = {lossWeight(0), lossWeight(1), 0, 0, 0, 0};
  EXPECT_EQ(gx, expected);
}

TEST(MaxPoolTies, OverlappingWindowsThatChooseOneElementAddTheirGradients) {
  // Stride 1 over {1, 5, 1; 0, 0, 0}: both windows choose the 5 at column 1.
  std::vector<double> x = {1, 5, 1,
                           0, 0, 0};
  std::vector<double> gx = maxPoolGradient("1x1x2x3", x, {1, 1}, "1x1x1x2");
  std::vector<double> expected = {0, lossWeight(0) + lossWeight(1), 0, 0, 0, 0};
  EXPECT_EQ(gx, expected);
}

//===----------------------------------------------------------------------===//
// Forward semantics.
//===----------------------------------------------------------------------===//

/// Runs `dl.OP %x ATTRS` on `x` in a model of one function and returns its result.
std::vector<double> runPool(const std::string &op, const std::string &xs,
                            const std::vector<double> &x, Pair k, Pair s, Pair p,
                            const std::string &ys) {
  std::string text = "dl.model @m {\n  func.func @f(%x: " + T(xs) + ") -> " + T(ys) +
                     " {\n    %y = dl." + op + " %x " +
                     windowAttrs({{"kernel_size", k}, {"stride", s}, {"padding", p}}) + " : (" +
                     T(xs) + ") -> " + T(ys) + "\n    return %y : " + T(ys) + "\n  }\n}\n";
  Compiled compiled(text);
  EXPECT_TRUE(compiled.module) << compiled.diagnostics;
  if (!compiled.module)
    return {};
  Interpreter interp(compiled.model(), 1);
  std::string error;
  auto r = interp.call("f", {Tensor(parseShape(xs), dl::interp::ElementKind::F32, x)}, error);
  EXPECT_TRUE(succeeded(r)) << error;
  return succeeded(r) ? (*r)[0].data : std::vector<double>{};
}

TEST(PoolForward, MaxPoolingNeverChoosesPadding) {
  // All elements negative: a zero-padded max would give 0 at the borders.
  std::vector<double> x = {-4, -3, -2, -1};
  std::vector<double> y = runPool("maxpool2d", "1x1x2x2", x, {2, 2}, {1, 1}, {1, 1}, "1x1x3x3");
  EXPECT_EQ(y, (std::vector<double>{-4, -3, -3, -2, -1, -1, -2, -1, -1}));
}

TEST(PoolForward, MaxPoolingPropagatesNaN) {
  double nan = std::nan("");
  std::vector<double> y =
      runPool("maxpool2d", "1x1x2x2", {1, nan, 7, 2}, {2, 2}, {1, 1}, {0, 0}, "1x1x1x1");
  ASSERT_EQ(y.size(), 1u);
  EXPECT_TRUE(std::isnan(y[0]));
}

TEST(PoolForward, AveragePoolingCountsPaddingInTheDivisor) {
  // kernel 2, stride 2, padding 1 over a 2x2 plane: every window holds one real element.
  std::vector<double> y =
      runPool("avgpool2d", "1x1x2x2", {4, 8, 12, 16}, {2, 2}, {2, 2}, {1, 1}, "1x1x2x2");
  EXPECT_EQ(y, (std::vector<double>{1, 2, 3, 4}));
}

} // namespace
