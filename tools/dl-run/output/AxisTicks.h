//===- AxisTicks.h - Round numbers along a plot's axes ------------*- C++ -*-===//
//
// Where the ticks of a loss plot's axes go and how their numbers read. Ticks are 1, 2 or 5 times a
// power of ten apart, the axis is widened to the ticks just outside the data, and a tick's label is
// as short as its step allows: 0.5, 1, 1.5 for a step of 0.5; 5e-4, 1e-3, 1.5e-3 once the step
// falls below a thousandth; 2e5, 4e5 once it reaches a hundred thousand. All the ticks of an axis
// read the same way. Drawing them is Plot.cpp's business.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_AXISTICKS_H
#define DL_TOOLS_DLRUN_OUTPUT_AXISTICKS_H

#include <string>
#include <vector>

namespace dlrun {

/// The ticks of one axis: evenly spaced values from `lo` to `hi`, both ends included.
struct AxisTicks {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> values;
};

/// The fewest-step ticks (1, 2 or 5 x 10^k apart, and at least `minStep` apart) that cover
/// [`lo`, `hi`] in at most `maxTicks` values. A range too narrow to split (`lo` == `hi`) is first
/// widened around its value.
AxisTicks niceTicks(double lo, double hi, int maxTicks, double minStep = 0);

/// `value`, a multiple of `step`, in as few characters as tell it from its neighbours: "0.5",
/// "1", "-2.5", "100", "0.001" (step 1e-3), "1.5e-4" (step 5e-5), "2e5" (step 1e5), "0".
std::string formatTick(double value, double step);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_AXISTICKS_H
