//===- VJPHarness.h - Finite-difference checks of gradient rules ---*- C++ -*-===//
//
// The harness of the VJP tests (VJPTest.cpp and the files of the families with their own). Each
// case is one op (or a few) applied to parameters @p0..@pn of a generated `dl.model`: they are
// drawn from normal(0, 1) and then, where the case says so, moved (made positive, kept away from
// kinks and ties). The loss is sum(y * w) for the case's result y and fixed, non-uniform weights w
// (some negative), so that every element of y matters and the incoming gradient is not all ones.
// dl-autodiff builds @s.grad; the reference interpreter evaluates it (in double precision), and
// central differences of @s.loss check every element of every trained parameter's gradient:
// |analytic - numeric| / max(|analytic|, |numeric|, 1e-3) < 1e-5 with h = 1e-6 max(1, |x|).
//
// A parameter whose gradient is not expected to vanish must have one somewhere (a case that does
// not reach its parameters checks nothing); one that is expected to vanish (a dl.cmp operand) must
// get exact zeros.
//
// Every family's file runs its cases through the one parameterized test VJPTest (instantiated per
// family, with caseName), checks its case list with expectUniqueNamesCovering and its gradient ops'
// refusal with expectNoGradient, and reads exact gradients with gradientsOf.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_GRADIENTS_VJPHARNESS_H
#define DLC_TEST_UNIT_GRADIENTS_VJPHARNESS_H

#include "compiler/interpreter/Interpreter.h"
#include "compiler/transforms/Passes.h"
#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dl::vjptest {

using dl::interp::Interpreter;
using dl::interp::Tensor;

//===----------------------------------------------------------------------===//
// Shapes and types, written as in MLIR: "2x3" is tensor<2x3xf32>, "" a scalar.
//===----------------------------------------------------------------------===//

inline std::vector<int64_t> parseShape(const std::string &s) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, 'x'))
    out.push_back(std::stoll(item));
  return out;
}

inline int64_t numElements(const std::string &s) {
  std::vector<int64_t> shape = parseShape(s);
  return std::accumulate(shape.begin(), shape.end(), int64_t(1), std::multiplies<int64_t>());
}

inline std::string T(const std::string &shape, const std::string &element = "f32") {
  return "tensor<" + (shape.empty() ? "" : shape + "x") + element + ">";
}

/// A float literal MLIR reads back exactly enough: "1.25000000e+00".
inline std::string lit(double v) {
  std::ostringstream os;
  os << std::scientific << std::setprecision(8) << v;
  return os.str();
}

/// The name of a shape inside a test name: "2x3", or "scalar".
inline std::string nameOf(const std::string &shape) { return shape.empty() ? "scalar" : shape; }

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

/// Moves the values of the parameters (all of them, trained or not) after initialization.
using Prepare = std::function<void(std::vector<Tensor> &)>;

struct Case {
  std::string name;
  std::vector<std::string> params;  ///< Shapes of @p0, @p1, ...
  std::string body;                 ///< Defines %y from the loaded %p0, %p1, ...
  std::string result;               ///< The shape of %y.
  std::vector<Prepare> prepare;     ///< Applied in order.
  std::set<int> frozen;             ///< Parameters the train op leaves out.
  std::set<int> zero;               ///< Trained parameters whose gradient is zero everywhere.
  uint64_t seed = 1;

  Case with(Prepare p) const {
    Case c = *this;
    c.prepare.push_back(std::move(p));
    return c;
  }
  Case freeze(std::set<int> ps) const {
    Case c = *this;
    c.frozen.insert(ps.begin(), ps.end());
    return c;
  }
  Case zeroGrad(std::set<int> ps) const {
    Case c = *this;
    c.zero.insert(ps.begin(), ps.end());
    return c;
  }
  Case named(std::string n) const {
    Case c = *this;
    c.name = std::move(n);
    return c;
  }
};

inline void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

// Value maps -----------------------------------------------------------------------------------

/// Applies `f` to every element of parameter `i`.
inline Prepare map(int i, std::function<double(double)> f) {
  return [i, f](std::vector<Tensor> &ps) {
    for (double &v : ps[i].data)
      v = f(v);
  };
}

/// Values at least `lo` (0.2 unless told): lo + |x|.
inline Prepare positive(int i, double lo = 0.2) {
  return map(i, [lo](double x) { return lo + std::fabs(x); });
}

