//===- AxisTicks.cpp - Round numbers along a plot's axes ------------------===//
#include "tools/dl-run/output/AxisTicks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dlrun {

namespace {

/// Slack for quotients that should be whole numbers but carry rounding error (0.3 / 0.1).
constexpr double kSlack = 1e-9;

/// The power of ten just at or below `x` (> 0), as an exponent.
int decade(double x) { return int(std::floor(std::log10(x) + kSlack)); }

/// "1.500" -> "1.5", "2.000" -> "2"; text without a point is left alone.
std::string withoutTrailingZeros(std::string text) {
  if (text.find('.') == std::string::npos)
    return text;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.')
    text.pop_back();
  return text;
}

} // namespace

AxisTicks niceTicks(double lo, double hi, int maxTicks, double minStep) {
  maxTicks = std::max(maxTicks, 2);
  if (!std::isfinite(lo) || !std::isfinite(hi)) // the step search below would never end
    lo = 0, hi = 1;
  if (!(hi - lo > kSlack * std::max(std::fabs(lo), std::fabs(hi)))) {
    double pad = std::max(std::fabs(lo) * 0.05, std::max(minStep, 1e-3));
    lo -= pad, hi += pad;
  }
  // Start from a step that surely gives too many ticks and grow it 1, 2, 5, 10, 20, ...
  double power = std::pow(10.0, decade((hi - lo) / maxTicks));
  AxisTicks ticks;
  for (;; power *= 10)
    for (double multiple : {1.0, 2.0, 5.0}) {
      double step = multiple * power;
      if (step < minStep)
        continue;
      double first = std::floor(lo / step + kSlack), last = std::ceil(hi / step - kSlack);
      if (last - first + 1 > maxTicks)
        continue;
      ticks.step = step;
      for (double k = first; k <= last; ++k)
        ticks.values.push_back(std::fabs(k) < 0.5 ? 0.0 : k * step); // never -0
      ticks.lo = ticks.values.front(), ticks.hi = ticks.values.back();
      return ticks;
    }
}

std::string formatTick(double value, double step) {
  if (std::fabs(value) < step * 1e-6)
    return "0";
  int stepDecade = decade(step);
  char text[40];
  if (stepDecade >= -3 && stepDecade < 5) {
    std::snprintf(text, sizeof text, "%.*f", std::max(0, -stepDecade), value);
    return withoutTrailingZeros(text);
  }
  // As many mantissa digits as the step's decade needs below the value's: 1.5e-4 for step 5e-5.
  std::snprintf(text, sizeof text, "%.*e", std::max(0, decade(std::fabs(value)) - stepDecade),
                value);
  std::string mantissa = text, exponent;
  size_t e = mantissa.find('e');
  exponent = std::to_string(std::stoi(mantissa.substr(e + 1))); // "e-04" -> "-4", "e+05" -> "5"
  mantissa.erase(e);
  return withoutTrailingZeros(mantissa) + "e" + exponent;
}

} // namespace dlrun
