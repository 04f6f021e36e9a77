//===- AxisTicksTest.cpp - The numbers along dl-run's plot axes -----------===//
//
// niceTicks (AxisTicks.h): steps of 1, 2 or 5 x 10^k, the fewest that fit the tick count, ends
// widened to the ticks outside the data but not past an end already on a tick, whole steps when
// asked, no negative zero, a one-value range widened; formatTick: short labels, plain for steps
// from a thousandth to fifty thousand, mantissa and exponent outside.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/AxisTicks.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace dlrun;

namespace {

TEST(AxisTicksTest, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  AxisTicks ticks = niceTicks(0.28, 2.31, 8);
  EXPECT_DOUBLE_EQ(ticks.step, 0.5);
  EXPECT_DOUBLE_EQ(ticks.lo, 0);
  EXPECT_DOUBLE_EQ(ticks.hi, 2.5);
  EXPECT_EQ(ticks.values.size(), 6u);

  ticks = niceTicks(1, 100, 10, 1);
  EXPECT_DOUBLE_EQ(ticks.step, 20);
  EXPECT_EQ(ticks.values, (std::vector<double>{0, 20, 40, 60, 80, 100}));

  // 1e-4 would take 10 ticks, 1e-4 to 1e-3.
  ticks = niceTicks(0.00012, 0.00091, 8);
  EXPECT_DOUBLE_EQ(ticks.step, 2e-4);
  EXPECT_DOUBLE_EQ(ticks.lo, 0);
  EXPECT_NEAR(ticks.hi, 1e-3, 1e-12);
}

TEST(AxisTicksTest, EndsOnTicksStayPut) {
  // 0.3 / 0.1 is 2.9999999999999996: the axis must not grow a tick at 0.2 for it.
  AxisTicks ticks = niceTicks(0.3, 0.9, 8);
  EXPECT_DOUBLE_EQ(ticks.step, 0.1);
  EXPECT_NEAR(ticks.lo, 0.3, 1e-12);
  EXPECT_NEAR(ticks.hi, 0.9, 1e-12);
  EXPECT_EQ(ticks.values.size(), 7u);
}

TEST(AxisTicksTest, MinimumStepKeepsCallNumbersWhole) {
  AxisTicks ticks = niceTicks(1, 3, 10, 1);
  EXPECT_DOUBLE_EQ(ticks.step, 1);
  EXPECT_EQ(ticks.values, (std::vector<double>{1, 2, 3}));
}

TEST(AxisTicksTest, ZeroIsNeverNegative) {
  AxisTicks ticks = niceTicks(-1.2, 0.7, 8);
  EXPECT_DOUBLE_EQ(ticks.step, 0.5);
  EXPECT_DOUBLE_EQ(ticks.lo, -1.5);
  EXPECT_DOUBLE_EQ(ticks.hi, 1);
  ASSERT_EQ(ticks.values.size(), 6u);
  EXPECT_EQ(ticks.values[3], 0.0);
  EXPECT_FALSE(std::signbit(ticks.values[3]));
}

TEST(AxisTicksTest, ARangeOfOneValueIsWidenedAroundIt) {
  for (double value : {2.3, 0.0, -40.0, 1e-6}) {
    AxisTicks ticks = niceTicks(value, value, 8);
    EXPECT_LT(ticks.lo, value);
    EXPECT_GT(ticks.hi, value);
    EXPECT_LE(ticks.values.size(), 8u);
    EXPECT_GE(ticks.values.size(), 2u);
  }
}

TEST(AxisTicksTest, LabelsAreShort) {
  EXPECT_EQ(formatTick(0, 0.5), "0");
  EXPECT_EQ(formatTick(0.5, 0.5), "0.5");
  EXPECT_EQ(formatTick(1.0, 0.5), "1");
  EXPECT_EQ(formatTick(1.5, 0.5), "1.5");
  EXPECT_EQ(formatTick(-2.5, 0.5), "-2.5");
  EXPECT_EQ(formatTick(100, 20), "100");
  EXPECT_EQ(formatTick(0.3, 0.1), "0.3");
  EXPECT_EQ(formatTick(0.25, 0.05), "0.25");
  EXPECT_EQ(formatTick(0.002, 0.001), "0.002");
  EXPECT_EQ(formatTick(20000, 10000), "20000");
  // Below a thousandth and from a hundred thousand on: mantissa and exponent.
  EXPECT_EQ(formatTick(1e-3, 5e-4), "1e-3");
  EXPECT_EQ(formatTick(1.5e-3, 5e-4), "1.5e-3");
  EXPECT_EQ(formatTick(5e-4, 5e-4), "5e-4");
  EXPECT_EQ(formatTick(1.5e-4, 5e-5), "1.5e-4");
  EXPECT_EQ(formatTick(2e5, 1e5), "2e5");
  EXPECT_EQ(formatTick(1.5e6, 5e5), "1.5e6");
  // A value that missed its multiple of the step by rounding still reads round.
  EXPECT_EQ(formatTick(0.1 + 0.2, 0.1), "0.3");
  EXPECT_EQ(formatTick(3 * 0.1 - 0.3, 0.1), "0");
}

} // namespace
