//===- RandomKernelTest.cpp - Philox draws in Halide kernels ---------------===//
//
// Tests that dropout, random_uniform and random_normal draw exactly what runtime/rng/Philox.h's
// convention draws for (seed, element index, stream, step): the Philox words bit for bit, the
// dropout mask identical, and the samples within f32 rounding of the double-precision reference;
// and that the augmentations follow its per-sample convention: random_flip and random_crop (and
// random_crop_grad) move exactly the elements the reference moves, gaussian_noise adds the
// reference's noise within f32 rounding. Every kernel's GPU schedule runs too, on the OpenCL
// stand-in where there is one (KernelTestUtil.h's run), and must agree with the CPU's.
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

/// Reference random_flip of `x` [N, C, H, W] along `axis` at (kSeed, stream, step).
std::vector<double> flipReference(const HostTensor &x, int axis, double p, uint32_t stream,
                                  uint32_t step, int *flipped = nullptr) {
  const Shape &s = x.type.shape;
  std::vector<double> out(x.data.size());
  for (int64_t flat = 0; flat < static_cast<int64_t>(out.size()); ++flat) {
    Shape index = unflatten(flat, s);
    bool flip = rng::unitBelow(rng::drawWords(kSeed, index[0], stream, step).w[0], p);
    if (flip)
      index[axis] = s[axis] - 1 - index[axis];
    int64_t source = 0;
    for (size_t d = 0; d < 4; ++d)
      source = source * s[d] + index[d];
    out[flat] = x.data[source];
  }
  if (flipped) {
    *flipped = 0;
    for (int64_t n = 0; n < s[0]; ++n)
      *flipped += rng::unitBelow(rng::drawWords(kSeed, n, stream, step).w[0], p);
  }
  return out;
}

TEST(Augment, RandomFlipMovesExactlyTheReferencesElements) {
  Shape shape{24, 2, 5, 19}; // a width no vector divides
  HostTensor xs = randomTensor(f32(shape), 7);
  for (auto [axis, p] : std::vector<std::pair<int, double>>{{3, 0.5}, {2, 0.3}, {1, 0.5}}) {
    KernelBuilder b("flip");
    int x = b.input(f32(shape));
    b.output(b.node("random_flip", {x}, f32(shape), [&](KernelNode &n) {
      n.ints["axis"] = {axis == 2 ? -2 : axis};
      n.floats["p"] = p;
      n.ints["stream"] = {11};
    }));
    for (uint32_t step : {kStep, kStep + 1}) {
      std::vector<HostTensor> r = run(b.kernel(), {xs}, kSeed, step);
      ASSERT_EQ(r.size(), 1u);
      int flipped = 0;
      EXPECT_TRUE(allClose(r[0], flipReference(xs, axis, p, 11, step, &flipped), 0))
          << "axis " << axis << ", step " << step;
      EXPECT_GT(flipped, 0);
      EXPECT_LT(flipped, 24);
    }
  }
}

/// Reference random_crop of `x` [N, C, H, W] to `size` with `padding`, or (`grad`) its adjoint
/// applied to `x` [N, C, h, w], giving [N, C] + `size`.
std::vector<double> cropReference(const HostTensor &x, const Shape &size, const Shape &padding,
                                  uint32_t stream, uint32_t step, bool grad = false) {
  const Shape &s = x.type.shape;
  Shape out = {s[0], s[1], size[0], size[1]};
  // The crop's input and window sizes: for the adjoint, the result is the input.
  Shape in = grad ? out : s, window = grad ? s : out;
  std::vector<double> result;
  for (int64_t flat = 0; flat < out[0] * out[1] * out[2] * out[3]; ++flat) {
    Shape index = unflatten(flat, out);
    rng::Words4 w = rng::drawWords(kSeed, index[0], stream, step);
    int64_t top = rng::below(w.w[0], static_cast<uint32_t>(in[2] + 2 * padding[0] - window[2] + 1));
    int64_t left = rng::below(w.w[1], static_cast<uint32_t>(in[3] + 2 * padding[1] - window[3] + 1));
    int64_t r = grad ? index[2] + padding[0] - top : index[2] + top - padding[0];
    int64_t c = grad ? index[3] + padding[1] - left : index[3] + left - padding[1];
    bool inside = r >= 0 && r < s[2] && c >= 0 && c < s[3];
    result.push_back(inside ? x.data[((index[0] * s[1] + index[1]) * s[2] + r) * s[3] + c] : 0.0);
  }
  return result;
}