/// Moves every value at least `margin` away from each of `kinks`.
inline Prepare awayFrom(int i, std::vector<double> kinks, double margin = 0.05) {
  return map(i, [kinks, margin](double x) {
    for (int round = 0; round < 8; ++round) {
      bool moved = false;
      for (double k : kinks)
        if (std::fabs(x - k) < margin) {
          x += 2 * margin;
          moved = true;
        }
      if (!moved)
        break;
    }
    return x;
  });
}

/// Values in (0.05, 0.95).
inline Prepare probability(int i) {
  return map(i, [](double x) { return 0.05 + 0.9 / (1 + std::exp(-x)); });
}

/// -1 or +1 (hinge targets).
inline Prepare signs(int i) {
  return map(i, [](double x) { return x >= 0 ? 1.0 : -1.0; });
}

/// Distinct values offset + step (k - (n - 1) / 2), k = 0..n-1, in a shuffled order, centred on
/// `offset`. With step 0.4 and offsets 0 and 0.1, two grids never come within 0.1 of each other
/// whatever elements broadcasting pairs, and each has elements above and below the other.
inline Prepare grid(int i, double offset, double step = 0.4) {
  return [=](std::vector<Tensor> &ps) {
    std::vector<double> &d = ps[i].data;
    std::vector<size_t> order(d.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937(17 + i));
    for (size_t k = 0; k < d.size(); ++k)
      d[order[k]] = offset + step * (double(k) - double(d.size() - 1) / 2);
  };
}

/// For two parameters of one shape: moves @p`p` so that no p - t is within `margin` of a kink of
/// the residual (mae: 0; huber: +-delta).
inline Prepare residualAwayFrom(int p, int t, std::vector<double> kinks, double margin = 0.05) {
  return [=](std::vector<Tensor> &ps) {
    for (size_t k = 0; k < ps[p].data.size(); ++k) {
      double &x = ps[p].data[k];
      for (int round = 0; round < 8; ++round) {
        bool moved = false;
        for (double kink : kinks)
          if (std::fabs(x - ps[t].data[k] - kink) < margin) {
            x += 2 * margin;
            moved = true;
          }
        if (!moved)
          break;
      }
    }
  };
}

/// Hinge: moves each prediction so that 1 - t p is not within `margin` of 0.
inline Prepare marginAwayFromOne(int p, int t, double margin = 0.05) {
  return [=](std::vector<Tensor> &ps) {
    for (size_t k = 0; k < ps[p].data.size(); ++k) {
      double &x = ps[p].data[k];
      double tk = ps[t].data[k];
      if (std::fabs(1 - tk * x) < margin)
        x += 2 * margin * tk;
    }
  };
}

// Case builders --------------------------------------------------------------------------------

inline Case make(std::string name, std::vector<std::string> params, std::string body,
                 std::string result) {
  Case c;
  c.name = std::move(name);
  c.params = std::move(params);
  c.body = std::move(body);
  c.result = std::move(result);
  return c;
}

/// `%y = dl.OP %p0, %p1` of shapes a and b.
inline Case binary(const std::string &op, const std::string &a, const std::string &b,
                   const std::string &out) {
  return make(op + "_" + nameOf(a) + "_" + nameOf(b), {a, b},
              "%y = dl." + op + " %p0, %p1 : (" + T(a) + ", " + T(b) + ") -> " + T(out), out);
}

/// `%y = dl.OP %p0 ATTRS` of one shape.
inline Case unary(const std::string &op, const std::string &shape, const std::string &attrs = "") {
  return make(op + "_" + nameOf(shape), {shape},
              "%y = dl." + op + " %p0 " + attrs + (attrs.empty() ? "" : " ") + ": " + T(shape),
              shape);
}

/// `%y = dl.OP %p0 {axes = [AXES], keepdims}`; `tag` names the axes in the test name.
inline Case reduce(const std::string &op, const std::string &in, const std::string &axes,
                   bool keepdims, const std::string &out, const std::string &tag) {
  std::string attrs;
  if (!axes.empty() || keepdims) {
    std::vector<std::string> parts;
    if (!axes.empty())
      parts.push_back("axes = array<i64: " + axes + ">");
    if (keepdims)
      parts.push_back("keepdims = true");
    attrs = "{" + parts[0] + (parts.size() > 1 ? ", " + parts[1] : "") + "} ";
  }
  return make(op + "_" + nameOf(in) + "_" + tag + (keepdims ? "_keepdims" : ""), {in},
              "%y = dl." + op + " %p0 " + attrs + ": (" + T(in) + ") -> " + T(out), out);
}

