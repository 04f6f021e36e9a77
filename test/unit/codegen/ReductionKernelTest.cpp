//===- ReductionKernelTest.cpp - Reductions and softmax as Halide kernels --===//
//
// Tests that sum, mean, reduce_max, reduce_min, logsumexp (over any set of axes, with and without
// keepdims, empty axes meaning all), argmax, argmin, cumsum, softmax, log_softmax and topk compute what the
// reference interpreter computes (compiler/interpreter/Reduction.cpp, Elementwise.cpp): f32 sums within
// accumulated rounding, NaN-propagating extrema, first-index argmax, wrapping i32 sums, topk's
// order (NaN largest, ties by index) by passes and by ranks; cumsum along long axes, and on
// PyTorch's float32 edge values (EdgeValueTable.inc: NaN, infinities, signed zeros, an f64 running
// sum past FLT_MAX) bit for bit.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/EdgeValueCases.h"
#include "test/unit/codegen/KernelTestUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dl::codegen::test {
namespace {

using namespace dl::test::edge;

#include "test/unit/codegen/EdgeValueTable.inc"

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Folds `x` over `axes` (all when empty) with `fold`, starting every output at `init`; returns
/// the output shape too (with or without the reduced dimensions as 1s).
std::vector<double> reduceRef(const HostTensor &x, std::vector<int64_t> axes, bool keepdims,
                              double init, const std::function<double(double, double)> &fold,
                              Shape &outShape) {
  const Shape &s = x.type.shape;
  std::vector<bool> reduced(s.size(), axes.empty());
  for (int64_t a : axes)
    reduced[a < 0 ? a + s.size() : a] = true;
  Shape kept;
  outShape.clear();
  for (size_t d = 0; d < s.size(); ++d) {
    kept.push_back(reduced[d] ? 1 : s[d]);
    if (!reduced[d] || keepdims)
      outShape.push_back(reduced[d] ? 1 : s[d]);
  }
  int64_t n = 1;
  for (int64_t d : kept)
    n *= d;
  std::vector<double> out(n, init);
  Shape keptStrides = stridesOf(kept);
  for (size_t i = 0; i < x.data.size(); ++i) {
    Shape index = unflatten(i, s);
    int64_t o = 0;
    for (size_t d = 0; d < s.size(); ++d)
      if (!reduced[d])
        o += index[d] * keptStrides[d];
    out[o] = fold(out[o], x.data[i]);
  }
  return out;
}

struct AxesCase {
  std::vector<int64_t> axes;
  bool keepdims;
};

const std::vector<AxesCase> kAxesCases = {{{}, false},   {{1}, false}, {{0, 2}, true},
                                          {{-1}, false}, {{0}, true},  {{2, 0}, false}};

void setAxes(KernelNode &n, const AxesCase &c) {
  if (!c.axes.empty())
    n.ints["axes"] = c.axes;
  n.ints["keepdims"] = {c.keepdims ? 1 : 0};
}

TEST(Reduction, SumMeanMaxMinOverAxes) {
  Shape shape{3, 4, 21};
  HostTensor x = randomTensor(f32(shape), 11, -3.0, 3.0);
  for (const AxesCase &c : kAxesCases) {
    KernelBuilder b("reduce");
    int in = b.input(f32(shape));
    Shape outShape;
    std::vector<double> sum = reduceRef(
        x, c.axes, c.keepdims, 0.0, [](double a, double v) { return a + v; }, outShape);
    std::vector<double> max = reduceRef(
        x, c.axes, c.keepdims, -kInf, [](double a, double v) { return std::max(a, v); }, outShape);
    std::vector<double> min = reduceRef(
        x, c.axes, c.keepdims, kInf, [](double a, double v) { return std::min(a, v); }, outShape);
    std::vector<double> mean = sum;
    double count = static_cast<double>(x.data.size()) / static_cast<double>(sum.size());
    for (double &v : mean)
      v /= count;
    for (const char *op : {"sum", "mean", "reduce_max", "reduce_min"})
      b.output(b.node(op, {in}, f32(outShape), [&](KernelNode &n) { setAxes(n, c); }));
    std::vector<HostTensor> r = run(b.kernel(), {x});
    ASSERT_EQ(r.size(), 4u);
    std::string which = "axes of size " + std::to_string(c.axes.size());
    EXPECT_TRUE(allClose(r[0], sum, 1e-5, 1e-5)) << which;
    EXPECT_TRUE(allClose(r[1], mean, 1e-5, 1e-6)) << which;
    EXPECT_TRUE(allClose(r[2], max, 0)) << which;
    EXPECT_TRUE(allClose(r[3], min, 0)) << which;
  }
}

TEST(Reduction, SumsAlongLongRows) {
  // On a GPU, sums along rows of 64 or more run one warp per row (GpuSchedule.cpp): here rows of
  // 130 (a partial last chunk of 32), rows over the last two axes, several kept dimensions with a
  // partial block of rows, and a softmax, whose row sum of exponentials takes the same path.
  struct Case {
    Shape shape;
    AxesCase axes;
  };
  for (const Case &c : std::vector<Case>{{{300, 130}, {{-1}, false}},
                                         {{6, 20, 70}, {{1, 2}, true}},
                                         {{5, 7, 100}, {{2}, false}}}) {
    HostTensor x = randomTensor(f32(c.shape), 21, -3.0, 3.0);
    Shape outShape;
    std::vector<double> sum = reduceRef(
        x, c.axes.axes, c.axes.keepdims, 0.0, [](double a, double v) { return a + v; }, outShape);
    KernelBuilder b("row_sums");
    int in = b.input(f32(c.shape));
    b.output(b.node("sum", {in}, f32(outShape), [&](KernelNode &n) { setAxes(n, c.axes); }));
    std::vector<HostTensor> r = run(b.kernel(), {x});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], sum, 1e-5, 1e-5)) << c.shape.size() << "-D";
  }
  Shape shape{40, 200};
  HostTensor x = randomTensor(f32(shape), 22, -3.0, 3.0);
  KernelBuilder b("softmax_rows");
  int in = b.input(f32(shape));
  b.output(b.node("softmax", {in}, f32(shape), [](KernelNode &n) { n.ints["axis"] = {-1}; }));
  std::vector<HostTensor> r = run(b.kernel(), {x});
  ASSERT_EQ(r.size(), 1u);
  std::vector<double> expected;
  for (int64_t i = 0; i < 40; ++i) {
    double top = -kInf, total = 0;
    for (int64_t j = 0; j < 200; ++j)
      top = std::max(top, x.data[i * 200 + j]);
    for (int64_t j = 0; j < 200; ++j)
      total += std::exp(x.data[i * 200 + j] - top);
    for (int64_t j = 0; j < 200; ++j)
      expected.push_back(std::exp(x.data[i * 200 + j] - top) / total);
  }
  EXPECT_TRUE(allClose(r[0], expected, 1e-5, 1e-7));
}

