//===- RandomKernelTest.cpp - Philox draws in Halide kernels ---------------===//
//
// Tests that dropout, random_uniform and random_normal draw exactly what runtime/rng/Philox.h's
// convention draws for (seed, element index, stream, step): the Philox words bit for bit, the
// dropout mask identical, and the samples within f32 rounding of the double-precision reference.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include "runtime/rng/Philox.h"

namespace dl::codegen::test {
namespace {

const uint64_t kSeed = 0x9e3779b97f4a7c15ull; // both words nonzero
const uint32_t kStep = 4242;

TEST(Random, UniformDrawsTheTop24BitsOfPhiloxWordZeroExactly) {
  // With lo = 0 and hi = 2^24 a sample is the integer (word0 >> 8), exact in f32.
  Shape shape{37, 53};
  KernelBuilder b("words");
  b.output(b.node("random_uniform", {}, f32(shape), [](KernelNode &n) {
    n.floats["lo"] = 0.0;
    n.floats["hi"] = 16777216.0;
    n.ints["stream"] = {0x7fffffff};
  }));
  std::vector<HostTensor> r = run(b.kernel(), {}, kSeed, kStep);
  ASSERT_EQ(r.size(), 1u);
  std::vector<double> expected;
  for (int64_t i = 0; i < 37 * 53; ++i)
    expected.push_back(rng::drawWords(kSeed, i, 0x7fffffff, kStep).w[0] >> 8);
  EXPECT_TRUE(allClose(r[0], expected, 0));
}

TEST(Random, DropoutMaskIsIdenticalToTheReference) {
  Shape shape{64, 33};
  const double p = 0.3;
  KernelBuilder b("dropout");
  int x = b.input(f32(shape));
  b.output(b.node("dropout", {x}, f32(shape), [&](KernelNode &n) {
    n.floats["p"] = p;
    n.ints["stream"] = {5};
  }));
  HostTensor xs = randomTensor(f32(shape), 3, 0.5, 1.5); // never 0, so 0 means dropped
  for (uint32_t step : {kStep, kStep + 1}) {
    std::vector<HostTensor> r = run(b.kernel(), {xs}, kSeed, step);
    ASSERT_EQ(r.size(), 1u);
    std::vector<double> expected;
    int dropped = 0, mismatched = 0;
    for (size_t i = 0; i < xs.data.size(); ++i) {
      bool keep = rng::uniform01(kSeed, i, 5, step) >= p;
      expected.push_back(keep ? xs.data[i] / (1 - p) : 0.0);
      dropped += !keep;
      mismatched += keep != (r[0].data[i] != 0);
    }
    EXPECT_EQ(mismatched, 0) << "step " << step;
    EXPECT_GT(dropped, 0.2 * xs.data.size());
    EXPECT_LT(dropped, 0.4 * xs.data.size());
    EXPECT_TRUE(allClose(r[0], expected, 2e-7)) << "step " << step;
  }
}

TEST(Random, UniformAndNormalSamplesMatchWithinF32Rounding) {
  Shape shape{3, 50};
  KernelBuilder b("samples");
  b.output(b.node("random_uniform", {}, f32(shape), [](KernelNode &n) {
    n.floats["lo"] = -2.0;
    n.floats["hi"] = 3.0;
    n.ints["stream"] = {1};
  }));
  b.output(b.node("random_normal", {}, f32(shape), [](KernelNode &n) {
    n.floats["mean"] = 1.0;
    n.floats["std"] = 2.0;
    n.ints["stream"] = {2};
  }));
  std::vector<HostTensor> r = run(b.kernel(), {}, kSeed, kStep);
  ASSERT_EQ(r.size(), 2u);
  std::vector<double> uniform, normal;
  for (int64_t i = 0; i < 150; ++i) {
    uniform.push_back(-2.0 + 5.0 * rng::uniform01(kSeed, i, 1, kStep));
    normal.push_back(1.0 + 2.0 * rng::normal(kSeed, i, 2, kStep));
  }
  EXPECT_TRUE(allClose(r[0], uniform, 2e-7, 1e-7));
  EXPECT_TRUE(allClose(r[1], normal, 1e-7, 1e-7));
}

} // namespace
} // namespace dl::codegen::test
