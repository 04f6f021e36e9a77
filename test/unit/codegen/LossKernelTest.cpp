//===- LossKernelTest.cpp - The loss ops as Halide kernels ------------------===//
//
// Tests that every loss computes the scalar compiler/interpreter/Loss.cpp computes (PyTorch's
// default reductions): the element-wise means, kl_div over the batch, cross_entropy from class ids
// and from soft targets, nll and kl_normal; and that an out-of-range label stops the kernel with
// a message rather than reading outside the logits.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <cstdio>
#include <gmock/gmock.h>

#include <array>
#include <limits>
#include <string>

namespace dl::codegen::test {
namespace {

/// The mean of term(p, y) over all elements.
double meanOf(const HostTensor &p, const HostTensor &y,
              const std::function<double(double, double)> &term) {
  double s = 0;
  for (size_t i = 0; i < p.data.size(); ++i)
    s += term(p.data[i], y.data[i]);
  return s / p.data.size();
}

/// log_softmax of row `row` of [rows, classes] logits.
std::vector<double> logSoftmaxRow(const HostTensor &z, int64_t row, int64_t classes) {
  double m = -std::numeric_limits<double>::infinity(), s = 0;
  for (int64_t j = 0; j < classes; ++j)
    m = std::max(m, z.data[row * classes + j]);
  for (int64_t j = 0; j < classes; ++j)
    s += std::exp(z.data[row * classes + j] - m);
  std::vector<double> out;
  for (int64_t j = 0; j < classes; ++j)
    out.push_back(z.data[row * classes + j] - m - std::log(s));
  return out;
}

/// Every element-wise loss over operands of `shape`, against its mean computed here.
void checkElementwiseMeans(const Shape &shape) {
  KernelBuilder b("means");
  int p = b.input(f32(shape)), y = b.input(f32(shape)), prob = b.input(f32(shape));
  int bit = b.input(f32(shape)), sign = b.input(f32(shape));
  b.output(b.node("mse", {p, y}, f32({})));
  b.output(b.node("mae", {p, y}, f32({})));
  b.output(b.node("huber", {p, y}, f32({}), [](KernelNode &n) { n.floats["delta"] = 0.7; }));
  b.output(b.node("bce", {prob, bit}, f32({})));
  b.output(b.node("bce_with_logits", {p, bit}, f32({})));
  b.output(b.node("hinge", {p, sign}, f32({})));

  HostTensor ps = randomTensor(f32(shape), 1, -3, 3), ys = randomTensor(f32(shape), 2, -3, 3);
  HostTensor probs = randomTensor(f32(shape), 3, 0.01, 0.99);
  HostTensor bits = randomTensor(f32(shape), 4, 0, 2); // floor -> 0 or 1
  HostTensor signs = bits;
  for (double &v : bits.data)
    v = std::floor(v);
  for (double &v : signs.data)
    v = std::floor(v) * 2 - 1;
  std::vector<HostTensor> r = run(b.kernel(), {ps, ys, probs, bits, signs});
  ASSERT_EQ(r.size(), 6u);
  EXPECT_TRUE(
      allClose(r[0], {meanOf(ps, ys, [](double a, double c) { return (a - c) * (a - c); })}, 1e-6));
  EXPECT_TRUE(
      allClose(r[1], {meanOf(ps, ys, [](double a, double c) { return std::fabs(a - c); })}, 1e-6));
  EXPECT_TRUE(allClose(r[2],
                       {meanOf(ps, ys,
                               [](double a, double c) {
                                 double d = std::fabs(a - c);
                                 return d < 0.7 ? 0.5 * d * d : 0.7 * (d - 0.35);
                               })},
                       1e-6));
  EXPECT_TRUE(allClose(
      r[3],
      {meanOf(probs, bits,
              [](double q, double t) { return -(t * std::log(q) + (1 - t) * std::log(1 - q)); })},
      1e-6));
  EXPECT_TRUE(allClose(r[4],
                       {meanOf(ps, bits,
                               [](double z, double t) {
                                 return std::max(z, 0.0) - z * t +
                                        std::log1p(std::exp(-std::fabs(z)));
                               })},
                       1e-6));
  EXPECT_TRUE(allClose(
      r[5], {meanOf(ps, signs, [](double a, double t) { return std::max(0.0, 1 - t * a); })},
      1e-6));
}

TEST(Loss, ElementwiseMeans) { checkElementwiseMeans({8, 5}); }

// Rows long enough for the sum to be split across vector lanes (rfactor): Halide must prove each
// loss's accumulation associative, which it cannot for `acc - term` (bce once was).
TEST(Loss, ElementwiseMeansOfLongRows) { checkElementwiseMeans({4, 784}); }

TEST(Loss, KlDivAndKlNormalAverageOverTheBatch) {
  Shape shape{6, 4};
  KernelBuilder b("kl");
  int logp = b.input(f32(shape)), y = b.input(f32(shape));
  int mu = b.input(f32(shape)), logvar = b.input(f32(shape));
  b.output(b.node("kl_div", {logp, y}, f32({})));
  b.output(b.node("kl_normal", {mu, logvar}, f32({})));
  HostTensor lp = randomTensor(f32(shape), 5, -4, 0), ys = randomTensor(f32(shape), 6, 0, 1);
  ys.data[3] = 0; // y log y is 0 there
  HostTensor ms = randomTensor(f32(shape), 7), lv = randomTensor(f32(shape), 8);
  std::vector<HostTensor> r = run(b.kernel(), {lp, ys, ms, lv});
  ASSERT_EQ(r.size(), 2u);
  double kl = 0, kn = 0;
  for (size_t i = 0; i < lp.data.size(); ++i) {
    double t = ys.data[i];
    kl += (t == 0 ? 0 : t * std::log(t)) - t * lp.data[i];
    kn += 1 + lv.data[i] - ms.data[i] * ms.data[i] - std::exp(lv.data[i]);
  }
  EXPECT_TRUE(allClose(r[0], {kl / 6}, 1e-6));
  EXPECT_TRUE(allClose(r[1], {-0.5 * kn / 6}, 1e-6));
}

TEST(Loss, CrossEntropyFromClassIdsAndSoftTargetsAndNll) {
  const int64_t rows = 16, classes = 10;
  KernelBuilder b("ce");
  int z = b.input(f32({rows, classes})), labels = b.input(i32({rows}));
  int soft = b.input(f32({rows, classes}));
  b.output(b.node("cross_entropy", {z, labels}, f32({})));
  b.output(b.node("cross_entropy", {z, soft}, f32({})));
  b.output(b.node("nll", {z, labels}, f32({})));
  HostTensor zs = randomTensor(f32({rows, classes}), 9, -10, 10);
  HostTensor ls = randomTensor(i32({rows}), 10, 0, classes);
  HostTensor ts = randomTensor(f32({rows, classes}), 11, 0, 1);
  std::vector<HostTensor> r = run(b.kernel(), {zs, ls, ts});
  ASSERT_EQ(r.size(), 3u);
  double fromIds = 0, fromSoft = 0, nll = 0;
  for (int64_t s = 0; s < rows; ++s) {
    std::vector<double> logp = logSoftmaxRow(zs, s, classes);
    int64_t label = static_cast<int64_t>(ls.data[s]);
    fromIds -= logp[label];
    nll -= zs.data[s * classes + label];
    for (int64_t j = 0; j < classes; ++j)
      fromSoft -= ts.data[s * classes + j] * logp[j];
  }
  EXPECT_TRUE(allClose(r[0], {fromIds / rows}, 1e-6));
  EXPECT_TRUE(allClose(r[1], {fromSoft / rows}, 1e-6));
  EXPECT_TRUE(allClose(r[2], {nll / rows}, 1e-6));
}

/// Tests that cross_entropy and nll with every option give, over [4, 6, 37] scores (rows [4, 6],
/// a class count that is no multiple of the vector width), the losses computed here: labels with
/// ignored ones (ignore_index 5, a class id), a class weight, label smoothing, soft targets, and
/// each reduction.
TEST(Loss, ClassLossOptionsOverLeadingDims) {
  const Shape scores{4, 6, 37}, rows{4, 6};
  const int64_t classes = 37, n = 24;
  for (std::string reduction : {"mean", "sum", "none"}) {
    KernelBuilder b("class_options");
    int z = b.input(f32(scores)), labels = b.input(i32(rows)), w = b.input(f32({classes}));
    int soft = b.input(f32(scores));
    Shape result = reduction == "none" ? rows : Shape{};
    auto options = [&](double eps) {
      return [=](KernelNode &node) {
        node.strings["reduction"] = reduction;
        node.ints["ignore_index"] = {5};
        node.floats["label_smoothing"] = eps;
      };
    };
    b.output(b.node("cross_entropy", {z, labels, w}, f32(result), options(0.15)));
    b.output(b.node("cross_entropy", {z, soft, w}, f32(result), options(0.2)));
    b.output(b.node("nll", {z, labels, w}, f32(result), options(0)));
    b.output(b.node("cross_entropy", {z, labels}, f32(result), options(0)));
    HostTensor zs = randomTensor(f32(scores), 21, -6, 6);
    HostTensor ls = randomTensor(i32(rows), 22, 0, 8); // 5 ignored; 6 and 7 are classes too
    HostTensor ws = randomTensor(f32({classes}), 23, 0.25, 2);
    HostTensor ts = randomTensor(f32(scores), 24, 0, 1);
    std::vector<HostTensor> r = run(b.kernel(), {zs, ls, ws, ts});
    ASSERT_EQ(r.size(), 4u);
    // Per sample: [smoothed weighted ids, soft, nll, plain ids]; D: kept weights, kept count.
    std::vector<std::array<double, 4>> loss(n);
    double keptWeight = 0, kept = 0;
    for (int64_t s = 0; s < n; ++s) {
      std::vector<double> logp = logSoftmaxRow(zs, s, classes);
      int64_t y = static_cast<int64_t>(ls.data[s]);
      double smooth = 0, softLoss = 0;
      for (int64_t j = 0; j < classes; ++j) {
        smooth -= ws.data[j] * logp[j];
        softLoss -= ws.data[j] * logp[j] * (ts.data[s * classes + j] * 0.8 + 0.2 / classes);
      }
      loss[s][1] = softLoss;
      if (y == 5)
        continue;
      loss[s][0] = 0.85 * ws.data[y] * -logp[y] + 0.15 / classes * smooth;
      loss[s][2] = -ws.data[y] * zs.data[s * classes + y];
      loss[s][3] = -logp[y];
      keptWeight += ws.data[y];
      kept += 1;
    }
    for (int k = 0; k < 4; ++k) {
      std::vector<double> expected;
      double total = 0;
      for (int64_t s = 0; s < n; ++s) {
        expected.push_back(loss[s][k]);
        total += loss[s][k];
      }
      if (reduction == "sum")
        expected = {total};
      else if (reduction == "mean")
        expected = {total / (k == 1 ? n : k == 3 ? kept : keptWeight)};
      EXPECT_TRUE(allClose(r[k], expected, 1e-5, 1e-5)) << reduction << " output " << k;
    }
  }
}

TEST(Loss, OutOfRangeLabelStopsTheKernel) {
  for (const char *op : {"cross_entropy", "nll"}) {
    KernelBuilder b("bad_label");
    int z = b.input(f32({2, 3})), labels = b.input(i32({2}));
    b.output(b.node(op, {z, labels}, f32({})));
    HostTensor zs = randomTensor(f32({2, 3}), 1);
    for (double bad : {3.0, -1.0, 2147483647.0}) {
      std::vector<HostTensor> outputs;
      std::string error;
      EXPECT_FALSE(runKernel(b.kernel(), {zs, tensorOf(i32({2}), {1, bad})}, 0, 0, outputs, error))
          << op << " label " << bad;
      char expected[160];
      std::snprintf(expected, sizeof expected,
                    "%.0f at row 1 of the labels i32[2] is not a class label in [0, 3) of dl.%s at "
                    "test.dl:1:1 (nor its ignore_index -100)",
                    bad, op);
      EXPECT_THAT(error, ::testing::HasSubstr(expected)) << op;
    }
  }
}

} // namespace
} // namespace dl::codegen::test
