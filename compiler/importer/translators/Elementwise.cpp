//===- Elementwise.cpp - ONNX's element-wise ops --------------------------===//
//
// Arithmetic with NumPy broadcasting (Add, Sub, Mul, Div, Pow, Mod, Max, Min, Sum, Mean),
// comparisons, logical ops (Not, And, Or, Xor) and Where, the activations and math functions dlc
// has a builtin for (Erf, Sin, Cos, Floor, Ceil, Round, HardSwish, Mish, ...), those that compose
// exactly from them (Selu, HardSigmoid), Clip, Softmax/LogSoftmax, Cast and OneHot. Nodes whose inputs are
// all known are folded. ONNX ops without a dlc builtin have no entry, so the importer names them as
// unsupported.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"
#include "compiler/importer/translators/Fold.h"

#include <algorithm>
#include <cmath>

namespace dlc::importer {

namespace {

/// A binary operator `a op b`.
Translator binary(std::string op, std::function<double(double, double)> fold, bool floatOnly) {
  return [op, fold, floatOnly](Context &c) {
    const Value &a = c.input(0), &b = c.input(1);
    if (a.dtype != b.dtype)
      c.fail("its operands are " + std::string(dtypeName(a.dtype)) + " and " + dtypeName(b.dtype));
    Shape out = broadcastShapes(c, a.shape, b.shape);
    if (c.allKnown()) {
      c.defineKnown(0, foldBinary(*a.known, *b.known, out, a.dtype, fold));
      return;
    }
    if (floatOnly && a.dtype != DType::F32)
      c.requireFloat(0, "its first operand");
    int64_t rank = static_cast<int64_t>(out.size());
    c.define(0, c.operand(0, rank) + " " + op + " " + c.operand(1, rank), a.dtype, out);
  };
}

/// A comparison; its result is a bool tensor.
Translator comparison(std::string op, std::function<bool(double, double)> fold) {
  return [op, fold](Context &c) {
    const Value &a = c.input(0), &b = c.input(1);
    Shape out = broadcastShapes(c, a.shape, b.shape);
    if (c.allKnown()) {
      c.defineKnown(0, foldBinary(*a.known, *b.known, out, DType::Bool,
                                  [&](double x, double y) { return fold(x, y) ? 1.0 : 0.0; }));
      return;
    }
    int64_t rank = static_cast<int64_t>(out.size());
    c.define(0, c.operand(0, rank) + " " + op + " " + c.operand(1, rank), DType::Bool, out);
  };
}

/// `name(x)` for an f32 x.
Translator unary(std::string name, std::function<double(double)> fold = nullptr) {
  return [name, fold](Context &c) {
    c.requireFloat(0, "its input");
    const Value &x = c.input(0);
    if (fold && c.allKnown()) {
      c.defineKnown(0, foldUnary(*x.known, DType::F32, fold));
      return;
    }
    c.define(0, name + "(" + c.operand(0) + ")", DType::F32, x.shape);
  };
}

/// `name(a, b)` with broadcasting: mod, fmod (f32 or i32) and the logical ops (bool).
Translator call2(std::string name, std::function<double(double, double)> fold, bool logical) {
  return [name, fold, logical](Context &c) {
    const Value &a = c.input(0), &b = c.input(1);
    if (a.dtype != b.dtype)
      c.fail("its operands are " + std::string(dtypeName(a.dtype)) + " and " + dtypeName(b.dtype));
    if (logical && a.dtype != DType::Bool)
      c.fail("its operands are " + std::string(dtypeName(a.dtype)) + ", not bool");
    if (!logical && a.dtype == DType::Bool)
      c.fail("its operands are bool");
    Shape out = broadcastShapes(c, a.shape, b.shape);
    if (c.allKnown()) {
      c.defineKnown(0, foldBinary(*a.known, *b.known, out, a.dtype, fold));
      return;
    }
    int64_t rank = static_cast<int64_t>(out.size());
    c.define(0, name + "(" + c.operand(0, rank) + ", " + c.operand(1, rank) + ")", a.dtype, out);
  };
}

/// ONNX Mod: fmod = 0 is Python's remainder (the divisor's sign, dlc's mod), fmod = 1 C's fmod.
void mod(Context &c) {
  int64_t f = c.intAttr("fmod", 0);
  if (f != 0 && f != 1)
    c.unsupported("fmod", std::to_string(f), "fmod is 0 or 1");
  if (f == 1)
    return call2("fmod", [](double a, double b) { return std::fmod(a, b); }, false)(c);
  call2("mod", [](double a, double b) {
    double r = std::fmod(a, b);
    return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
  }, false)(c);
}

void logicalNot(Context &c) {
  const Value &x = c.input(0);
  if (x.dtype != DType::Bool)
    c.fail("its input is " + std::string(dtypeName(x.dtype)) + ", not bool");
  if (x.known) {
    c.defineKnown(0, foldUnary(*x.known, DType::Bool, [](double v) { return v == 0 ? 1.0 : 0.0; }));
    return;
  }
  c.define(0, "logical_not(" + c.operand(0) + ")", DType::Bool, x.shape);
}

/// An expression of x alone, "{x}" standing for it (x is a name, so no parentheses are needed).
Translator composed(std::string pattern, std::function<std::string(Context &)> prepare = nullptr) {
  return [pattern, prepare](Context &c) {
    c.requireFloat(0, "its input");
    std::string expr = prepare ? prepare(c) : pattern;
    std::string x = c.operand(0);
    std::string out;
    for (size_t at = 0;;) {
      size_t hole = expr.find("{x}", at);
      out += expr.substr(at, hole - at);
      if (hole == std::string::npos)
        break;
      out += x;
      at = hole + 3;
    }
    c.define(0, out, DType::F32, c.input(0).shape);
  };
}

/// Max, Min: variadic, nested as max(max(a, b), c).
Translator variadic(std::string name, std::function<double(double, double)> fold) {
  return [name, fold](Context &c) {
    Shape out = c.input(0).shape;
    for (int i = 1; i < c.numInputs(); ++i)
      out = broadcastShapes(c, out, c.input(i).shape);
    if (c.allKnown()) {
      Tensor acc = *c.input(0).known;
      for (int i = 1; i < c.numInputs(); ++i)
        acc = foldBinary(acc, *c.input(i).known, broadcastShapes(c, acc.shape, c.input(i).shape),
                         acc.dtype, fold);
      c.defineKnown(0, acc);
      return;
    }
    int64_t rank = static_cast<int64_t>(out.size());
    std::string expr = c.operand(0, rank);
    for (int i = 1; i < c.numInputs(); ++i) {
      if (name == "+")
        expr += " + " + c.operand(i, rank);
      else
        expr = name + "(" + expr + ", " + c.operand(i, rank) + ")";
    }
    if (c.numInputs() == 1 && name != "+")
      expr = c.operand(0);
    c.define(0, expr, c.input(0).dtype, out);
  };
}

void softmaxLike(Context &c, const std::string &name) {
  c.requireFloat(0, "its input");
  int64_t axis = normalizeAxis(c, c.intAttr("axis", -1), c.input(0).rank(), "axis");
  std::string ax = axis == c.input(0).rank() - 1 ? "" : ", axis = " + std::to_string(axis);
  c.define(0, name + "(" + c.operand(0) + ax + ")", DType::F32, c.input(0).shape);
}

void clip(Context &c) {
  c.requireFloat(0, "its input");
  std::string x = c.operand(0);
  auto bound = [&](int i, const char *what) -> std::string {
    if (!c.has(i))
      return "";
    const Tensor &t = c.known(i, what);
    if (t.size() != 1)
      c.fail(std::string(what) + " must be a scalar");
    if (!std::isfinite(t.values[0]))
      return "";
    return formatFloat(t.values[0]);
  };
  std::string lo = bound(1, "the lower bound"), hi = bound(2, "the upper bound");
  std::string expr = !lo.empty() && !hi.empty() ? "clamp(" + x + ", " + lo + ", " + hi + ")"
                     : !lo.empty()              ? "max(" + x + ", " + lo + ")"
                     : !hi.empty()              ? "min(" + x + ", " + hi + ")"
                                                : "identity(" + x + ")";
  c.define(0, expr, DType::F32, c.input(0).shape);
}

void cast(Context &c) {
  int64_t to = c.intAttr("to", 0);
  DType target = DType::F32;
  try {
    target = dtypeOf(static_cast<int32_t>(to), "attribute to");
  } catch (const ImportError &e) {
    c.fail(e.what()); // Names the node.
  }
  if (target == DType::I64)
    target = DType::I32;
  const Value &x = c.input(0);
  if (x.known) {
    c.defineKnown(0, foldUnary(*x.known, target, [&](double v) {
                    return target == DType::F32 ? v : target == DType::Bool ? (v != 0) : std::trunc(v);
                  }));
    return;
  }
  if (target == x.dtype) {
    c.alias(0, 0);
    return;
  }
  if (target == DType::Bool)
    c.unsupported("to", "BOOL", "dlc has no cast to bool of a computed tensor (compare with 0 instead)");
  c.define(0, std::string(target == DType::F32 ? "f32" : "i32") + "(" + c.operand(0) + ")", target, x.shape);
}

void where(Context &c) {
  const Value &cond = c.input(0), &a = c.input(1), &b = c.input(2);
  Shape out = broadcastShapes(c, broadcastShapes(c, cond.shape, a.shape), b.shape);
  int64_t rank = static_cast<int64_t>(out.size());
  if (c.allKnown()) {
    // A constant mask, such as PyTorch's masked_fill of a bool attention mask with -inf: each
    // operand spread to the broadcast shape, then chosen element by element.
    auto spread = [&](const Tensor &t) {
      return foldBinary(t, makeTensor(t.dtype, {}, {0.0}), out, t.dtype, [](double x, double) { return x; });
    };
    Tensor k = spread(*cond.known), x = spread(*a.known), y = spread(*b.known);
    for (size_t i = 0; i < x.values.size(); ++i)
      if (k.values[i] == 0)
        x.values[i] = y.values[i];
    c.defineKnown(0, x);
    return;
  }
  if (cond.known && !a.known && !b.known)
    c.fail("a known condition with computed branches is not supported");
  std::string condExpr = c.operand(0, -1);
  c.define(0, "where(" + condExpr + ", " + c.operand(1, rank) + ", " + c.operand(2, rank) + ")", a.dtype, out);
}

/// OneHot: depth and values [off, on] known; float indices truncated. ONNX counts a negative id from the end (-1 is the
/// last class), which the translation does before one_hot; an id still outside [0, depth) gives
/// `off` everywhere, as in ONNX. The class dimension goes where `axis` says (last by default).
void oneHot(Context &c) {
  const Value &ids = c.input(0);
  if (ids.dtype != DType::I32 && ids.dtype != DType::F32)
    c.fail("its indices must be numbers, not " + std::string(dtypeName(ids.dtype)));
  const Tensor &depthTensor = c.known(1, "the depth");
  if (depthTensor.size() != 1)
    c.fail("the depth must be one number, not " + std::to_string(depthTensor.size()) + " values");
  double depthValue = depthTensor.values[0];
  if (!(depthValue >= 1) || depthValue != std::floor(depthValue))
    c.fail("the depth must be a positive integer, not " + formatFloat(depthValue));
  std::string depth = std::to_string(static_cast<int64_t>(depthValue));
  const Tensor &values = c.known(2, "the values");
  if (values.size() != 2)
    c.fail("the values must be [off, on], not " + std::to_string(values.size()) + " values");
  int64_t rank = ids.rank();
  int64_t axis = c.intAttr("axis", -1);
  if (axis < 0)
    axis += rank + 1;
  if (axis < 0 || axis > rank)
    c.fail("axis " + std::to_string(c.intAttr("axis", -1)) + " is out of range for indices of rank " +
           std::to_string(rank));
  // Float indices are truncated to integers, as ONNX's reference implementation casts them.
  std::string x = ids.dtype == DType::F32 ? "i32(" + c.operand(0) + ")" : c.operand(0);
  if (!ids.known || std::any_of(ids.known->values.begin(), ids.known->values.end(), [](double v) { return v < 0; }))
    x = "where(" + x + " < 0, " + x + " + " + depth + ", " + x + ")";
  std::string expr = "one_hot(" + x + ", " + depth + ")";
  double off = values.values[0], on = values.values[1];
  if (off != 0 || on != 1 || std::signbit(off))
    expr = "where(" + expr + " > 0.5, " + formatFloat(on) + ", " + formatFloat(off) + ")";
  DType dtype = values.isFloat() ? DType::F32 : DType::I32;
  if (dtype == DType::I32)
    expr = "i32(" + expr + ")";
  Shape out = ids.shape;
  out.insert(out.begin() + axis, static_cast<int64_t>(depthValue));
  if (axis != rank) {
    std::vector<int64_t> perm;
    for (int64_t d = 0; d <= rank; ++d)
      perm.push_back(d < axis ? d : d == axis ? rank : d - 1);
    expr = "transpose(" + expr + ", " + formatInts(perm) + ")";
  }
  c.define(0, expr, dtype, out);
}

} // namespace

void registerElementwiseTranslators(TranslatorTable &t) {
  t["Add"] = binary("+", [](double a, double b) { return a + b; }, false);
  t["Sub"] = binary("-", [](double a, double b) { return a - b; }, false);
  t["Mul"] = binary("*", [](double a, double b) { return a * b; }, false);
  t["Div"] = binary("/", [](double a, double b) { return a / b; }, true);
  t["Pow"] = binary("**", [](double a, double b) { return std::pow(a, b); }, true);
  t["Max"] = variadic("max", [](double a, double b) { return std::max(a, b); });
  t["Min"] = variadic("min", [](double a, double b) { return std::min(a, b); });
  t["Sum"] = variadic("+", [](double a, double b) { return a + b; });
  t["Equal"] = comparison("==", [](double a, double b) { return a == b; });
  t["Less"] = comparison("<", [](double a, double b) { return a < b; });
  t["LessOrEqual"] = comparison("<=", [](double a, double b) { return a <= b; });
  t["Greater"] = comparison(">", [](double a, double b) { return a > b; });
  t["GreaterOrEqual"] = comparison(">=", [](double a, double b) { return a >= b; });
  t["Where"] = where;
  t["OneHot"] = oneHot;
  t["Relu"] = unary("relu");
  t["Sigmoid"] = unary("sigmoid");
  t["Tanh"] = unary("tanh");
  t["Exp"] = unary("exp");
  t["Log"] = unary("log");
  t["Sqrt"] = unary("sqrt", [](double v) { return std::sqrt(v); });
  t["Abs"] = unary("abs");
  t["Softplus"] = unary("softplus");
  t["Neg"] = composed("-{x}");
  t["Reciprocal"] = composed("1.0 / {x}");
  t["Gelu"] = [](Context &c) {
    std::string approximate = c.stringAttr("approximate", "none");
    if (approximate != "none")
      c.unsupported("approximate", "\"" + approximate + "\"", "dlc's gelu is the exact (erf) form");
    unary("gelu")(c);
  };
  t["LeakyRelu"] = composed("", [](Context &c) {
    return "leaky_relu({x}, alpha = " + formatFloat(c.floatAttr("alpha", 0.01)) + ")";
  });
  t["Elu"] = composed("", [](Context &c) {
    return "elu({x}, alpha = " + formatFloat(c.floatAttr("alpha", 1.0)) + ")";
  });
  t["Selu"] = composed("", [](Context &c) {
    double alpha = c.floatAttr("alpha", 1.67326319217681884765625);
    double gamma = c.floatAttr("gamma", 1.05070102214813232421875);
    return formatFloat(gamma) + " * elu({x}, alpha = " + formatFloat(alpha) + ")";
  });
  t["HardSigmoid"] = composed("", [](Context &c) {
    return "clamp({x} * " + formatFloat(c.floatAttr("alpha", 0.2)) + " + " +
           formatFloat(c.floatAttr("beta", 0.5)) + ", 0.0, 1.0)";
  });
  t["HardSwish"] = unary("hardswish");
  t["Mish"] = unary("mish");
  t["Erf"] = unary("erf", [](double v) { return std::erf(v); });
  t["Sin"] = unary("sin", [](double v) { return std::sin(v); });
  t["Cos"] = unary("cos", [](double v) { return std::cos(v); });
  t["Floor"] = unary("floor", [](double v) { return std::floor(v); });
  t["Ceil"] = unary("ceil", [](double v) { return std::ceil(v); });
  t["Round"] = unary("round", [](double v) { return std::nearbyint(v); }); // Halves to even.
  t["Mod"] = mod;
  t["Not"] = logicalNot;
  t["And"] = call2("logical_and", [](double a, double b) { return (a != 0) && (b != 0) ? 1.0 : 0.0; }, true);
  t["Or"] = call2("logical_or", [](double a, double b) { return (a != 0) || (b != 0) ? 1.0 : 0.0; }, true);
  t["Xor"] = call2("logical_xor", [](double a, double b) { return (a != 0) != (b != 0) ? 1.0 : 0.0; }, true);
  t["PRelu"] = [](Context &c) {
    c.requireFloat(0, "its input");
    Shape out = broadcastShapes(c, c.input(0).shape, c.input(1).shape);
    c.define(0, "prelu(" + c.operand(0) + ", " + c.operand(1) + ")", DType::F32, out);
  };
  t["Clip"] = clip;
  t["Softmax"] = [](Context &c) { softmaxLike(c, "softmax"); };
  t["LogSoftmax"] = [](Context &c) { softmaxLike(c, "log_softmax"); };
  t["Cast"] = cast;
}

} // namespace dlc::importer
