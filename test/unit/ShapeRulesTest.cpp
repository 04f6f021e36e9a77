//===- ShapeRulesTest.cpp - Units of the dl shape rules -------------------===//
//
// Checks every rule of dialects/dl/ShapeRules.h on its ordinary cases, its edge cases (scalars, 1-D
// operands, negative axes, -1 in reshape) and its failures, including the reason each failure gives.
// The dialect's verifiers and the frontend's checks both rest on these rules, so they are tested here
// without MLIR; the lit tests in test/lit/dialect check how the dialect reports them.
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
// numElements, normalizeAxis
//===----------------------------------------------------------------------===//

TEST(NumElements, MultipliesDimensions) {
  EXPECT_EQ(shape::numElements({2, 3, 4}), 24);
  EXPECT_EQ(shape::numElements({7}), 7);
}

TEST(NumElements, ScalarHasOneElement) { EXPECT_EQ(shape::numElements({}), 1); }

TEST(NumElements, ZeroDimensionHasNoElements) { EXPECT_EQ(shape::numElements({4, 0, 3}), 0); }

TEST(NormalizeAxis, KeepsAxesInRange) {
  int64_t a = -7;
  std::string why;
  ASSERT_TRUE(shape::normalizeAxis(0, 3, a, why)) << why;
  EXPECT_EQ(a, 0);
  ASSERT_TRUE(shape::normalizeAxis(2, 3, a, why)) << why;
  EXPECT_EQ(a, 2);
}

TEST(NormalizeAxis, CountsNegativeAxesFromTheEnd) {
  int64_t a = -7;
  std::string why;
  ASSERT_TRUE(shape::normalizeAxis(-1, 3, a, why)) << why;
  EXPECT_EQ(a, 2);
  ASSERT_TRUE(shape::normalizeAxis(-3, 3, a, why)) << why;
  EXPECT_EQ(a, 0);
}

TEST(NormalizeAxis, RejectsAxesOutOfRange) {
  int64_t a = -7;
  std::string why;
  EXPECT_FALSE(shape::normalizeAxis(3, 3, a, why));
  EXPECT_EQ(why, "axis 3 is out of range for rank 3");
  EXPECT_FALSE(shape::normalizeAxis(-4, 3, a, why));
  EXPECT_EQ(why, "axis -4 is out of range for rank 3");
  EXPECT_EQ(a, -7) << "a failed normalization must not write its output";
}

TEST(NormalizeAxis, ScalarHasNoAxes) {
  int64_t a;
  std::string why;
  EXPECT_FALSE(shape::normalizeAxis(0, 0, a, why));
  EXPECT_FALSE(shape::normalizeAxis(-1, 0, a, why));
}

//===----------------------------------------------------------------------===//
// broadcast, broadcastsTo
//===----------------------------------------------------------------------===//

TEST(Broadcast, EqualShapesStay) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::broadcast({4, 8}, {4, 8}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
}

TEST(Broadcast, AlignsTrailingDimensions) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::broadcast({4, 8}, {8}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
  ASSERT_TRUE(shape::broadcast({8}, {4, 8}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
}

TEST(Broadcast, StretchesOnesOnBothSides) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::broadcast({4, 1}, {1, 5}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 5}));
  ASSERT_TRUE(shape::broadcast({2, 1, 3}, {4, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 4, 3}));
}

TEST(Broadcast, ScalarBroadcastsToAnything) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::broadcast({}, {2, 3}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3}));
  ASSERT_TRUE(shape::broadcast({2, 3}, {}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3}));
  ASSERT_TRUE(shape::broadcast({}, {}, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Broadcast, OneAgainstOneStaysOne) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::broadcast({1}, {}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1}));
}

TEST(Broadcast, RejectsDifferentDimensions) {
  Shape out{9};
  std::string why;
  EXPECT_FALSE(shape::broadcast({4, 8}, {4}, out, why));
  EXPECT_EQ(why, "dimension 1 is 8 on one side and 4 on the other");
  EXPECT_EQ(out, (Shape{9})) << "a failed broadcast must not write its output";
}

TEST(Broadcast, NamesTheDimensionOfTheResult) {
  Shape out;
  std::string why;
  // The 3 and the 5 meet in dimension 1 of the rank-3 result.
  EXPECT_FALSE(shape::broadcast({2, 3, 4}, {5, 1}, out, why));
  EXPECT_THAT(why, HasSubstr("dimension 1 is 3 on one side and 5"));
}

