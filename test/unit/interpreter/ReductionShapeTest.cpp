//===- ReductionShapeTest.cpp - Reductions, data movement and matmul -------===//
//
// Reductions over chosen, negative and all axes with and without keepdims; every data-movement op;
// matmul in NumPy's forms (2-D, vectors on either side, batched, broadcast batches) against a naive
// product written in the test.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

#include <chrono>

namespace dl::interp::test {
namespace {

using ReductionTest = InterpreterTest;
using ShapeOpTest = InterpreterTest;
using MatmulTest = InterpreterTest;

/// `@f(%x: IN) -> OUT { %r = dl.OP %x ATTRS : (IN) -> OUT; return %r }`.
std::string opFunc(const std::string &op, const std::string &in, const std::string &out,
                   const std::string &attrs = "") {
  return "func.func @f(%x: " + in + ") -> " + out + " {\n  %r = dl." + op + " %x " + attrs +
         " : (" + in + ") -> " + out + "\n  return %r : " + out + "\n}";
}

// x = [[1, 2, 3], [4, 5, 6]]
const Tensor kX = f32({2, 3}, {1, 2, 3, 4, 5, 6});

TEST_F(ReductionTest, SumOverAxesKeepdimsAndAll) {
  expectTensor(run1(opFunc("sum", "tensor<2x3xf32>", "tensor<2x1xf32>",
                           "{axes = array<i64: 1>, keepdims = true}"), {kX}),
               {2, 1}, {6, 15});
  expectTensor(run1(opFunc("sum", "tensor<2x3xf32>", "tensor<3xf32>", "{axes = array<i64: 0>}"),
                    {kX}),
               {3}, {5, 7, 9});
  expectTensor(run1(opFunc("sum", "tensor<2x3xf32>", "tensor<2xf32>", "{axes = array<i64: -1>}"),
                    {kX}),
               {2}, {6, 15});
  expectTensor(run1(opFunc("sum", "tensor<2x3xf32>", "tensor<f32>"), {kX}), {}, {21});
  expectTensor(run1(opFunc("sum", "tensor<2x3xf32>", "tensor<1x1xf32>", "{keepdims = true}"), {kX}),
               {1, 1}, {21});
  // Rank 3, two of three axes.
  Tensor y = f32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  expectTensor(run1(opFunc("sum", "tensor<2x2x2xf32>", "tensor<2xf32>", "{axes = array<i64: 0, 2>}"),
                    {y}),
               {2}, {1 + 2 + 5 + 6, 3 + 4 + 7 + 8});
  // i32 sums wrap.
  expectTensor(run1(opFunc("sum", "tensor<2xi32>", "tensor<i32>"), {i32({2}, {2147483647, 2})}), {},
               {-2147483647.0});
}

TEST_F(ReductionTest, MeanMaxMin) {
  expectTensor(run1(opFunc("mean", "tensor<2x3xf32>", "tensor<3xf32>", "{axes = array<i64: 0>}"),
                    {kX}),
               {3}, {2.5, 3.5, 4.5});
  expectTensor(run1(opFunc("mean", "tensor<2x3xf32>", "tensor<f32>"), {kX}), {}, {3.5});
  Tensor z = f32({2, 3}, {3, -1, 7, 0, 9, -4});
  expectTensor(run1(opFunc("reduce_max", "tensor<2x3xf32>", "tensor<2xf32>", "{axes = array<i64: 1>}"),
                    {z}),
               {2}, {7, 9});
  expectTensor(run1(opFunc("reduce_min", "tensor<2x3xf32>", "tensor<1x3xf32>",
                           "{axes = array<i64: 0>, keepdims = true}"), {z}),
               {1, 3}, {0, -1, -4});
  expectTensor(run1(opFunc("reduce_max", "tensor<3xf32>", "tensor<f32>"), {f32({3}, {1, NAN, 2})}),
               {}, {NAN});
  expectTensor(run1(opFunc("reduce_min", "tensor<3xi32>", "tensor<i32>"), {i32({3}, {4, -9, 2})}),
               {}, {-9});
}

TEST_F(ReductionTest, LogSumExpIsStable) {
  Tensor x = f32({2, 2}, {1000, 1000, 0, std::log(3.0)});
  expectTensor(run1(opFunc("logsumexp", "tensor<2x2xf32>", "tensor<2xf32>", "{axes = array<i64: 1>}"),
                    {x}),
               {2}, {1000 + std::log(2.0), std::log(4.0)});
  expectTensor(run1(opFunc("logsumexp", "tensor<2xf32>", "tensor<f32>"), {f32({2}, {-INFINITY, -INFINITY})}),
               {}, {-INFINITY});
}

TEST_F(ReductionTest, ArgmaxFirstIndexAlongAxis) {
  Tensor x = f32({2, 4}, {1, 5, 5, 2, 7, 0, 7, 7});
  Tensor r = run1(opFunc("argmax", "tensor<2x4xf32>", "tensor<2xi32>", "{axis = 1 : i64}"), {x});
  expectTensor(r, {2}, {1, 0});
  EXPECT_EQ(r.kind, ElementKind::I32);
  expectTensor(run1(opFunc("argmax", "tensor<2x4xf32>", "tensor<1x4xi32>",
                           "{axis = 0 : i64, keepdims = true}"), {x}),
               {1, 4}, {1, 0, 1, 1});
  // Default axis is the last.
  expectTensor(run1(opFunc("argmax", "tensor<2x4xf32>", "tensor<2xi32>"), {x}), {2}, {1, 0});
}

TEST_F(ReductionTest, ArgminFirstIndexAndNaNAsTorch) {
  // torch.argmin: the first minimum; the first NaN wins ([1, nan, 0, nan] gives 1); -0 equals 0.
  Tensor x = f32({3, 4}, {1, NAN, 0, NAN, 3, -INFINITY, -INFINITY, 2, 0, -0.0, 1, 2});
  Tensor r = run1(opFunc("argmin", "tensor<3x4xf32>", "tensor<3xi32>", "{axis = 1 : i64}"), {x});
  expectTensor(r, {3}, {1, 1, 0});
  EXPECT_EQ(r.kind, ElementKind::I32);
  expectTensor(run1(opFunc("argmin", "tensor<3x4xf32>", "tensor<1x4xi32>",
                           "{axis = 0 : i64, keepdims = true}"), {x}),
               {1, 4}, {2, 0, 1, 0});
  Tensor n = i32({2, 3}, {4, -2, -2, 7, 7, 9});
  expectTensor(run1(opFunc("argmin", "tensor<2x3xi32>", "tensor<2xi32>"), {n}), {2}, {1, 0});
}

/// `@f(%x: IN) -> (VALUES, INDICES) { %v, %i = dl.topk %x ATTRS }`.
std::string topkFunc(const std::string &in, const std::string &values, const std::string &indices,
                     const std::string &attrs) {
  return "func.func @f(%x: " + in + ") -> (" + values + ", " + indices + ") {\n  %v, %i = dl.topk %x " +
         attrs + " : (" + in + ") -> (" + values + ", " + indices + ")\n  return %v, %i : " + values +
         ", " + indices + "\n}";
}

TEST_F(ReductionTest, TopkOrdersAsTorchWithNaNLargestAndTiesByIndex) {
  // torch.topk(x, 3, dim = 1, largest = True / False) on the CPU: NaN is larger than every number
  // (first among the largest, never among the smallest); -0 and +0 tie, the first index first.
  Tensor x = f32({2, 6}, {1, NAN, 0, NAN, 3, -INFINITY, 2, -0.0, 0.0, 5, 1e30f, -1e-40f});
  std::vector<Tensor> r = run(topkFunc("tensor<2x6xf32>", "tensor<2x3xf32>", "tensor<2x3xi32>",
                                       "{k = 3 : i64, axis = 1 : i64}"), {x});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {2, 3}, {NAN, NAN, 3, double(1e30f), 5, 2});
  expectTensor(r[1], {2, 3}, {1, 3, 4, 4, 3, 0});
  EXPECT_EQ(r[1].kind, ElementKind::I32);
  r = run(topkFunc("tensor<2x6xf32>", "tensor<2x3xf32>", "tensor<2x3xi32>",
                   "{k = 3 : i64, axis = -1 : i64, largest = false}"), {x});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {2, 3}, {-INFINITY, 0, 1, double(-1e-40f), 0, 0});
  EXPECT_TRUE(std::signbit(r[0].data[4])); // -0 itself, from index 1
  expectTensor(r[1], {2, 3}, {5, 2, 0, 5, 1, 2});
  // Along axis 0 (k = 1): the column's NaN wins; -0 at row 1 loses the tie to +0 at row 0.
  r = run(topkFunc("tensor<2x6xf32>", "tensor<1x6xf32>", "tensor<1x6xi32>", "{k = 1 : i64, axis = 0 : i64}"),
          {x});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {1, 6}, {2, NAN, 0, NAN, double(1e30f), double(-1e-40f)});
  expectTensor(r[1], {1, 6}, {1, 0, 0, 0, 1, 1});
  // i32, smallest along axis 0 (the default sorted = true; axis 0 of [[4, -2, 7], [7, 9, -3]]).
  Tensor n = i32({2, 3}, {4, -2, 7, 7, 9, -3});
  r = run(topkFunc("tensor<2x3xi32>", "tensor<2x3xi32>", "tensor<2x3xi32>",
                   "{k = 2 : i64, axis = 0 : i64, largest = false}"), {n});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {2, 3}, {4, -2, -3, 7, 9, 7});
  expectTensor(r[1], {2, 3}, {0, 0, 1, 1, 1, 0});
}

