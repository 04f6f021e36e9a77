//===- PoolingKernelTest.cpp - Max and average pooling as Halide kernels --===//
//
// Tests that maxpool2d, maxpool2d_grad, avgpool2d and avgpool2d_grad compute the formulas of
// PoolingOps.td, compared with naive loops in double precision written here (the gradients'
// references scatter, the kernels gather): at the CNN's 2x2 pooling, with strides that do not
// divide the input, overlapping windows, padding, batch 1 and odd channel counts. Max pooling
// propagates NaN; its gradient goes to the window's first maximal element (first tap inside the
// input, then `>`), and to a NaN only when it is that first tap. Element-wise producers and
// consumers fused with a pool; inconsistent nodes rejected.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <gmock/gmock.h>

#include <limits>

namespace dl::codegen::test {
namespace {

struct PoolCase {
  int64_t n, c, h, w, kh, kw, sh, sw, ph, pw;

  int64_t oh() const { return (h + 2 * ph - kh) / sh + 1; }
  int64_t ow() const { return (w + 2 * pw - kw) / sw + 1; }
  Shape xShape() const { return {n, c, h, w}; }
  Shape yShape() const { return {n, c, oh(), ow()}; }
  void setAttributes(KernelNode &node) const {
    node.ints["kernel_size"] = {kh, kw};
    node.ints["stride"] = {sh, sw};
    node.ints["padding"] = {ph, pw};
  }
  /// The flat indices into x of the taps of window (b, ch, i, j) inside x, in row-major order.
  std::vector<int64_t> taps(int64_t b, int64_t ch, int64_t i, int64_t j) const {
    std::vector<int64_t> t;
    for (int64_t p = 0; p < kh; ++p)
      for (int64_t q = 0; q < kw; ++q) {
        int64_t row = i * sh - ph + p, col = j * sw - pw + q;
        if (row >= 0 && row < h && col >= 0 && col < w)
          t.push_back(((b * c + ch) * h + row) * w + col);
      }
    return t;
  }
  /// Calls f(flat output index, taps) for every window.
  template <typename F> void forEachWindow(F f) const {
    int64_t e = 0;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < oh(); ++i)
          for (int64_t j = 0; j < ow(); ++j)
            f(e++, taps(b, ch, i, j));
  }
};

std::vector<double> maxPoolRef(const PoolCase &k, const HostTensor &x) {
  std::vector<double> y(k.n * k.c * k.oh() * k.ow());
  k.forEachWindow([&](int64_t e, const std::vector<int64_t> &taps) {
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t t : taps)
      m = std::isnan(x.data[t]) || std::isnan(m) ? std::nan("") : std::max(m, x.data[t]);
    y[e] = m;
  });
  return y;
}

std::vector<double> maxPoolGradRef(const PoolCase &k, const HostTensor &x, const HostTensor &gy) {
  std::vector<double> gx(x.data.size(), 0.0);
  k.forEachWindow([&](int64_t e, const std::vector<int64_t> &taps) {
    int64_t best = taps.at(0);
    for (int64_t t : taps)
      if (x.data[t] > x.data[best])
        best = t;
    gx[best] += gy.data[e];
  });
  return gx;
}

std::vector<double> avgPoolRef(const PoolCase &k, const HostTensor &x) {
  std::vector<double> y(k.n * k.c * k.oh() * k.ow(), 0.0);
  k.forEachWindow([&](int64_t e, const std::vector<int64_t> &taps) {
    for (int64_t t : taps)
      y[e] += x.data[t] / double(k.kh * k.kw);
  });
  return y;
}

std::vector<double> avgPoolGradRef(const PoolCase &k, const HostTensor &gy) {
  std::vector<double> gx(k.n * k.c * k.h * k.w, 0.0);
  k.forEachWindow([&](int64_t e, const std::vector<int64_t> &taps) {
    for (int64_t t : taps)
      gx[t] += gy.data[e] / double(k.kh * k.kw);
  });
  return gx;
}

Kernel forwardKernel(const PoolCase &k, const std::string &op) {
  KernelBuilder b(op);
  int x = b.input(f32(k.xShape()));
  b.output(b.node(op, {x}, f32(k.yShape()), [&](KernelNode &n) { k.setAttributes(n); }));
  return b.kernel();
}