/// `%y = dl.LOSS %p0, %p1 ATTRS` of one shape.
inline Case loss(const std::string &op, const std::string &shape, const std::string &attrs = "") {
  return make(op + "_" + nameOf(shape), {shape, shape},
              "%y = dl." + op + " %p0, %p1 " + attrs + (attrs.empty() ? "" : " ") + ": (" +
                  T(shape) + ", " + T(shape) + ") -> tensor<f32>",
              "");
}

//===----------------------------------------------------------------------===//
// The check
//===----------------------------------------------------------------------===//

/// The fixed, non-uniform weight of element k of the result in the loss: of both signs, and with no
/// small subset summing to zero (a scalar operand broadcast over a few elements gets their sum).
inline double weight(int64_t k) {
  return (0.6 + 0.37 * double((k * 5) % 7) + 0.011 * double(k)) * (k % 3 == 1 ? -1.0 : 1.0);
}

inline std::string paramName(size_t i) { return "p" + std::to_string(i); }

inline std::string modelText(const Case &c) {
  std::ostringstream os;
  os << "dl.model @m {\n";
  for (size_t i = 0; i < c.params.size(); ++i)
    os << "  dl.param @" << paramName(i) << " : " << T(c.params[i])
       << " = \"normal\" {mean = 0.0 : f64, std = 1.0 : f64}\n";
  os << "  func.func @s.loss() -> tensor<f32> {\n";
  for (size_t i = 0; i < c.params.size(); ++i)
    os << "    %" << paramName(i) << " = dl.load @" << paramName(i) << " : " << T(c.params[i])
       << "\n";
  std::stringstream body(c.body);
  for (std::string line; std::getline(body, line);)
    os << "    " << line << "\n";
  std::string y = T(c.result);
  int64_t n = numElements(c.result);
  if (c.result.empty()) {
    os << "    %w = dl.constant dense<" << lit(weight(0)) << "> : tensor<f32>\n"
       << "    %l = dl.mul %y, %w : (tensor<f32>, tensor<f32>) -> tensor<f32>\n";
  } else {
    os << "    %wflat = dl.constant dense<[";
    for (int64_t k = 0; k < n; ++k)
      os << (k ? ", " : "") << lit(weight(k));
    os << "]> : " << T(std::to_string(n)) << "\n";
    os << "    %w = dl.reshape %wflat : (" << T(std::to_string(n)) << ") -> " << y << "\n"
       << "    %yw = dl.mul %y, %w : (" << y << ", " << y << ") -> " << y << "\n"
       << "    %l = dl.sum %yw : (" << y << ") -> tensor<f32>\n";
  }
  os << "    return %l : tensor<f32>\n  }\n";
  os << "  dl.train @s loss @s.loss params [";
  bool first = true;
  for (size_t i = 0; i < c.params.size(); ++i)
    if (!c.frozen.count(int(i))) {
      os << (first ? "" : ", ") << "@" << paramName(i);
      first = false;
    }
  os << "] optimizer \"sgd\" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} "
        "weight_decay 0.0 schedule \"constant\" {}\n}\n";
  return os.str();
}

/// A parsed module with its diagnostics collected.
struct Compiled {
  mlir::MLIRContext context;
  std::string diagnostics;
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;

  explicit Compiled(const std::string &text) {
    context.loadDialect<mlir::dl::DLDialect, mlir::func::FuncDialect>();
    handler = std::make_unique<mlir::ScopedDiagnosticHandler>(&context, [this](mlir::Diagnostic &d) {
      llvm::raw_string_ostream os(diagnostics);
      os << d.getLocation() << ": " << d << "\n";
      return mlir::success();
    });
    module = mlir::parseSourceString<mlir::ModuleOp>(text, &context, "vjp.mlir");
  }

  mlir::LogicalResult differentiate() {
    mlir::PassManager pm(&context);
    pm.addPass(mlir::dl::createAutodiff());
    return pm.run(*module);
  }