TEST(Broadcast, MayWriteIntoAnOperand) {
  // The dialect folds n operands by broadcasting into its running result.
  Shape joined{4, 1};
  std::string why;
  ASSERT_TRUE(shape::broadcast(joined, {3, 1, 5}, joined, why)) << why;
  EXPECT_EQ(joined, (Shape{3, 4, 5}));
}

TEST(BroadcastsTo, AcceptsGrowingShapes) {
  std::string why;
  EXPECT_TRUE(shape::broadcastsTo({8}, {4, 8}, why)) << why;
  EXPECT_TRUE(shape::broadcastsTo({}, {2, 3}, why)) << why;
  EXPECT_TRUE(shape::broadcastsTo({2, 1}, {2, 3}, why)) << why;
  EXPECT_TRUE(shape::broadcastsTo({4, 8}, {4, 8}, why)) << why;
}

TEST(BroadcastsTo, RejectsShrinking) {
  std::string why;
  EXPECT_FALSE(shape::broadcastsTo({4, 8}, {8}, why));
  EXPECT_EQ(why, "it would have to grow to f32[4, 8]");
  EXPECT_FALSE(shape::broadcastsTo({1}, {}, why));
  EXPECT_EQ(why, "it would have to grow to f32[1]");
  EXPECT_FALSE(shape::broadcastsTo({2, 3}, {2, 1}, why));
  EXPECT_EQ(why, "it would have to grow to f32[2, 3]");
}

TEST(BroadcastsTo, RejectsIncompatibleDimensions) {
  std::string why;
  EXPECT_FALSE(shape::broadcastsTo({3}, {4}, why));
  EXPECT_EQ(why, "dimension 0 is 3 on one side and 4 on the other");
}

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
// transpose
//===----------------------------------------------------------------------===//

TEST(Transpose, SwapsMatrixDimensions) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::transpose({4, 8}, {1, 0}, out, why)) << why;
  EXPECT_EQ(out, (Shape{8, 4}));
}

TEST(Transpose, ResultDimensionIIsOperandDimensionPermI) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::transpose({2, 3, 4}, {2, 0, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 2, 3}));
}

TEST(Transpose, IdentityAndScalar) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::transpose({2, 3, 4}, {0, 1, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3, 4}));
  ASSERT_TRUE(shape::transpose({}, {}, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Transpose, RejectsWrongLength) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::transpose({4, 8}, {0}, out, why));
  EXPECT_EQ(why, "the permutation has 1 entries for rank 2");
  EXPECT_FALSE(shape::transpose({4, 8}, {0, 1, 2}, out, why));
  EXPECT_EQ(why, "the permutation has 3 entries for rank 2");
}

TEST(Transpose, RejectsNonPermutations) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::transpose({4, 8}, {0, 0}, out, why));
  EXPECT_EQ(why, "the permutation is not a permutation of 0..1");
  EXPECT_FALSE(shape::transpose({4, 8}, {0, 2}, out, why));
  EXPECT_EQ(why, "the permutation is not a permutation of 0..1");
  EXPECT_FALSE(shape::transpose({4, 8}, {-1, 0}, out, why));
  EXPECT_EQ(why, "the permutation is not a permutation of 0..1");
}

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

TEST(Reshape, KeepsElementCount) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::reshape({4, 28, 28}, {4, 784}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 784}));
  ASSERT_TRUE(shape::reshape({6}, {1, 2, 3, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 2, 3, 1}));
}

TEST(Reshape, InfersOneMinusOne) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::reshape({4, 28, 28}, {-1, 784}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 784}));
  ASSERT_TRUE(shape::reshape({6}, {2, -1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3}));
  ASSERT_TRUE(shape::reshape({2, 3, 4}, {-1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{24}));
}

TEST(Reshape, ScalarsAndOnes) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::reshape({}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 1}));
  ASSERT_TRUE(shape::reshape({1, 1}, {}, out, why)) << why;
  EXPECT_EQ(out, Shape{});
  ASSERT_TRUE(shape::reshape({}, {-1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1}));
}

TEST(Reshape, RejectsDifferentElementCounts) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::reshape({4, 6}, {5, 4}, out, why));
  EXPECT_EQ(why, "element counts differ (24 vs 20)");
}

TEST(Reshape, RejectsTwoMinusOnes) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::reshape({4, 6}, {-1, -1}, out, why));
  EXPECT_EQ(why, "only one dimension may be -1");
}

TEST(Reshape, RejectsMinusOneThatDoesNotDivide) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::reshape({7}, {2, -1}, out, why));
  EXPECT_EQ(why, "7 elements do not divide into dimensions of 2");
}

