//===- EmbeddingVJPTest.cpp - The gradient of the embedding lookup --------===//
//
// dl.embedding through dl-autodiff and the reference interpreter:
//  - finite differences (VJPHarness.h) for distinct ids, repeated ids, a scalar id and a lookup
//    inside a small network, the ids constant (they take no gradient);
//  - the scatter-add itself: with repeated ids, row v of the table's gradient is exactly the sum of
//    the incoming gradient rows of every position whose id is v, and zero for rows no id picks;
//  - dl.embedding_grad declares no gradient of its own.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

/// `%ids = dl.constant` of `shape` holding `ids`, then `%y = dl.embedding %ids, %p0`.
std::string lookup(const std::string &shape, const std::vector<int> &ids, const std::string &table,
                   const std::string &out, const std::string &result = "%y") {
  std::string values;
  for (size_t k = 0; k < ids.size(); ++k)
    values += (k ? ", " : "") + std::to_string(ids[k]);
  std::string constant = shape.empty() ? values : "[" + values + "]";
  std::string idsType = T(shape, "i32");
  if (!shape.empty() && parseShape(shape).size() > 1)
    return "%flat = dl.constant dense<" + constant + "> : " +
           T(std::to_string(ids.size()), "i32") + "\n%ids = dl.reshape %flat : (" +
           T(std::to_string(ids.size()), "i32") + ") -> " + idsType + "\n" + result +
           " = dl.embedding %ids, %p0 : (" + idsType + ", " + T(table) + ") -> " + T(out);
  return "%ids = dl.constant dense<" + constant + "> : " + idsType + "\n" + result +
         " = dl.embedding %ids, %p0 : (" + idsType + ", " + T(table) + ") -> " + T(out);
}

std::vector<Case> embeddingCases() {
  std::vector<Case> cs;
  cs.push_back(make("embedding_distinct", {"5x3"}, lookup("2x2", {4, 0, 2, 1}, "5x3", "2x2x3"),
                    "2x2x3"));
  // Rows 1 and 3 are picked twice and three times; row 2 never (its gradient is zero).
  cs.push_back(make("embedding_repeated", {"4x2"},
                    lookup("2x3", {1, 3, 1, 3, 0, 3}, "4x2", "2x3x2"), "2x3x2"));
  cs.push_back(make("embedding_scalar_id", {"3x4"}, lookup("", {2}, "3x4", "4"), "4"));
  // A lookup inside a network: tanh(embedding) @ W, both parameters trained.
  cs.push_back(make("embedding_tanh_matmul", {"6x3", "3x2"},
                    lookup("4", {5, 1, 5, 0}, "6x3", "4x3", "%e") +
                        "\n%h = dl.tanh %e : " + T("4x3") + "\n%y = dl.matmul %h, %p1 : (" +
                        T("4x3") + ", " + T("3x2") + ") -> " + T("4x2"),
                    "4x2"));
  return cs;
}

INSTANTIATE_TEST_SUITE_P(Embedding, VJPTest, ::testing::ValuesIn(embeddingCases()), caseName);

TEST(EmbeddingScatterAdd, RepeatedIdsSumTheirGradientRows) {
  std::vector<int> ids = {1, 3, 1, 3, 0, 3};
  const int64_t rows = 5, dim = 2;
  Gradients r = gradientsOf(make("scatter", {"5x2"}, lookup("2x3", ids, "5x2", "2x3x2"), "2x3x2"));
  ASSERT_EQ(r.grads.size(), 1u);
  const Tensor &g = r.grads[0];
  ASSERT_EQ(g.shape, (std::vector<int64_t>{rows, dim}));
  // The loss is sum(y * weight): the incoming gradient of y[s, d] is weight(s * D + d) in f32.
  std::vector<double> expected(rows * dim, 0.0);
  for (size_t s = 0; s < ids.size(); ++s)
    for (int64_t d = 0; d < dim; ++d)
      expected[ids[s] * dim + d] += double(float(weight(int64_t(s) * dim + d)));
  for (int64_t k = 0; k < rows * dim; ++k)
    EXPECT_NEAR(g.data[k], expected[k], 1e-12) << "row " << k / dim << ", column " << k % dim;
  // Rows 2 and 4 are never picked: exactly zero.
  for (int64_t row : {2, 4})
    for (int64_t d = 0; d < dim; ++d)
      EXPECT_EQ(g.data[row * dim + d], 0.0) << "row " << row;
}

TEST(EmbeddingNonDifferentiable, TheGradientOpOnTheLossPathFailsThePass) {
  expectNoGradient(make("second_derivative", {"2x3"},
                        "%ids = dl.constant dense<[1, 0]> : " + T("2", "i32") +
                            "\n%y = dl.embedding_grad %ids, %p0 {rows = 4 : i64} : (" +
                            T("2", "i32") + ", " + T("2x3") + ") -> " + T("4x3"),
                        "4x3"),
                   "embedding_grad");
}

} // namespace
