//===- SpatialTest.cpp - The spatial ops against PyTorch -------------------===//
//
// Tests that the interpreter's conv_transpose2d, pooling with dilation, ceil_mode and
// count_include_pad, bilinear upsampling, and the gradient ops of each, give PyTorch 1.13's
// results (SpatialGolden.inc, written by spatial_golden.py from torch.nn.functional and autograd):
// PyTorch's output sizes (ceil_mode windows that would start in the right padding dropped),
// divisors, interpolation weights, and what NaN and infinities become (a zero weight on an
// infinite neighbour gives NaN, as PyTorch's does). The interpreter computes in double precision
// from float32 inputs, so it agrees with PyTorch's float32 to a few units in the last place.
//
//===----------------------------------------------------------------------===//
#include "test/unit/interpreter/InterpreterTestUtil.h"

#include <limits>

namespace dl::interp::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct GoldenTensor {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

struct GoldenCase {
  const char *name;
  const char *body; ///< One op: `%y = dl.<op> %a0, ... : (...) -> ...`.
  const char *op;   ///< The op and its attributes again, for kernel tests (booleans as 0 or 1).
  std::vector<std::pair<std::string, std::vector<int64_t>>> attrs;
  std::vector<GoldenTensor> inputs;
  GoldenTensor result;
};

const std::vector<GoldenCase> &goldenCases() {
  static const std::vector<GoldenCase> cases = {
#include "test/unit/interpreter/SpatialGolden.inc"
  };
  return cases;
}

std::string tensorType(const std::vector<int64_t> &shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + "f32>";
}

class SpatialGoldenTest : public InterpreterTest,
                          public ::testing::WithParamInterface<GoldenCase> {};

TEST_P(SpatialGoldenTest, MatchesPyTorch) {
  const GoldenCase &c = GetParam();
  std::string args;
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    args += (i ? ", %a" : "%a") + std::to_string(i) + ": " + tensorType(c.inputs[i].shape);
    tensors.push_back(f32(c.inputs[i].shape, c.inputs[i].values));
  }
  std::string result = tensorType(c.result.shape);
  std::string body = "func.func @f(" + args + ") -> " + result + " {\n  " + c.body +
                     "\n  return %y : " + result + "\n}";
  Tensor y = run1(body, tensors);
  // Relative to the result's magnitude: sums of a few dozen float32 products.
  double scale = 1;
  for (double v : c.result.values)
    if (std::isfinite(v))
      scale = std::max(scale, std::abs(v));
  expectTensor(y, c.result.shape, c.result.values, 1e-5 * scale);
}

INSTANTIATE_TEST_SUITE_P(Golden, SpatialGoldenTest, ::testing::ValuesIn(goldenCases()),
                         [](const ::testing::TestParamInfo<GoldenCase> &info) {
                           return std::string(info.param.name);
                         });

TEST_F(InterpreterTest, AMaxPoolingWindowOfPaddingOnlySendsItsGradientNowhere) {
  // Kernel [2, 1] at dilation [3, 1] with padding [1, 0] over 2 rows: the one window's taps are
  // rows -1 and 2, both outside. Its maximum is -inf (SpatialGolden.inc) and its gradient goes to
  // no element; PyTorch's writes before its buffer.
  std::string attrs = "{kernel_size = array<i64: 2, 1>, stride = array<i64: 1, 1>, padding = "
                      "array<i64: 1, 0>, dilation = array<i64: 3, 1>}";
  Tensor gx = run1("func.func @f(%x: tensor<1x1x2x3xf32>, %gy: tensor<1x1x1x3xf32>) -> "
                   "tensor<1x1x2x3xf32> {\n  %y = dl.maxpool2d_grad %x, %gy " +
                       attrs +
                       " : (tensor<1x1x2x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x1x2x3xf32>\n"
                       "  return %y : tensor<1x1x2x3xf32>\n}",
                   {f32({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6}), f32({1, 1, 1, 3}, {1, 1, 1})});
  expectTensor(gx, {1, 1, 2, 3}, {0, 0, 0, 0, 0, 0});
}

TEST(SpatialGoldenCases, CoverEveryOpAndItsGradient) {
  std::string all;
  for (const GoldenCase &c : goldenCases())
    all += std::string(c.body) + "\n";
  for (const char *op : {"conv_transpose2d", "maxpool2d", "maxpool2d_grad", "avgpool2d",
                         "avgpool2d_grad", "upsample_bilinear2d", "upsample_bilinear2d_grad"})
    EXPECT_NE(all.find(std::string("dl.") + op + " "), std::string::npos) << op;
  for (const char *attr : {"ceil_mode = true", "count_include_pad = false", "dilation",
                           "output_padding", "align_corners = true"})
    EXPECT_NE(all.find(attr), std::string::npos) << attr;
}

} // namespace
} // namespace dl::interp::test
