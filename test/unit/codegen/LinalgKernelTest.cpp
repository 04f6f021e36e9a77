//===- LinalgKernelTest.cpp - dl.matmul and its epilogues as Halide kernels -===//
//
// Tests that matmul computes NumPy's matmul (compiler/interpreter/Linalg.cpp) at the MLP's shapes
// and at shapes that leave partial tiles in every dimension; with transposed operands (the backward
// pass's x^T g and g W^T); with batched and broadcast leading dimensions and 1-D operands; and with
// element-wise epilogues (cheap ones unrolled over each register block, GELU's looping over it),
// several outputs and a reduction reading the product; with B packed panel by panel from a
// reshaped input, and a concatenated left operand copied part by part.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <cmath>
#include <tuple>

namespace dl::codegen::test {
namespace {

/// NumPy matmul of a and b in double (1-D operands promoted and their dimension dropped).
std::vector<double> matmulRef(const HostTensor &a, const HostTensor &b, Shape &outShape) {
  Shape sa = a.type.shape, sb = b.type.shape;
  bool aVec = sa.size() == 1, bVec = sb.size() == 1;
  if (aVec)
    sa.insert(sa.begin(), 1);
  if (bVec)
    sb.push_back(1);
  int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  Shape batch(std::max(ba.size(), bb.size()), 1);
  for (size_t i = 0; i < batch.size(); ++i) {
    int64_t da = i < ba.size() ? ba[ba.size() - 1 - i] : 1;
    int64_t db = i < bb.size() ? bb[bb.size() - 1 - i] : 1;
    batch[batch.size() - 1 - i] = da == 1 ? db : da;
  }
  int64_t batches = 1;
  for (int64_t d : batch)
    batches *= d;
  std::vector<double> out(batches * m * n, 0.0);
  for (int64_t p = 0; p < batches; ++p) {
    Shape index = unflatten(p, batch);
    const double *A = a.data.data() + broadcastFlat(ba, index) * m * k;
    const double *B = b.data.data() + broadcastFlat(bb, index) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t j = 0; j < n; ++j)
          out[(p * m + i) * n + j] += A[i * k + kk] * B[kk * n + j];
  }
  outShape = batch;
  if (!aVec)
    outShape.push_back(m);
  if (!bVec)
    outShape.push_back(n);
  return out;
}

HostTensor transposed(const HostTensor &t) {
  int64_t r = t.type.shape[0], c = t.type.shape[1];
  HostTensor out{f32({c, r}), std::vector<double>(r * c)};
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j)
      out.data[j * r + i] = t.data[i * c + j];
  return out;
}

/// f32 products over `k` terms of magnitude <= 1: the error grows with k.
double tolerance(int64_t k) { return 1e-6 * (k + 8); }

/// Runs one plain matmul of two inputs and compares it with the reference.
void checkMatmul(const Shape &sa, const Shape &sb, uint32_t seed) {
  HostTensor a = randomTensor(f32(sa), seed), b = randomTensor(f32(sb), seed + 1);
  Shape outShape;
  std::vector<double> expected = matmulRef(a, b, outShape);
  KernelBuilder k("matmul");
  int x = k.input(f32(sa)), y = k.input(f32(sb));
  k.output(k.node("matmul", {x, y}, f32(outShape)));
  // Each CPU level has its own register blocking.
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, k.kernel(), {a, b});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], expected, 1e-5, tolerance(sa.back())))
        << sa.size() << "-D @ " << sb.size() << "-D on " << cpu;
  }
}

