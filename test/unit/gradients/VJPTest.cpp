//===- VJPTest.cpp - Every gradient rule against finite differences -------===//
//
// Each case is one op (or a few) applied to parameters @p0..@pn of a generated `dl.model`: they are
// drawn from normal(0, 1) and then, where the case says so, moved (made positive, kept away from
// kinks and ties). The loss is sum(y * w) for the case's result y and fixed, non-uniform weights w
// (some negative), so that every element of y matters and the incoming gradient is not all ones.
// dl-autodiff builds @s.grad; the reference interpreter evaluates it (in double precision), and
// central differences of @s.loss check every element of every trained parameter's gradient:
// |analytic - numeric| / max(|analytic|, |numeric|, 1e-3) < 1e-5 with h = 1e-6 max(1, |x|).
//
// A parameter whose gradient is not expected to vanish must have one somewhere (a case that does not
// reach its parameters checks nothing); one that is expected to vanish (a dl.cmp operand) must get
// exact zeros.
//
//===----------------------------------------------------------------------===//
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

namespace {

using dl::interp::Interpreter;
using dl::interp::Tensor;

//===----------------------------------------------------------------------===//
// Shapes and types, written as in MLIR: "2x3" is tensor<2x3xf32>, "" a scalar.
//===----------------------------------------------------------------------===//

std::vector<int64_t> parseShape(const std::string &s) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, 'x'))
    out.push_back(std::stoll(item));
  return out;
}

int64_t numElements(const std::string &s) {
  std::vector<int64_t> shape = parseShape(s);
  return std::accumulate(shape.begin(), shape.end(), int64_t(1), std::multiplies<int64_t>());
}

std::string T(const std::string &shape, const std::string &element = "f32") {
  return "tensor<" + (shape.empty() ? "" : shape + "x") + element + ">";
}

/// A float literal MLIR reads back exactly enough: "1.25000000e+00".
std::string lit(double v) {
  std::ostringstream os;
  os << std::scientific << std::setprecision(8) << v;
  return os.str();
}

/// The name of a shape inside a test name: "2x3", or "scalar".
std::string nameOf(const std::string &shape) { return shape.empty() ? "scalar" : shape; }

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

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

// Value maps -----------------------------------------------------------------------------------

/// Applies `f` to every element of parameter `i`.
Prepare map(int i, std::function<double(double)> f) {
  return [i, f](std::vector<Tensor> &ps) {
    for (double &v : ps[i].data)
      v = f(v);
  };
}

/// Values at least `lo` (0.2 unless told): lo + |x|.
Prepare positive(int i, double lo = 0.2) {
  return map(i, [lo](double x) { return lo + std::fabs(x); });
}

