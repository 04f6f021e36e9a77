//===- EmbeddingTest.cpp - dl.embedding and dl.embedding_grad in the interpreter ===//
//
// The lookup copies the rows the ids pick, for ids of rank 2 and 0; the scatter-add sums the
// gradient rows of repeated ids and leaves unpicked rows zero; an id outside [0, V), negative or
// too large, fails either op with the id, its position and V.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

namespace dl::interp::test {
namespace {

using ::testing::HasSubstr;

using EmbeddingTest = InterpreterTest;

const char *lookup = R"(func.func @f(%ids: tensor<2x2xi32>, %t: tensor<3x2xf32>) -> tensor<2x2x2xf32> {
  %e = dl.embedding %ids, %t : (tensor<2x2xi32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  return %e : tensor<2x2x2xf32>
})";

const char *scatter = R"(func.func @f(%ids: tensor<2x2xi32>, %g: tensor<2x2x2xf32>) -> tensor<4x2xf32> {
  %t = dl.embedding_grad %ids, %g {rows = 4 : i64} : (tensor<2x2xi32>, tensor<2x2x2xf32>) -> tensor<4x2xf32>
  return %t : tensor<4x2xf32>
})";

TEST_F(EmbeddingTest, LookupCopiesThePickedRows) {
  Tensor table = f32({3, 2}, {0.5, 1.5, -2, 3, 7, -8});
  expectTensor(run1(lookup, {i32({2, 2}, {2, 0, 0, 1}), table}), {2, 2, 2},
               {7, -8, 0.5, 1.5, 0.5, 1.5, -2, 3});
}

TEST_F(EmbeddingTest, ScalarIdGivesOneRow) {
  Tensor r = run1(R"(func.func @f(%id: tensor<i32>, %t: tensor<3x2xf32>) -> tensor<2xf32> {
    %e = dl.embedding %id, %t : (tensor<i32>, tensor<3x2xf32>) -> tensor<2xf32>
    return %e : tensor<2xf32>
  })", {i32({}, {1}), f32({3, 2}, {0.5, 1.5, -2, 3, 7, -8})});
  expectTensor(r, {2}, {-2, 3});
}

TEST_F(EmbeddingTest, GradientSumsTheRowsOfRepeatedIds) {
  Tensor grad = f32({2, 2, 2}, {1, 2, 10, 20, 100, 200, 1000, 2000});
  // Ids 3, 0, 3, 0: row 3 gets positions 0 and 2, row 0 positions 1 and 3; rows 1 and 2 none.
  expectTensor(run1(scatter, {i32({2, 2}, {3, 0, 3, 0}), grad}), {4, 2},
               {1010, 2020, 0, 0, 0, 0, 101, 202});
}

TEST_F(EmbeddingTest, OutOfRangeIdsFailTheLookup) {
  Tensor table = f32({3, 2}, {0, 0, 0, 0, 0, 0});
  std::string error = runError(lookup, {i32({2, 2}, {0, 1, 3, 2}), table});
  EXPECT_THAT(error, HasSubstr("test.mlir:"));
  EXPECT_THAT(error, HasSubstr("dl.embedding: id 3 at [1, 0] of the ids i32[2, 2] is outside the "
                               "table's rows [0, 3)"));
  error = runError(lookup, {i32({2, 2}, {0, -1, 1, 2}), table});
  EXPECT_THAT(error, HasSubstr("id -1 at [0, 1]"));
}

TEST_F(EmbeddingTest, OutOfRangeIdsFailTheGradient) {
  Tensor grad = f32({2, 2, 2}, {0, 0, 0, 0, 0, 0, 0, 0});
  std::string error = runError(scatter, {i32({2, 2}, {0, 1, 2, 4}), grad});
  EXPECT_THAT(error, HasSubstr("dl.embedding_grad: id 4 at [1, 1] of the ids i32[2, 2] is outside "
                               "the table's rows [0, 4)"));
}

} // namespace
} // namespace dl::interp::test