TEST_F(ReductionTest, CumsumAlongAxesReversedAndOfI32) {
  expectTensor(run1(opFunc("cumsum", "tensor<2x3xf32>", "tensor<2x3xf32>", "{axis = 1 : i64}"), {kX}),
               {2, 3}, {1, 3, 6, 4, 9, 15});
  expectTensor(run1(opFunc("cumsum", "tensor<2x3xf32>", "tensor<2x3xf32>", "{axis = -2 : i64}"), {kX}),
               {2, 3}, {1, 2, 3, 5, 7, 9});
  expectTensor(run1(opFunc("cumsum", "tensor<2x3xf32>", "tensor<2x3xf32>",
                           "{axis = 1 : i64, reverse = true}"), {kX}),
               {2, 3}, {6, 5, 3, 15, 11, 6});
  // NaN and infinities propagate from where they occur; a running sum adds in double, so one that
  // passes f32's range comes back (torch.cumsum on the CPU: [3e38, inf, 3e38] in f32).
  Tensor edge = f32({2, 3}, {1, INFINITY, -INFINITY, 3e38f, 3e38f, -3e38f});
  Tensor r = run1(opFunc("cumsum", "tensor<2x3xf32>", "tensor<2x3xf32>", "{axis = 1 : i64}"), {edge});
  EXPECT_EQ(r.data[0], 1);
  EXPECT_EQ(r.data[1], INFINITY);
  EXPECT_TRUE(std::isnan(r.data[2]));
  EXPECT_NEAR(r.data[5], double(3e38f), 1e31);
  // i32 sums wrap to 32 bits at each element.
  Tensor n = i32({3}, {2147483647, 1, 5});
  expectTensor(run1(opFunc("cumsum", "tensor<3xi32>", "tensor<3xi32>", "{axis = 0 : i64}"), {n}), {3},
               {2147483647, -2147483648.0, -2147483643.0});
}