/// Moves every value at least `margin` away from each of `kinks`.
Prepare awayFrom(int i, std::vector<double> kinks, double margin = 0.05) {
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
Prepare probability(int i) {
  return map(i, [](double x) { return 0.05 + 0.9 / (1 + std::exp(-x)); });
}

/// -1 or +1 (hinge targets).
Prepare signs(int i) {
  return map(i, [](double x) { return x >= 0 ? 1.0 : -1.0; });
}

/// Distinct values offset + step (k - (n - 1) / 2), k = 0..n-1, in a shuffled order, centred on
/// `offset`. With step 0.4 and offsets 0 and 0.1, two grids never come within 0.1 of each other
/// whatever elements broadcasting pairs, and each has elements above and below the other.
Prepare grid(int i, double offset, double step = 0.4) {
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
Prepare residualAwayFrom(int p, int t, std::vector<double> kinks, double margin = 0.05) {
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
Prepare marginAwayFromOne(int p, int t, double margin = 0.05) {
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

Case make(std::string name, std::vector<std::string> params, std::string body, std::string result) {
  Case c;
  c.name = std::move(name);
  c.params = std::move(params);
  c.body = std::move(body);
  c.result = std::move(result);
  return c;
}

/// `%y = dl.OP %p0, %p1` of shapes a and b.
Case binary(const std::string &op, const std::string &a, const std::string &b,
            const std::string &out) {
  return make(op + "_" + nameOf(a) + "_" + nameOf(b), {a, b},
              "%y = dl." + op + " %p0, %p1 : (" + T(a) + ", " + T(b) + ") -> " + T(out), out);
}

/// `%y = dl.OP %p0 ATTRS` of one shape.
Case unary(const std::string &op, const std::string &shape, const std::string &attrs = "") {
  return make(op + "_" + nameOf(shape), {shape},
              "%y = dl." + op + " %p0 " + attrs + (attrs.empty() ? "" : " ") + ": " + T(shape),
              shape);
}

/// `%y = dl.OP %p0 {axes = [AXES], keepdims}`; `tag` names the axes in the test name.
Case reduce(const std::string &op, const std::string &in, const std::string &axes, bool keepdims,
            const std::string &out, const std::string &tag) {
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
Case loss(const std::string &op, const std::string &shape, const std::string &attrs = "") {
  return make(op + "_" + nameOf(shape), {shape, shape},
              "%y = dl." + op + " %p0, %p1 " + attrs + (attrs.empty() ? "" : " ") + ": (" +
                  T(shape) + ", " + T(shape) + ") -> tensor<f32>",
              "");
}

std::vector<Case> elementwiseCases() {
  std::vector<Case> cs;
  // add, sub, mul: equal shapes, a lower-rank operand, size-1 dimensions on both sides, scalars.
  for (std::string op : {"add", "sub", "mul"}) {
    cs.push_back(binary(op, "2x3", "2x3", "2x3"));
    cs.push_back(binary(op, "2x3", "3", "2x3"));
    cs.push_back(binary(op, "3", "2x3", "2x3"));
    cs.push_back(binary(op, "3x1", "1x4", "3x4"));
    cs.push_back(binary(op, "2x1x4", "3x1", "2x3x4"));
    cs.push_back(binary(op, "", "2x3", "2x3"));
    cs.push_back(binary(op, "2x3", "", "2x3"));
    cs.push_back(binary(op, "", "", ""));
  }
  // div: the divisor away from 0.
  for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
           {"2x3", "2x3", "2x3"}, {"2x3", "3", "2x3"}, {"3", "2x1", "2x3"},
           {"", "2x2", "2x2"}, {"2x2", "", "2x2"}, {"1x3x1", "2x1x4", "2x3x4"}})
    cs.push_back(binary("div", a, b, out).with(positive(1, 0.5)).with(map(1, [](double x) {
      return int(std::fabs(x) * 1000) % 2 ? x : -x;  // Both signs.
    })));
  // pow: a positive base; the exponent of either sign.
  for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
           {"2x3", "2x3", "2x3"}, {"2x3", "", "2x3"}, {"", "2x3", "2x3"},
           {"3", "2x3", "2x3"}, {"2x1", "1x3", "2x3"}})
    cs.push_back(binary("pow", a, b, out).with(positive(0, 0.3)));
  // maximum and minimum: grids that never tie, so every element has one winner.
  for (std::string op : {"maximum", "minimum"})
    for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
             {"2x3", "2x3", "2x3"}, {"3x1", "4", "3x4"}, {"", "2x3", "2x3"},
             {"2x3", "", "2x3"}, {"2x1x3", "4x1", "2x4x3"}})
      cs.push_back(binary(op, a, b, out).with(grid(0, 0.0)).with(grid(1, 0.1)));
  // prelu: alpha broadcasts into x, whose result shape is x's; x away from the kink at 0.
  for (auto [x, alpha] : std::vector<std::array<std::string, 2>>{
           {"2x3", "2x3"}, {"2x3", "3"}, {"2x3x4", "3x1"}, {"2x3", ""}, {"4x2", "1x2"}})
    cs.push_back(binary("prelu", x, alpha, x).with(awayFrom(0, {0.0})));

  // select: the condition is a dl.cmp of two more parameters; they are trained too and must get
  // exact zeros (the comparison has no gradient and the rule gives the condition none).
  auto select = [](std::string name, std::string t, std::string f, std::string a, std::string b,
                   std::string out) {
    return make("select_" + name, {t, f, a, b},
                "%c = dl.cmp gt, %p2, %p3 : (" + T(a) + ", " + T(b) + ") -> " + T(out, "i1") +
                    "\n%y = dl.select %c, %p0, %p1 : (" + T(out, "i1") + ", " + T(t) + ", " + T(f) +
                    ") -> " + T(out),
                out)
        .with(grid(2, 0.0))
        .with(grid(3, 0.1))
        .zeroGrad({2, 3});
  };
  cs.push_back(select("same_shapes", "2x3", "2x3", "2x3", "2x3", "2x3"));
  cs.push_back(select("scalar_false", "2x3", "", "2x3", "3", "2x3"));
  cs.push_back(select("broadcast_both", "1x3", "2x1", "2x3", "2x3", "2x3"));
  cs.push_back(select("cond_broadcast", "3x4", "4", "3x1", "4", "3x4"));
  // A condition that has fewer dimensions than the values.
  cs.push_back(make("select_cond_lower_rank", {"2x3", "2x3", "3", ""},
                    "%c = dl.cmp gt, %p2, %p3 : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>\n"
                    "%y = dl.select %c, %p0, %p1 : (tensor<3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) "
                    "-> tensor<2x3xf32>",
                    "2x3")
                   .with(grid(2, 0.0))
                   .with(map(3, [](double) { return 0.1; }))
                   .zeroGrad({2, 3}));

  // Unary ops, each at a matrix, a scalar and a rank-3 shape.
  struct U {
    std::string op, attrs;
    std::vector<Prepare> prepare;
  };
  std::vector<U> unaries = {
      {"neg", "", {}},
      {"abs", "", {awayFrom(0, {0.0})}},
      {"exp", "", {}},
      {"log", "", {positive(0, 0.2)}},
      {"sqrt", "", {positive(0, 0.2)}},
      {"rsqrt", "", {positive(0, 0.2)}},
      {"sigmoid", "", {}},
      {"tanh", "", {}},
      {"relu", "", {awayFrom(0, {0.0})}},
      {"gelu", "", {}},
      {"erf", "", {}},
      // The rule builds sin(x) as cos(x - pi/2) with pi/2 rounded to f32: keep sin(x) off 0.
      {"cos", "", {awayFrom(0, {0.0})}},
      {"softplus", "", {}},
      {"leaky_relu", "{alpha = 2.000000e-01 : f64}", {awayFrom(0, {0.0})}},
      {"elu", "{alpha = 1.300000e+00 : f64}", {awayFrom(0, {0.0})}},
      {"clamp", "{min = -5.000000e-01 : f64, max = 7.000000e-01 : f64}",
       {awayFrom(0, {-0.5, 0.7})}},
  };
  for (const U &u : unaries)
    for (std::string shape : {"2x3", "", "2x1x3"}) {
      Case c = unary(u.op, shape, u.attrs);
      for (const Prepare &p : u.prepare)
        c = c.with(p);
      cs.push_back(c);
    }
  // leaky_relu's default alpha and clamp's other regime (every element clipped on one side).
  cs.push_back(unary("leaky_relu", "3x4").named("leaky_relu_default_alpha").with(awayFrom(0, {0.0})));
  cs.push_back(unary("clamp", "3x4", "{min = 0.000000e+00 : f64, max = 6.000000e+00 : f64}")
                   .named("clamp_relu6")
                   .with(awayFrom(0, {0.0, 6.0})));

  // softmax and log_softmax along several axes, negative ones included.
  for (std::string op : {"softmax", "log_softmax"}) {
    auto along = [&](std::string shape, int64_t axis, std::string tag) {
      return make(op + "_" + shape + "_" + tag, {shape},
                  "%y = dl." + op + " %p0 {axis = " + std::to_string(axis) + " : i64} : " + T(shape),
                  shape);
    };
    cs.push_back(unary(op, "3x4").named(op + "_3x4_default_axis"));
    cs.push_back(along("3x4", 0, "axis0"));
    cs.push_back(along("3x4", -2, "axis_m2"));
    cs.push_back(along("2x3x4", 1, "axis1"));
    cs.push_back(along("2x3x4", -1, "axis_m1"));
    cs.push_back(along("2x3x4", 0, "axis0"));
    cs.push_back(along("5", 0, "axis0"));
    // Along a size-1 axis the result is constant (1 or 0): the gradient is exactly zero.
    cs.push_back(along("3x1", 1, "size1_axis").zeroGrad({0}));
  }
  return cs;
}