TEST(Reshape, RejectsZeroAndNegativeDimensions) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::reshape({4}, {0, 4}, out, why));
  EXPECT_EQ(why, "dimension 0 is 0");
  EXPECT_FALSE(shape::reshape({4}, {4, -2}, out, why));
  EXPECT_EQ(why, "dimension 1 is -2");
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

TEST(Concat, JoinsAlongAnAxis) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::concat({{4, 3}, {4, 5}}, 1, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
  ASSERT_TRUE(shape::concat({{1, 8}, {2, 8}, {3, 8}}, 0, out, why)) << why;
  EXPECT_EQ(out, (Shape{6, 8}));
}

TEST(Concat, NegativeAxis) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::concat({{4, 3}, {4, 5}}, -1, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
}

TEST(Concat, OneOperandIsItself) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::concat({{2, 3}}, 0, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3}));
}

TEST(Concat, RejectsOtherDimensionMismatch) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::concat({{4, 3}, {5, 5}}, 1, out, why));
  EXPECT_EQ(why, "operand 1 differs in dimension 0");
  EXPECT_FALSE(shape::concat({{4, 3}, {4, 3}, {4, 2}}, 0, out, why));
  EXPECT_EQ(why, "operand 2 differs in dimension 1");
}

TEST(Concat, RejectsRankMismatch) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::concat({{4, 3}, {4}}, 0, out, why));
  EXPECT_EQ(why, "operand 1 has rank 1 instead of 2");
}

TEST(Concat, RejectsBadAxisAndNoOperands) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::concat({{4, 3}, {4, 3}}, 2, out, why));
  EXPECT_EQ(why, "axis 2 is out of range for rank 2");
  EXPECT_FALSE(shape::concat({{}, {}}, 0, out, why));
  EXPECT_EQ(why, "axis 0 is out of range for rank 0");
  EXPECT_FALSE(shape::concat({}, 0, out, why));
  EXPECT_EQ(why, "concat needs at least one operand");
}

//===----------------------------------------------------------------------===//
// split
//===----------------------------------------------------------------------===//

TEST(Split, CutsIntoEqualParts) {
  Shape piece;
  std::string why;
  ASSERT_TRUE(shape::split({4, 32}, 4, 1, piece, why)) << why;
  EXPECT_EQ(piece, (Shape{4, 8}));
  ASSERT_TRUE(shape::split({4, 32}, 4, -1, piece, why)) << why;
  EXPECT_EQ(piece, (Shape{4, 8}));
  ASSERT_TRUE(shape::split({6, 2}, 3, 0, piece, why)) << why;
  EXPECT_EQ(piece, (Shape{2, 2}));
  ASSERT_TRUE(shape::split({5}, 1, 0, piece, why)) << why;
  EXPECT_EQ(piece, (Shape{5}));
}

TEST(Split, RejectsIndivisibleDimension) {
  Shape piece;
  std::string why;
  EXPECT_FALSE(shape::split({4, 30}, 4, -1, piece, why));
  EXPECT_EQ(why, "dimension 1 of size 30 does not split into 4 equal parts");
}

TEST(Split, RejectsNoParts) {
  Shape piece;
  std::string why;
  EXPECT_FALSE(shape::split({4, 32}, 0, 1, piece, why));
  EXPECT_EQ(why, "dimension 1 of size 32 does not split into 0 equal parts");
  EXPECT_FALSE(shape::split({4, 32}, -2, 1, piece, why));
  EXPECT_EQ(why, "dimension 1 of size 32 does not split into -2 equal parts");
}

TEST(Split, RejectsBadAxis) {
  Shape piece;
  std::string why;
  EXPECT_FALSE(shape::split({4, 32}, 2, 2, piece, why));
  EXPECT_EQ(why, "axis 2 is out of range for rank 2");
  EXPECT_FALSE(shape::split({}, 1, 0, piece, why));
  EXPECT_EQ(why, "axis 0 is out of range for rank 0");
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

TEST(Slice, TakesAWindow) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::slice({4, 8}, {0, 2}, {4, 6}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 4}));
  ASSERT_TRUE(shape::slice({4, 8}, {0, 0}, {4, 8}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
  ASSERT_TRUE(shape::slice({4, 8}, {3, 7}, {4, 8}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 1}));
}

