//===- AttentionVJPTest.cpp - The gradients of the fused attention op -----===//
//
// dl.attention through dl-autodiff (three dl.attention_grad ops) and the reference interpreter,
// against finite differences (VJPHarness.h), with q, k and v all trained: plain and causal, with
// and without leading dimensions, queries against a different number of keys and values of
// another width, and attention inside a small network.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

/// `%y = dl.attention %p0, %p1, %p2` over the given shapes.
std::string attention(const std::string &q, const std::string &k, const std::string &v,
                      const std::string &out, bool causal, double scale) {
  return "%y = dl.attention %p0, %p1, %p2 {causal = " + std::string(causal ? "true" : "false") +
         ", scale = " + lit(scale) + " : f64} : (" + T(q) + ", " + T(k) + ", " + T(v) + ") -> " +
         T(out);
}

std::vector<Case> attentionCases() {
  std::vector<Case> cs;
  cs.push_back(make("plain_rank2", {"3x4", "5x4", "5x2"},
                    attention("3x4", "5x4", "5x2", "3x2", false, 0.5), "3x2"));
  cs.push_back(make("causal_rank2", {"4x3", "4x3", "4x3"},
                    attention("4x3", "4x3", "4x3", "4x3", true, 0.577), "4x3"));
  cs.push_back(make("causal_heads", {"2x2x5x3", "2x2x5x3", "2x2x5x4"},
                    attention("2x2x5x3", "2x2x5x3", "2x2x5x4", "2x2x5x4", true, 0.6), "2x2x5x4"));
  cs.push_back(make("plain_batched", {"2x3x2", "2x4x2", "2x4x3"},
                    attention("2x3x2", "2x4x2", "2x4x3", "2x3x3", false, 1.0), "2x3x3"));
  // Attention over tanh of its input: the gradients flow on through q = k = v.
  cs.push_back(make("self_tanh", {"4x3"},
                    "%h = dl.tanh %p0 : " + T("4x3") +
                        "\n%y = dl.attention %h, %h, %h {causal = true, scale = 0.5 : f64} : (" +
                        T("4x3") + ", " + T("4x3") + ", " + T("4x3") + ") -> " + T("4x3"),
                    "4x3"));
  return cs;
}

INSTANTIATE_TEST_SUITE_P(Attention, VJPTest, ::testing::ValuesIn(attentionCases()), caseName);

} // namespace