TEST_F(ShapeOpTest, ReshapeKeepsRowMajorOrder) {
  expectTensor(run1(opFunc("reshape", "tensor<2x3xf32>", "tensor<3x2xf32>"), {kX}), {3, 2},
               {1, 2, 3, 4, 5, 6});
}

TEST_F(ShapeOpTest, TransposePermutesDimensions) {
  expectTensor(run1(opFunc("transpose", "tensor<2x3xf32>", "tensor<3x2xf32>",
                           "{perm = array<i64: 1, 0>}"), {kX}),
               {3, 2}, {1, 4, 2, 5, 3, 6});
  // [2,3,4] with perm (2, 0, 1) -> [4,2,3]; out[k][i][j] = in[i][j][k].
  std::vector<double> in(24);
  for (int i = 0; i < 24; ++i)
    in[i] = i;
  Tensor r = run1(opFunc("transpose", "tensor<2x3x4xf32>", "tensor<4x2x3xf32>",
                         "{perm = array<i64: 2, 0, 1>}"), {f32({2, 3, 4}, in)});
  ASSERT_EQ(r.shape, (std::vector<int64_t>{4, 2, 3}));
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        EXPECT_EQ(r.data[(k * 2 + i) * 3 + j], in[(i * 3 + j) * 4 + k]);
}

TEST_F(ShapeOpTest, BroadcastTo) {
  expectTensor(run1(opFunc("broadcast_to", "tensor<3xf32>", "tensor<2x3xf32>"), {f32({3}, {1, 2, 3})}),
               {2, 3}, {1, 2, 3, 1, 2, 3});
  expectTensor(run1(opFunc("broadcast_to", "tensor<2x1xf32>", "tensor<2x2xf32>"), {f32({2, 1}, {1, 2})}),
               {2, 2}, {1, 1, 2, 2});
}