TEST(Slice, StridesRoundUp) {
  Shape out;
  std::string why;
  // 1, 4, 7 and 0, 4, 8 and 0, 2, 4, 6.
  ASSERT_TRUE(shape::slice({10}, {1}, {10}, {3}, out, why)) << why;
  EXPECT_EQ(out, (Shape{3}));
  ASSERT_TRUE(shape::slice({10}, {0}, {10}, {4}, out, why)) << why;
  EXPECT_EQ(out, (Shape{3}));
  ASSERT_TRUE(shape::slice({8}, {0}, {8}, {2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4}));
  ASSERT_TRUE(shape::slice({8}, {2}, {3}, {5}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1}));
}

TEST(Slice, ScalarSlicesToItself) {
  Shape out{9};
  std::string why;
  ASSERT_TRUE(shape::slice({}, {}, {}, {}, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Slice, RejectsOutOfRange) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::slice({4, 8}, {0, 2}, {4, 9}, {1, 1}, out, why));
  EXPECT_EQ(why, "dimension 1 of size 8 cannot be sliced 2:9:1");
  EXPECT_FALSE(shape::slice({4, 8}, {-1, 0}, {4, 8}, {1, 1}, out, why));
  EXPECT_EQ(why, "dimension 0 of size 4 cannot be sliced -1:4:1");
}

TEST(Slice, RejectsEmptyAndBackwardRanges) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::slice({4}, {2}, {2}, {1}, out, why));
  EXPECT_EQ(why, "dimension 0 of size 4 cannot be sliced 2:2:1");
  EXPECT_FALSE(shape::slice({4}, {3}, {1}, {1}, out, why));
  EXPECT_EQ(why, "dimension 0 of size 4 cannot be sliced 3:1:1");
}

TEST(Slice, RejectsNonPositiveStride) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::slice({4}, {0}, {4}, {0}, out, why));
  EXPECT_EQ(why, "dimension 0 of size 4 cannot be sliced 0:4:0");
  EXPECT_FALSE(shape::slice({4}, {0}, {4}, {-1}, out, why));
  EXPECT_EQ(why, "dimension 0 of size 4 cannot be sliced 0:4:-1");
}

TEST(Slice, RejectsWrongEntryCount) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::slice({4, 8}, {0}, {4, 8}, {1, 1}, out, why));
  EXPECT_EQ(why, "start, limit and stride need one entry per dimension (2)");
  EXPECT_FALSE(shape::slice({4, 8}, {0, 0}, {4, 8}, {1}, out, why));
  EXPECT_EQ(why, "start, limit and stride need one entry per dimension (2)");
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

TEST(Pad, AddsLowAndHigh) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::pad({4, 8}, {0, 1}, {0, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 10}));
  ASSERT_TRUE(shape::pad({3}, {2}, {0}, out, why)) << why;
  EXPECT_EQ(out, (Shape{5}));
  ASSERT_TRUE(shape::pad({1, 28, 28}, {0, 2, 2}, {0, 2, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 32, 32}));
}

TEST(Pad, ZeroPaddingAndScalar) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::pad({4, 8}, {0, 0}, {0, 0}, out, why)) << why;
  EXPECT_EQ(out, (Shape{4, 8}));
  ASSERT_TRUE(shape::pad({}, {}, {}, out, why)) << why;
  EXPECT_EQ(out, Shape{});
}

TEST(Pad, RejectsNegativePadding) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::pad({4, 8}, {0, -1}, {0, 0}, out, why));
  EXPECT_EQ(why, "padding of dimension 1 is negative");
  EXPECT_FALSE(shape::pad({4, 8}, {0, 0}, {-2, 0}, out, why));
  EXPECT_EQ(why, "padding of dimension 0 is negative");
}

TEST(Pad, RejectsWrongEntryCount) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::pad({4, 8}, {1}, {1, 1}, out, why));
  EXPECT_EQ(why, "padding needs one low and one high entry per dimension (2)");
  EXPECT_FALSE(shape::pad({4, 8}, {1, 1}, {1, 1, 1}, out, why));
  EXPECT_EQ(why, "padding needs one low and one high entry per dimension (2)");
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

//===----------------------------------------------------------------------===//
// format
//===----------------------------------------------------------------------===//

TEST(Format, WritesTheLanguageSyntax) {
  EXPECT_EQ(shape::format({4, 8}), "f32[4, 8]");
  EXPECT_EQ(shape::format({128}), "f32[128]");
  EXPECT_EQ(shape::format({}), "f32[]");
}

TEST(Format, TakesTheElementType) {
  EXPECT_EQ(shape::format({128}, "i32"), "i32[128]");
  EXPECT_EQ(shape::format({}, "i1"), "i1[]");
  EXPECT_EQ(shape::format({2, 3, 4}, "f64"), "f64[2, 3, 4]");
}

} // namespace