TEST(Reduction, LargeSumToAScalarIsAccurate) {
  // Split across vector lanes (rfactor) by the schedule; the result must not change.
  Shape shape{128, 784};
  HostTensor x = randomTensor(f32(shape), 5, 0.0, 1.0);
  KernelBuilder b("total");
  int in = b.input(f32(shape));
  b.output(b.node("sum", {in}, f32({})));
  b.output(b.node("mean", {in}, f32({})));
  std::vector<HostTensor> r = run(b.kernel(), {x});
  ASSERT_EQ(r.size(), 2u);
  double sum = 0;
  for (double v : x.data)
    sum += v;
  EXPECT_TRUE(allClose(r[0], {sum}, 1e-5));
  EXPECT_TRUE(allClose(r[1], {sum / x.data.size()}, 1e-5));
}

TEST(Reduction, LargeSumsToAScalarInChunksKeepNaNAndInfinities) {
  // From 64K elements over two dimensions the schedule also splits the outer one into chunks
  // summed by separate threads: a NaN or an infinity in one chunk must reach the total, and
  // infinities of both signs in different chunks make NaN, as one running sum does.
  Shape shape{256, 512};
  HostTensor x = randomTensor(f32(shape), 7, -1.0, 1.0);
  auto total = [&](const HostTensor &t) {
    KernelBuilder b("chunks");
    int in = b.input(f32(shape));
    b.output(b.node("sum", {in}, f32({})));
    std::vector<HostTensor> r = run(b.kernel(), {t});
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? HostTensor{} : r[0];
  };
  double sum = 0;
  for (double v : x.data)
    sum += v;
  EXPECT_TRUE(allClose(total(x), {sum}, 1e-4));
  HostTensor nan = x, inf = x, both = x;
  nan.data[200 * 512 + 3] = kNaN;
  inf.data[17] = kInf;
  both.data[17] = kInf;
  both.data[250 * 512 + 500] = -kInf;
  EXPECT_TRUE(allClose(total(nan), {kNaN}, 0));
  EXPECT_TRUE(allClose(total(inf), {kInf}, 0));
  EXPECT_TRUE(allClose(total(both), {kNaN}, 0));
}