TEST_F(ShapeOpTest, ConcatAlongMiddleAxis) {
  Tensor r = run1(R"(func.func @f(%a: tensor<2x1xf32>, %b: tensor<2x2xf32>, %c: tensor<2x1xf32>) -> tensor<2x4xf32> {
    %r = dl.concat %a, %b, %c {axis = 1 : i64} : (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
    return %r : tensor<2x4xf32>
  })", {f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6}), f32({2, 1}, {7, 8})});
  expectTensor(r, {2, 4}, {1, 3, 4, 7, 2, 5, 6, 8});
  Tensor s = run1(R"(func.func @f(%a: tensor<1x2xf32>, %b: tensor<2x2xf32>) -> tensor<3x2xf32> {
    %r = dl.concat %a, %b {axis = -2 : i64} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
    return %r : tensor<3x2xf32>
  })", {f32({1, 2}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})});
  expectTensor(s, {3, 2}, {1, 2, 3, 4, 5, 6});
}

TEST_F(ShapeOpTest, SplitIntoEqualParts) {
  std::vector<Tensor> r = run(R"(func.func @f(%x: tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
    %a, %b, %c = dl.split %x {parts = 3 : i64, axis = -1 : i64} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>)
    return %a, %b, %c : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
  })", {f32({2, 6}, {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15})});
  ASSERT_EQ(r.size(), 3u);
  expectTensor(r[0], {2, 2}, {0, 1, 10, 11});
  expectTensor(r[1], {2, 2}, {2, 3, 12, 13});
  expectTensor(r[2], {2, 2}, {4, 5, 14, 15});
}

TEST_F(ShapeOpTest, SliceWithStrides) {
  std::vector<double> in(20);
  for (int i = 0; i < 20; ++i)
    in[i] = i;
  // Rows 1..3 step 2 -> {1, 3}; columns 0..5 step 2 -> {0, 2, 4}.
  Tensor r = run1(opFunc("slice", "tensor<4x5xf32>", "tensor<2x3xf32>",
                         "{start = array<i64: 1, 0>, limit = array<i64: 4, 5>, stride = array<i64: 2, 2>}"),
                  {f32({4, 5}, in)});
  expectTensor(r, {2, 3}, {5, 7, 9, 15, 17, 19});
}

TEST_F(ShapeOpTest, PadWithValue) {
  Tensor r = run1(opFunc("pad", "tensor<2x2xf32>", "tensor<3x5xf32>",
                         "{low = array<i64: 1, 2>, high = array<i64: 0, 1>, value = -1.0 : f64}"),
                  {f32({2, 2}, {1, 2, 3, 4})});
  expectTensor(r, {3, 5}, {-1, -1, -1, -1, -1, -1, -1, 1, 2, -1, -1, -1, 3, 4, -1});
}

/// The naive product of [.., m, k] @ [.., k, n] for equal batch shapes, written independently.
std::vector<double> naiveMatmul(const std::vector<double> &a, const std::vector<double> &b, int batch,
                                int m, int k, int n, bool broadcastB = false) {
  std::vector<double> c(batch * m * n, 0.0);
  for (int p = 0; p < batch; ++p)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double s = 0;
        for (int t = 0; t < k; ++t)
          s += a[(p * m + i) * k + t] * b[((broadcastB ? 0 : p) * k + t) * n + j];
        c[(p * m + i) * n + j] = s;
      }
  return c;
}

std::vector<double> iota(int n, double scale = 1.0, double offset = 0.0) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i)
    v[i] = offset + scale * i;
  return v;
}

std::string matmulFunc(const std::string &a, const std::string &b, const std::string &r) {
  return "func.func @f(%a: " + a + ", %b: " + b + ") -> " + r + " {\n  %r = dl.matmul %a, %b : (" +
         a + ", " + b + ") -> " + r + "\n  return %r : " + r + "\n}";
}

TEST_F(MatmulTest, TwoDimensional) {
  Tensor r = run1(matmulFunc("tensor<2x3xf32>", "tensor<3x2xf32>", "tensor<2x2xf32>"),
                  {kX, f32({3, 2}, {7, 8, 9, 10, 11, 12})});
  expectTensor(r, {2, 2}, {58, 64, 139, 154});
}

