//===- Elementwise.cpp - Element-wise math and activations ----------------===//
//
// The builtins that emit ops of ElementwiseOps.td: the unary math functions and activations
// (leaky_relu and elu also callable with only their alpha, as partial functions), prelu, clamp,
// pow, mod (also `remainder` and the operator `%`) and fmod, where, the logical functions of
// boolean tensors, softmax and log_softmax along an axis, the casts f32 and i32, one_hot, and the NaN tests,
// which are comparisons. Binary arithmetic and comparisons are operators (Operators.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

#include <limits>

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// Unary float ops that keep their operand's type.
template <typename OpTy> Apply unary() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'");
    if (!x)
      return std::nullopt;
    return Val::ofTensor(E.create<OpTy>(c.loc, x->getType(), *x));
  };
}

template <typename OpTy> Apply unaryWithAlpha() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'");
    std::optional<double> alpha = E.requireNumber(c[1], c.locOf(1), "'alpha'");
    if (!x || !alpha)
      return std::nullopt;
    return Val::ofTensor(E.create<OpTy>(c.loc, x->getType(), *x, E.builder().getF64FloatAttr(*alpha)));
  };
}

/// identity(x): x itself.
std::optional<Val> identity(Elaborator &, const BuiltinCall &c) { return c[0]; }

/// prelu(x, alpha): slopes that broadcast to x.
std::optional<Val> prelu(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'prelu'");
  std::optional<Value> a = E.requireTensor(c[1], c.locOf(1), "the slopes of 'prelu'");
  if (!x || !a)
    return std::nullopt;
  std::string why;
  if (!shape::broadcastsTo(shapeOf(a->getType()), shapeOf(x->getType()), why)) {
    E.error(c.locOf(1), "prelu slopes " + describeType(a->getType()) + " do not broadcast to " +
                            describeType(x->getType()));
    return std::nullopt;
  }
  return Val::ofTensor(E.create<dlo::PReluOp>(c.loc, x->getType(), *x, *a));
}

/// clamp(x, lo, hi), lo <= hi, either of them possibly infinite.
std::optional<Val> clamp(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'clamp'");
  std::optional<double> lo = E.requireNumber(c[1], c.locOf(1), "'lo'", /*allowInfinity=*/true);
  std::optional<double> hi = E.requireNumber(c[2], c.locOf(2), "'hi'", /*allowInfinity=*/true);
  if (!x || !lo || !hi)
    return std::nullopt;
  if (*lo > *hi) {
    E.error(c.loc, "clamp needs lo <= hi");
    return std::nullopt;
  }
  return Val::ofTensor(E.create<dlo::ClampOp>(c.loc, x->getType(), *x, E.builder().getF64FloatAttr(*lo),
                                              E.builder().getF64FloatAttr(*hi)));
}

// NaN tests, composed of comparisons the kernels keep IEEE: isnan(x) is x != x, isfinite(x) is
// |x| < inf (false for NaN as for the infinities). Both give i1 tensors, like comparisons.
/// isnan(x).
std::optional<Val> isNan(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'isnan'");
  if (!x)
    return std::nullopt;
  return E.binary("!=", Val::ofTensor(*x), Val::ofTensor(*x), c.loc);
}

/// isfinite(x).
std::optional<Val> isFinite(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'isfinite'");
  if (!x)
    return std::nullopt;
  Value magnitude = E.create<dlo::AbsOp>(c.loc, x->getType(), *x);
  return E.binary("<", Val::ofTensor(magnitude), Val::number(std::numeric_limits<double>::infinity()),
                  c.loc);
}

/// pow(x, y): the operator `**`.
std::optional<Val> power(Elaborator &E, const BuiltinCall &c) {
  return E.binary("**", c[0], c[1], c.loc);
}

/// mod(x, y) (and remainder), fmod(x, y): tensors or numbers, broadcasting; two numbers fold,
/// mod as Python's `%`, fmod as C's.
std::optional<Val> remainder(Elaborator &E, const BuiltinCall &c) {
  return E.binary(c.name, c[0], c[1], c.loc);
}

/// A boolean tensor argument (a comparison or a logical function's result).
std::optional<Value> requireBool(Elaborator &E, const BuiltinCall &c, size_t i) {
  std::string what = c.args.size() == 1 ? "the argument of '" + c.name + "'"
                     : i == 0              ? "the first argument of '" + c.name + "'"
                                           : "the second argument of '" + c.name + "'";
  std::optional<Value> v = E.requireTensor(c[i], c.locOf(i), what, /*floatOnly=*/false);
  if (!v)
    return std::nullopt;
  if (!typeOf(*v).getElementType().isInteger(1)) {
    E.error(c.locOf(i), what + " must be a boolean tensor (a comparison such as x > 0), not " +
                            describeType(v->getType()));
    return std::nullopt;
  }
  return v;
}