TEST(Reduction, ExtremaPropagateNaNAndIntegerSumsWrap) {
  KernelBuilder b("special");
  int x = b.input(f32({2, 3})), n = b.input(i32({4}));
  auto lastAxis = [](KernelNode &node) { node.ints["axes"] = {1}; };
  b.output(b.node("reduce_max", {x}, f32({2}), lastAxis));
  b.output(b.node("reduce_min", {x}, f32({2}), lastAxis));
  b.output(b.node("sum", {n}, i32({})));
  b.output(b.node("reduce_max", {n}, i32({})));
  HostTensor xs = tensorOf(f32({2, 3}), {1, kNaN, 3, -1, -2, 5});
  HostTensor ns = tensorOf(i32({4}), {2147483647.0, 1, 5, 7});
  std::vector<HostTensor> r = run(b.kernel(), {xs, ns});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(allClose(r[0], {kNaN, 5}, 0));
  EXPECT_TRUE(allClose(r[1], {kNaN, -2}, 0));
  EXPECT_TRUE(allClose(r[2], {2147483660.0 - 4294967296.0}, 0)); // wrapped once
  EXPECT_TRUE(allClose(r[3], {2147483647.0}, 0));
}

TEST(Reduction, LogSumExpIsStableAndKeepsInfinities) {
  KernelBuilder b("lse");
  int x = b.input(f32({4, 3}));
  b.output(b.node("logsumexp", {x}, f32({4, 1}), [](KernelNode &n) {
    n.ints["axes"] = {-1};
    n.ints["keepdims"] = {1};
  }));
  HostTensor xs =
      tensorOf(f32({4, 3}), {1000, 1000, 999, -kInf, -kInf, -kInf, 1, kInf, 2, 0.5, -0.25, 0.125});
  std::vector<HostTensor> r = run(b.kernel(), {xs});
  ASSERT_EQ(r.size(), 1u);
  double last = std::log(std::exp(0.5) + std::exp(-0.25) + std::exp(0.125));
  EXPECT_TRUE(allClose(r[0], {1000 + std::log(2 + std::exp(-1.0)), -kInf, kInf, last}, 1e-6));
}

TEST(Reduction, ArgmaxTakesTheFirstMaximumAndNaN) {
  KernelBuilder b("argmax");
  int x = b.input(f32({3, 4})), n = b.input(i32({2, 3}));
  b.output(b.node("argmax", {x}, i32({3}), [](KernelNode &k) { k.ints["axis"] = {-1}; }));
  b.output(b.node("argmax", {x}, i32({1, 4}), [](KernelNode &k) {
    k.ints["axis"] = {0};
    k.ints["keepdims"] = {1};
  }));
  b.output(b.node("argmax", {n}, i32({3}), [](KernelNode &k) { k.ints["axis"] = {0}; }));
  HostTensor xs = tensorOf(f32({3, 4}), {1, 7, 7, 2, 0, kNaN, 9, kNaN, -1, -2, -3, -4});
  HostTensor ns = tensorOf(i32({2, 3}), {4, 5, 6, 4, 9, -1});
  std::vector<HostTensor> r = run(b.kernel(), {xs, ns});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(allClose(r[0], {1, 1, 0}, 0));
  EXPECT_TRUE(allClose(r[1], {0, 1, 1, 1}, 0));
  EXPECT_TRUE(allClose(r[2], {0, 1, 0}, 0));
}