  mlir::dl::ModelOp model() {
    mlir::dl::ModelOp m;
    module->walk([&](mlir::dl::ModelOp op) { m = op; });
    return m;
  }

  std::string print() {
    std::string s;
    llvm::raw_string_ostream os(s);
    module->print(os);
    return s;
  }
};

/// Runs case `c` through dl-autodiff and the interpreter and checks its gradients against central
/// differences, reporting failures through GoogleTest.
inline void checkAgainstCentralDifferences(const Case &c) {
  std::string text = modelText(c);
  Compiled compiled(text);
  ASSERT_TRUE(compiled.module) << compiled.diagnostics << text;
  ASSERT_TRUE(succeeded(compiled.differentiate())) << compiled.diagnostics << text;

  Interpreter interp(compiled.model(), c.seed);
  interp.step = 1;  // Fixed, so that every call draws the same dropout masks.
  std::string error;
  ASSERT_TRUE(interp.initialize(&error)) << error;
  if (!c.prepare.empty()) {
    std::vector<Tensor> values;
    for (size_t i = 0; i < c.params.size(); ++i)
      values.push_back(*interp.state(paramName(i)));
    for (const Prepare &p : c.prepare)
      p(values);
    for (size_t i = 0; i < c.params.size(); ++i)
      ASSERT_TRUE(interp.setState(paramName(i), values[i]));
  }

  auto grads = interp.call("s.grad", {}, error);
  ASSERT_TRUE(succeeded(grads)) << error << "\n" << compiled.print();
  auto loss = interp.call("s.loss", {}, error);
  ASSERT_TRUE(succeeded(loss)) << error;
  double l0 = (*loss)[0].data[0];
  ASSERT_TRUE(std::isfinite(l0));
  EXPECT_NEAR((*grads)[0].data[0], l0, 1e-12 * std::max(1.0, std::fabs(l0)))
      << "@s.grad's loss differs from @s.loss's";

  std::vector<size_t> trained;
  for (size_t i = 0; i < c.params.size(); ++i)
    if (!c.frozen.count(int(i)))
      trained.push_back(i);
  ASSERT_EQ(grads->size(), 1 + trained.size());

  double worst = 0;  // The largest relative error of any element, reported with VJP_VERBOSE set.
  for (size_t k = 0; k < trained.size(); ++k) {
    std::string param = paramName(trained[k]);
    const Tensor &g = (*grads)[k + 1];
    ASSERT_EQ(g.shape, interp.state(param)->shape) << "gradient of @" << param;
    double largest = 0, largestAnalytic = 0;
    for (size_t i = 0; i < g.data.size(); ++i) {
      double original = interp.state(param)->data[i];
      double h = 1e-6 * std::max(1.0, std::fabs(original));
      auto lossAt = [&](double v) {
        interp.state(param)->data[i] = v;
        auto r = interp.call("s.loss", {}, error);
        EXPECT_TRUE(succeeded(r)) << error;
        return succeeded(r) ? (*r)[0].data[0] : NAN;
      };
      double up = lossAt(original + h), down = lossAt(original - h);
      interp.state(param)->data[i] = original;
      double numeric = (up - down) / (2 * h);
      double analytic = g.data[i];
      double scale = std::max({std::fabs(analytic), std::fabs(numeric), 1e-3});
      worst = std::max(worst, std::fabs(analytic - numeric) / scale);
      EXPECT_LT(std::fabs(analytic - numeric) / scale, 1e-5)
          << "d loss / d @" << param << "[" << i << "] (value " << original << "): analytic "
          << analytic << ", numeric " << numeric;
      largest = std::max(largest, std::fabs(numeric));
      largestAnalytic = std::max(largestAnalytic, std::fabs(analytic));
    }
    if (c.zero.count(int(trained[k])))
      EXPECT_EQ(largestAnalytic, 0.0) << "@" << param << " should get a zero gradient";
    else
      EXPECT_GT(largest, 1e-6) << "the loss does not depend on @" << param
                               << ": the case checks nothing";
  }
  ::testing::Test::RecordProperty("worst_relative_error", std::to_string(worst));
  if (std::getenv("VJP_VERBOSE"))
    std::printf("%-45s worst relative error %.3g\n", c.name.c_str(), worst);
  if (::testing::Test::HasFailure())
    ADD_FAILURE() << "the differentiated module:\n" << compiled.print();
}

