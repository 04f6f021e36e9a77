//===- AttentionKernelTest.cpp - Fused attention and its gradients --------===//
//
// Tests that attention and attention_grad compute what compiler/interpreter/Attention.cpp computes,
// written here as reference loops in double precision, on every CPU level the host runs: at the
// Transformer's size per head (T = 64, d = 64), at sizes that leave partial register blocks and
// partial causal blocks (T = 13, 33, 40; d = 5), without leading dimensions, with queries against
// a different number of keys, and with values of another width (the gradients then have three
// shapes and are computed whole). The three gradients run in one kernel, as dl-fuse groups them.
// Past 1024 x 1024 scores per head, the streamed form runs (T = 1027 to 1100, causal and not).
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <cmath>
#include <limits>

namespace dl::codegen::test {
namespace {

struct AttentionCase {
  std::string name;
  Shape lead;
  int64_t tq, tk, d, dv;
  bool causal;
};

void PrintTo(const AttentionCase &c, std::ostream *os) { *os << c.name; }

Shape shapeOf(const AttentionCase &c, int64_t rows, int64_t columns) {
  Shape s = c.lead;
  s.push_back(rows);
  s.push_back(columns);
  return s;
}

int64_t headsOf(const AttentionCase &c) {
  int64_t n = 1;
  for (int64_t d : c.lead)
    n *= d;
  return n;
}

double scaleOf(const AttentionCase &c) { return 1.0 / std::sqrt(double(c.d)); }

/// The weights of head `h`, [tq, tk].
std::vector<double> weights(const AttentionCase &c, const HostTensor &q, const HostTensor &k,
                            int64_t h) {
  std::vector<double> p(c.tq * c.tk);
  for (int64_t i = 0; i < c.tq; ++i) {
    double maximum = -std::numeric_limits<double>::infinity(), total = 0;
    for (int64_t j = 0; j < c.tk; ++j) {
      double dot = 0;
      for (int64_t r = 0; r < c.d; ++r)
        dot += q.data[(h * c.tq + i) * c.d + r] * k.data[(h * c.tk + j) * c.d + r];
      p[i * c.tk + j] =
          c.causal && j > i ? -std::numeric_limits<double>::infinity() : dot * scaleOf(c);
      maximum = std::max(maximum, p[i * c.tk + j]);
    }
    for (int64_t j = 0; j < c.tk; ++j)
      total += p[i * c.tk + j] = std::exp(p[i * c.tk + j] - maximum);
    for (int64_t j = 0; j < c.tk; ++j)
      p[i * c.tk + j] /= total;
  }
  return p;
}

std::vector<double> forwardRef(const AttentionCase &c, const HostTensor &q, const HostTensor &k,
                               const HostTensor &v) {
  std::vector<double> out(headsOf(c) * c.tq * c.dv, 0.0);
  for (int64_t h = 0; h < headsOf(c); ++h) {
    std::vector<double> p = weights(c, q, k, h);
    for (int64_t i = 0; i < c.tq; ++i)
      for (int64_t j = 0; j < c.tk; ++j)
        for (int64_t e = 0; e < c.dv; ++e)
          out[(h * c.tq + i) * c.dv + e] += p[i * c.tk + j] * v.data[(h * c.tk + j) * c.dv + e];
  }
  return out;
}

/// dq, dk and dv.
std::vector<std::vector<double>> gradientRef(const AttentionCase &c, const HostTensor &q,
                                             const HostTensor &k, const HostTensor &v,
                                             const HostTensor &g) {
  int64_t heads = headsOf(c);
  std::vector<double> dq(heads * c.tq * c.d, 0.0), dk(heads * c.tk * c.d, 0.0),
      dv(heads * c.tk * c.dv, 0.0);
  for (int64_t h = 0; h < heads; ++h) {
    std::vector<double> p = weights(c, q, k, h);
    for (int64_t i = 0; i < c.tq; ++i) {
      std::vector<double> dp(c.tk, 0.0);
      double rowDot = 0;
      for (int64_t j = 0; j < c.tk; ++j) {
        for (int64_t e = 0; e < c.dv; ++e) {
          double ge = g.data[(h * c.tq + i) * c.dv + e];
          dp[j] += ge * v.data[(h * c.tk + j) * c.dv + e];
          dv[(h * c.tk + j) * c.dv + e] += p[i * c.tk + j] * ge;
        }
        rowDot += p[i * c.tk + j] * dp[j];
      }
      for (int64_t j = 0; j < c.tk; ++j) {
        double ds = p[i * c.tk + j] * (dp[j] - rowDot) * scaleOf(c);
        for (int64_t r = 0; r < c.d; ++r) {
          dq[(h * c.tq + i) * c.d + r] += ds * k.data[(h * c.tk + j) * c.d + r];
          dk[(h * c.tk + j) * c.d + r] += ds * q.data[(h * c.tq + i) * c.d + r];
        }
      }
    }
  }
  return {dq, dk, dv};
}

void configure(KernelNode &n, const AttentionCase &c, int64_t wrt = -1) {
  n.ints["causal"] = {c.causal ? 1 : 0};
  n.floats["scale"] = scaleOf(c);
  if (wrt >= 0)
    n.ints["wrt"] = {wrt};
}

class AttentionKernelTest : public ::testing::TestWithParam<AttentionCase> {
protected:
  void SetUp() override {
    const AttentionCase &c = GetParam();
    q = randomTensor(f32(shapeOf(c, c.tq, c.d)), 1, -2.0, 2.0);
    k = randomTensor(f32(shapeOf(c, c.tk, c.d)), 2, -2.0, 2.0);
    v = randomTensor(f32(shapeOf(c, c.tk, c.dv)), 3);
    g = randomTensor(f32(shapeOf(c, c.tq, c.dv)), 4);
  }
  HostTensor q, k, v, g;
};

TEST_P(AttentionKernelTest, ForwardMatchesReference) {
  const AttentionCase &c = GetParam();
  KernelBuilder b("attention");
  int iq = b.input(q.type), ik = b.input(k.type), iv = b.input(v.type);
  b.output(b.node("attention", {iq, ik, iv}, f32(shapeOf(c, c.tq, c.dv)),
                  [&](KernelNode &n) { configure(n, c); }));
  std::vector<double> expected = forwardRef(c, q, k, v);
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> out = runOn(cpu, b.kernel(), {q, k, v});
    ASSERT_EQ(out.size(), 1u) << cpu;
    EXPECT_TRUE(allClose(out[0], expected, 1e-4, 1e-5)) << cpu;
  }
}

TEST_P(AttentionKernelTest, GradientsMatchReference) {
  const AttentionCase &c = GetParam();
  KernelBuilder b("attention_grad");
  int iq = b.input(q.type), ik = b.input(k.type), iv = b.input(v.type), ig = b.input(g.type);
  const TensorType types[3] = {q.type, k.type, v.type};
  for (int64_t wrt = 0; wrt < 3; ++wrt)
    b.output(b.node("attention_grad", {iq, ik, iv, ig}, types[wrt],
                    [&](KernelNode &n) { configure(n, c, wrt); }));
  std::vector<std::vector<double>> expected = gradientRef(c, q, k, v, g);
  for (const std::string &cpu : runnableCpus()) {
    std::vector<HostTensor> out = runOn(cpu, b.kernel(), {q, k, v, g});
    ASSERT_EQ(out.size(), 3u) << cpu;
    for (int wrt = 0; wrt < 3; ++wrt)
      EXPECT_TRUE(allClose(out[wrt], expected[wrt], 1e-4, 1e-5)) << cpu << " wrt " << wrt;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionKernelTest,
    ::testing::Values(AttentionCase{"head_size_causal", {1, 2}, 64, 64, 64, 64, true},
                      AttentionCase{"partial_blocks_causal", {2, 3}, 13, 13, 5, 5, true},
                      AttentionCase{"three_column_blocks_causal", {2}, 40, 40, 16, 16, true},
                      AttentionCase{"values_wider_causal", {2}, 33, 33, 8, 3, true},
                      AttentionCase{"plain_rank2", {}, 7, 9, 4, 6, false},
                      AttentionCase{"plain_heads", {3}, 20, 20, 16, 16, false},
                      // Past kWholeTileScores: streamed by blocks of rows
                      // (ops/AttentionStreamed.cpp), causal and not, with partial blocks, d not a
                      // multiple of the vector width, queries against another number of keys.
                      AttentionCase{"streamed_causal", {2}, 1030, 1030, 20, 20, true},
                      AttentionCase{"streamed_plain", {}, 1027, 1027, 16, 16, false},
                      AttentionCase{"streamed_tq_tk", {}, 1029, 1100, 13, 7, false},
                      AttentionCase{"streamed_values_wider_causal", {}, 1040, 1040, 5, 9, true}),
    [](const ::testing::TestParamInfo<AttentionCase> &info) { return info.param.name; });

} // namespace
} // namespace dl::codegen::test
