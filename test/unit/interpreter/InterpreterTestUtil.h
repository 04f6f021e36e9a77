//===- InterpreterTestUtil.h - Shared helpers of the interpreter's tests ---*- C++ -*-===//
//
// A fixture that parses dl IR from a string (a whole module, or just the body of `dl.model @m`),
// builds tensors tersely, runs one function and compares results with hand-computed values.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_INTERPRETER_TESTUTIL_H
#define DLC_TEST_UNIT_INTERPRETER_TESTUTIL_H

#include "compiler/interpreter/Interpreter.h"
#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace dl::interp::test {

inline Tensor f32(std::vector<int64_t> shape, std::vector<double> data) {
  return Tensor(std::move(shape), ElementKind::F32, std::move(data));
}
inline Tensor i32(std::vector<int64_t> shape, std::vector<double> data) {
  return Tensor(std::move(shape), ElementKind::I32, std::move(data));
}
inline Tensor i1(std::vector<int64_t> shape, std::vector<double> data) {
  return Tensor(std::move(shape), ElementKind::I1, std::move(data));
}

/// Expects `t` to have `shape` and values within `tol` of `expected` (NaN matches NaN).
inline void expectTensor(const Tensor &t, const std::vector<int64_t> &shape,
                         const std::vector<double> &expected, double tol = 1e-12) {
  ASSERT_EQ(t.shape, shape);
  ASSERT_EQ(t.data.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(t.data[i])) << "element " << i << " is " << t.data[i];
    else if (std::isinf(expected[i]))
      EXPECT_EQ(t.data[i], expected[i]) << "element " << i;
    else
      EXPECT_NEAR(t.data[i], expected[i], tol) << "element " << i;
  }
}

/// Mean and (population) standard deviation of the values.
inline std::pair<double, double> meanAndStd(const std::vector<double> &v) {
  double mean = 0;
  for (double x : v)
    mean += x;
  mean /= static_cast<double>(v.size());
  double var = 0;
  for (double x : v)
    var += (x - mean) * (x - mean);
  return {mean, std::sqrt(var / static_cast<double>(v.size()))};
}

class InterpreterTest : public ::testing::Test {
public:
  InterpreterTest() {
    context.loadDialect<mlir::dl::DLDialect, mlir::func::FuncDialect>();
  }

  /// Parses a whole module and returns its first dl.model (null, with a failed expectation, when
  /// there is none or the text does not parse). `verify = false` skips the verifier after parsing,
  /// to hand the interpreter a module that does not verify.
  mlir::dl::ModelOp parseModule(const std::string &text, bool verify = true) {
    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      llvm::raw_string_ostream os(diagnostics);
      os << d.getLocation() << ": " << d << "\n";
      return mlir::success();
    });
    mlir::ParserConfig config(&context, verify);
    auto module = mlir::parseSourceString<mlir::ModuleOp>(text, config, "test.mlir");
    EXPECT_TRUE(module) << diagnostics;
    if (!module)
      return {};
    mlir::dl::ModelOp model;
    module->walk([&](mlir::dl::ModelOp m) {
      if (!model)
        model = m;
    });
    EXPECT_TRUE(model) << "no dl.model in the module";
    modules.push_back(std::move(module));
    return model;
  }

  /// Parses `body` as the contents of `dl.model @m { ... }`.
  mlir::dl::ModelOp parseModel(const std::string &body, bool verify = true) {
    return parseModule("dl.model @m {\n" + body + "\n}\n", verify);
  }

  /// A fresh interpreter of the model whose body is `body`.
  std::unique_ptr<Interpreter> interpreter(const std::string &body, uint64_t seed = 1,
                                           bool verify = true) {
    mlir::dl::ModelOp model = parseModel(body, verify);
    if (!model)
      return nullptr;
    return std::make_unique<Interpreter>(model, seed);
  }

  /// Runs function `@f` of the model `body` with `args` and returns its results; an error fails the
  /// test (and returns nothing).
  std::vector<Tensor> run(const std::string &body, std::vector<Tensor> args, uint64_t seed = 1,
                          uint64_t step = 0) {
    auto interp = interpreter(body, seed);
    if (!interp)
      return {};
    interp->step = step;
    std::string error;
    auto results = interp->call("f", args, error);
    EXPECT_TRUE(succeeded(results)) << error;
    return succeeded(results) ? *results : std::vector<Tensor>{};
  }

  /// Runs `@f` of `body` and returns the single result, or an empty tensor after a failure.
  Tensor run1(const std::string &body, std::vector<Tensor> args, uint64_t seed = 1,
              uint64_t step = 0) {
    std::vector<Tensor> results = run(body, std::move(args), seed, step);
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? Tensor() : results[0];
  }

  /// Runs `@f` of `body` expecting failure; returns the error message.
  std::string runError(const std::string &body, std::vector<Tensor> args) {
    auto interp = interpreter(body);
    if (!interp)
      return "<did not parse>";
    std::string error;
    auto results = interp->call("f", args, error);
    EXPECT_TRUE(failed(results)) << "expected an error";
    return error;
  }

  mlir::MLIRContext context;
  std::vector<mlir::OwningOpRef<mlir::ModuleOp>> modules;
};

} // namespace dl::interp::test

#endif // DLC_TEST_UNIT_INTERPRETER_TESTUTIL_H
