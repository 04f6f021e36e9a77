//===- ConvVJPTest.cpp - Gradients of the 2-D window ops ------------------===//
//
// conv2d, maxpool2d and avgpool2d through dl-autodiff and the reference interpreter:
//  - finite differences (VJPHarness.h) at several kernels, strides, paddings and dilations, among
//    them strides that do not divide the padded input (the floor of the output size drops rows);
//  - conv2d's gradients against a brute-force vector-Jacobian product built from this file's own
//    loops (the convolution is linear in each operand, so column k of its Jacobian is the
//    convolution of a one-hot tensor);
//  - max pooling's tie rule: a window whose maximum is shared sends its whole gradient to the
//    first maximal element in row-major window order;
//  - the forward semantics the gradients rest on: padding never wins a max, and an average divides
//    by the whole window.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

/// The attribute dictionary of a window op: `{name = array<i64: a, b>, ...}`.
std::string attrs(std::vector<std::pair<std::string, std::array<int64_t, 2>>> named) {
  std::string s = "{";
  for (size_t i = 0; i < named.size(); ++i)
    s += (i ? ", " : "") + named[i].first + " = array<i64: " + std::to_string(named[i].second[0]) +
         ", " + std::to_string(named[i].second[1]) + ">";
  return s + "}";
}

using Pair = std::array<int64_t, 2>;

/// weight(k) as the loss's f32 constant holds it: the incoming gradient of element k of y.
double lossWeight(int64_t k) { return double(float(weight(k))); }

Case conv(const std::string &name, const std::string &x, const std::string &w, Pair stride,
          Pair padding, Pair dilation, const std::string &out) {
  return make("conv2d_" + name, {x, w},
              "%y = dl.conv2d %p0, %p1 " +
                  attrs({{"stride", stride}, {"padding", padding}, {"dilation", dilation}}) +
                  " : (" + T(x) + ", " + T(w) + ") -> " + T(out),
              out);
}

Case pool(const std::string &op, const std::string &name, const std::string &x, Pair kernel,
          Pair stride, Pair padding, const std::string &out) {
  return make(op + "_" + name, {x},
              "%y = dl." + op + " %p0 " +
                  attrs({{"kernel_size", kernel}, {"stride", stride}, {"padding", padding}}) +
                  " : (" + T(x) + ") -> " + T(out),
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

  // A convolution layer as the frontend writes one: conv, bias, average pooling.
  cs.push_back(make("conv_bias_avgpool", {"2x2x6x6", "3x2x3x3", "3x1x1"},
                    "%c = dl.conv2d %p0, %p1 " +
                        attrs({{"stride", {1, 1}}, {"padding", {1, 1}}, {"dilation", {1, 1}}}) +
                        " : (" + T("2x2x6x6") + ", " + T("3x2x3x3") + ") -> " + T("2x3x6x6") +
                        "\n%b = dl.add %c, %p2 : (" + T("2x3x6x6") + ", " + T("3x1x1") + ") -> " +
                        T("2x3x6x6") + "\n%y = dl.avgpool2d %b " +
                        attrs({{"kernel_size", {2, 2}}, {"stride", {2, 2}}, {"padding", {0, 0}}}) +
                        " : (" + T("2x3x6x6") + ") -> " + T("2x3x3x3"),
                    "2x3x3x3"));
  return cs;
}

class ConvVJPTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConvVJPTest, MatchesCentralDifferences) { checkAgainstCentralDifferences(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    WindowOps, ConvVJPTest, ::testing::ValuesIn(convCases()),
    [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

TEST(ConvVJPCases, NamesAreUniqueAndEveryWindowOpIsCovered) {
  std::set<std::string> names;
  std::string all;
  for (const Case &c : convCases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    all += c.body + "\n";
  }
  for (std::string op : {"conv2d", "maxpool2d", "avgpool2d"})
    EXPECT_NE(all.find("dl." + op + " "), std::string::npos) << "no case uses dl." << op;
}

TEST(ConvVJPNonDifferentiable, AGradientOpOnTheLossPathFailsThePass) {
  // Second derivatives are not needed: avgpool2d_grad (like every *_grad op) has none.
  Case c = make("second_derivative", {"1x1x2x2"},
                "%y = dl.avgpool2d_grad %p0 " +
                    attrs({{"kernel_size", {2, 2}},
                           {"stride", {2, 2}},
                           {"padding", {0, 0}},
                           {"input_size", {4, 4}}}) +
                    " : (" + T("1x1x2x2") + ") -> " + T("1x1x4x4"),
                "1x1x4x4");
  Compiled compiled(modelText(c));
  ASSERT_TRUE(compiled.module) << compiled.diagnostics;
  EXPECT_TRUE(failed(compiled.differentiate()));
  EXPECT_NE(compiled.diagnostics.find("the loss depends on 'dl.avgpool2d_grad'"), std::string::npos)
      << compiled.diagnostics;
}

//===----------------------------------------------------------------------===//
// Helpers: differentiating one case and reading its gradients.
//===----------------------------------------------------------------------===//

/// The parameters' values and their gradients after dl-autodiff, evaluated by the interpreter;
/// `values` overrides the initial draws where given.
struct Gradients {
  std::vector<Tensor> params, grads;
};

Gradients differentiate(const Case &c, const std::vector<std::vector<double>> &values = {}) {
  Gradients out;
  Compiled compiled(modelText(c));
  EXPECT_TRUE(compiled.module) << compiled.diagnostics;
  if (!compiled.module || failed(compiled.differentiate())) {
    ADD_FAILURE() << "dl-autodiff failed: " << compiled.diagnostics;
    return out;
  }
  Interpreter interp(compiled.model(), c.seed);
  std::string error;
  EXPECT_TRUE(interp.initialize(&error)) << error;
  for (size_t i = 0; i < values.size(); ++i) {
    Tensor t = *interp.state(paramName(i));
    t.data = values[i];
    EXPECT_TRUE(interp.setState(paramName(i), t));
  }
  for (size_t i = 0; i < c.params.size(); ++i)
    out.params.push_back(*interp.state(paramName(i)));
  auto results = interp.call("s.grad", {}, error);
  EXPECT_TRUE(succeeded(results)) << error << "\n" << compiled.print();
  if (succeeded(results))
    out.grads.assign(results->begin() + 1, results->end());
  return out;
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
  Gradients r = differentiate(c);
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

//===----------------------------------------------------------------------===//
// Max pooling's tie rule.
//===----------------------------------------------------------------------===//

/// maxpool2d with kernel 2x2 and `stride` over one 1x1xHxW plane of `x`; returns d loss / d x.
std::vector<double> maxPoolGradient(const std::string &xs, const std::vector<double> &x,
                                    Pair stride, const std::string &ys) {
  Case c = pool("maxpool2d", "tie", xs, {2, 2}, stride, {0, 0}, ys);
  Gradients r = differentiate(c, {x});
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
                     attrs({{"kernel_size", k}, {"stride", s}, {"padding", p}}) + " : (" + T(xs) +
                     ") -> " + T(ys) + "\n    return %y : " + T(ys) + "\n  }\n}\n";
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