TEST(Reduction, ArgminTakesTheFirstMinimumAndNaN) {
  KernelBuilder b("argmin");
  int x = b.input(f32({3, 4})), n = b.input(i32({2, 3}));
  b.output(b.node("argmin", {x}, i32({3}), [](KernelNode &k) { k.ints["axis"] = {-1}; }));
  b.output(b.node("argmin", {x}, i32({1, 4}), [](KernelNode &k) {
    k.ints["axis"] = {0};
    k.ints["keepdims"] = {1};
  }));
  b.output(b.node("argmin", {n}, i32({3}), [](KernelNode &k) { k.ints["axis"] = {0}; }));
  HostTensor xs = tensorOf(f32({3, 4}), {1, -7, -7, 2, 0, kNaN, -9, kNaN, -1, -0.0, 0, -4});
  HostTensor ns = tensorOf(i32({2, 3}), {4, 5, 6, 4, -9, -1});
  std::vector<HostTensor> r = run(b.kernel(), {xs, ns});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(allClose(r[0], {1, 1, 3}, 0));
  EXPECT_TRUE(allClose(r[1], {2, 1, 1, 1}, 0));
  EXPECT_TRUE(allClose(r[2], {0, 1, 1}, 0));
}

/// cumsum of `x` along `axis` (from the end when `reverse`), in double as the interpreter adds.
std::vector<double> cumsumRef(const HostTensor &x, int64_t axis, bool reverse) {
  const Shape &s = x.type.shape;
  int64_t inner = 1, size = s[axis];
  for (size_t d = axis + 1; d < s.size(); ++d)
    inner *= s[d];
  std::vector<double> out(x.data.size());
  for (int64_t o = 0; o < int64_t(x.data.size()) / (size * inner); ++o)
    for (int64_t in = 0; in < inner; ++in) {
      double sum = 0;
      for (int64_t k = 0; k < size; ++k) {
        int64_t at = (o * size + (reverse ? size - 1 - k : k)) * inner + in;
        sum += x.data[at];
        out[at] = sum;
      }
    }
  return out;
}

/// A cumsum node of `in` (of `type`) along `axis`, reversed or not.
int cumsumNode(KernelBuilder &b, int in, const TensorType &type, int64_t axis, bool reverse) {
  return b.node("cumsum", {in}, type, [&](KernelNode &k) {
    k.ints["axis"] = {axis};
    k.ints["reverse"] = {reverse ? 1 : 0};
  });
}

TEST(Reduction, CumsumAlongEachAxisReversedAndOfI32) {
  // Short axes, and long ones (4096) along the rows (the last axis: a scan whose rows are strided)
  // and across them (axis 0: neighbouring rows are neighbours in memory).
  std::vector<Shape> shapes = {{3, 5, 19}, {3, 4096}, {4096, 33}, {4096}};
  for (const Shape &shape : shapes) {
    HostTensor x = randomTensor(f32(shape), 23, -4.0, 4.0);
    int64_t rank = static_cast<int64_t>(shape.size());
    for (int64_t axis = 0; axis < rank; ++axis)
      for (bool reverse : {false, true}) {
        KernelBuilder b("cumsum");
        int in = b.input(f32(shape));
        // The last axis as -1.
        b.output(cumsumNode(b, in, f32(shape), axis == rank - 1 ? -1 : axis, reverse));
        std::vector<HostTensor> r = run(b.kernel(), {x});
        ASSERT_EQ(r.size(), 1u);
        // Summed in f64 and rounded once: the correctly rounded running sums.
        std::vector<double> want = cumsumRef(x, axis, reverse);
        for (double &w : want)
          w = static_cast<float>(w);
        EXPECT_TRUE(allClose(r[0], want, 0, 0))
            << "shape " << shape.size() << "-d, " << shape[axis] << " along axis " << axis
            << (reverse ? ", reversed" : "");
      }
  }
  KernelBuilder b("cumsum_i32");
  int n = b.input(i32({2, 3}));
  b.output(b.node("cumsum", {n}, i32({2, 3}), [](KernelNode &k) { k.ints["axis"] = {1}; }));
  HostTensor ns = tensorOf(i32({2, 3}), {2147483647, 1, 5, -3, 4, -8});
  std::vector<HostTensor> r = run(b.kernel(), {ns});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0], {2147483647, -2147483648.0, -2147483643.0, -3, 1, -7}, 0));
}