std::vector<Case> matmulCases() {
  std::vector<Case> cs;
  for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
           {"3x4", "4x2", "3x2"},          // Plain.
           {"1x4", "4x1", "1x1"},          // Size-1 rows and columns.
           {"4", "4x2", "2"},              // 1-D lhs: a row vector.
           {"3x4", "4", "3"},              // 1-D rhs: a column vector.
           {"4", "4", ""},                 // Dot product.
           {"2x3x4", "2x4x5", "2x3x5"},    // Batched.
           {"2x3x4", "4x5", "2x3x5"},      // Shared rhs across the batch.
           {"3x4", "2x4x5", "2x3x5"},      // Shared lhs across the batch.
           {"1x3x4", "2x4x5", "2x3x5"},    // Size-1 batch broadcast.
           {"2x1x3x4", "3x4x2", "2x3x3x2"}, // Batch dims broadcast both ways.
           {"4", "2x4x3", "2x3"},          // 1-D lhs against a batch.
           {"2x3x4", "4", "2x3"},          // Batch against a 1-D rhs.
       })
    cs.push_back(binary("matmul", a, b, out));
  return cs;
}

std::vector<Case> reductionCases() {
  std::vector<Case> cs;
  for (std::string op : {"sum", "mean", "reduce_max", "reduce_min", "logsumexp"}) {
    cs.push_back(reduce(op, "2x3", "", false, "", "all"));
    cs.push_back(reduce(op, "2x3", "", true, "1x1", "all"));
    cs.push_back(reduce(op, "2x3x4", "1", false, "2x4", "ax1"));
    cs.push_back(reduce(op, "2x3x4", "0, 2", false, "3", "ax0_2"));
    cs.push_back(reduce(op, "2x3x4", "0, 2", true, "1x3x1", "ax0_2"));
    cs.push_back(reduce(op, "2x3", "-1", false, "2", "ax_m1"));
    cs.push_back(reduce(op, "2x3x4", "-1, 0", true, "1x3x1", "ax_m1_0"));
    cs.push_back(reduce(op, "2x3x4", "-2", true, "2x1x4", "ax_m2"));
    cs.push_back(reduce(op, "3x1x4", "1", false, "3x4", "size1_axis"));
    cs.push_back(reduce(op, "5", "0", false, "", "vector"));
  }
  return cs;
}