Kernel maxGradKernel(const PoolCase &k) {
  KernelBuilder b("maxpool2d_grad");
  int x = b.input(f32(k.xShape())), gy = b.input(f32(k.yShape()));
  b.output(b.node("maxpool2d_grad", {x, gy}, f32(k.xShape()),
                  [&](KernelNode &n) { k.setAttributes(n); }));
  return b.kernel();
}

Kernel avgGradKernel(const PoolCase &k) {
  KernelBuilder b("avgpool2d_grad");
  int gy = b.input(f32(k.yShape()));
  b.output(b.node("avgpool2d_grad", {gy}, f32(k.xShape()), [&](KernelNode &n) {
    k.setAttributes(n);
    n.ints["input_size"] = {k.h, k.w};
  }));
  return b.kernel();
}

void checkPools(const PoolCase &k, const std::vector<std::string> &cpus, uint32_t seed) {
  HostTensor x = randomTensor(f32(k.xShape()), seed), gy = randomTensor(f32(k.yShape()), seed + 1);
  std::vector<double> maxY = maxPoolRef(k, x), maxGx = maxPoolGradRef(k, x, gy),
                      avgY = avgPoolRef(k, x), avgGx = avgPoolGradRef(k, gy);
  for (const std::string &cpu : cpus) {
    std::vector<HostTensor> r = runOn(cpu, forwardKernel(k, "maxpool2d"), {x});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], maxY, 0.0)) << "maxpool2d on " << cpu;
    r = runOn(cpu, maxGradKernel(k), {x, gy});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], maxGx, 1e-6, 1e-6)) << "maxpool2d_grad on " << cpu;
    r = runOn(cpu, forwardKernel(k, "avgpool2d"), {x});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], avgY, 1e-6, 1e-6)) << "avgpool2d on " << cpu;
    r = runOn(cpu, avgGradKernel(k), {gy});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], avgGx, 1e-6, 1e-6)) << "avgpool2d_grad on " << cpu;
  }
}

TEST(Pooling, CnnShapes) {
  // MaxPool2d(2) after each of the CNN's convolutions (batch 2 of its 64).
  checkPools({2, 32, 28, 28, 2, 2, 2, 2, 0, 0}, runnableCpus(), 1);
  checkPools({2, 64, 14, 14, 2, 2, 2, 2, 0, 0}, {"native"}, 3);
}

TEST(Pooling, StrideThatDoesNotDivideAndPadding) {
  checkPools({1, 5, 7, 9, 3, 3, 2, 2, 1, 1}, runnableCpus(), 5);
  checkPools({2, 3, 10, 11, 2, 3, 3, 2, 1, 1}, {"native"}, 7);
}

TEST(Pooling, OverlappingWindowsAndOddChannels) {
  checkPools({2, 17, 6, 5, 3, 2, 1, 1, 1, 0}, {"native"}, 9);
  checkPools({1, 2, 5, 40, 3, 3, 1, 2, 0, 1}, runnableCpus(), 11);
}

TEST(Pooling, MaxPropagatesNaN) {
  PoolCase k{1, 2, 4, 6, 2, 2, 2, 2, 0, 0};
  HostTensor x = randomTensor(f32(k.xShape()), 13);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  x.data[0] = nan;  // the first tap of window (0, 0, 0, 0)
  x.data[9] = nan;  // the last tap of window (0, 0, 0, 1): row 1, column 3
  x.data[27] = nan; // a middle tap (row 0, column 3) of window (0, 1, 0, 1)
  std::vector<double> expected = maxPoolRef(k, x);
  EXPECT_TRUE(std::isnan(expected[0]) && std::isnan(expected[1]));
  HostTensor gy = randomTensor(f32(k.yShape()), 14);
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, forwardKernel(k, "maxpool2d"), {x});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], expected, 0.0)) << cpu;
    // The gradient of a window with a NaN goes to the NaN only when it is the window's first tap.
    r = runOn(cpu, maxGradKernel(k), {x, gy});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], maxPoolGradRef(k, x, gy), 0.0)) << cpu;
    EXPECT_EQ(r[0].data[0], gy.data[0]) << cpu;
  }
}

