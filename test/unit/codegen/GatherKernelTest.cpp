//===- GatherKernelTest.cpp - torch.gather and its scatter-add ------------===//
//
// Tests that gather and gather_grad compute what compiler/interpreter/Embedding.cpp computes,
// written here as reference loops in double precision: the lookup exactly (it copies), the
// scatter-add within f32 rounding of sums, along every axis of ranks 1 to 4, with an index smaller
// than the input on the other axes and larger along the axis; element-wise producers and consumers
// fuse with both; on PyTorch's float32 edge values (EdgeValueTable.inc: NaN, infinities, signed
// zeros, FLT_MAX, subnormals) both match torch.gather and its gradient. An index outside
// [0, s[axis]) makes the kernel fail with a message naming the op and its location.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/EdgeValueCases.h"
#include "test/unit/codegen/KernelTestUtil.h"

#include <gmock/gmock.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace dl::codegen::test {
namespace {

using namespace dl::test::edge;
using ::testing::HasSubstr;

#include "test/unit/codegen/EdgeValueTable.inc"

/// The flat offset into a tensor of `input` shape of index position `flat` (in `index` shape)
/// with its `axis` coordinate replaced by `at`.
int64_t gatheredOffset(const Shape &input, const Shape &index, int64_t flat, int64_t axis,
                       int64_t at) {
  Shape p = unflatten(flat, index);
  p[axis] = at;
  int64_t offset = 0;
  for (size_t d = 0; d < input.size(); ++d)
    offset = offset * input[d] + p[d];
  return offset;
}

std::vector<double> gatherRef(const HostTensor &x, const HostTensor &index, int64_t axis) {
  std::vector<double> out;
  for (size_t p = 0; p < index.data.size(); ++p)
    out.push_back(x.data[gatheredOffset(x.type.shape, index.type.shape, int64_t(p), axis,
                                        int64_t(index.data[p]))]);
  return out;
}

std::vector<double> scatterRef(const HostTensor &index, const HostTensor &grad, const Shape &input,
                               int64_t axis) {
  int64_t n = 1;
  for (int64_t s : input)
    n *= s;
  std::vector<double> out(n, 0.0);
  for (size_t p = 0; p < index.data.size(); ++p)
    out[gatheredOffset(input, index.type.shape, int64_t(p), axis, int64_t(index.data[p]))] +=
        grad.data[p];
  return out;
}

Kernel gatherKernel(const Shape &input, const Shape &index, int64_t axis) {
  KernelBuilder b("gather");
  int x = b.input(f32(input)), i = b.input(i32(index));
  b.output(b.node("gather", {x, i}, f32(index), [&](KernelNode &n) { n.ints["axis"] = {axis}; }));
  return b.kernel();
}

Kernel scatterKernel(const Shape &input, const Shape &index, int64_t axis) {
  KernelBuilder b("gather_grad");
  int i = b.input(i32(index)), g = b.input(f32(index));
  b.output(b.node("gather_grad", {i, g}, f32(input), [&](KernelNode &n) {
    n.ints["axis"] = {axis};
    n.ints["input_shape"] = input;
  }));
  return b.kernel();
}

/// Both ops on random data of these shapes, on every schedule the host runs.
void check(const Shape &input, const Shape &index, int64_t axis, uint32_t seed) {
  int64_t extent = input[axis < 0 ? axis + int64_t(input.size()) : axis];
  int64_t positive = axis < 0 ? axis + int64_t(input.size()) : axis;
  HostTensor x = randomTensor(f32(input), seed);
  HostTensor ids = randomTensor(i32(index), seed + 1, 0.0, double(extent));
  HostTensor grad = randomTensor(f32(index), seed + 2);
  std::vector<double> looked = gatherRef(x, ids, positive);
  std::vector<double> scattered = scatterRef(ids, grad, input, positive);
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, gatherKernel(input, index, axis), {x, ids});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], looked, 0.0)) << cpu << " gather along " << axis;
    r = runOn(cpu, scatterKernel(input, index, axis), {ids, grad});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], scattered, 1e-5, 1e-6)) << cpu << " gather_grad along " << axis;
  }
}