TEST_F(MatmulTest, VectorsOnEitherSide) {
  // [3] @ [3,2] -> [2]
  expectTensor(run1(matmulFunc("tensor<3xf32>", "tensor<3x2xf32>", "tensor<2xf32>"),
                    {f32({3}, {1, 2, 3}), f32({3, 2}, {7, 8, 9, 10, 11, 12})}),
               {2}, {58, 64});
  // [2,3] @ [3] -> [2]
  expectTensor(run1(matmulFunc("tensor<2x3xf32>", "tensor<3xf32>", "tensor<2xf32>"),
                    {kX, f32({3}, {1, 0, -1})}),
               {2}, {-2, -2});
  // [3] @ [3] -> scalar
  expectTensor(run1(matmulFunc("tensor<3xf32>", "tensor<3xf32>", "tensor<f32>"),
                    {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})}),
               {}, {32});
  // [3] @ [2,3,4] -> [2,4]: the vector multiplies each batch.
  std::vector<double> b = iota(24, 0.5, -3);
  Tensor r = run1(matmulFunc("tensor<3xf32>", "tensor<2x3x4xf32>", "tensor<2x4xf32>"),
                  {f32({3}, {1, -2, 0.5}), f32({2, 3, 4}, b)});
  std::vector<double> a2 = {1, -2, 0.5, 1, -2, 0.5};
  expectTensor(r, {2, 4}, naiveMatmul(a2, b, 2, 1, 3, 4));
}

TEST_F(MatmulTest, BatchedAndBroadcastBatches) {
  std::vector<double> a = iota(2 * 2 * 3, 0.25, -1), b = iota(2 * 3 * 2, -0.5, 2);
  expectTensor(run1(matmulFunc("tensor<2x2x3xf32>", "tensor<2x3x2xf32>", "tensor<2x2x2xf32>"),
                    {f32({2, 2, 3}, a), f32({2, 3, 2}, b)}),
               {2, 2, 2}, naiveMatmul(a, b, 2, 2, 3, 2));
  // A batched operand against an unbatched matrix.
  std::vector<double> w = iota(3 * 2, 1, -2);
  expectTensor(run1(matmulFunc("tensor<2x2x3xf32>", "tensor<3x2xf32>", "tensor<2x2x2xf32>"),
                    {f32({2, 2, 3}, a), f32({3, 2}, w)}),
               {2, 2, 2}, naiveMatmul(a, w, 2, 2, 3, 2, /*broadcastB=*/true));
  // Batch dims [2,1] and [3] broadcast to [2,3]: out[i][j] = a[i] @ b[j].
  std::vector<double> a3 = iota(2 * 2 * 3, 1), b3 = iota(3 * 3 * 2, -1, 5);
  Tensor r = run1(matmulFunc("tensor<2x1x2x3xf32>", "tensor<3x3x2xf32>", "tensor<2x3x2x2xf32>"),
                  {f32({2, 1, 2, 3}, a3), f32({3, 3, 2}, b3)});
  ASSERT_EQ(r.shape, (std::vector<int64_t>{2, 3, 2, 2}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      std::vector<double> ai(a3.begin() + i * 6, a3.begin() + (i + 1) * 6);
      std::vector<double> bj(b3.begin() + j * 6, b3.begin() + (j + 1) * 6);
      std::vector<double> expected = naiveMatmul(ai, bj, 1, 2, 3, 2);
      for (int e = 0; e < 4; ++e)
        EXPECT_DOUBLE_EQ(r.data[(i * 3 + j) * 4 + e], expected[e]) << i << "," << j << "," << e;
    }
}

TEST_F(MatmulTest, LargeProductIsFastEnough) {
  // The size of the first layer of the Fashion-MNIST MLP.
  Tensor a = Tensor::filled({128, 784}, 0.5), b = Tensor::filled({784, 256}, 0.25);
  auto interp = interpreter(matmulFunc("tensor<128x784xf32>", "tensor<784x256xf32>",
                                       "tensor<128x256xf32>"));
  ASSERT_TRUE(interp);
  std::string error;
  auto start = std::chrono::steady_clock::now();
  auto r = interp->call("f", {a, b}, error);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(succeeded(r)) << error;
  EXPECT_DOUBLE_EQ((*r)[0].data[0], 784 * 0.125);
  EXPECT_LT(seconds, 1.0);
}

} // namespace
} // namespace dl::interp::test