TEST(Reduction, CumsumOfI32AlongALongAxisWraps) {
  // Each column of [4096, 20] sums to past 2^31 and wraps, whichever way it runs.
  Shape shape{4096, 20};
  HostTensor x = randomTensor(i32(shape), 29, 0.0, 2.0e6);
  for (bool reverse : {false, true}) {
    KernelBuilder b("cumsum_i32_long");
    int in = b.input(i32(shape));
    b.output(cumsumNode(b, in, i32(shape), 0, reverse));
    std::vector<HostTensor> r = run(b.kernel(), {x});
    ASSERT_EQ(r.size(), 1u);
    std::vector<double> want = cumsumRef(x, 0, reverse);
    for (double &w : want)
      w = static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(w)));
    EXPECT_TRUE(allClose(r[0], want, 0, 0)) << (reverse ? "reversed" : "forward");
  }
}

/// edge_values.py's long_rows: a ramp of values f32 cannot sum exactly, with edge values placed
/// in it ([kLongRowCount, kLongRowLength]).
std::vector<double> longRows() {
  std::vector<double> rows;
  for (int64_t r = 0; r < kLongRowCount; ++r)
    for (int64_t k = 0; k < kLongRowLength; ++k)
      rows.push_back(static_cast<float>(double((k * 37) % 101 - 50) / 10));
  auto at = [&](int64_t r, int64_t k) -> double & { return rows[r * kLongRowLength + k]; };
  for (int64_t k : {int64_t(0), int64_t(1), int64_t(2), kLongRowLength - 3, kLongRowLength - 2,
                    kLongRowLength - 1})
    at(0, k) = -0.0;
  at(1, 1000) = kNaN;
  at(2, 1500) = kInf;
  at(2, 3000) = -kInf;
  at(3, 100) = at(3, 200) = static_cast<float>(3e38);
  at(3, 300) = at(3, 400) = static_cast<float>(-3e38);
  return rows;
}

TEST(Reduction, CumsumOfLongRowsWithEdgeValuesMatchesPyTorch) {
  const int64_t rows = kLongRowCount, length = kLongRowLength;
  std::vector<double> x = longRows();
  size_t samples = kLongSamples.size();
  for (int64_t r = 0; r < rows; ++r)
    for (size_t s = 0; s < samples; ++s)
      ASSERT_TRUE(sameFloat(x[r * length + kLongSamples[s]],
                            fromBits(kLongRowSamples[r * samples + s]), 0))
          << "longRows() differs from edge_values.py's at row " << r << ", " << kLongSamples[s];
  // Along the rows (the last axis), and along axis 0 of their transpose; both ways.
  std::vector<double> transposed(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < length; ++k)
      transposed[k * rows + r] = x[r * length + k];
  KernelBuilder b("cumsum_edges");
  TensorType alongRows = f32({rows, length}), alongColumns = f32({length, rows});
  int in = b.input(alongRows), inT = b.input(alongColumns);
  for (bool reverse : {false, true}) {
    b.output(cumsumNode(b, in, alongRows, -1, reverse));
    b.output(cumsumNode(b, inT, alongColumns, 0, reverse));
  }
  std::vector<HostTensor> r =
      run(b.kernel(), {tensorOf(alongRows, x), tensorOf(alongColumns, transposed)});
  ASSERT_EQ(r.size(), 4u);
  for (size_t o = 0; o < 4; ++o) {
    bool reverse = o >= 2, ofTranspose = o % 2 == 1;
    const EdgeCase &torch = kLongRowCases[reverse ? 1 : 0];
    ASSERT_EQ(std::string(torch.op), reverse ? "cumsum_reverse" : "cumsum");
    int failures = 0;
    for (int64_t row = 0; row < rows; ++row)
      for (size_t s = 0; s < samples; ++s) {
        int64_t k = kLongSamples[s];
        double actual = r[o].data[ofTranspose ? k * rows + row : row * length + k];
        size_t at = row * samples + s;
        // Summed in f64 and rounded once, as PyTorch's CPU kernel does: the same bits.
        if (!matchesEither(actual, torch.single[at], torch.rounded[at], 0) && ++failures <= 8)
          ADD_FAILURE() << torch.op << (ofTranspose ? " along axis 0 of the transpose" : "")
                        << ": row " << row << ", element " << k << " = " << actual
                        << ", PyTorch " << fromBits(torch.single[at]);
      }
  }
}

