//===- ShapeRulesTest.cpp - Units of the dl shape rules: basics -----------===//
//
// Checks the basic rules of dialects/dl/ShapeRules.h that the others build on: element counts,
// axis normalization, NumPy broadcasting (the element-wise ops' rule) and the `f32[4, 8]` format of
// messages, on ordinary cases, edge cases (scalars, negative axes) and failures, including the
// reason each failure gives. The dialect's verifiers and the frontend's checks both rest on these
// rules, so they are tested here without MLIR; the lit tests in test/lit/dialect check how the
// dialect reports them. The other families are in ContractionShapeRulesTest.cpp,
// MovementShapeRulesTest.cpp and WindowShapeRulesTest.cpp, all in the ShapeRulesTest binary.
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
