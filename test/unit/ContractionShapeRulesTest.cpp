//===- ContractionShapeRulesTest.cpp - Units of matmul, reduce, embedding -===//
//
// Checks the rules of dialects/dl/ShapeRules.h for the ops that contract, reduce or gather
// dimensions: matmul (1-D operands promoted, batch dimensions broadcast), reductions (axes
// negative, several, duplicated, out of range), and the embedding lookup with its gradient, each
// failure with the reason it gives. Part of the ShapeRulesTest binary.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using dl::shape::Shape;
using ::testing::HasSubstr;
namespace shape = dl::shape;

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

TEST(Matmul, MultipliesMatrices) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::matmul({128, 784}, {784, 256}, out, why)) << why;
  EXPECT_EQ(out, (Shape{128, 256}));
}

TEST(Matmul, LeftVectorIsARow) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::matmul({3}, {3, 5}, out, why)) << why;
  EXPECT_EQ(out, (Shape{5}));
}

TEST(Matmul, RightVectorIsAColumn) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::matmul({4, 3}, {3}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4}));
}

TEST(Matmul, TwoVectorsMakeAScalar) {
  Shape out{9};
  std::string why;
  ASSERT_TRUE(shape::matmul({3}, {3}, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Matmul, BatchesOverLeadingDimensions) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::matmul({8, 4, 16, 32}, {8, 4, 32, 16}, out, why)) << why;
  EXPECT_EQ(out, (Shape{8, 4, 16, 16}));
}

TEST(Matmul, BroadcastsBatchDimensions) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::matmul({2, 1, 4, 5}, {3, 5, 6}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3, 4, 6}));
  ASSERT_TRUE(shape::matmul({5, 4, 3}, {3, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{5, 4, 2}));
  ASSERT_TRUE(shape::matmul({4, 3}, {7, 3, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{7, 4, 2}));
}

TEST(Matmul, VectorAgainstBatch) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::matmul({3}, {7, 3, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{7, 2}));
  ASSERT_TRUE(shape::matmul({7, 4, 3}, {3}, out, why)) << why;
  EXPECT_EQ(out, (Shape{7, 4}));
}

TEST(Matmul, RejectsContractingMismatch) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::matmul({4, 2}, {3, 8}, out, why));
  EXPECT_EQ(why, "contracting dimensions differ (2 vs 3)");
  EXPECT_FALSE(shape::matmul({3}, {4}, out, why));
  EXPECT_EQ(why, "contracting dimensions differ (3 vs 4)");
  EXPECT_FALSE(shape::matmul({4, 3}, {4}, out, why));
  EXPECT_EQ(why, "contracting dimensions differ (3 vs 4)");
}

TEST(Matmul, RejectsBatchMismatch) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::matmul({2, 4, 5}, {3, 5, 6}, out, why));
  EXPECT_EQ(why, "batch dimensions do not broadcast: dimension 0 is 2 on one side and 3 on the "
                 "other");
}

TEST(Matmul, RejectsScalars) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::matmul({}, {3, 4}, out, why));
  EXPECT_EQ(why, "matmul needs operands of rank 1 or more");
  EXPECT_FALSE(shape::matmul({3, 4}, {}, out, why));
  EXPECT_EQ(why, "matmul needs operands of rank 1 or more");
}

//===----------------------------------------------------------------------===//
// reduce
//===----------------------------------------------------------------------===//

TEST(Reduce, NoAxesReducesEverything) {
  Shape out{9};
  std::string why;
  ASSERT_TRUE(shape::reduce({4, 8}, {}, false, out, why)) << why;
  EXPECT_EQ(out, Shape{});
  ASSERT_TRUE(shape::reduce({4, 8}, {}, true, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 1}));
}

TEST(Reduce, OneAxis) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::reduce({4, 8}, {1}, false, out, why)) << why;
  EXPECT_EQ(out, (Shape{4}));
  ASSERT_TRUE(shape::reduce({4, 8}, {0}, true, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 8}));
}

TEST(Reduce, NegativeAxes) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::reduce({4, 8}, {-1}, false, out, why)) << why;
  EXPECT_EQ(out, (Shape{4}));
  ASSERT_TRUE(shape::reduce({2, 3, 4}, {-3, -1}, true, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 3, 1}));
}

TEST(Reduce, SeveralAxesInAnyOrder) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::reduce({2, 3, 4}, {2, 0}, false, out, why)) << why;
  EXPECT_EQ(out, (Shape{3}));
  ASSERT_TRUE(shape::reduce({2, 3, 4}, {0, 1, 2}, false, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Reduce, ScalarReducesToItself) {
  Shape out{9};
  std::string why;
  ASSERT_TRUE(shape::reduce({}, {}, false, out, why)) << why;
  EXPECT_EQ(out, Shape{});
  ASSERT_TRUE(shape::reduce({}, {}, true, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Reduce, RejectsDuplicateAxes) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::reduce({4, 8}, {1, 1}, false, out, why));
  EXPECT_EQ(why, "axis 1 is named twice");
  // -1 and 1 name the same axis of a rank-2 tensor.
  EXPECT_FALSE(shape::reduce({4, 8}, {1, -1}, false, out, why));
  EXPECT_EQ(why, "axis -1 is named twice");
}

TEST(Reduce, RejectsAxesOutOfRange) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::reduce({4, 8}, {2}, false, out, why));
  EXPECT_EQ(why, "axis 2 is out of range for rank 2");
  EXPECT_FALSE(shape::reduce({4, 8}, {-3}, true, out, why));
  EXPECT_EQ(why, "axis -3 is out of range for rank 2");
  EXPECT_FALSE(shape::reduce({}, {0}, false, out, why));
  EXPECT_EQ(why, "axis 0 is out of range for rank 0");
}

//===----------------------------------------------------------------------===//
// embedding, embeddingGrad
//===----------------------------------------------------------------------===//

TEST(Embedding, AppendsTheRowSizeToTheIdsShape) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::embedding({32, 64}, {1000, 128}, out, why)) << why;
  EXPECT_EQ(out, (Shape{32, 64, 128}));
  ASSERT_TRUE(shape::embedding({}, {5, 3}, out, why)) << why;
  EXPECT_EQ(out, (Shape{3}));
}

TEST(Embedding, RejectsATableThatIsNotAMatrix) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::embedding({4}, {10, 3, 2}, out, why));
  EXPECT_EQ(why, "the table must have rank 2 [V, D], not rank 3");
  EXPECT_FALSE(shape::embedding({4}, {10}, out, why));
  EXPECT_EQ(why, "the table must have rank 2 [V, D], not rank 1");
}

TEST(EmbeddingGrad, GivesTheTableShape) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::embeddingGrad({2, 3}, {2, 3, 8}, 50, out, why)) << why;
  EXPECT_EQ(out, (Shape{50, 8}));
  ASSERT_TRUE(shape::embeddingGrad({}, {8}, 1, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 8}));
}

TEST(EmbeddingGrad, RejectsAGradientThatDoesNotFitTheIds) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::embeddingGrad({2, 3}, {3, 2, 8}, 50, out, why));
  EXPECT_EQ(why, "the gradient must have the ids' shape [2, 3] followed by the embedding size, "
                 "not [3, 2, 8]");
  EXPECT_FALSE(shape::embeddingGrad({2, 3}, {2, 3}, 50, out, why));
  EXPECT_THAT(why, HasSubstr("not [2, 3]"));
}

TEST(EmbeddingGrad, RejectsRowsBelowOne) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::embeddingGrad({2}, {2, 4}, 0, out, why));
  EXPECT_EQ(why, "rows must be at least 1, not 0");
}

} // namespace