/// topk of `x` along `axis` as the interpreter takes it: a stable sort of each row, NaN larger than
/// every number; fills the first k of each row's values and indices.
void topkRef(const HostTensor &x, int64_t axis, int64_t k, bool largest, std::vector<double> &values,
             std::vector<double> &indices) {
  const Shape &s = x.type.shape;
  int64_t inner = 1, size = s[axis];
  for (size_t d = axis + 1; d < s.size(); ++d)
    inner *= s[d];
  int64_t outer = static_cast<int64_t>(x.data.size()) / (size * inner);
  values.assign(outer * k * inner, 0);
  indices.assign(outer * k * inner, 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      auto at = [&](int64_t j) { return x.data[(o * size + j) * inner + in]; };
      std::vector<int64_t> order(size);
      for (int64_t j = 0; j < size; ++j)
        order[j] = j;
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        double p = at(a), q = at(b);
        if (std::isnan(p) || std::isnan(q))
          return largest ? std::isnan(p) && !std::isnan(q) : std::isnan(q) && !std::isnan(p);
        return largest ? p > q : p < q;
      });
      for (int64_t j = 0; j < k; ++j) {
        values[(o * k + j) * inner + in] = at(order[j]);
        indices[(o * k + j) * inner + in] = static_cast<double>(order[j]);
      }
    }
}