TEST(Gather, EveryAxisOfRanksOneToFour) {
  check({7}, {5}, 0, 1);
  check({7}, {19}, -1, 3);
  check({6, 40}, {6, 40}, 0, 5);
  check({6, 40}, {6, 40}, 1, 7);
  check({3, 5, 33}, {3, 5, 33}, 1, 9);
  check({3, 5, 33}, {3, 5, 12}, 2, 11);
  check({2, 3, 4, 17}, {2, 3, 4, 17}, 0, 13);
  check({2, 3, 4, 17}, {2, 3, 9, 17}, -2, 15);
}

TEST(Gather, IndexSmallerThanTheInputOnOtherAxes) {
  // torch.gather allows index.size(d) <= input.size(d) for d != dim: the columns past the index
  // take no gradient.
  check({6, 40}, {4, 40}, 1, 21);
  check({6, 40}, {4, 23}, 0, 23);
  check({5, 6, 37}, {2, 6, 20}, 1, 25);
  check({5, 6, 37}, {5, 1, 3}, 2, 27);
}

TEST(Gather, LargeScatterSplitAcrossThreads) {
  // 8 x 500 columns, each visited 40 times: past kParallelElements, in segments with a tail.
  check({30, 8, 500}, {40, 8, 500}, 0, 31);
}

TEST(Gather, FusedWithElementwiseProducersAndConsumers) {
  // tanh(gather(2 x)) + 1, and x - 0.5 gather_grad(3 g), as a training step's kernels read them.
  const Shape input{9, 20}, index{9, 12};
  KernelBuilder b("fused");
  int x = b.input(f32(input)), ids = b.input(i32(index)), g = b.input(f32(index));
  auto scalar = [&](double v) {
    return b.node("constant", {}, f32({}), [v](KernelNode &n) {
      n.constant = {v};
      n.splat = true;
    });
  };
  auto axis1 = [&](KernelNode &n) {
    n.ints["axis"] = {1};
    n.ints["input_shape"] = input;
  };
  int doubled = b.node("mul", {x, scalar(2)}, f32(input));
  int e = b.node("gather", {doubled, ids}, f32(index), axis1);
  int th = b.node("tanh", {e}, f32(index));
  b.output(b.node("add", {th, scalar(1)}, f32(index)));
  int tripled = b.node("mul", {g, scalar(3)}, f32(index));
  int s = b.node("gather_grad", {ids, tripled}, f32(input), axis1);
  int step = b.node("mul", {s, scalar(0.5)}, f32(input));
  b.output(b.node("sub", {x, step}, f32(input)));

  HostTensor xs = randomTensor(f32(input), 41), is = randomTensor(i32(index), 42, 0.0, 20.0);
  HostTensor gs = randomTensor(f32(index), 43);
  HostTensor x2 = xs, g3 = gs;
  for (double &v : x2.data)
    v *= 2;
  for (double &v : g3.data)
    v *= 3;
  std::vector<double> looked = gatherRef(x2, is, 1), stepped = scatterRef(is, g3, input, 1);
  for (double &v : looked)
    v = std::tanh(v) + 1;
  for (size_t k = 0; k < stepped.size(); ++k)
    stepped[k] = xs.data[k] - 0.5 * stepped[k];
  std::vector<HostTensor> r = run(b.kernel(), {xs, is, gs});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(allClose(r[0], looked, 1e-6, 1e-6));
  EXPECT_TRUE(allClose(r[1], stepped, 1e-5, 1e-6));
}

/// PyTorch may add the terms of one element in another order: 2 ulps.
constexpr double kGatherUlps = 2;