TEST(Augment, RandomCropAndItsGradientReadTheReferencesWindows) {
  Shape in{16, 3, 12, 10};
  HostTensor xs = randomTensor(f32(in), 8, 0.5, 1.5); // never 0, so 0 is padding
  struct Crop {
    Shape size, padding;
  };
  for (const Crop &c : {Crop{{12, 10}, {2, 2}}, Crop{{8, 6}, {0, 1}}, Crop{{15, 13}, {3, 2}}}) {
    Shape out{in[0], in[1], c.size[0], c.size[1]};
    KernelBuilder b("crop");
    int x = b.input(f32(in)), gy = b.input(f32(out));
    b.output(b.node("random_crop", {x}, f32(out), [&](KernelNode &n) {
      n.ints["size"] = c.size;
      n.ints["padding"] = c.padding;
      n.ints["stream"] = {12};
    }));
    b.output(b.node("random_crop_grad", {gy}, f32(in), [&](KernelNode &n) {
      n.ints["input_size"] = {in[2], in[3]};
      n.ints["padding"] = c.padding;
      n.ints["stream"] = {12};
    }));
    HostTensor gys = randomTensor(f32(out), 9, 0.5, 1.5);
    for (uint32_t step : {kStep, kStep + 1}) {
      std::vector<HostTensor> r = run(b.kernel(), {xs, gys}, kSeed, step);
      ASSERT_EQ(r.size(), 2u);
      EXPECT_TRUE(allClose(r[0], cropReference(xs, c.size, c.padding, 12, step), 0))
          << "crop to " << c.size[0] << "x" << c.size[1] << ", step " << step;
      EXPECT_TRUE(allClose(r[1], cropReference(gys, {in[2], in[3]}, c.padding, 12, step, true), 0))
          << "gradient of the crop to " << c.size[0] << "x" << c.size[1] << ", step " << step;
    }
  }
}

TEST(Augment, GaussianNoiseAddsTheReferencesNoise) {
  Shape shape{4, 3, 7, 9};
  HostTensor xs = randomTensor(f32(shape), 10);
  KernelBuilder b("noise");
  int x = b.input(f32(shape));
  b.output(b.node("gaussian_noise", {x}, f32(shape), [](KernelNode &n) {
    n.floats["std"] = 0.3;
    n.ints["stream"] = {13};
  }));
  std::vector<HostTensor> r = run(b.kernel(), {xs}, kSeed, kStep);
  ASSERT_EQ(r.size(), 1u);
  std::vector<double> expected;
  for (size_t i = 0; i < xs.data.size(); ++i)
    expected.push_back(xs.data[i] + 0.3 * rng::normal(kSeed, i, 13, kStep));
  EXPECT_TRUE(allClose(r[0], expected, 1e-6, 1e-6));
}

TEST(Augment, ChainedAugmentationsFuseIntoTheirConsumer) {
  // What a training step does to a batch of images: flip, crop with padding, noise, then an
  // element-wise op, all in one kernel; the flip's result is an output too (kept for a gradient).
  Shape in{32, 1, 28, 28};
  HostTensor xs = randomTensor(f32(in), 11);
  KernelBuilder b("augment");
  int x = b.input(f32(in));
  int flipped = b.node("random_flip", {x}, f32(in), [](KernelNode &n) {
    n.ints["axis"] = {3};
    n.ints["stream"] = {0};
  });
  int cropped = b.node("random_crop", {flipped}, f32(in), [](KernelNode &n) {
    n.ints["size"] = {28, 28};
    n.ints["padding"] = {2, 2};
    n.ints["stream"] = {1};
  });
  int noisy = b.node("gaussian_noise", {cropped}, f32(in), [](KernelNode &n) {
    n.floats["std"] = 0.1;
    n.ints["stream"] = {2};
  });
  b.output(b.node("relu", {noisy}, f32(in)));
  b.output(flipped);
  std::vector<HostTensor> r = run(b.kernel(), {xs}, kSeed, kStep);
  ASSERT_EQ(r.size(), 2u);
  std::vector<double> flip = flipReference(xs, 3, 0.5, 0, kStep);
  EXPECT_TRUE(allClose(r[1], flip, 0));
  HostTensor flipTensor = tensorOf(f32(in), flip);
  std::vector<double> expected = cropReference(flipTensor, {28, 28}, {2, 2}, 1, kStep);
  for (size_t i = 0; i < expected.size(); ++i)
    expected[i] = std::max(0.0, expected[i] + 0.1 * rng::normal(kSeed, i, 2, kStep));
  EXPECT_TRUE(allClose(r[0], expected, 1e-6, 1e-6));
}

} // namespace
} // namespace dl::codegen::test
