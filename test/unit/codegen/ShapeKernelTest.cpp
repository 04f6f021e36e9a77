//===- ShapeKernelTest.cpp - Data movement as Halide kernels ---------------===//
//
// Tests that reshape, transpose, broadcast_to, concat, slice and pad move exactly the elements the
// reference interpreter moves (compiler/interpreter/Shape.cpp), for f32, i32 and i1 tensors, and
// that their outputs are exact copies.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

namespace dl::codegen::test {
namespace {

/// 0, 1, 2, ... in `type`.
HostTensor iota(TensorType type) {
  HostTensor t{std::move(type), {}};
  for (int64_t i = 0; i < t.type.numElements(); ++i)
    t.data.push_back(t.type.dtype == DType::I1 ? i % 3 == 0 : static_cast<double>(i));
  return t;
}

/// out[i] = in[source(index of i in `outShape`)] for every element of the output.
std::vector<double> gather(const HostTensor &in, const Shape &outShape,
                           const std::function<int64_t(const Shape &)> &source) {
  int64_t n = 1;
  for (int64_t d : outShape)
    n *= d;
  std::vector<double> out;
  for (int64_t i = 0; i < n; ++i)
    out.push_back(in.data[source(unflatten(i, outShape))]);
  return out;
}

int64_t flat(const Shape &index, const Shape &shape) {
  Shape s = stridesOf(shape);
  int64_t f = 0;
  for (size_t d = 0; d < index.size(); ++d)
    f += index[d] * s[d];
  return f;
}

TEST(Shape, ReshapeKeepsRowMajorOrder) {
  KernelBuilder b("reshape");
  int x = b.input(f32({2, 3, 4})), v = b.input(i32({24}));
  b.output(b.node("reshape", {x}, f32({4, 6})));
  b.output(b.node("reshape", {x}, f32({6, 4})));
  b.output(b.node("reshape", {v}, i32({2, 3, 4})));
  b.output(b.node("reshape", {x}, f32({24})));
  HostTensor xs = iota(f32({2, 3, 4})), vs = iota(i32({24}));
  std::vector<HostTensor> r = run(b.kernel(), {xs, vs});
  ASSERT_EQ(r.size(), 4u);
  for (size_t k = 0; k < r.size(); ++k)
    EXPECT_TRUE(allClose(r[k], k == 2 ? vs.data : xs.data, 0)) << k;
}

TEST(Shape, TransposePermutesDimensions) {
  KernelBuilder b("transpose");
  Shape in{2, 3, 4};
  int x = b.input(f32(in)), m = b.input(i1({3, 5}));
  b.output(b.node("transpose", {x}, f32({4, 2, 3}), [](KernelNode &n) {
    n.ints["perm"] = {2, 0, 1};
  }));
  b.output(b.node("transpose", {m}, i1({5, 3}), [](KernelNode &n) { n.ints["perm"] = {1, 0}; }));
  HostTensor xs = iota(f32(in)), ms = iota(i1({3, 5}));
  std::vector<HostTensor> r = run(b.kernel(), {xs, ms});
  ASSERT_EQ(r.size(), 2u);
  // Result dimension d walks operand dimension perm[d].
  EXPECT_TRUE(allClose(r[0],
                       gather(xs, {4, 2, 3},
                              [&](const Shape &i) {
                                return flat({i[1], i[2], i[0]}, in);
                              }),
                       0));
  EXPECT_TRUE(allClose(r[1],
                       gather(ms, {5, 3},
                              [](const Shape &i) {
                                return flat({i[1], i[0]}, {3, 5});
                              }),
                       0));
}

TEST(Shape, BroadcastToRepeatsSizeOneDimensions) {
  KernelBuilder b("broadcast");
  int x = b.input(f32({3, 1}));
  b.output(b.node("broadcast_to", {x}, f32({2, 3, 4})));
  HostTensor xs = iota(f32({3, 1}));
  std::vector<HostTensor> r = run(b.kernel(), {xs});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(r[0],
                       gather(xs, {2, 3, 4},
                              [](const Shape &i) {
                                return broadcastFlat({3, 1}, i);
                              }),
                       0));
}

TEST(Shape, ConcatJoinsAlongAnAxis) {
  KernelBuilder b("concat");
  int a = b.input(f32({2, 3})), c = b.input(f32({2, 1})), d = b.input(f32({2, 4}));
  int p = b.input(i1({1, 3})), q = b.input(i1({2, 3}));
  b.output(b.node("concat", {a, c, d}, f32({2, 8}), [](KernelNode &n) { n.ints["axis"] = {-1}; }));
  b.output(b.node("concat", {p, q}, i1({3, 3}), [](KernelNode &n) { n.ints["axis"] = {0}; }));
  HostTensor as = iota(f32({2, 3})), cs = tensorOf(f32({2, 1}), {100, 200});
  HostTensor ds = tensorOf(f32({2, 4}), {-1, -2, -3, -4, -5, -6, -7, -8});
  HostTensor ps = tensorOf(i1({1, 3}), {1, 1, 0}), qs = tensorOf(i1({2, 3}), {0, 1, 0, 1, 0, 1});
  std::vector<HostTensor> r = run(b.kernel(), {as, cs, ds, ps, qs});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(allClose(r[0], {0, 1, 2, 100, -1, -2, -3, -4, 3, 4, 5, 200, -5, -6, -7, -8}, 0));
  EXPECT_TRUE(allClose(r[1], {1, 1, 0, 0, 1, 0, 1, 0, 1}, 0));
}

TEST(Shape, SliceTakesStridedRanges) {
  KernelBuilder b("slice");
  Shape in{5, 8};
  int x = b.input(f32(in));
  b.output(b.node("slice", {x}, f32({2, 3}), [](KernelNode &n) {
    n.ints["start"] = {1, 2};
    n.ints["limit"] = {5, 8};
    n.ints["stride"] = {2, 2};
  }));
  b.output(b.node("slice", {x}, f32({5, 1}), [](KernelNode &n) {
    n.ints["start"] = {0, 7};
    n.ints["limit"] = {5, 8};
    n.ints["stride"] = {1, 1};
  }));
  HostTensor xs = iota(f32(in));
  std::vector<HostTensor> r = run(b.kernel(), {xs});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(allClose(r[0], {10, 12, 14, 26, 28, 30}, 0));
  EXPECT_TRUE(allClose(r[1], {7, 15, 23, 31, 39}, 0));
}

TEST(Shape, PadFillsAroundWithTheValue) {
  KernelBuilder b("pad");
  int x = b.input(f32({2, 2})), n = b.input(i32({3}));
  b.output(b.node("pad", {x}, f32({3, 5}), [](KernelNode &k) {
    k.ints["low"] = {1, 2};
    k.ints["high"] = {0, 1};
    k.floats["value"] = -0.5;
  }));
  b.output(b.node("pad", {n}, i32({5}), [](KernelNode &k) {
    k.ints["low"] = {1};
    k.ints["high"] = {1};
    k.floats["value"] = 7.9; // truncated, as a cast would
  }));
  HostTensor xs = tensorOf(f32({2, 2}), {1, 2, 3, 4}), ns = tensorOf(i32({3}), {-1, -2, -3});
  std::vector<HostTensor> r = run(b.kernel(), {xs, ns});
  ASSERT_EQ(r.size(), 2u);
  const double f = -0.5;
  EXPECT_TRUE(allClose(r[0], {f, f, f, f, f, f, f, 1, 2, f, f, f, 3, 4, f}, 0));
  EXPECT_TRUE(allClose(r[1], {7, -1, -2, -3, 7}, 0));
}

} // namespace
} // namespace dl::codegen::test
