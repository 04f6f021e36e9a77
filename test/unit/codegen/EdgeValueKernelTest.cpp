//===- EdgeValueKernelTest.cpp - Kernels on NaN, infinities, zeros, extremes -----===//
//
// Tests that every element-wise op, activation, comparison, reduction, softmax and loss computes
// what PyTorch's float32 computes on edge values (topk among them): NaN in gives NaN out, overflow gives an
// infinity, underflow a zero or a subnormal, x != x holds for NaN, and a signed zero keeps its
// sign. The expected values are PyTorch's own (EdgeValueTable.inc, written by edge_values.py).
// The data augmentations have no PyTorch counterpart to compare with: random_flip, random_crop
// and random_crop_grad must move every edge value unchanged (bits, signed zeros included; zeros
// where the padding is), and gaussian_noise must keep NaN and the infinities.
//
// Halide compiles float code as if NaN and infinities never occur, and lets LLVM assume so of any
// value a fast-math instruction produced. So each op is tested twice: on values read from memory,
// and on the same values computed in the kernel (x * one, one a run-time 1), where an op that
// trusted its operand to be finite would be caught.
//
// A result matches PyTorch's float32 or its float64 rounded to float32 when both are NaN, or both
// are the same infinity, or both are zeros of the same sign, or they are within a few ulps (exp,
// log and friends are polynomial approximations).
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/EdgeValueCases.h"
#include "test/unit/codegen/KernelTestUtil.h"