std::vector<Case> shapeCases() {
  std::vector<Case> cs;
  auto reshape = [](std::string in, std::string out) {
    return make("reshape_" + nameOf(in) + "_to_" + nameOf(out), {in},
                "%y = dl.reshape %p0 : (" + T(in) + ") -> " + T(out), out);
  };
  cs.push_back(reshape("2x3x4", "6x4"));
  cs.push_back(reshape("6", "2x1x3"));
  cs.push_back(reshape("", "1x1"));
  cs.push_back(reshape("2x3", "3x2"));

  auto transpose = [](std::string in, std::string perm, std::string out, std::string tag) {
    return make("transpose_" + in + "_" + tag, {in},
                "%y = dl.transpose %p0 {perm = array<i64: " + perm + ">} : (" + T(in) + ") -> " +
                    T(out),
                out);
  };
  cs.push_back(transpose("2x3", "1, 0", "3x2", "10"));
  cs.push_back(transpose("2x3x4", "2, 0, 1", "4x2x3", "201"));
  cs.push_back(transpose("2x3x4", "1, 2, 0", "3x4x2", "120"));
  cs.push_back(transpose("2x1x3", "0, 2, 1", "2x3x1", "021"));

  auto broadcastTo = [](std::string in, std::string out) {
    return make("broadcast_to_" + nameOf(in) + "_to_" + out, {in},
                "%y = dl.broadcast_to %p0 : (" + T(in) + ") -> " + T(out), out);
  };
  cs.push_back(broadcastTo("3", "2x3"));
  cs.push_back(broadcastTo("3x1", "2x3x4"));
  cs.push_back(broadcastTo("", "2x2"));
  cs.push_back(broadcastTo("1x3", "4x3"));
  cs.push_back(broadcastTo("2x1x1", "2x3x4"));

  cs.push_back(make("concat_axis1", {"2x3", "2x2"},
                    "%y = dl.concat %p0, %p1 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xf32>) "
                    "-> tensor<2x5xf32>",
                    "2x5"));
  cs.push_back(make("concat_three_axis0", {"1x3", "2x3", "3x3"},
                    "%y = dl.concat %p0, %p1, %p2 {axis = 0 : i64} : (tensor<1x3xf32>, "
                    "tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<6x3xf32>",
                    "6x3"));
  cs.push_back(make("concat_axis_m1", {"2x1x2", "2x1x3"},
                    "%y = dl.concat %p0, %p1 {axis = -1 : i64} : (tensor<2x1x2xf32>, "
                    "tensor<2x1x3xf32>) -> tensor<2x1x5xf32>",
                    "2x1x5"));
  cs.push_back(make("concat_axis_m2", {"2x3", "1x3"},
                    "%y = dl.concat %p0, %p1 {axis = -2 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) "
                    "-> tensor<3x3xf32>",
                    "3x3"));
  cs.push_back(make("concat_1d", {"2", "3"},
                    "%y = dl.concat %p0, %p1 {axis = 0 : i64} : (tensor<2xf32>, tensor<3xf32>) -> "
                    "tensor<5xf32>",
                    "5"));

  // split: one part unused (its slice of the gradient is zero), the others swapped.
  cs.push_back(make("split_axis1_part_unused", {"2x6"},
                    "%a, %b, %c = dl.split %p0 {parts = 3 : i64, axis = 1 : i64} : "
                    "(tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>)\n"
                    "%y = dl.concat %c, %a {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x2xf32>) -> "
                    "tensor<2x4xf32>",
                    "2x4"));
  cs.push_back(make("split_axis_m2_product", {"4x3"},
                    "%a, %b = dl.split %p0 {parts = 2 : i64, axis = -2 : i64} : (tensor<4x3xf32>) "
                    "-> (tensor<2x3xf32>, tensor<2x3xf32>)\n"
                    "%y = dl.mul %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("split_axis0_1d", {"6"},
                    "%a, %b, %c = dl.split %p0 {parts = 3 : i64, axis = 0 : i64} : (tensor<6xf32>) "
                    "-> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)\n"
                    "%ab = dl.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>\n"
                    "%y = dl.sub %ab, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>",
                    "2"));

  auto slice = [](std::string in, std::string start, std::string limit, std::string out,
                  std::string tag) {
    std::string ones;
    for (size_t d = 0; d < parseShape(in).size(); ++d)
      ones += d ? ", 1" : "1";
    return make("slice_" + in + "_" + tag, {in},
                "%y = dl.slice %p0 {start = array<i64: " + start + ">, limit = array<i64: " + limit +
                    ">, stride = array<i64: " + ones + ">} : (" + T(in) + ") -> " + T(out),
                out);
  };
  cs.push_back(slice("4x5", "1, 0", "3, 4", "2x4", "rows_cols"));
  cs.push_back(slice("2x3x4", "0, 1, 1", "2, 3, 3", "2x2x2", "inner"));
  cs.push_back(slice("6", "2", "5", "3", "middle"));
  cs.push_back(slice("3x4", "0, 0", "3, 4", "3x4", "whole"));

  auto pad = [](std::string in, std::string low, std::string high, std::string value,
                std::string out, std::string tag) {
    return make("pad_" + in + "_" + tag, {in},
                "%y = dl.pad %p0 {low = array<i64: " + low + ">, high = array<i64: " + high +
                    ">, value = " + value + " : f64} : (" + T(in) + ") -> " + T(out),
                out);
  };
  cs.push_back(pad("2x3", "1, 0", "0, 2", "5.000000e-01", "3x5", "value"));
  cs.push_back(pad("3", "2", "1", "0.000000e+00", "6", "zero"));
  cs.push_back(pad("2x1x2", "0, 1, 1", "1, 1, 0", "-1.000000e+00", "3x3x3", "rank3"));

  // dropout: the interpreter's step is fixed, so the gradient's mask is the forward's.
  cs.push_back(make("dropout_4x5_p05", {"4x5"},
                    "%y = dl.dropout %p0 {p = 5.000000e-01 : f64, stream = 3 : i64} : "
                    "tensor<4x5xf32>",
                    "4x5"));
  cs.push_back(make("dropout_2x3x4_p025", {"2x3x4"},
                    "%y = dl.dropout %p0 {p = 2.500000e-01 : f64, stream = 0 : i64} : "
                    "tensor<2x3x4xf32>",
                    "2x3x4"));
  // Two dropouts of different streams on one path.
  cs.push_back(make("dropout_twice", {"3x4"},
                    "%d = dl.dropout %p0 {p = 3.000000e-01 : f64, stream = 1 : i64} : "
                    "tensor<3x4xf32>\n"
                    "%t = dl.tanh %d : tensor<3x4xf32>\n"
                    "%y = dl.dropout %t {p = 2.000000e-01 : f64, stream = 2 : i64} : tensor<3x4xf32>",
                    "3x4"));
  return cs;
}

