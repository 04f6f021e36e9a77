//===- EdgeValueCases.h - The rows of EdgeValueTable.inc ----------*- C++ -*-===//
//
// The types of the tables edge_values.py writes (PyTorch's results on edge values), shared by
// EdgeValueKernelTest (the Halide kernels) and the interpreter's ClassLossTest. Include this, then
// the table, inside the test's own namespace.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_CODEGEN_EDGEVALUECASES_H
#define DLC_TEST_UNIT_CODEGEN_EDGEVALUECASES_H

#include <cstdint>
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

} // namespace dl::test::edge

#endif // DLC_TEST_UNIT_CODEGEN_EDGEVALUECASES_H