#include "runtime/rng/Philox.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace dl::codegen::test {
namespace {

using namespace dl::test::edge;

#include "test/unit/codegen/EdgeValueTable.inc"

/// Where PyTorch loses a result to cancellation and dlc keeps it, the absolute error allowed:
/// PyTorch's gelu computes 1 + erf(x / sqrt 2), 0 below x = -8.3 where gelu(-10) = -7.6e-23; its
/// elu computes exp(x) - 1, 0 for subnormal x.
double atolFor(const std::string &op) {
  if (op == "gelu")
    return 1e-20;
  if (op == "elu")
    return 1.2e-38;
  return 0;
}

/// Compares `actual` with PyTorch's element by element; names the inputs of those that differ.
::testing::AssertionResult matchesTorch(const HostTensor &actual, const EdgeCase &expected,
                                        double ulps,
                                        const std::function<std::string(size_t)> &describe) {
  if (actual.data.size() != expected.single.size())
    return ::testing::AssertionFailure()
           << actual.data.size() << " elements, expected " << expected.single.size();
  std::ostringstream bad;
  int failures = 0;
  for (size_t i = 0; i < expected.single.size(); ++i) {
    if (matchesEither(actual.data[i], expected.single[i], expected.rounded[i], ulps,
                      atolFor(expected.op)))
      continue;
    if (++failures <= 8)
      bad << "\n  " << describe(i) << " = " << actual.data[i] << ", PyTorch "
          << fromBits(expected.single[i]) << " (float64: " << fromBits(expected.rounded[i])
          << ")";
  }
  if (failures)
    return ::testing::AssertionFailure()
           << failures << " of " << expected.single.size() << " differ:" << bad.str();
  return ::testing::AssertionSuccess();
}

/// Accuracy allowed per op, in ulps: the transcendental functions are approximations (hardswish,
/// computed strictly in PyTorch's order, is not one).
double ulpsFor(const std::string &op) {
  if (op == "exp" || op == "log" || op == "sigmoid" || op == "tanh" || op == "gelu" ||
      op == "softplus" || op == "elu" || op == "cos" || op == "sin" || op == "erf" ||
      op == "pow" || op == "silu" || op == "mish" || op == "logsumexp" || op == "softmax" ||
      op == "log_softmax")
    return 8;
  return 1;
}

void setUnaryAttrs(KernelNode &n) {
  if (n.op == "leaky_relu")
    n.floats["alpha"] = 0.01;
  if (n.op == "elu")
    n.floats["alpha"] = 1.0;
  if (n.op == "clamp") {
    n.floats["min"] = -1.0;
    n.floats["max"] = 2.0;
  }
}

std::string describeUnary(const std::string &op, size_t i) {
  std::ostringstream s;
  s << op << "(" << fromBits(kUnaryInputs[i]) << ")";
  return s.str();
}

/// The unary ops on edge values, read from memory (`computed` false) or computed as x * one.
void checkUnaryOps(bool computed) {
  int64_t n = static_cast<int64_t>(kUnaryInputs.size());
  KernelBuilder b(computed ? "unary_computed" : "unary");
  int x = b.input(f32({n}));
  int operand = x;
  if (computed) {
    int one = b.input(f32({}));
    operand = b.node("mul", {x, one}, f32({n}));
  }
  for (const EdgeCase &c : kUnaryCases)
    b.output(b.node(c.op, {operand}, f32({n}), setUnaryAttrs));
  std::vector<HostTensor> inputs = {tensorOf(f32({n}), valuesOf(kUnaryInputs))};
  if (computed)
    inputs.push_back(tensorOf(f32({}), {1.0}));
  std::vector<HostTensor> r = run(b.kernel(), inputs);
  ASSERT_EQ(r.size(), kUnaryCases.size());
  for (size_t k = 0; k < kUnaryCases.size(); ++k) {
    std::string op = kUnaryCases[k].op;
    EXPECT_TRUE(matchesTorch(r[k], kUnaryCases[k], ulpsFor(op),
                             [&](size_t i) { return describeUnary(op, i); }))
        << op << (computed ? " of a computed operand" : "");
  }
}

TEST(EdgeValues, UnaryOpsMatchPyTorch) { checkUnaryOps(/*computed=*/false); }
TEST(EdgeValues, UnaryOpsOfComputedValuesMatchPyTorch) { checkUnaryOps(/*computed=*/true); }

/// The binary ops and comparisons on every pair of edge values.
void checkBinaryOps(bool computed) {
  int64_t n = static_cast<int64_t>(kBinaryLhs.size());
  KernelBuilder b(computed ? "binary_computed" : "binary");
  int x = b.input(f32({n})), y = b.input(f32({n}));
  if (computed) {
    int one = b.input(f32({}));
    x = b.node("mul", {x, one}, f32({n}));
    y = b.node("mul", {y, one}, f32({n}));
  }
  for (const EdgeCase &c : kBinaryCases)
    b.output(b.node(c.op, {x, y}, f32({n})));
  for (const EdgeCase &c : kCompareCases) {
    int cmp = b.node("cmp", {x, y}, i1({n}), [&](KernelNode &node) {
      node.strings["predicate"] = c.op;
    });
    b.output(b.node("cast", {cmp}, f32({n})));
  }
  std::vector<HostTensor> inputs = {tensorOf(f32({n}), valuesOf(kBinaryLhs)),
                                    tensorOf(f32({n}), valuesOf(kBinaryRhs))};
  if (computed)
    inputs.push_back(tensorOf(f32({}), {1.0}));
  std::vector<HostTensor> r = run(b.kernel(), inputs);
  ASSERT_EQ(r.size(), kBinaryCases.size() + kCompareCases.size());
  auto check = [&](const EdgeCase &c, const HostTensor &result) {
    std::string op = c.op;
    EXPECT_TRUE(matchesTorch(result, c, ulpsFor(op),
                             [&](size_t i) {
                               std::ostringstream s;
                               s << op << "(" << fromBits(kBinaryLhs[i]) << ", "
                                 << fromBits(kBinaryRhs[i]) << ")";
                               return s.str();
                             }))
        << op << (computed ? " of computed operands" : "");
  };
  for (size_t k = 0; k < kBinaryCases.size(); ++k)
    check(kBinaryCases[k], r[k]);
  for (size_t k = 0; k < kCompareCases.size(); ++k)
    check(kCompareCases[k], r[kBinaryCases.size() + k]);
}

TEST(EdgeValues, BinaryOpsAndComparisonsMatchPyTorch) { checkBinaryOps(/*computed=*/false); }
TEST(EdgeValues, BinaryOpsOfComputedValuesMatchPyTorch) { checkBinaryOps(/*computed=*/true); }

/// Whether `actual` is `expected` as an f32, bit for bit (any NaN for a NaN).
bool sameBits(double actual, double expected) {
  if (std::isnan(expected) || std::isnan(actual))
    return std::isnan(expected) && std::isnan(actual);
  float a = static_cast<float>(actual), e = static_cast<float>(expected);
  return std::memcmp(&a, &e, sizeof a) == 0;
}

/// The augmentations on a batch of 8 samples [1, 2, 47], each holding every edge value in row 0
/// and the same reversed in row 1, read from memory or computed as x * one.
void checkAugmentations(bool computed) {
  const uint64_t seed = 5;
  const uint32_t step = 3;
  const int64_t n = 8, w = static_cast<int64_t>(kUnaryInputs.size());
  Shape shape{n, 1, 2, w};
  std::vector<double> values;
  for (int64_t s = 0; s < n; ++s)
    for (int64_t row = 0; row < 2; ++row)
      for (int64_t j = 0; j < w; ++j)
        values.push_back(fromBits(kUnaryInputs[row == 0 ? j : w - 1 - j]));
  KernelBuilder b(computed ? "augment_computed" : "augment");
  int x = b.input(f32(shape)), operand = x;
  if (computed) {
    int one = b.input(f32({}));
    operand = b.node("mul", {x, one}, f32(shape));
  }
  for (int axis : {3, 2})
    b.output(b.node("random_flip", {operand}, f32(shape), [&](KernelNode &node) {
      node.ints["axis"] = {axis};
      node.ints["stream"] = {axis - 2};
    }));
  for (const char *op : {"random_crop", "random_crop_grad"})
    b.output(b.node(op, {operand}, f32(shape), [&](KernelNode &node) {
      node.ints[std::string(op) == "random_crop" ? "size" : "input_size"] = {2, w};
      node.ints["padding"] = {1, 3};
      node.ints["stream"] = {2};
    }));
  b.output(b.node("gaussian_noise", {operand}, f32(shape), [](KernelNode &node) {
    node.floats["std"] = 0.5;
    node.ints["stream"] = {3};
  }));
  std::vector<HostTensor> inputs = {tensorOf(f32(shape), values)};
  if (computed)
    inputs.push_back(tensorOf(f32({}), {1.0}));
  std::vector<HostTensor> r = run(b.kernel(), inputs, seed, step);
  ASSERT_EQ(r.size(), 5u);

  std::vector<int> flips(2, 0);
  int failures[5] = {0, 0, 0, 0, 0};
  for (int64_t flat = 0; flat < n * 2 * w; ++flat) {
    int64_t s = flat / (2 * w), row = flat / w % 2, j = flat % w;
    auto at = [&](int64_t r2, int64_t j2) { return values[(s * 2 + r2) * w + j2]; };
    for (int k = 0; k < 2; ++k) {
      bool flip = rng::unitBelow(rng::drawWords(seed, s, 1 - k, step).w[0], 0.5);
      flips[k] += flip && row == 0 && j == 0;
      double expected = k == 0 ? at(row, flip ? w - 1 - j : j) : at(flip ? 1 - row : row, j);
      failures[k] += !sameBits(r[k].data[flat], expected);
    }
    // The crop is a translation by (top - 1, left - 3); its adjoint by the opposite.
    rng::Words4 words = rng::drawWords(seed, s, 2, step);
    int64_t dr = static_cast<int64_t>(rng::below(words.w[0], 3)) - 1;
    int64_t dc = static_cast<int64_t>(rng::below(words.w[1], 7)) - 3;
    for (int k = 2; k < 4; ++k) {
      int64_t r2 = k == 2 ? row + dr : row - dr, j2 = k == 2 ? j + dc : j - dc;
      double expected = r2 >= 0 && r2 < 2 && j2 >= 0 && j2 < w ? at(r2, j2) : 0.0;
      failures[k] += !sameBits(r[k].data[flat], expected);
    }
    double v = values[flat], noisy = r[4].data[flat];
    failures[4] += std::isnan(v) ? !std::isnan(noisy)
                   : std::isinf(v) ? noisy != v
                                   : !std::isfinite(noisy) && std::fabs(v) < 1e38;
  }
  const char *names[5] = {"random_flip along the width", "random_flip along the height",
                          "random_crop", "random_crop_grad", "gaussian_noise"};
  for (int k = 0; k < 5; ++k)
    EXPECT_EQ(failures[k], 0) << names[k] << (computed ? " of computed values" : "");
  for (int k = 0; k < 2; ++k) {
    EXPECT_GT(flips[k], 0) << "no sample flipped: choose another seed";
    EXPECT_LT(flips[k], n) << "every sample flipped: choose another seed";
  }
}

TEST(EdgeValues, AugmentationsMoveEdgeValuesUnchanged) { checkAugmentations(/*computed=*/false); }
TEST(EdgeValues, AugmentationsOfComputedValuesMoveThemUnchanged) {
  checkAugmentations(/*computed=*/true);
}

TEST(EdgeValues, NaNIsNotEqualToItself) {
  // x != x and x == x on one operand: the comparison a simplifier that assumes no NaN folds away.
  int64_t n = static_cast<int64_t>(kUnaryInputs.size());
  KernelBuilder b("self_compare");
  int x = b.input(f32({n}));
  for (const char *predicate : {"ne", "eq"}) {
    int cmp = b.node("cmp", {x, x}, i1({n}), [&](KernelNode &node) {
      node.strings["predicate"] = predicate;
    });
    b.output(b.node("cast", {cmp}, f32({n})));
  }
  std::vector<HostTensor> r = run(b.kernel(), {tensorOf(f32({n}), valuesOf(kUnaryInputs))});
  ASSERT_EQ(r.size(), 2u);
  for (int64_t i = 0; i < n; ++i) {
    bool isNaN = std::isnan(fromBits(kUnaryInputs[i]));
    EXPECT_EQ(r[0].data[i], isNaN ? 1.0 : 0.0) << "x != x for x = " << fromBits(kUnaryInputs[i]);
    EXPECT_EQ(r[1].data[i], isNaN ? 0.0 : 1.0) << "x == x for x = " << fromBits(kUnaryInputs[i]);
  }
}

TEST(EdgeValues, ReductionsAndSoftmaxMatchPyTorch) {
  KernelBuilder b("rows");
  int x = b.input(f32({kRowCount, kRowLength}));
  for (const EdgeCase &c : kRowCases) {
    std::string op = c.op;
    bool rowwise = op == "softmax" || op == "log_softmax" || op == "cumsum";
    b.output(b.node(op, {x}, rowwise ? f32({kRowCount, kRowLength}) : f32({kRowCount}),
                    [&](KernelNode &n) {
                      if (rowwise || op == "logsumexp")
                        n.ints["axis"] = {-1};
                      if (!rowwise)
                        n.ints["axes"] = {-1};
                    }));
  }
  b.output(b.node("argmax", {x}, i32({kRowCount}), [](KernelNode &n) { n.ints["axis"] = {-1}; }));
  b.output(b.node("argmin", {x}, i32({kRowCount}), [](KernelNode &n) { n.ints["axis"] = {-1}; }));
  std::vector<HostTensor> r = run(b.kernel(), {tensorOf(f32({kRowCount, kRowLength}),
                                                        valuesOf(kRows))});
  ASSERT_EQ(r.size(), kRowCases.size() + 2);
  auto describeRow = [](const std::string &op, size_t row) {
    std::ostringstream s;
    s << op << "([";
    for (int64_t j = 0; j < kRowLength; ++j)
      s << (j ? ", " : "") << fromBits(kRows[row * kRowLength + j]);
    s << "])";
    return s.str();
  };
  for (size_t k = 0; k < kRowCases.size(); ++k) {
    std::string op = kRowCases[k].op;
    bool rowwise = op == "softmax" || op == "log_softmax" || op == "cumsum";
    EXPECT_TRUE(matchesTorch(r[k], kRowCases[k], ulpsFor(op), [&](size_t i) {
      return describeRow(op, rowwise ? i / kRowLength : i) +
             (rowwise ? "[" + std::to_string(i % kRowLength) + "]" : "");
    })) << op;
  }
  for (int64_t i = 0; i < kRowCount; ++i) {
    EXPECT_EQ(r[kRowCases.size()].data[i], kArgmax[i]) << describeRow("argmax", i);
    EXPECT_EQ(r.back().data[i], kArgmin[i]) << describeRow("argmin", i);
  }
}

/// topk(rows, kTopkK) both ways, on the rows read from memory or computed as rows * one: the values
/// are torch.topk's (NaN largest, signed zeros kept); the indices dlc's order, equal elements by
/// index (edge_values.py checks that it is torch's wherever the top k hold no tie).
void checkTopk(bool computed) {
  KernelBuilder b(computed ? "topk_computed" : "topk");
  int x = b.input(f32({kRowCount, kRowLength}));
  int operand = x;
  if (computed) {
    int one = b.input(f32({}));
    operand = b.node("mul", {x, one}, f32({kRowCount, kRowLength}));
  }
  for (bool largest : {true, false}) {
    auto attrs = [&](int result) {
      return [=](KernelNode &n) {
        n.ints = {{"k", {kTopkK}}, {"axis", {-1}}, {"largest", {largest}}, {"result", {result}}};
      };
    };
    int indices = b.node("topk", {operand}, i32({kRowCount, kTopkK}), attrs(1));
    b.output(b.node("topk", {operand, indices}, f32({kRowCount, kTopkK}), attrs(0)));
    b.output(indices);
  }
  std::vector<HostTensor> inputs = {tensorOf(f32({kRowCount, kRowLength}), valuesOf(kRows))};
  if (computed)
    inputs.push_back(tensorOf(f32({}), {1.0}));
  std::vector<HostTensor> r = run(b.kernel(), inputs);
  ASSERT_EQ(r.size(), 4u);
  for (int side = 0; side < 2; ++side) {
    const std::vector<uint32_t> &values = side == 0 ? kTopkLargestValues : kTopkSmallestValues;
    const std::vector<int32_t> &indices = side == 0 ? kTopkLargestIndices : kTopkSmallestIndices;
    for (size_t i = 0; i < values.size(); ++i) {
      std::ostringstream what;
      what << (side == 0 ? "topk" : "topk(largest = false)") << " of row " << i / kTopkK << " slot "
           << i % kTopkK << (computed ? " (computed)" : "");
      EXPECT_TRUE(sameFloat(r[2 * side].data[i], fromBits(values[i]), 0))
          << what.str() << ": " << r[2 * side].data[i] << " against " << fromBits(values[i]);
      EXPECT_EQ(r[2 * side + 1].data[i], indices[i]) << what.str();
    }
  }
}

TEST(EdgeValues, TopkMatchesPyTorch) { checkTopk(/*computed=*/false); }
TEST(EdgeValues, TopkOfComputedValuesMatchesPyTorch) { checkTopk(/*computed=*/true); }

void setLossAttrs(KernelNode &n) {
  if (n.op == "huber")
    n.floats["delta"] = 1.0;
}

TEST(EdgeValues, LossesMatchPyTorch) {
  // One kernel per loss, one scalar loss per case: a NaN in one case does not hide another.
  std::map<std::string, std::vector<const LossCase *>> byOp;
  for (const LossCase &c : kLossCases)
    byOp[c.op].push_back(&c);
  for (const auto &[op, cases] : byOp) {
    KernelBuilder b("loss_" + op);
    std::vector<HostTensor> inputs;
    std::vector<int> values; // the builder takes every input before any node
    for (const LossCase *c : cases) {
      values.push_back(b.input(f32({1})));
      values.push_back(b.input(f32({1})));
      inputs.push_back(tensorOf(f32({1}), {fromBits(c->prediction)}));
      inputs.push_back(tensorOf(f32({1}), {fromBits(c->target)}));
    }
    for (size_t k = 0; k < cases.size(); ++k)
      b.output(b.node(op, {values[2 * k], values[2 * k + 1]}, f32({}), setLossAttrs));
    std::vector<HostTensor> r = run(b.kernel(), inputs);
    ASSERT_EQ(r.size(), cases.size()) << op;
    for (size_t k = 0; k < cases.size(); ++k)
      EXPECT_TRUE(matchesEither(r[k].data[0], cases[k]->single, cases[k]->rounded, 8))
          << op << "(" << fromBits(cases[k]->prediction) << ", " << fromBits(cases[k]->target)
          << ") = " << r[k].data[0] << ", PyTorch " << fromBits(cases[k]->single)
          << " (float64: " << fromBits(cases[k]->rounded) << ")";
  }
}

TEST(EdgeValues, CrossEntropyMatchesPyTorch) {
  KernelBuilder b("cross_entropy_edges");
  std::vector<HostTensor> inputs;
  std::vector<int> values;
  for (const CrossEntropyCase &c : kCrossEntropyCases) {
    int64_t classes = static_cast<int64_t>(c.logits.size());
    values.push_back(b.input(f32({1, classes})));
    values.push_back(b.input(i32({1})));
    inputs.push_back(tensorOf(f32({1, classes}), valuesOf(c.logits)));
    inputs.push_back(tensorOf(i32({1}), {static_cast<double>(c.label)}));
  }
  for (size_t k = 0; k < kCrossEntropyCases.size(); ++k)
    b.output(b.node("cross_entropy", {values[2 * k], values[2 * k + 1]}, f32({})));
  std::vector<HostTensor> r = run(b.kernel(), inputs);
  ASSERT_EQ(r.size(), kCrossEntropyCases.size());
  for (size_t k = 0; k < r.size(); ++k) {
    const CrossEntropyCase &c = kCrossEntropyCases[k];
    std::ostringstream logits;
    for (uint32_t v : c.logits)
      logits << fromBits(v) << " ";
    EXPECT_TRUE(matchesEither(r[k].data[0], c.single, c.rounded, 8))
        << "cross_entropy([" << logits.str() << "], " << c.label << ") = " << r[k].data[0]
        << ", PyTorch " << fromBits(c.single) << " (float64: " << fromBits(c.rounded) << ")";
  }
}

TEST(EdgeValues, ClassLossOptionsMatchPyTorch) {
  // Each case its own kernel: ignored rows whose scores are NaN, all rows ignored, weights, label
  // smoothing against infinite logits, soft targets.
  for (const ClassLossCase &c : kClassLossCases) {
    int64_t rows = static_cast<int64_t>(c.scores.size()) / c.classes;
    std::string reduction = c.reduction;
    KernelBuilder b(std::string(c.op) + "_options");
    std::vector<int> operands = {b.input(f32({rows, c.classes}))};
    std::vector<HostTensor> inputs = {tensorOf(f32({rows, c.classes}), valuesOf(c.scores))};
    if (c.labels.empty()) {
      operands.push_back(b.input(f32({rows, c.classes})));
      inputs.push_back(tensorOf(f32({rows, c.classes}), valuesOf(c.soft)));
    } else {
      operands.push_back(b.input(i32({rows})));
      inputs.push_back(tensorOf(i32({rows}), std::vector<double>(c.labels.begin(), c.labels.end())));
    }
    if (!c.weight.empty()) {
      operands.push_back(b.input(f32({c.classes})));
      inputs.push_back(tensorOf(f32({c.classes}), valuesOf(c.weight)));
    }
    Shape result = reduction == "none" ? Shape{rows} : Shape{};
    b.output(b.node(c.op, operands, f32(result), [&](KernelNode &n) {
      n.strings["reduction"] = reduction;
      n.ints["ignore_index"] = {c.ignoreIndex};
      n.floats["label_smoothing"] = c.smoothing;
    }));
    std::vector<HostTensor> r = run(b.kernel(), inputs);
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].data.size(), c.single.size());
    for (size_t k = 0; k < c.single.size(); ++k)
      EXPECT_TRUE(matchesEither(r[0].data[k], c.single[k], c.rounded[k], 8))
          << c.op << " reduction " << reduction << " ignore_index " << c.ignoreIndex
          << " label_smoothing " << c.smoothing << (c.weight.empty() ? "" : " weighted")
          << (c.labels.empty() ? " soft" : "") << ": element " << k << " = " << r[0].data[k]
          << ", PyTorch " << fromBits(c.single[k]) << " (float64: " << fromBits(c.rounded[k]) << ")";
  }
}