TEST(Matmul, MlpForwardLayerWithBiasAndReluEpilogue) {
  const int64_t m = 128, k = 784, n = 256;
  KernelBuilder b("dense");
  int x = b.input(f32({m, k})), w = b.input(f32({k, n})), bias = b.input(f32({n}));
  int z = b.node("matmul", {x, w}, f32({m, n}));
  int h = b.node("add", {z, bias}, f32({m, n}));
  b.output(b.node("relu", {h}, f32({m, n})));
  HostTensor xs = randomTensor(f32({m, k}), 1), ws = randomTensor(f32({k, n}), 2);
  HostTensor bs = randomTensor(f32({n}), 3);
  std::vector<HostTensor> r = run(b.kernel(), {xs, ws, bs});
  ASSERT_EQ(r.size(), 1u);
  Shape outShape;
  std::vector<double> expected = matmulRef(xs, ws, outShape);
  for (size_t i = 0; i < expected.size(); ++i)
    expected[i] = std::max(0.0, expected[i] + bs.data[i % n]);
  EXPECT_TRUE(allClose(r[0], expected, 1e-5, tolerance(k)));
}

TEST(Matmul, TransposedOperandsOfTheBackwardPass) {
  // dW = x^T g (x: [128, 784], g: [128, 256]) and dx = g W^T (W: [784, 256]).
  const int64_t m = 128, k = 784, n = 256;
  KernelBuilder b("backward");
  int x = b.input(f32({m, k})), g = b.input(f32({m, n}));
  int xt = b.node("transpose", {x}, f32({k, m}), [](KernelNode &t) { t.ints["perm"] = {1, 0}; });
  b.output(b.node("matmul", {xt, g}, f32({k, n})));
  KernelBuilder b2("backward_input");
  int g2 = b2.input(f32({m, n})), w2 = b2.input(f32({k, n}));
  int wt2 = b2.node("transpose", {w2}, f32({n, k}), [](KernelNode &t) { t.ints["perm"] = {1, 0}; });
  b2.output(b2.node("matmul", {g2, wt2}, f32({m, k})));

  HostTensor xs = randomTensor(f32({m, k}), 4), gs = randomTensor(f32({m, n}), 5);
  HostTensor ws = randomTensor(f32({k, n}), 6);
  Shape shape;
  std::vector<double> dw = matmulRef(transposed(xs), gs, shape);
  std::vector<double> dx = matmulRef(gs, transposed(ws), shape);
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> r = runOn(cpu, b.kernel(), {xs, gs});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], dw, 1e-5, tolerance(m))) << cpu;
    r = runOn(cpu, b2.kernel(), {gs, ws});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], dx, 1e-5, tolerance(n))) << cpu;
  }
}

TEST(Matmul, ShapesThatLeavePartialTiles) {
  checkMatmul({37, 29}, {29, 13}, 10);
  checkMatmul({128, 128}, {128, 10}, 12);
  checkMatmul({1, 5}, {5, 70}, 14);
  checkMatmul({70, 3}, {3, 1}, 16);
}

TEST(Matmul, BatchedBroadcastAndVectorOperands) {
  checkMatmul({2, 3, 5, 7}, {7, 4}, 20);    // batch on the left only
  checkMatmul({3, 1, 5, 7}, {2, 7, 6}, 22); // batch dimensions broadcast
  checkMatmul({7}, {7, 5}, 24);             // row vector
  checkMatmul({4, 7}, {7}, 26);             // column vector
  checkMatmul({7}, {7}, 28);                // dot product
  checkMatmul({2, 4, 7}, {7}, 30);          // batched matrix-vector
}

TEST(Matmul, GpuTilesOfEachSizeWithPartialTilesAndChunks) {
  // The GPU schedule (GpuMatmulSchedule.cpp) gives each thread 1 x 1, 2 x 2 or 4 x 2 outputs (rows
  // x columns), by the number of blocks; here each size, with M, N and K not multiples of the tile
  // or the chunk.
  checkMatmul({520, 40}, {40, 530}, 40);             // 17 x 17 blocks of 32 x 32: 2 x 2 per thread
  checkMatmul({1030, 23}, {23, 1050}, 42);           // 17 x 33 blocks of 64 x 32: 4 x 2 per thread
  checkMatmul({3, 1, 300, 33}, {2, 33, 290}, 44);    // 6 batches of 5 x 10 blocks: 4 x 2
  checkMatmul({17, 16}, {16, 18}, 46);               // the smallest tiled product
}

