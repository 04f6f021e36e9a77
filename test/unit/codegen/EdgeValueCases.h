//===- EdgeValueCases.h - The rows of EdgeValueTable.inc ----------*- C++ -*-===//
//
// The types of the tables edge_values.py writes (PyTorch's results on edge values), and how a
// result is compared with them, shared by EdgeValueKernelTest, GatherKernelTest and
// ReductionKernelTest (the Halide kernels) and the interpreter's ClassLossTest. Include this, then
// the table, inside the test's own namespace.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_CODEGEN_EDGEVALUECASES_H
#define DLC_TEST_UNIT_CODEGEN_EDGEVALUECASES_H

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace dl::test::edge {

/// PyTorch's results: in float32, and in float64 rounded to float32 (edge_values.py says why).
struct EdgeCase {
  const char *op;
  std::vector<uint32_t> single, rounded;
};
struct LossCase {
  const char *op;
  uint32_t prediction, target, single, rounded;
};
struct CrossEntropyCase {
  std::vector<uint32_t> logits;
  int32_t label;
  uint32_t single, rounded;
};

/// cross_entropy or nll with PyTorch's options over [rows, classes] scores: labels or soft targets
/// (one of the two is empty), the weight (empty: none), PyTorch's results.
struct ClassLossCase {
  const char *op;
  int64_t classes;
  std::vector<uint32_t> scores;
  std::vector<int32_t> labels;
  std::vector<uint32_t> soft, weight;
  int64_t ignoreIndex;
  const char *reduction;
  double smoothing;
  std::vector<uint32_t> single, rounded;
};

/// The float a table's bit pattern holds.
inline float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline std::vector<double> valuesOf(const std::vector<uint32_t> &bits) {
  std::vector<double> v;
  for (uint32_t b : bits)
    v.push_back(fromBits(b));
  return v;
}

/// Whether `actual` is PyTorch's `expected`: both NaN, the same infinity, zeros of the same sign,
/// or within `ulps` units in the last place (of `expected` as a float).
inline bool sameFloat(double actual, double expected, double ulps) {
  if (std::isnan(expected) || std::isnan(actual))
    return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual))
    return actual == expected;
  if (expected == 0 || actual == 0)
    return actual == expected && std::signbit(actual) == std::signbit(expected);
  float e = static_cast<float>(expected);
  double ulp = std::nextafter(std::fabs(e), std::numeric_limits<float>::infinity()) - std::fabs(e);
  return std::fabs(actual - expected) <= ulps * ulp;
}

/// Whether `actual` is one of PyTorch's two results (see EdgeCase), or within `atol` of them.
inline bool matchesEither(double actual, uint32_t single, uint32_t rounded, double ulps,
                          double atol = 0) {
  for (double expected : {fromBits(single), fromBits(rounded)})
    if (sameFloat(actual, expected, ulps) ||
        (std::isfinite(actual) && std::fabs(actual - expected) <= atol))
      return true;
  return false;
}

} // namespace dl::test::edge

#endif // DLC_TEST_UNIT_CODEGEN_EDGEVALUECASES_H