/// logical_not(x).
std::optional<Val> logicalNot(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = requireBool(E, c, 0);
  if (!x)
    return std::nullopt;
  return Val::ofTensor(E.create<dlo::LogicalNotOp>(c.loc, x->getType(), *x));
}

/// logical_and, logical_or, logical_xor of two boolean tensors that broadcast together.
template <typename OpTy> Apply logical() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> a = requireBool(E, c, 0);
    std::optional<Value> b = requireBool(E, c, 1);
    if (!a || !b)
      return std::nullopt;
    shape::Shape out;
    std::string why;
    if (!shape::broadcast(shapeOf(a->getType()), shapeOf(b->getType()), out, why)) {
      E.error(c.loc, "operands of '" + c.name + "' are not broadcast-compatible: " +
                         describeType(a->getType()) + " and " + describeType(b->getType()) + " (" +
                         why + ")");
      return std::nullopt;
    }
    return Val::ofTensor(E.create<OpTy>(c.loc, E.tensorType(out, E.i1()), *a, *b));
  };
}

/// where(cond, a, b): cond a comparison; a and b tensors or numbers, all three broadcasting.
std::optional<Val> where(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> cond = E.requireTensor(c[0], c.locOf(0), "the condition of 'where'", false);
  if (!cond)
    return std::nullopt;
  if (!typeOf(*cond).getElementType().isInteger(1)) {
    E.error(c.locOf(0), "the condition of 'where' must be a comparison, not " + describeType(cond->getType()));
    return std::nullopt;
  }
  mlir::Type element = c[1].isTensor() ? typeOf(c[1].tensor).getElementType()
                       : c[2].isTensor() ? typeOf(c[2].tensor).getElementType() : E.f32();
  std::optional<Value> a = E.asTensor(c[1], element, c.locOf(1), "the second argument of 'where'");
  std::optional<Value> b = E.asTensor(c[2], element, c.locOf(2), "the third argument of 'where'");
  if (!a || !b)
    return std::nullopt;
  shape::Shape ab, out;
  std::string why;
  if (typeOf(*a).getElementType() != typeOf(*b).getElementType() ||
      !shape::broadcast(shapeOf(a->getType()), shapeOf(b->getType()), ab, why) ||
      !shape::broadcast(shapeOf(cond->getType()), ab, out, why)) {
    E.error(c.loc, "where: " + describeType(cond->getType()) + ", " + describeType(a->getType()) +
                       " and " + describeType(b->getType()) + " do not broadcast together");
    return std::nullopt;
  }
  return Val::ofTensor(E.create<dlo::SelectOp>(c.loc, E.tensorType(out, typeOf(*a).getElementType()), *cond, *a, *b));
}

template <typename OpTy> Apply softmaxLike() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'");
    std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
    if (!x || !axis)
      return std::nullopt;
    int64_t a;
    std::string why;
    if (!shape::normalizeAxis(*axis, typeOf(*x).getRank(), a, why)) {
      E.error(c.locOf(1), why + " of " + describeType(x->getType()));
      return std::nullopt;
    }
    return Val::ofTensor(E.create<OpTy>(c.loc, x->getType(), *x, E.builder().getI64IntegerAttr(*axis)));
  };
}

/// f32(x) and i32(x): x converted, or x itself when it has that element type already.
std::optional<Val> cast(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'", false);
  if (!x)
    return std::nullopt;
  mlir::Type element = c.name == "f32" ? E.f32() : E.i32();
  if (typeOf(*x).getElementType() == element)
    return c[0];
  return Val::ofTensor(E.create<dlo::CastOp>(c.loc, E.tensorType(shapeOf(x->getType()), element), *x));
}

