//===- SpatialKernelTest.cpp - The spatial ops' kernels against PyTorch ----===//
//
// Tests that the Halide kernels of conv_transpose2d, pooling with dilation, ceil_mode and
// count_include_pad, bilinear upsampling and their gradient ops give PyTorch 1.13's results on the
// inputs of test/unit/interpreter/SpatialGolden.inc (written by spatial_golden.py), edge values
// included: NaN in a max-pooling window, windows of -inf, infinities next to a bilinear tap of
// weight zero (PyTorch gives NaN there), NaN and -inf under count_include_pad = false. Each case
// runs on every schedule the host can run (runnableCpus: AVX2, AVX-512, the GPU schedule on the
// OpenCL stand-in), on the inputs read from memory and on the same inputs computed in the kernel
// (x * one, one a run-time 1), so that no op trusts a computed value to be finite (Halide compiles
// as if it were; see EdgeValueKernelTest.cpp).
//
// Also: a DCGAN-sized conv_transpose2d against naive loops, which the register-blocked schedule of
// cpu/ConvSchedule.cpp runs with several blocks per row and channel.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <gmock/gmock.h>

#include <limits>

namespace dl::codegen::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct GoldenTensor {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

struct GoldenCase {
  const char *name;
  const char *body;
  const char *op;
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

/// The kernel of one golden case; with `computed`, every input passes through x * one first.
Kernel goldenKernel(const GoldenCase &c, bool computed) {
  KernelBuilder b(c.op);
  std::vector<int> operands;
  for (const GoldenTensor &t : c.inputs)
    operands.push_back(b.input(f32(t.shape)));
  if (computed) {
    int one = b.input(f32({}));
    for (size_t i = 0; i < operands.size(); ++i)
      operands[i] = b.node("mul", {operands[i], one}, f32(c.inputs[i].shape));
  }
  b.output(b.node(c.op, operands, f32(c.result.shape), [&](KernelNode &n) {
    for (const auto &[name, values] : c.attrs)
      n.ints[name] = values;
  }));
  return b.kernel();
}

class SpatialKernelTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(SpatialKernelTest, MatchesPyTorchOnEverySchedule) {
  const GoldenCase &c = GetParam();
  std::vector<HostTensor> inputs;
  for (const GoldenTensor &t : c.inputs)
    inputs.push_back(tensorOf(f32(t.shape), t.values));
  std::vector<HostTensor> withOne = inputs;
  withOne.push_back(tensorOf(f32({}), {1.0}));
  double scale = 1;
  for (double v : c.result.values)
    if (std::isfinite(v))
      scale = std::max(scale, std::abs(v));
  for (const std::string &cpu : runnableCpus())
    for (bool computed : {false, true}) {
      std::vector<HostTensor> r =
          runOn(cpu, goldenKernel(c, computed), computed ? withOne : inputs);
      ASSERT_EQ(r.size(), 1u) << cpu;
      EXPECT_TRUE(allClose(r[0], c.result.values, 1e-5, 1e-5 * scale))
          << cpu << (computed ? ", inputs computed in the kernel" : ", inputs from memory");
    }
}

INSTANTIATE_TEST_SUITE_P(Golden, SpatialKernelTest, ::testing::ValuesIn(goldenCases()),
                         [](const ::testing::TestParamInfo<GoldenCase> &info) {
                           return std::string(info.param.name);
                         });

/// conv_transpose2d by its definition (a scatter), in double precision.
std::vector<double> convTransposeRef(const HostTensor &x, const Shape &xs, const HostTensor &w,
                                     const Shape &ws, const Shape &ys, int64_t s, int64_t p) {
  std::vector<double> y(ys[0] * ys[1] * ys[2] * ys[3], 0.0);
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t c = 0; c < xs[1]; ++c)
      for (int64_t i = 0; i < xs[2]; ++i)
        for (int64_t j = 0; j < xs[3]; ++j)
          for (int64_t o = 0; o < ws[1]; ++o)
            for (int64_t a = 0; a < ws[2]; ++a)
              for (int64_t b = 0; b < ws[3]; ++b) {
                int64_t h = i * s - p + a, v = j * s - p + b;
                if (h < 0 || h >= ys[2] || v < 0 || v >= ys[3])
                  continue;
                y[((n * ys[1] + o) * ys[2] + h) * ys[3] + v] +=
                    x.data[((n * xs[1] + c) * xs[2] + i) * xs[3] + j] *
                    w.data[((c * ws[1] + o) * ws[2] + a) * ws[3] + b];
              }
  return y;
}

TEST(SpatialKernel, DcganConvTransposeMatchesLoops) {
  // A DCGAN generator's layer at batch 2: [2, 32, 7, 7] -> [2, 16, 14, 14], k 4, s 2, p 1.
  Shape xs{2, 32, 7, 7}, ws{32, 16, 4, 4}, ys{2, 16, 14, 14};
  HostTensor x = randomTensor(f32(xs), 21), w = randomTensor(f32(ws), 22);
  std::vector<double> expected = convTransposeRef(x, xs, w, ws, ys, 2, 1);
  KernelBuilder b("conv_transpose2d");
  int xi = b.input(f32(xs)), wi = b.input(f32(ws));
  b.output(b.node("conv_transpose2d", {xi, wi}, f32(ys), [](KernelNode &n) {
    n.ints["stride"] = {2, 2};
    n.ints["padding"] = {1, 1};
    n.ints["output_padding"] = {0, 0};
    n.ints["dilation"] = {1, 1};
  }));
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, b.kernel(), {x, w});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], expected, 1e-5, 1e-5)) << cpu;
  }
}

TEST(SpatialKernel, InconsistentNodesAreRejected) {
  // A result one row short of what the attributes give.
  KernelBuilder b("conv_transpose2d");
  int x = b.input(f32({1, 2, 3, 3})), w = b.input(f32({2, 2, 4, 4}));
  b.output(b.node("conv_transpose2d", {x, w}, f32({1, 2, 5, 6}), [](KernelNode &n) {
    n.ints["stride"] = {2, 2};
    n.ints["padding"] = {1, 1};
    n.ints["output_padding"] = {0, 0};
    n.ints["dilation"] = {1, 1};
  }));
  std::vector<HostTensor> outputs;
  std::string error;
  EXPECT_FALSE(runKernel(b.kernel(), {randomTensor(f32({1, 2, 3, 3}), 1),
                                      randomTensor(f32({2, 2, 4, 4}), 2)},
                         0, 0, outputs, error));
  EXPECT_THAT(error, ::testing::HasSubstr("output size does not match"));
}

} // namespace
} // namespace dl::codegen::test
