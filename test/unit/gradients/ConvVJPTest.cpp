//===- ConvVJPTest.cpp - Gradients of the convolution ---------------------===//
//
// conv2d through dl-autodiff and the reference interpreter:
//  - finite differences (VJPHarness.h) at several kernels, strides, paddings and dilations, among
//    them strides that do not divide the padded input (the floor of the output size drops rows),
//    and a convolution layer as the frontend writes one (conv, bias, average pooling);
//  - conv2d's gradients against a brute-force vector-Jacobian product built from this file's own
//    loops (the convolution is linear in each operand, so column k of its Jacobian is the
//    convolution of a one-hot tensor).
// Pooling's gradients are PoolingVJPTest.cpp's.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

Case conv(const std::string &name, const std::string &x, const std::string &w, Pair stride,
          Pair padding, Pair dilation, const std::string &out) {
  return make("conv2d_" + name, {x, w},
              "%y = dl.conv2d %p0, %p1 " +
                  windowAttrs({{"stride", stride}, {"padding", padding}, {"dilation", dilation}}) +
                  " : (" + T(x) + ", " + T(w) + ") -> " + T(out),
              out);
}

std::vector<Case> convCases() {
  std::vector<Case> cs;
  cs.push_back(conv("plain", "2x3x5x5", "4x3x3x3", {1, 1}, {0, 0}, {1, 1}, "2x4x3x3"));
  // (6 + 2 - 3) / 2 floors: the last row of the padded input is never read.
  cs.push_back(conv("stride2_pad1", "1x2x6x5", "3x2x3x3", {2, 2}, {1, 1}, {1, 1}, "1x3x3x3"));
  cs.push_back(conv("dilation2", "1x2x7x6", "2x2x2x3", {1, 1}, {1, 0}, {2, 2}, "1x2x7x2"));
  cs.push_back(conv("mixed", "2x1x7x8", "2x1x2x2", {2, 3}, {0, 2}, {1, 2}, "2x2x3x4"));
  cs.push_back(conv("pointwise", "2x2x3x3", "3x2x1x1", {1, 1}, {0, 0}, {1, 1}, "2x3x3x3"));
  cs.push_back(
      conv("kernel_covers_input", "1x2x3x3", "2x2x3x3", {1, 1}, {0, 0}, {1, 1}, "1x2x1x1"));
  // A frozen input: only the weight's gradient is built.
  cs.push_back(conv("frozen_input", "1x2x5x5", "2x2x3x3", {2, 2}, {1, 1}, {1, 1}, "1x2x3x3")
                   .freeze({0}));

  // A convolution layer as the frontend writes one: conv, bias, average pooling.
  cs.push_back(make("conv_bias_avgpool", {"2x2x6x6", "3x2x3x3", "3x1x1"},
                    "%c = dl.conv2d %p0, %p1 " +
                        windowAttrs(
                            {{"stride", {1, 1}}, {"padding", {1, 1}}, {"dilation", {1, 1}}}) +
                        " : (" + T("2x2x6x6") + ", " + T("3x2x3x3") + ") -> " + T("2x3x6x6") +
                        "\n%b = dl.add %c, %p2 : (" + T("2x3x6x6") + ", " + T("3x1x1") + ") -> " +
                        T("2x3x6x6") + "\n%y = dl.avgpool2d %b " +
                        windowAttrs(
                            {{"kernel_size", {2, 2}}, {"stride", {2, 2}}, {"padding", {0, 0}}}) +
                        " : (" + T("2x3x6x6") + ") -> " + T("2x3x3x3"),
                    "2x3x3x3"));
  return cs;
}

INSTANTIATE_TEST_SUITE_P(ConvOps, VJPTest, ::testing::ValuesIn(convCases()), caseName);

TEST(ConvVJPCases, NamesAreUniqueAndConvolutionIsCovered) {
  expectUniqueNamesCovering(convCases(), {"conv2d"});
}

//===----------------------------------------------------------------------===//
// conv2d's gradients against a brute-force vector-Jacobian product.
//===----------------------------------------------------------------------===//