TEST(Gather, EdgeValuesMatchPyTorch) {
  // Read from memory and computed in the kernel (x * one, one a run-time 1), where an op that
  // trusted its operand to be finite would be caught.
  const Shape shape{2, kGatherWidth};
  std::vector<double> x, index(kGatherIndex.begin(), kGatherIndex.end());
  for (uint32_t bits : kGatherInput)
    x.push_back(fromBits(bits));
  for (bool computed : {false, true}) {
    KernelBuilder b(computed ? "gather_edges_computed" : "gather_edges");
    int xs = b.input(f32(shape)), ids = b.input(i32(shape)), one = b.input(f32({}));
    int operand = computed ? b.node("mul", {xs, one}, f32(shape)) : xs;
    auto axis1 = [&](KernelNode &n) {
      n.ints["axis"] = {1};
      n.ints["input_shape"] = shape;
    };
    b.output(b.node("gather", {operand, ids}, f32(shape), axis1));
    b.output(b.node("gather_grad", {ids, operand}, f32(shape), axis1));
    std::vector<HostTensor> r =
        run(b.kernel(), {tensorOf(f32(shape), x), tensorOf(i32(shape), index),
                         tensorOf(f32({}), {1.0})});
    ASSERT_EQ(r.size(), 2u);
    for (size_t k = 0; k < x.size(); ++k) {
      EXPECT_TRUE(sameFloat(r[0].data[k], fromBits(kGatherResult[k]), kGatherUlps))
          << "gather[" << k << "] = " << r[0].data[k] << (computed ? " (computed)" : "");
      EXPECT_TRUE(sameFloat(r[1].data[k], fromBits(kGatherGradient[k]), kGatherUlps))
          << "gather_grad[" << k << "] = " << r[1].data[k] << ", PyTorch "
          << fromBits(kGatherGradient[k]) << (computed ? " (computed)" : "");
    }
  }
}

TEST(Gather, AnIndexOutsideTheAxisFailsTheKernel) {
  HostTensor x = randomTensor(f32({2, 5}), 51);
  std::vector<HostTensor> outputs;
  std::string error;
  for (double bad : {5.0, -1.0, 2147483647.0}) {
    HostTensor ids = tensorOf(i32({2, 3}), {0, 4, 1, bad, 2, 3});
    EXPECT_FALSE(runKernel(gatherKernel({2, 5}, {2, 3}, 1), {x, ids}, 0, 0, outputs, error))
        << "index " << bad;
    EXPECT_THAT(error, HasSubstr("at row 1 column 0 of the index i32[2, 3] is outside the "
                                 "input's axis 1 [0, 5) of dl.gather at test.dl:1:1"));
  }
  HostTensor ids = tensorOf(i32({2, 3}), {0, 2, 1, 0, 1, 1});
  HostTensor grad = randomTensor(f32({2, 3}), 52);
  EXPECT_FALSE(runKernel(scatterKernel({2, 5}, {2, 3}, 0), {ids, grad}, 0, 0, outputs, error));
  EXPECT_THAT(error, HasSubstr("2 at row 0 column 1 of the index i32[2, 3] is outside the "
                               "input's axis 0 [0, 2) of dl.gather_grad at test.dl:1:1"));
}

TEST(Gather, InconsistentNodesAreRejected) {
  std::string stmt, error;
  KernelBuilder floatIndex("float_index");
  int x = floatIndex.input(f32({4, 3})), i = floatIndex.input(f32({4, 3}));
  floatIndex.output(floatIndex.node("gather", {x, i}, f32({4, 3}),
                                    [](KernelNode &n) { n.ints["axis"] = {0}; }));
  EXPECT_FALSE(lowerKernel(floatIndex.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, HasSubstr("dl.gather needs an i32 index"));

  KernelBuilder wrongRank("wrong_rank");
  x = wrongRank.input(f32({4, 3}));
  i = wrongRank.input(i32({4}));
  wrongRank.output(wrongRank.node("gather", {x, i}, f32({4}),
                                  [](KernelNode &n) { n.ints["axis"] = {0}; }));
  EXPECT_FALSE(lowerKernel(wrongRank.kernel(), "x86-64-linux", stmt, error));
  EXPECT_THAT(error, HasSubstr("dl.gather needs an index of the input's rank"));
}

} // namespace
} // namespace dl::codegen::test