std::vector<Case> lossCases() {
  std::vector<Case> cs;
  // Both operands of every elementwise loss are trained: predictions and targets.
  cs.push_back(loss("mse", "4x3"));
  cs.push_back(loss("mse", "5"));
  cs.push_back(loss("mse", ""));
  cs.push_back(loss("mae", "4x3").with(residualAwayFrom(0, 1, {0.0})));
  cs.push_back(loss("mae", "2x3x2").with(residualAwayFrom(0, 1, {0.0})));
  cs.push_back(loss("huber", "4x3").with(residualAwayFrom(0, 1, {-1.0, 1.0})));
  cs.push_back(loss("huber", "3x4", "{delta = 5.000000e-01 : f64}")
                   .named("huber_3x4_delta05")
                   .with(residualAwayFrom(0, 1, {-0.5, 0.5})));
  cs.push_back(loss("bce", "4x3").with(probability(0)).with(probability(1)));
  cs.push_back(loss("bce", "6").with(probability(0)).with(probability(1)));
  cs.push_back(loss("bce_with_logits", "4x3").with(probability(1)));
  cs.push_back(loss("bce_with_logits", "2x3x2").with(map(0, [](double x) { return 3 * x; }))
                   .with(probability(1)));
  cs.push_back(loss("hinge", "4x3").with(signs(1)).with(marginAwayFromOne(0, 1)));
  cs.push_back(loss("hinge", "8").with(map(0, [](double x) { return 2 * x; })).with(signs(1))
                   .with(marginAwayFromOne(0, 1)));
  cs.push_back(loss("kl_div", "4x3").with(positive(1, 0.1)));
  cs.push_back(loss("kl_div", "2x3x2").with(positive(1, 0.1)));
  // kl_div of log-probabilities against probabilities, as it is used.
  cs.push_back(make("kl_div_log_softmax_softmax", {"4x5", "4x5"},
                    "%lq = dl.log_softmax %p0 : tensor<4x5xf32>\n"
                    "%t = dl.softmax %p1 : tensor<4x5xf32>\n"
                    "%y = dl.kl_div %lq, %t : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>",
                    ""));

  // cross_entropy with class ids (a constant), 2-D and 3-D logits.
  cs.push_back(make("cross_entropy_labels_4x5", {"4x5"},
                    "%labels = dl.constant dense<[0, 3, 4, 1]> : tensor<4xi32>\n"
                    "%y = dl.cross_entropy %p0, %labels : (tensor<4x5xf32>, tensor<4xi32>) -> "
                    "tensor<f32>",
                    ""));
  cs.push_back(make("cross_entropy_labels_2x3x4", {"2x3x4"},
                    "%labels = dl.constant dense<[[0, 3, 1], [2, 2, 0]]> : tensor<2x3xi32>\n"
                    "%y = dl.cross_entropy %p0, %labels : (tensor<2x3x4xf32>, tensor<2x3xi32>) -> "
                    "tensor<f32>",
                    ""));
  cs.push_back(make("cross_entropy_labels_1d", {"6"},
                    "%label = dl.constant dense<2> : tensor<i32>\n"
                    "%y = dl.cross_entropy %p0, %label : (tensor<6xf32>, tensor<i32>) -> "
                    "tensor<f32>",
                    ""));
  // cross_entropy with soft targets, trained: positive and not normalized, or a softmax.
  cs.push_back(make("cross_entropy_soft_targets", {"4x5", "4x5"},
                    "%y = dl.cross_entropy %p0, %p1 : (tensor<4x5xf32>, tensor<4x5xf32>) -> "
                    "tensor<f32>",
                    "")
                   .with(positive(1, 0.05)));
  cs.push_back(make("cross_entropy_softmax_targets", {"2x3x4", "2x3x4"},
                    "%t = dl.softmax %p1 : tensor<2x3x4xf32>\n"
                    "%y = dl.cross_entropy %p0, %t : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> "
                    "tensor<f32>",
                    ""));

  // nll of log-probabilities, and of raw scores (the rule does not assume normalization).
  cs.push_back(make("nll_log_softmax", {"4x5"},
                    "%lp = dl.log_softmax %p0 : tensor<4x5xf32>\n"
                    "%labels = dl.constant dense<[4, 0, 2, 2]> : tensor<4xi32>\n"
                    "%y = dl.nll %lp, %labels : (tensor<4x5xf32>, tensor<4xi32>) -> tensor<f32>",
                    ""));
  cs.push_back(make("nll_raw_2x2x3", {"2x2x3"},
                    "%labels = dl.constant dense<[[0, 2], [1, 1]]> : tensor<2x2xi32>\n"
                    "%y = dl.nll %p0, %labels : (tensor<2x2x3xf32>, tensor<2x2xi32>) -> tensor<f32>",
                    ""));

  cs.push_back(make("kl_normal_4x3", {"4x3", "4x3"},
                    "%y = dl.kl_normal %p0, %p1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>",
                    ""));
  cs.push_back(make("kl_normal_2x3x2", {"2x3x2", "2x3x2"},
                    "%y = dl.kl_normal %p0, %p1 : (tensor<2x3x2xf32>, tensor<2x3x2xf32>) -> "
                    "tensor<f32>",
                    ""));
  cs.push_back(make("kl_normal_1d", {"5", "5"},
                    "%y = dl.kl_normal %p0, %p1 : (tensor<5xf32>, tensor<5xf32>) -> tensor<f32>",
                    ""));
  // A target that is not trained: only the prediction's gradient is built and returned.
  cs.push_back(loss("mse", "3x2").named("mse_frozen_target").freeze({1}));
  return cs;
}