/// conv2d of x [N, C, H, W] and w [O, C, KH, KW] by its definition, with zero outside x.
std::vector<double> naiveConv(const std::vector<double> &x, const std::vector<int64_t> &xs,
                              const std::vector<double> &w, const std::vector<int64_t> &ws,
                              Pair s, Pair p, Pair d, const std::vector<int64_t> &ys) {
  std::vector<double> y(ys[0] * ys[1] * ys[2] * ys[3], 0.0);
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t o = 0; o < ys[1]; ++o)
      for (int64_t i = 0; i < ys[2]; ++i)
        for (int64_t j = 0; j < ys[3]; ++j)
          for (int64_t c = 0; c < xs[1]; ++c)
            for (int64_t kp = 0; kp < ws[2]; ++kp)
              for (int64_t kq = 0; kq < ws[3]; ++kq) {
                int64_t h = i * s[0] - p[0] + kp * d[0], v = j * s[1] - p[1] + kq * d[1];
                if (h < 0 || h >= xs[2] || v < 0 || v >= xs[3])
                  continue;
                y[((n * ys[1] + o) * ys[2] + i) * ys[3] + j] +=
                    x[((n * xs[1] + c) * xs[2] + h) * xs[3] + v] *
                    w[((o * ws[1] + c) * ws[2] + kp) * ws[3] + kq];
              }
  return y;
}

struct ConvGeometry {
  std::string name, x, w, y;
  Pair stride, padding, dilation;
};

void PrintTo(const ConvGeometry &g, std::ostream *os) { *os << g.name; }

class ConvBruteForceTest : public ::testing::TestWithParam<ConvGeometry> {};

TEST_P(ConvBruteForceTest, GradientsAreTheVectorJacobianProduct) {
  const ConvGeometry &g = GetParam();
  Case c = conv("brute_force", g.x, g.w, g.stride, g.padding, g.dilation, g.y);
  Gradients r = gradientsOf(c);
  ASSERT_EQ(r.grads.size(), 2u);
  std::vector<int64_t> xs = parseShape(g.x), ws = parseShape(g.w), ys = parseShape(g.y);
  // The loss is sum(y * weight), so the incoming gradient is weight(k) at element k of y.
  std::vector<double> gy(numElements(g.y));
  for (size_t k = 0; k < gy.size(); ++k)
    gy[k] = lossWeight(k);
  auto dot = [&](const std::vector<double> &y) {
    double s = 0;
    for (size_t k = 0; k < y.size(); ++k)
      s += gy[k] * y[k];
    return s;
  };
  const std::vector<double> &x = r.params[0].data, &w = r.params[1].data;
  for (size_t k = 0; k < x.size(); ++k) {
    std::vector<double> oneHot(x.size(), 0.0);
    oneHot[k] = 1;
    double expected = dot(naiveConv(oneHot, xs, w, ws, g.stride, g.padding, g.dilation, ys));
    EXPECT_NEAR(r.grads[0].data[k], expected, 1e-12) << "d loss / d x[" << k << "]";
  }
  for (size_t k = 0; k < w.size(); ++k) {
    std::vector<double> oneHot(w.size(), 0.0);
    oneHot[k] = 1;
    double expected = dot(naiveConv(x, xs, oneHot, ws, g.stride, g.padding, g.dilation, ys));
    EXPECT_NEAR(r.grads[1].data[k], expected, 1e-12) << "d loss / d w[" << k << "]";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Geometries, ConvBruteForceTest,
    ::testing::Values(
        ConvGeometry{"plain", "2x3x5x5", "4x3x3x3", "2x4x3x3", {1, 1}, {0, 0}, {1, 1}},
        ConvGeometry{"stride2_pad1", "1x2x6x5", "3x2x3x3", "1x3x3x3", {2, 2}, {1, 1}, {1, 1}},
        ConvGeometry{"dilation2", "2x2x7x6", "2x2x2x3", "2x2x7x2", {1, 1}, {1, 0}, {2, 2}},
        ConvGeometry{"mixed", "1x1x8x9", "2x1x3x2", "1x2x4x3", {3, 2}, {2, 0}, {1, 3}}),
    [](const ::testing::TestParamInfo<ConvGeometry> &info) { return info.param.name; });

} // namespace