TEST(EdgeValues, AttentionPropagatesNaN) {
  // As softmax(q k^T) v in PyTorch: a NaN in a query makes its output row NaN; a NaN in a key
  // makes every row that sees it NaN (all rows without the causal mask; with it, the rows at and
  // below the key's position).
  const int64_t t = 12, d = 8;
  for (bool causal : {false, true}) {
    for (int which : {0, 1}) {
      KernelBuilder b("attention_nan");
      int q = b.input(f32({t, d})), k = b.input(f32({t, d})), v = b.input(f32({t, d}));
      b.output(b.node("attention", {q, k, v}, f32({t, d}), [&](KernelNode &n) {
        n.ints["causal"] = {causal ? 1 : 0};
        n.floats["scale"] = 0.35;
      }));
      std::vector<HostTensor> in = {randomTensor(f32({t, d}), 1), randomTensor(f32({t, d}), 2),
                                    randomTensor(f32({t, d}), 3)};
      const int64_t row = 5;
      in[which].data[row * d + 2] = std::numeric_limits<double>::quiet_NaN();
      std::vector<HostTensor> r = run(b.kernel(), in);
      ASSERT_EQ(r.size(), 1u);
      for (int64_t i = 0; i < t; ++i) {
        bool sees = which == 0 ? i == row : (!causal || i >= row);
        for (int64_t j = 0; j < d; ++j)
          EXPECT_EQ(std::isnan(r[0].data[i * d + j]), sees)
              << (which == 0 ? "query" : "key") << " " << row << " NaN, causal " << causal
              << ": output [" << i << ", " << j << "] = " << r[0].data[i * d + j];
      }
    }
  }
}