TEST(Matmul, SeveralOutputsAndAReductionOfTheProduct) {
  // z = x W + b; outputs z, relu(z), the mask z > 0 and the column sums of z.
  const int64_t m = 64, k = 48, n = 40;
  KernelBuilder b("epilogues");
  int x = b.input(f32({m, k})), w = b.input(f32({k, n})), bias = b.input(f32({n}));
  int zero = b.node("constant", {}, f32({}), [](KernelNode &c) { c.constant = {0.0}; });
  int p = b.node("matmul", {x, w}, f32({m, n}));
  int z = b.node("add", {p, bias}, f32({m, n}));
  b.output(b.node("relu", {z}, f32({m, n})));
  b.output(z);
  b.output(
      b.node("cmp", {z, zero}, i1({m, n}), [](KernelNode &c) { c.strings["predicate"] = "gt"; }));
  b.output(b.node("sum", {z}, f32({n}), [](KernelNode &c) { c.ints["axes"] = {0}; }));
  HostTensor xs = randomTensor(f32({m, k}), 7), ws = randomTensor(f32({k, n}), 8);
  HostTensor bs = randomTensor(f32({n}), 9);
  std::vector<HostTensor> r = run(b.kernel(), {xs, ws, bs});
  ASSERT_EQ(r.size(), 4u);
  Shape shape;
  std::vector<double> zs = matmulRef(xs, ws, shape), relu, mask, sums(n, 0.0);
  for (size_t i = 0; i < zs.size(); ++i) {
    zs[i] += bs.data[i % n];
    relu.push_back(std::max(zs[i], 0.0));
    sums[i % n] += zs[i];
  }
  EXPECT_TRUE(allClose(r[0], relu, 1e-5, tolerance(k)));
  EXPECT_TRUE(allClose(r[1], zs, 1e-5, tolerance(k)));
  // The mask must agree with the kernel's own z (values near 0 may round either way).
  for (size_t i = 0; i < zs.size(); ++i)
    ASSERT_EQ(r[2].data[i], r[1].data[i] > 0 ? 1.0 : 0.0) << i;
  EXPECT_TRUE(allClose(r[3], sums, 1e-5, tolerance(k) * m));
}

TEST(Matmul, CostlyEpilogueLoopsOverTheBlock) {
  // A Transformer's MLP layer in training: GELU of x W + b, and GELU's derivative for the backward
  // pass, in one kernel (double-precision erf and exp: the epilogue loops over each register block
  // instead of being unrolled). Shapes with full blocks and with partial ones, on every schedule.
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{48, 32, 128}, {37, 50, 70}}) {
    KernelBuilder b("dense_gelu");
    int x = b.input(f32({m, k})), w = b.input(f32({k, n})), bias = b.input(f32({n}));
    auto scalar = [&](double v) {
      return b.node("constant", {}, f32({}), [v](KernelNode &c) {
        c.constant = {v};
        c.splat = true;
      });
    };
    int z = b.node("add", {b.node("matmul", {x, w}, f32({m, n})), bias}, f32({m, n}));
    b.output(b.node("gelu", {z}, f32({m, n})));
    // d gelu / dz = Phi(z) + z phi(z) = 0.5 (1 + erf(z / sqrt 2)) + z exp(-z^2 / 2) / sqrt(2 pi)
    int cdf = b.node("mul",
                     {b.node("add", {scalar(1.0), b.node("erf", {b.node("mul", {z, scalar(M_SQRT1_2)}, f32({m, n}))}, f32({m, n}))}, f32({m, n})),
                      scalar(0.5)},
                     f32({m, n}));
    int zz = b.node("mul", {b.node("mul", {z, z}, f32({m, n})), scalar(-0.5)}, f32({m, n}));
    int pdf = b.node("mul", {b.node("exp", {zz}, f32({m, n})), scalar(0.3989422804014327)},
                     f32({m, n}));
    b.output(b.node("add", {cdf, b.node("mul", {z, pdf}, f32({m, n}))}, f32({m, n})));
    HostTensor xs = randomTensor(f32({m, k}), 11), ws = randomTensor(f32({k, n}), 12);
    HostTensor bs = randomTensor(f32({n}), 13);
    Shape shape;
    std::vector<double> zs = matmulRef(xs, ws, shape), gelu, slope;
    for (size_t i = 0; i < zs.size(); ++i) {
      double v = zs[i] + bs.data[i % n];
      double phi = 0.5 * (1 + std::erf(v * M_SQRT1_2));
      gelu.push_back(v * phi);
      slope.push_back(phi + v * std::exp(-0.5 * v * v) / std::sqrt(2 * M_PI));
    }
    for (const std::string &cpu : runnableCpus()) {
      std::vector<HostTensor> r = runOn(cpu, b.kernel(), {xs, ws, bs});
      ASSERT_EQ(r.size(), 2u) << cpu;
      EXPECT_TRUE(allClose(r[0], gelu, 1e-5, tolerance(k))) << cpu << " " << m << "x" << n;
      EXPECT_TRUE(allClose(r[1], slope, 1e-5, tolerance(k))) << cpu << " " << m << "x" << n;
    }
  }
}

