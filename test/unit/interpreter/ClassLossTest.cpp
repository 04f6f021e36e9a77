//===- ClassLossTest.cpp - cross_entropy and nll with PyTorch's options ---===//
//
// Tests that the interpreter's cross_entropy and nll give PyTorch's results with every option
// (reduction, ignore_index, weight, label_smoothing; class ids and soft targets), on the edge
// cases edge_values.py evaluates with torch (EdgeValueTable.inc, which EdgeValueKernelTest runs
// through the Halide kernels too), and on one case computed by hand. A label outside
// [0, classes) that is not ignore_index stays an error.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

#include "test/unit/codegen/EdgeValueCases.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace dl::interp::test {
namespace {

using namespace dl::test::edge;

#include "test/unit/codegen/EdgeValueTable.inc"

using ClassLossTest = InterpreterTest;

/// `@f(%z: [rows, C], %y[, %w]) -> R { %l = dl.OP %z, %y [weight %w] {options} }`.
std::string classLossFunc(const std::string &op, int64_t rows, int64_t classes, bool soft,
                          bool weighted, const std::string &reduction, int64_t ignoreIndex,
                          double smoothing) {
  std::string z = "tensor<" + std::to_string(rows) + "x" + std::to_string(classes) + "xf32>";
  std::string y = soft ? z : "tensor<" + std::to_string(rows) + "xi32>";
  std::string w = "tensor<" + std::to_string(classes) + "xf32>";
  std::string r = reduction == "none" ? "tensor<" + std::to_string(rows) + "xf32>" : "tensor<f32>";
  char eps[64];
  std::snprintf(eps, sizeof eps, "%.17e", smoothing);
  std::string attrs = "{reduction = \"" + reduction + "\", ignore_index = " +
                      std::to_string(ignoreIndex) + " : i64" +
                      (op == "cross_entropy" ? std::string(", label_smoothing = ") + eps + " : f64" : "") + "}";
  return "func.func @f(%z: " + z + ", %y: " + y + (weighted ? ", %w: " + w : "") + ") -> " + r +
         " {\n  %l = dl." + op + " %z, %y" + (weighted ? " weight %w" : "") + " " + attrs + " : (" + z +
         ", " + y + (weighted ? ", " + w : "") + ") -> " + r + "\n  return %l : " + r + "\n}";
}

TEST_F(ClassLossTest, OptionsMatchPyTorchOnEdgeValues) {
  for (const ClassLossCase &c : kClassLossCases) {
    int64_t rows = static_cast<int64_t>(c.scores.size()) / c.classes;
    bool soft = c.labels.empty();
    std::vector<Tensor> args = {f32({rows, c.classes}, valuesOf(c.scores))};
    args.push_back(soft ? f32({rows, c.classes}, valuesOf(c.soft))
                        : i32({rows}, std::vector<double>(c.labels.begin(), c.labels.end())));
    if (!c.weight.empty())
      args.push_back(f32({c.classes}, valuesOf(c.weight)));
    std::string func = classLossFunc(c.op, rows, c.classes, soft, !c.weight.empty(), c.reduction,
                                     c.ignoreIndex, c.smoothing);
    SCOPED_TRACE(func);
    Tensor r = run1(func, std::move(args));
    std::vector<int64_t> shape = std::string(c.reduction) == "none" ? std::vector<int64_t>{rows}
                                                                      : std::vector<int64_t>{};
    // The interpreter is exact in double; PyTorch's float64 result rounded to float32 is within
    // its rounding: 1e-6 relative.
    ASSERT_EQ(r.shape, shape);
    std::vector<double> expected = valuesOf(c.rounded);
    ASSERT_EQ(r.data.size(), expected.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      if (std::isnan(expected[k]))
        EXPECT_TRUE(std::isnan(r.data[k])) << "element " << k << " = " << r.data[k];
      else if (std::isinf(expected[k]))
        EXPECT_EQ(r.data[k], expected[k]) << "element " << k;
      else
        EXPECT_NEAR(r.data[k], expected[k], 1e-6 * std::max(1.0, std::fabs(expected[k])))
            << "element " << k;
    }
  }
}

TEST_F(ClassLossTest, WeightIgnoreIndexAndSmoothingByHand) {
  // Two rows of [0, 0, 0] logits (log_softmax = -log 3 everywhere) and one ignored row.
  // w = [1, 2, 3], labels [1, 7, 2] with ignore_index 7, eps = 0.3:
  //   row loss = (1 - eps) w[y] log 3 + eps / 3 (1 + 2 + 3) log 3; mean divides by w[1] + w[2].
  double l3 = std::log(3.0), eps = 0.3;
  double row1 = (1 - eps) * 2 * l3 + eps / 3 * 6 * l3, row3 = (1 - eps) * 3 * l3 + eps / 3 * 6 * l3;
  std::string func = classLossFunc("cross_entropy", 3, 3, false, true, "mean", 7, eps);
  Tensor r = run1(func, {Tensor::filled({3, 3}, 0), i32({3}, {1, 7, 2}), f32({3}, {1, 2, 3})});
  expectTensor(r, {}, {(row1 + row3) / 5}, 1e-12);
  func = classLossFunc("cross_entropy", 3, 3, false, true, "none", 7, eps);
  r = run1(func, {Tensor::filled({3, 3}, 0), i32({3}, {1, 7, 2}), f32({3}, {1, 2, 3})});
  expectTensor(r, {3}, {row1, 0, row3}, 1e-12);
}

TEST_F(ClassLossTest, LabelOutOfRangeUnlessIgnored) {
  std::string func = classLossFunc("nll", 2, 3, false, false, "sum", -1, 0);
  expectTensor(run1(func, {f32({2, 3}, {-1, -2, -3, -4, -5, -6}), i32({2}, {-1, 2})}), {}, {6});
  std::string error = runError(func, {Tensor::filled({2, 3}, 0), i32({2}, {-100, 0})});
  EXPECT_THAT(error, ::testing::HasSubstr("label -100 is outside [0, 3)"));
}

} // namespace
} // namespace dl::interp::test