TEST(EdgeValues, StreamedAttentionPropagatesNaN) {
  // The same past 1024 x 1024 scores (ops/AttentionStreamed.cpp), as softmax(q k^T) v in PyTorch:
  // a NaN or an infinity in a query makes its row NaN (inf * k gives +inf scores, and inf - inf);
  // a NaN in a key every row that sees it; a NaN in a value (without the mask) its column of
  // every row.
  const int64_t t = 1030, d = 8, row = 600;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    int which;
    double value;
    bool causal;
  };
  for (Case c : {Case{0, nan, false}, Case{0, nan, true}, Case{0, inf, false}, Case{0, inf, true},
                 Case{1, nan, false}, Case{1, nan, true}, Case{2, nan, false}}) {
    KernelBuilder b("attention_streamed_nan");
    int q = b.input(f32({t, d})), k = b.input(f32({t, d})), v = b.input(f32({t, d}));
    b.output(b.node("attention", {q, k, v}, f32({t, d}), [&](KernelNode &n) {
      n.ints["causal"] = {c.causal ? 1 : 0};
      n.floats["scale"] = 0.35;
    }));
    std::vector<HostTensor> in = {randomTensor(f32({t, d}), 1), randomTensor(f32({t, d}), 2),
                                  randomTensor(f32({t, d}), 3)};
    in[c.which].data[row * d + 2] = c.value;
    std::vector<HostTensor> r = run(b.kernel(), in);
    ASSERT_EQ(r.size(), 1u);
    for (int64_t i = 0; i < t; ++i)
      for (int64_t j = 0; j < d; ++j) {
        bool sees = c.which == 0   ? i == row
                    : c.which == 1 ? (!c.causal || i >= row)
                                   : j == 2;
        EXPECT_EQ(std::isnan(r[0].data[i * d + j]), sees)
            << "operand " << c.which << " [" << row << ", 2] = " << c.value << ", causal "
            << c.causal << ": output [" << i << ", " << j << "] = " << r[0].data[i * d + j];
        if (std::isnan(r[0].data[i * d + j]) != sees)
          return;
      }
  }
}