/// one_hot(ids, num_classes): F.one_hot, as f32 (the language's float type, which losses, `@` and
/// masks take; i32(...) converts). An id outside [0, num_classes) gives a row of zeros.
std::optional<Val> oneHot(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> ids = E.requireTensor(c[0], c.locOf(0), "the ids of 'one_hot'", false);
  std::optional<int64_t> classes = E.requireInt(c[1], c.locOf(1), "'num_classes'");
  if (!ids || !classes)
    return std::nullopt;
  if (!typeOf(*ids).getElementType().isInteger(32)) {
    E.error(c.locOf(0), "one_hot of " + describeType(ids->getType()) +
                            ": the ids must be i32 class ids; convert them with i32(...)");
    return std::nullopt;
  }
  if (*classes < 1) {
    E.error(c.locOf(1), "one_hot of " + describeType(ids->getType()) +
                            ": num_classes must be positive, not " + std::to_string(*classes));
    return std::nullopt;
  }
  shape::Shape out = shapeOf(ids->getType());
  out.push_back(*classes);
  if (!E.checkSize(out, E.f32(), c.locOf(1), "one_hot's result"))
    return std::nullopt;
  return Val::ofTensor(E.create<dlo::OneHotOp>(c.loc, E.tensorType(out, E.f32()), *ids,
                                               E.builder().getI64IntegerAttr(*classes)));
}

} // namespace

void registerElementwiseBuiltins(BuiltinTable &t) {
  Val minusOne = Val::integer(-1);
  t["identity"] = {{req("x")}, identity};
  t["exp"] = {{req("x")}, unary<dlo::ExpOp>()};
  t["log"] = {{req("x")}, unary<dlo::LogOp>()};
  t["sqrt"] = {{req("x")}, unary<dlo::SqrtOp>()};
  t["rsqrt"] = {{req("x")}, unary<dlo::RsqrtOp>()};
  t["abs"] = {{req("x")}, unary<dlo::AbsOp>()};
  t["sigmoid"] = {{req("x")}, unary<dlo::SigmoidOp>()};
  t["tanh"] = {{req("x")}, unary<dlo::TanhOp>()};
  t["relu"] = {{req("x")}, unary<dlo::ReluOp>()};
  t["gelu"] = {{req("x")}, unary<dlo::GeluOp>()};
  t["softplus"] = {{req("x")}, unary<dlo::SoftplusOp>()};
  t["step"] = {{req("x")}, unary<dlo::StepOp>()};
  t["silu"] = {{req("x")}, unary<dlo::SiluOp>()};
  t["hardswish"] = {{req("x")}, unary<dlo::HardswishOp>()};
  t["mish"] = {{req("x")}, unary<dlo::MishOp>()};
  t["erf"] = {{req("x")}, unary<dlo::ErfOp>()};
  t["sin"] = {{req("x")}, unary<dlo::SinOp>()};
  t["cos"] = {{req("x")}, unary<dlo::CosOp>()};
  t["floor"] = {{req("x")}, unary<dlo::FloorOp>()};
  t["ceil"] = {{req("x")}, unary<dlo::CeilOp>()};
  t["round"] = {{req("x")}, unary<dlo::RoundOp>()};
  t["leaky_relu"] = {{req("x"), opt("alpha", Val::number(0.01))}, unaryWithAlpha<dlo::LeakyReluOp>(), true};
  t["elu"] = {{req("x"), opt("alpha", Val::number(1.0))}, unaryWithAlpha<dlo::EluOp>(), true};
  t["prelu"] = {{req("x"), req("alpha")}, prelu};
  t["clamp"] = {{req("x"), req("lo"), req("hi")}, clamp};
  t["isnan"] = {{req("x")}, isNan};
  t["isfinite"] = {{req("x")}, isFinite};
  t["pow"] = {{req("x"), req("y")}, power};
  t["mod"] = {{req("x"), req("y")}, remainder};
  t["remainder"] = {{req("x"), req("y")}, remainder};
  t["fmod"] = {{req("x"), req("y")}, remainder};
  t["logical_not"] = {{req("x")}, logicalNot};
  t["logical_and"] = {{req("x"), req("y")}, logical<dlo::LogicalAndOp>()};
  t["logical_or"] = {{req("x"), req("y")}, logical<dlo::LogicalOrOp>()};
  t["logical_xor"] = {{req("x"), req("y")}, logical<dlo::LogicalXorOp>()};
  t["where"] = {{req("cond"), req("a"), req("b")}, where};
  t["one_hot"] = {{req("ids"), req("num_classes")}, oneHot};
  t["softmax"] = {{req("x"), opt("axis", minusOne)}, softmaxLike<dlo::SoftmaxOp>()};
  t["log_softmax"] = {{req("x"), opt("axis", minusOne)}, softmaxLike<dlo::LogSoftmaxOp>()};
  t["f32"] = {{req("x")}, cast};
  t["i32"] = {{req("x")}, cast};
}

} // namespace dlc