TEST(Matmul, PackedPanelsOfAReshapedInputAndAConcatenatedLeftOperand) {
  // The shapes of an LSTM's weight gradient, scaled down: h^T dg with dg [T, B, 4H] read as
  // [T B, 4H] through a reshape (T B = 1032, past the K from which B is packed: packed panel by
  // panel straight from the input, 4 panels of 12 row blocks with AVX-512, and h^T transposed
  // once), and the reverse step's concat(di, df, dg, do) W (a concatenation
  // of four parts of 32 columns, copied part by part). Both against the double reference.
  const int64_t t = 43, batch = 24, h = 72, gates = 4 * 64;
  KernelBuilder b("packed");
  int hs = b.input(f32({t * batch, h})), dg = b.input(f32({t, batch, gates}));
  int ht = b.node("transpose", {hs}, f32({h, t * batch}),
                  [](KernelNode &n) { n.ints["perm"] = {1, 0}; });
  int flat = b.node("reshape", {dg}, f32({t * batch, gates}));
  b.output(b.node("matmul", {ht, flat}, f32({h, gates})));
  HostTensor hv = randomTensor(f32({t * batch, h}), 50), dgv = randomTensor(f32({t, batch, gates}), 51);
  std::vector<HostTensor> r = run(b.kernel(), {hv, dgv});
  ASSERT_EQ(r.size(), 1u);
  HostTensor dgFlat{f32({t * batch, gates}), dgv.data};
  Shape shape;
  EXPECT_TRUE(allClose(r[0], matmulRef(transposed(hv), dgFlat, shape), 1e-5, tolerance(t * batch)));

  const int64_t rows = 20, part = 32, n = 40;
  KernelBuilder c("concat");
  std::vector<int> parts;
  std::vector<HostTensor> values;
  for (int i = 0; i < 4; ++i) {
    parts.push_back(c.input(f32({rows, part})));
    values.push_back(randomTensor(f32({rows, part}), 60 + i));
  }
  int w = c.input(f32({4 * part, n}));
  values.push_back(randomTensor(f32({4 * part, n}), 64));
  int joined = c.node("concat", parts, f32({rows, 4 * part}),
                      [](KernelNode &node) { node.ints["axis"] = {1}; });
  c.output(c.node("matmul", {joined, w}, f32({rows, n})));
  HostTensor left{f32({rows, 4 * part}), std::vector<double>(rows * 4 * part)};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < 4 * part; ++j)
      left.data[i * 4 * part + j] = values[j / part].data[i * part + j % part];
  for (const std::string &cpu : runnableCpus()) {
    r = runOn(cpu, c.kernel(), values);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(allClose(r[0], matmulRef(left, values[4], shape), 1e-5, tolerance(4 * part)))
        << cpu;
  }
}

} // namespace
} // namespace dl::codegen::test