TEST(Reduction, TopkAlongEachAxisByPassesAndByRanks) {
  // Ties (-0 and +0, repeated values, several NaNs) in every row; k up to 32 selects by passes,
  // past it by ranks (ops/Reduction.cpp).
  Shape shape{4, 18, 37};
  HostTensor x = randomTensor(f32(shape), 31, -3.0, 3.0);
  for (size_t i = 0; i < x.data.size(); ++i) {
    if (i % 7 == 0)
      x.data[i] = std::round(x.data[i]); // repeated small integers, -0 among them
    if (i % 23 == 5)
      x.data[i] = kNaN;
    if (i % 29 == 3)
      x.data[i] = i % 2 ? kInf : -kInf;
    if (i % 31 == 1)
      x.data[i] = -0.0;
  }
  HostTensor n = randomTensor(i32({4, 18}), 37, -5.0, 5.0);
  struct Case {
    int64_t axis, k;
  };
  // One kernel per case with both orders (each kernel also runs its GPU schedule on the OpenCL
  // stand-in, where present).
  auto addTopk = [](KernelBuilder &b, int in, int64_t k, int64_t axis, bool largest, TensorType values,
                    TensorType indices) {
    auto attrs = [=](int result) {
      return [=](KernelNode &node) {
        node.ints = {{"k", {k}}, {"axis", {axis}}, {"largest", {largest}}, {"result", {result}}};
      };
    };
    int picked = b.node("topk", {in}, indices, attrs(1));
    b.output(b.node("topk", {in, picked}, values, attrs(0)));
    b.output(picked);
  };
  for (Case c : {Case{0, 1}, Case{0, 4}, Case{1, 5}, Case{1, 17}, Case{-1, 20}, Case{-1, 33},
                 Case{-1, 37}}) {
    int64_t axis = c.axis < 0 ? c.axis + 3 : c.axis;
    Shape out = shape;
    out[axis] = c.k;
    KernelBuilder b("topk");
    int in = b.input(f32(shape));
    for (bool largest : {true, false})
      addTopk(b, in, c.k, c.axis, largest, f32(out), i32(out));
    std::vector<HostTensor> r = run(b.kernel(), {x});
    ASSERT_EQ(r.size(), 4u);
    for (int side = 0; side < 2; ++side) {
      std::vector<double> values, picked;
      topkRef(x, axis, c.k, side == 0, values, picked);
      std::string what = "axis " + std::to_string(c.axis) + " k " + std::to_string(c.k) +
                         (side == 0 ? " largest" : " smallest");
      EXPECT_TRUE(allClose(r[2 * side], values, 0, 0)) << what;
      EXPECT_TRUE(allClose(r[2 * side + 1], picked, 0, 0)) << what;
      for (size_t i = 0; i < values.size(); ++i)
        if (values[i] == 0)
          EXPECT_EQ(std::signbit(r[2 * side].data[i]), std::signbit(values[i])) << what << " element " << i;
    }
  }
  KernelBuilder b("topk_i32");
  int in = b.input(i32({4, 18}));
  for (bool largest : {true, false})
    addTopk(b, in, 6, -1, largest, i32({4, 6}), i32({4, 6}));
  std::vector<HostTensor> r = run(b.kernel(), {n});
  ASSERT_EQ(r.size(), 4u);
  for (int side = 0; side < 2; ++side) {
    std::vector<double> values, picked;
    topkRef(n, 1, 6, side == 0, values, picked);
    EXPECT_TRUE(allClose(r[2 * side], values, 0, 0)) << "i32, largest " << (side == 0);
    EXPECT_TRUE(allClose(r[2 * side + 1], picked, 0, 0)) << "i32, largest " << (side == 0);
  }
}

TEST(Reduction, SoftmaxAndLogSoftmaxAlongAnyAxis) {
  Shape shape{5, 10};
  HostTensor x = randomTensor(f32(shape), 17, -20.0, 20.0);
  for (int64_t axis : {-1, 0}) {
    KernelBuilder b("softmax");
    int in = b.input(f32(shape));
    auto setAxis = [&](KernelNode &n) { n.ints["axis"] = {axis}; };
    b.output(b.node("softmax", {in}, f32(shape), setAxis));
    b.output(b.node("log_softmax", {in}, f32(shape), setAxis));
    std::vector<HostTensor> r = run(b.kernel(), {x});
    ASSERT_EQ(r.size(), 2u);
    std::vector<double> soft(x.data.size()), logSoft(x.data.size());
    int64_t rows = axis == 0 ? shape[1] : shape[0], size = axis == 0 ? shape[0] : shape[1];
    for (int64_t row = 0; row < rows; ++row) {
      auto at = [&](int64_t j) { return axis == 0 ? j * shape[1] + row : row * shape[1] + j; };
      double m = -kInf, sum = 0;
      for (int64_t j = 0; j < size; ++j)
        m = std::max(m, x.data[at(j)]);
      for (int64_t j = 0; j < size; ++j)
        sum += std::exp(x.data[at(j)] - m);
      for (int64_t j = 0; j < size; ++j) {
        soft[at(j)] = std::exp(x.data[at(j)] - m) / sum;
        logSoft[at(j)] = x.data[at(j)] - m - std::log(sum);
      }
    }
    EXPECT_TRUE(allClose(r[0], soft, 1e-5, 1e-30)) << "axis " << axis;
    EXPECT_TRUE(allClose(r[1], logSoft, 1e-5, 1e-6)) << "axis " << axis;
  }
}

} // namespace
} // namespace dl::codegen::test