/// Values used more than once, gradients summed over broadcasts, and small compositions.
std::vector<Case> compositionCases() {
  std::vector<Case> cs;
  cs.push_back(make("shared_weight_two_loads", {"3x3", "2x3"},
                    "%h = dl.matmul %p1, %p0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>\n"
                    "%w2 = dl.load @p0 : tensor<3x3xf32>\n"
                    "%y = dl.matmul %h, %w2 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("shared_weight_frozen_input", {"3x3", "2x3"},
                    "%h = dl.matmul %p1, %p0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>\n"
                    "%a = dl.tanh %h : tensor<2x3xf32>\n"
                    "%y = dl.matmul %a, %p0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>",
                    "2x3")
                   .freeze({1}));
  cs.push_back(make("same_value_both_operands", {"2x3"},
                    "%y = dl.mul %p0, %p0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("residual", {"2x3"},
                    "%t = dl.tanh %p0 : tensor<2x3xf32>\n"
                    "%e = dl.exp %t : tensor<2x3xf32>\n"
                    "%s = dl.add %e, %p0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>\n"
                    "%y = dl.mul %s, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("value_used_three_times", {"4"},
                    "%a = dl.sigmoid %p0 : tensor<4xf32>\n"
                    "%b = dl.mul %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n"
                    "%y = dl.div %b, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>",
                    "4"));
  // A broadcast operand whose gradient sums over a size-1 dimension it keeps.
  cs.push_back(binary("add", "3x1", "3x4", "3x4").named("sum_over_size1_dim_add"));
  cs.push_back(binary("mul", "1x4x1", "2x4x3", "2x4x3").named("sum_over_size1_dims_mul"));
  cs.push_back(make("broadcast_param_used_twice", {"3", "2x3"},
                    "%b = dl.broadcast_to %p0 : (tensor<3xf32>) -> tensor<2x3xf32>\n"
                    "%s = dl.add %p1, %p0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>\n"
                    "%y = dl.mul %s, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  // A small classifier: dense, bias, tanh, dense, cross-entropy; the input is not trained.
  cs.push_back(make("mlp_cross_entropy", {"4x3", "3x5", "5", "5x3"},
                    "%h = dl.matmul %p0, %p1 : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>\n"
                    "%hb = dl.add %h, %p2 : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>\n"
                    "%a = dl.tanh %hb : tensor<4x5xf32>\n"
                    "%z = dl.matmul %a, %p3 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>\n"
                    "%labels = dl.constant dense<[2, 0, 1, 1]> : tensor<4xi32>\n"
                    "%y = dl.cross_entropy %z, %labels : (tensor<4x3xf32>, tensor<4xi32>) -> "
                    "tensor<f32>",
                    "")
                   .freeze({0}));
  // A layer norm written out: mean, centring, variance, rsqrt.
  cs.push_back(make("layer_norm", {"3x4", "4"},
                    "%m = dl.mean %p0 {axes = array<i64: -1>, keepdims = true} : (tensor<3x4xf32>) -> "
                    "tensor<3x1xf32>\n"
                    "%c = dl.sub %p0, %m : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>\n"
                    "%sq = dl.mul %c, %c : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>\n"
                    "%v = dl.mean %sq {axes = array<i64: 1>, keepdims = true} : (tensor<3x4xf32>) -> "
                    "tensor<3x1xf32>\n"
                    "%eps = dl.constant dense<1.000000e-05> : tensor<f32>\n"
                    "%ve = dl.add %v, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>\n"
                    "%r = dl.rsqrt %ve : tensor<3x1xf32>\n"
                    "%n = dl.mul %c, %r : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>\n"
                    "%y = dl.mul %n, %p1 : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>",
                    "3x4"));
  // dl.step only decides a select's condition: no gradient has to flow through it.
  cs.push_back(make("step_only_in_condition", {"2x3", "2x3", "2x3"},
                    "%s = dl.step %p2 : tensor<2x3xf32>\n"
                    "%half = dl.constant dense<5.000000e-01> : tensor<f32>\n"
                    "%c = dl.cmp gt, %s, %half : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>\n"
                    "%y = dl.select %c, %p0, %p1 : (tensor<2x3xi1>, tensor<2x3xf32>, "
                    "tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3")
                   .with(awayFrom(2, {0.0}))
                   .zeroGrad({2}));
  return cs;
}

std::vector<Case> allCases() {
  std::vector<Case> all;
  for (auto part : {elementwiseCases(), matmulCases(), reductionCases(), shapeCases(), lossCases(),
                    compositionCases()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

//===----------------------------------------------------------------------===//
// The check
//===----------------------------------------------------------------------===//

/// The fixed, non-uniform weight of element k of the result in the loss: of both signs, and with no
/// small subset summing to zero (a scalar operand broadcast over a few elements gets their sum).
double weight(int64_t k) {
  return (0.6 + 0.37 * double((k * 5) % 7) + 0.011 * double(k)) * (k % 3 == 1 ? -1.0 : 1.0);
}

std::string paramName(size_t i) { return "p" + std::to_string(i); }

std::string modelText(const Case &c) {
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

class VJPTest : public ::testing::TestWithParam<Case> {};

TEST_P(VJPTest, MatchesCentralDifferences) {
  const Case &c = GetParam();
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
  RecordProperty("worst_relative_error", std::to_string(worst));
  if (std::getenv("VJP_VERBOSE"))
    std::printf("%-45s worst relative error %.3g\n", c.name.c_str(), worst);
  if (HasFailure())
    ADD_FAILURE() << "the differentiated module:\n" << compiled.print();
}

INSTANTIATE_TEST_SUITE_P(Ops, VJPTest, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

TEST(VJPCases, NamesAreUniqueAndEveryDifferentiableOpIsCovered) {
  std::set<std::string> names;
  std::string all;
  for (const Case &c : allCases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    all += c.body + "\n";
  }
  for (std::string op :
       {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "prelu", "select", "neg", "abs",
        "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "relu", "gelu", "erf", "cos", "softplus",
        "leaky_relu", "elu", "clamp", "softmax", "log_softmax", "matmul", "sum", "mean",
        "reduce_max", "reduce_min", "logsumexp", "reshape", "transpose", "broadcast_to", "concat",
        "split", "slice", "pad", "dropout", "mse", "mae", "huber", "bce", "bce_with_logits", "hinge",
        "kl_div", "cross_entropy", "nll", "kl_normal"})
    EXPECT_NE(all.find("dl." + op + " "), std::string::npos) << "no case uses dl." << op;
}

//===----------------------------------------------------------------------===//
// Ops without a gradient
//===----------------------------------------------------------------------===//

TEST(VJPNonDifferentiable, StepOnTheLossPathFailsThePass) {
  Case c = make("step", {"2x3", "2x3"},
                "%s = dl.step %p0 : tensor<2x3xf32>\n"
                "%y = dl.mul %s, %p1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                "2x3");
  Compiled compiled(modelText(c));
  ASSERT_TRUE(compiled.module) << compiled.diagnostics;
  EXPECT_TRUE(failed(compiled.differentiate()));
  EXPECT_NE(compiled.diagnostics.find("the loss depends on 'dl.step'"), std::string::npos)
      << compiled.diagnostics;
  EXPECT_NE(compiled.diagnostics.find("which has no gradient"), std::string::npos)
      << compiled.diagnostics;
}

TEST(VJPNonDifferentiable, StepOffTheLossPathIsFine) {
  Case c = make("step", {"2x3"},
                "%unused = dl.step %p0 : tensor<2x3xf32>\n"
                "%y = dl.tanh %p0 : tensor<2x3xf32>",
                "2x3");
  Compiled compiled(modelText(c));
  ASSERT_TRUE(compiled.module) << compiled.diagnostics;
  EXPECT_TRUE(succeeded(compiled.differentiate())) << compiled.diagnostics;
}

} // namespace