TEST(EdgeValues, ArithmeticWithInfiniteConstants) {
  // A constant infinity (a learning rate, a mask value) in arithmetic: LLVM may take an infinite
  // literal in a fast-math instruction for poison, so the kernels must not hand it one.
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> x = {1.0, -2.0, 0.0, nan, inf, -inf};
  int64_t n = static_cast<int64_t>(x.size());
  KernelBuilder b("infinite_constants");
  int in = b.input(f32({n}));
  auto constant = [&](double v) {
    return b.node("constant", {}, f32({}), [v](KernelNode &node) {
      node.constant = {v};
      node.splat = true;
    });
  };
  int pos = constant(inf), neg = constant(-inf), notANumber = constant(nan);
  b.output(b.node("mul", {in, pos}, f32({n})));
  b.output(b.node("add", {in, neg}, f32({n})));
  b.output(b.node("sub", {pos, in}, f32({n})));
  b.output(b.node("div", {in, pos}, f32({n})));
  b.output(b.node("add", {in, notANumber}, f32({n})));
  std::vector<HostTensor> r = run(b.kernel(), {tensorOf(f32({n}), x)});
  ASSERT_EQ(r.size(), 5u);
  std::vector<std::function<double(double)>> ref = {
      [&](double v) { return v * inf; }, [&](double v) { return v + -inf; },
      [&](double v) { return inf - v; }, [&](double v) { return v / inf; },
      [&](double v) { return v + nan; }};
  const char *names[] = {"x * inf", "x + -inf", "inf - x", "x / inf", "x + nan"};
  for (size_t k = 0; k < ref.size(); ++k)
    for (int64_t i = 0; i < n; ++i) {
      double e = ref[k](x[i]);
      EXPECT_TRUE(sameFloat(r[k].data[i], e, 0))
          << names[k] << " for x = " << x[i] << ": " << r[k].data[i] << ", expected " << e;
    }
}

} // namespace
} // namespace dl::codegen::test
