//===- MovementShapeRulesTest.cpp - Units of the data-movement shape rules ===//
//
// Checks the rules of dialects/dl/ShapeRules.h for the ops that move data without computing
// (ShapeOps.td): transpose, reshape (with one inferred -1), concat, split, strided slice and pad,
// on ordinary cases, scalars, and each failure with the reason it gives. Part of the
// ShapeRulesTest binary.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using dl::shape::Shape;
namespace shape = dl::shape;

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

} // namespace