/// The parameters' values and their gradients after dl-autodiff.
struct Gradients {
  std::vector<Tensor> params, grads;
};

/// The Gradients of case `c`, evaluated by the interpreter; `values` overrides the initial draws
/// where given.
inline Gradients gradientsOf(const Case &c, const std::vector<std::vector<double>> &values = {}) {
  Gradients out;
  Compiled compiled(modelText(c));
  EXPECT_TRUE(compiled.module) << compiled.diagnostics;
  if (!compiled.module || failed(compiled.differentiate())) {
    ADD_FAILURE() << "dl-autodiff failed: " << compiled.diagnostics;
    return out;
  }
  Interpreter interp(compiled.model(), c.seed);
  std::string error;
  EXPECT_TRUE(interp.initialize(&error)) << error;
  for (size_t i = 0; i < values.size(); ++i) {
    Tensor t = *interp.state(paramName(i));
    t.data = values[i];
    EXPECT_TRUE(interp.setState(paramName(i), t));
  }
  for (size_t i = 0; i < c.params.size(); ++i)
    out.params.push_back(*interp.state(paramName(i)));
  auto results = interp.call("s.grad", {}, error);
  EXPECT_TRUE(succeeded(results)) << error << "\n" << compiled.print();
  if (succeeded(results))
    out.grads.assign(results->begin() + 1, results->end());
  return out;
}

//===----------------------------------------------------------------------===//
// What every family's tests share
//===----------------------------------------------------------------------===//

/// The test every family runs on its cases: each against central differences (its one TEST_P,
/// MatchesCentralDifferences, is in VJPTest.cpp). A family's file instantiates it with its cases:
///   INSTANTIATE_TEST_SUITE_P(Gather, VJPTest, ::testing::ValuesIn(gatherCases()), caseName);
class VJPTest : public ::testing::TestWithParam<Case> {};

/// A case's test name: its own name.
inline std::string caseName(const ::testing::TestParamInfo<Case> &info) { return info.param.name; }

/// Expects the names of `cases` to be unique, and some case to use each op of `ops`.
inline void expectUniqueNamesCovering(const std::vector<Case> &cases,
                                      const std::vector<std::string> &ops) {
  std::set<std::string> names;
  std::string all;
  for (const Case &c : cases) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    all += c.body + "\n";
  }
  for (const std::string &op : ops)
    EXPECT_NE(all.find("dl." + op + " "), std::string::npos) << "no case uses dl." << op;
}

/// Expects dl-autodiff to refuse case `c`, whose loss depends on `op`, which has no gradient (a
/// gradient op: second derivatives are not built), and to name it; returns the diagnostics.
inline std::string expectNoGradient(const Case &c, const std::string &op) {
  Compiled compiled(modelText(c));
  EXPECT_TRUE(compiled.module) << compiled.diagnostics;
  if (!compiled.module)
    return compiled.diagnostics;
  EXPECT_TRUE(failed(compiled.differentiate()));
  EXPECT_NE(compiled.diagnostics.find("the loss depends on 'dl." + op + "'"), std::string::npos)
      << compiled.diagnostics;
  return compiled.diagnostics;
}

//===----------------------------------------------------------------------===//
// The 2-D window ops (ConvVJPTest.cpp, PoolingVJPTest.cpp)
//===----------------------------------------------------------------------===//

/// A spatial attribute's [height, width].
using Pair = std::array<int64_t, 2>;

/// The attribute dictionary of a window op: `{name = array<i64: a, b>, ...}`.
inline std::string windowAttrs(std::vector<std::pair<std::string, Pair>> named) {
  std::string s = "{";
  for (size_t i = 0; i < named.size(); ++i)
    s += (i ? ", " : "") + named[i].first + " = array<i64: " + std::to_string(named[i].second[0]) +
         ", " + std::to_string(named[i].second[1]) + ">";
  return s + "}";
}

/// weight(k) as the loss's f32 constant holds it: the incoming gradient of element k of y.
inline double lossWeight(int64_t k) { return double(float(weight(k))); }

} // namespace dl::vjptest

#endif // DLC_TEST_UNIT_GRADIENTS_VJPHARNESS_H