TEST(Pooling, MaxGradientOfATieGoesToTheFirstElement) {
  // Every element equal: each window sends its gradient to its first tap inside the input.
  PoolCase k{1, 1, 4, 4, 2, 2, 2, 2, 0, 0};
  HostTensor x = tensorOf(f32(k.xShape()), std::vector<double>(16, 1.5));
  HostTensor gy = tensorOf(f32(k.yShape()), {1, 2, 3, 4});
  std::vector<HostTensor> r = run(maxGradKernel(k), {x, gy});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0], {1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0}, 0.0));

  // Overlapping padded windows (3x3, stride 1, padding 1) on a constant row: window j's first tap
  // inside is column max(j - 1, 0), so column 0 receives windows 0 and 1.
  PoolCase o{1, 1, 1, 4, 3, 3, 1, 1, 1, 1};
  HostTensor xo = tensorOf(f32(o.xShape()), {7, 7, 7, 7});
  HostTensor gyo = tensorOf(f32(o.yShape()), {1, 10, 100, 1000});
  r = run(maxGradKernel(o), {xo, gyo});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0], {11, 100, 1000, 0}, 0.0));
  EXPECT_TRUE(allClose(r[0], maxPoolGradRef(o, xo, gyo), 0.0));
}

TEST(Pooling, FusedWithElementwiseProducerAndConsumer) {
  // relu(x) stored and max-pooled in one kernel (the CNN's forward pass), the pool then scaled.
  PoolCase k{2, 32, 28, 28, 2, 2, 2, 2, 0, 0};
  KernelBuilder b("relu_pool");
  int x = b.input(f32(k.xShape()));
  int h = b.node("relu", {x}, f32(k.xShape()));
  int y = b.node("maxpool2d", {h}, f32(k.yShape()), [&](KernelNode &n) { k.setAttributes(n); });
  int two = b.node("constant", {}, f32({}), [](KernelNode &n) {
    n.constant = {2.0};
    n.splat = true;
  });
  b.output(h);
  b.output(b.node("mul", {y, two}, f32(k.yShape())));
  HostTensor xs = randomTensor(f32(k.xShape()), 15);
  HostTensor relu = xs;
  for (double &v : relu.data)
    v = std::max(v, 0.0);
  std::vector<double> pooled = maxPoolRef(k, relu);
  for (double &v : pooled)
    v *= 2;
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, b.kernel(), {xs});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(allClose(r[0], relu.data, 0.0)) << cpu;
    EXPECT_TRUE(allClose(r[1], pooled, 0.0)) << cpu;
  }
}

TEST(Pooling, InconsistentNodesAreLoweringErrors) {
  std::string stmt, error;
  PoolCase k{1, 2, 6, 6, 2, 2, 2, 2, 0, 0};
  // Padding above half the kernel would leave windows without an element of the input.
  KernelBuilder padded("pool_too_padded");
  int x = padded.input(f32(k.xShape()));
  padded.output(padded.node("maxpool2d", {x}, f32({1, 2, 4, 4}), [&](KernelNode &n) {
    k.setAttributes(n);
    n.ints["padding"] = {2, 2};
  }));
  EXPECT_FALSE(lowerKernel(padded.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, ::testing::HasSubstr("dl.maxpool2d needs kernel sizes"));
  // An output of 4x4 where the window gives 3x3.
  KernelBuilder size("pool_wrong_size");
  int x2 = size.input(f32(k.xShape()));
  size.output(size.node("avgpool2d", {x2}, f32({1, 2, 4, 4}),
                        [&](KernelNode &n) { k.setAttributes(n); }));
  EXPECT_FALSE(lowerKernel(size.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, ::testing::HasSubstr("output size does not match"));
  // avgpool2d_grad needs input_size.
  KernelBuilder noSize("avg_grad_without_size");
  int gy = noSize.input(f32(k.yShape()));
  noSize.output(noSize.node("avgpool2d_grad", {gy}, f32(k.xShape()),
                            [&](KernelNode &n) { k.setAttributes(n); }));
  EXPECT_FALSE(lowerKernel(noSize.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, ::testing::HasSubstr("input_size"));
}

} // namespace
} // namespace dl::codegen::test
