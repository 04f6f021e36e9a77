//===- Builtins.cpp - The builtin functions of .dl ------------------------===//
//
// One table row per builtin: its parameters (with defaults) and how it checks its arguments and
// emits dl ops. Grouped as dsl.md lists them: elementwise math, activations, reductions, shape
// functions, neural ops, losses, randomness.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <limits>

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

using Apply = std::function<std::optional<Val>(Elaborator &, const BuiltinCall &)>;

BuiltinParam req(const char *name) { return requiredParam(name); }
BuiltinParam opt(const char *name, Val def = Val()) { return optionalParam(name, std::move(def)); }

mlir::RankedTensorType typeOf(Value v) { return llvm::cast<mlir::RankedTensorType>(v.getType()); }

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

/// An axis argument: an integer or a list (several axes), or absent for all axes.
std::optional<std::vector<int64_t>> axesOf(Elaborator &E, const BuiltinCall &c, size_t i) {
  if (!c.has(i))
    return std::vector<int64_t>{};
  return E.requireInts(c[i], c.locOf(i), "'axis'");
}

template <typename OpTy> Apply reduction(bool floatOnly = true) {
  return [floatOnly](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'", floatOnly);
    std::optional<std::vector<int64_t>> axes = axesOf(E, c, 1);
    if (!x || !axes)
      return std::nullopt;
    if (c.has(2) && c[2].kind != Val::Kind::Bool) {
      E.error(c.locOf(2), "'keepdims' must be true or false");
      return std::nullopt;
    }
    bool keepdims = c.has(2) && c[2].b;
    shape::Shape out;
    std::string why;
    if (!shape::reduce(shapeOf(x->getType()), *axes, keepdims, out, why)) {
      E.error(c.has(1) ? c.locOf(1) : c.loc, "cannot reduce " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<OpTy>(c.loc, E.tensorType(out, typeOf(*x).getElementType()), *x,
                                        E.builder().getDenseI64ArrayAttr(*axes),
                                        E.builder().getBoolAttr(keepdims)));
  };
}

/// `min`/`max`: elementwise with two operands, a reduction with one.
template <typename ReduceOp> Apply minOrMax(const char *spelling) {
  return [spelling](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    if (c.has(1) && c[1].kind != Val::Kind::List && c[1].kind != Val::Kind::Int)
      return E.binary(spelling, c[0], c[1], c.loc);
    if (c.has(1) && c[0].isNumber())
      return E.binary(spelling, c[0], c[1], c.loc);
    BuiltinCall reduce{c.name, c.loc, {c[0], c.has(2) ? c[2] : c[1], c[3]},
                       {c.locs[0], c.has(2) ? c.locs[2] : c.locs[1], c.locs[3]}};
    return reduction<ReduceOp>(false)(E, reduce);
  };
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

/// Losses whose prediction and target have one shape.
template <typename OpTy> Apply elementwiseLoss() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> p = E.requireTensor(c[0], c.locOf(0), "the prediction of '" + c.name + "'");
    std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the target of '" + c.name + "'");
    if (!p || !y)
      return std::nullopt;
    if (p->getType() != y->getType()) {
      E.error(c.loc, c.name + ": prediction " + describeType(p->getType()) + " and target " +
                         describeType(y->getType()) + " differ in shape");
      return std::nullopt;
    }
    auto scalar = E.tensorType({}, E.f32());
    if constexpr (std::is_same_v<OpTy, dlo::HuberOp>) {
      std::optional<double> delta = E.requireNumber(c[2], c.locOf(2), "'delta'");
      if (!delta)
        return std::nullopt;
      if (*delta <= 0) {
        E.error(c.locOf(2), "'delta' must be positive");
        return std::nullopt;
      }
      return Val::ofTensor(E.create<dlo::HuberOp>(c.loc, scalar, *p, *y, E.builder().getF64FloatAttr(*delta)));
    } else {
      return Val::ofTensor(E.create<OpTy>(c.loc, scalar, *p, *y));
    }
  };
}

/// Labels for class scores [..., C]: i32 of shape [...].
bool checkLabels(Elaborator &E, const BuiltinCall &c, Value scores, Value labels) {
  shape::Shape s = shapeOf(scores.getType());
  if (s.empty()) {
    E.error(c.locOf(0), c.name + " needs class scores with a class dimension, not " +
                            describeType(scores.getType()));
    return false;
  }
  shape::Shape expected(s.begin(), s.end() - 1);
  if (shapeOf(labels.getType()) != expected) {
    E.error(c.loc, c.name + ": labels " + describeType(labels.getType()) + " do not fit scores " +
                       describeType(scores.getType()) + "; expected " + shape::format(expected, "i32"));
    return false;
  }
  return true;
}

/// Each part of a split is a result of one op; thousands are plenty for any model.
constexpr int64_t kMaxSplitParts = 4096;

std::map<std::string, Builtin> makeTable() {
  std::map<std::string, Builtin> t;
  Val minusOne = Val::integer(-1), zero = Val::integer(0), falseV = Val::boolean(false);

  // Elementwise math and activations.
  t["identity"] = {{req("x")}, [](Elaborator &, const BuiltinCall &c) -> std::optional<Val> { return c[0]; }};
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
  t["leaky_relu"] = {{req("x"), opt("alpha", Val::number(0.01))}, unaryWithAlpha<dlo::LeakyReluOp>(), true};
  t["elu"] = {{req("x"), opt("alpha", Val::number(1.0))}, unaryWithAlpha<dlo::EluOp>(), true};
  t["prelu"] = {{req("x"), req("alpha")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
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
  }};
  t["clamp"] = {{req("x"), req("lo"), req("hi")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
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
  }};
  // NaN tests, composed of comparisons the kernels keep IEEE: isnan(x) is x != x, isfinite(x) is
  // |x| < inf (false for NaN as for the infinities). Both give i1 tensors, like comparisons.
  t["isnan"] = {{req("x")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'isnan'");
    if (!x)
      return std::nullopt;
    return E.binary("!=", Val::ofTensor(*x), Val::ofTensor(*x), c.loc);
  }};
  t["isfinite"] = {{req("x")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'isfinite'");
    if (!x)
      return std::nullopt;
    Value magnitude = E.create<dlo::AbsOp>(c.loc, x->getType(), *x);
    return E.binary("<", Val::ofTensor(magnitude), Val::number(std::numeric_limits<double>::infinity()),
                    c.loc);
  }};
  t["pow"] = {{req("x"), req("y")}, [](Elaborator &E, const BuiltinCall &c) { return E.binary("**", c[0], c[1], c.loc); }};
  t["where"] = {{req("cond"), req("a"), req("b")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
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
  }};
  t["softmax"] = {{req("x"), opt("axis", minusOne)}, softmaxLike<dlo::SoftmaxOp>()};
  t["log_softmax"] = {{req("x"), opt("axis", minusOne)}, softmaxLike<dlo::LogSoftmaxOp>()};
  for (const char *cast : {"f32", "i32"}) {
    t[cast] = {{req("x")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
      std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'", false);
      if (!x)
        return std::nullopt;
      mlir::Type element = c.name == "f32" ? E.f32() : E.i32();
      if (typeOf(*x).getElementType() == element)
        return c[0];
      return Val::ofTensor(E.create<dlo::CastOp>(c.loc, E.tensorType(shapeOf(x->getType()), element), *x));
    }};
  }

  // Reductions.
  t["sum"] = {{req("x"), opt("axis"), opt("keepdims", falseV)}, reduction<dlo::SumOp>(false)};
  t["mean"] = {{req("x"), opt("axis"), opt("keepdims", falseV)}, reduction<dlo::MeanOp>()};
  t["logsumexp"] = {{req("x"), opt("axis"), opt("keepdims", falseV)}, reduction<dlo::LogSumExpOp>()};
  t["max"] = {{req("x"), opt("y"), opt("axis"), opt("keepdims", falseV)}, minOrMax<dlo::ReduceMaxOp>("max")};
  t["min"] = {{req("x"), opt("y"), opt("axis"), opt("keepdims", falseV)}, minOrMax<dlo::ReduceMinOp>("min")};
  t["argmax"] = {{req("x"), opt("axis", minusOne), opt("keepdims", falseV)}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'argmax'", false);
    std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
    if (!x || !axis)
      return std::nullopt;
    bool keepdims = c[2].kind == Val::Kind::Bool && c[2].b;
    shape::Shape out;
    std::string why;
    if (!shape::reduce(shapeOf(x->getType()), {*axis}, keepdims, out, why)) {
      E.error(c.locOf(1), "cannot take argmax of " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::ArgmaxOp>(c.loc, E.tensorType(out, E.i32()), *x,
                                                 E.builder().getI64IntegerAttr(*axis), E.builder().getBoolAttr(keepdims)));
  }};

  // Shape functions.
  t["shape"] = {{req("x")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'shape'", false);
    if (!x)
      return std::nullopt;
    std::vector<Val> dims;
    for (int64_t d : shapeOf(x->getType()))
      dims.push_back(Val::integer(d));
    return Val::ofList(dims);
  }};
  t["reshape"] = {{req("x"), req("shape")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'reshape'", false);
    std::optional<std::vector<int64_t>> target = E.requireInts(c[1], c.locOf(1), "the new shape");
    if (!x || !target)
      return std::nullopt;
    // The given dimensions' product must not overflow in the shape rule (-1 and bad entries are
    // the rule's to report).
    shape::Shape given;
    for (int64_t d : *target)
      if (d > 0)
        given.push_back(d);
    if (!E.checkSize(given, typeOf(*x).getElementType(), c.locOf(1), "the new shape"))
      return std::nullopt;
    shape::Shape out;
    std::string why;
    if (!shape::reshape(shapeOf(x->getType()), *target, out, why)) {
      E.error(c.loc, "cannot reshape " + describeType(x->getType()) + " to " + shape::format(*target) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::ReshapeOp>(c.loc, E.tensorType(out, typeOf(*x).getElementType()), *x));
  }};
  t["flatten"] = {{req("x"), opt("start", Val::integer(1))}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'flatten'", false);
    std::optional<int64_t> start = E.requireInt(c[1], c.locOf(1), "'start'");
    if (!x || !start)
      return std::nullopt;
    shape::Shape in = shapeOf(x->getType());
    int64_t s;
    std::string why;
    if (!shape::normalizeAxis(*start, in.size(), s, why)) {
      E.error(c.locOf(1), "cannot flatten " + describeType(x->getType()) + " from dimension " +
                              std::to_string(*start) + ": " + why);
      return std::nullopt;
    }
    shape::Shape out(in.begin(), in.begin() + s);
    out.push_back(shape::numElements(shape::Shape(in.begin() + s, in.end())));
    if (out == in)
      return c[0];
    return Val::ofTensor(E.create<dlo::ReshapeOp>(c.loc, E.tensorType(out, typeOf(*x).getElementType()), *x));
  }};
  t["transpose"] = {{req("x"), opt("perm")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'transpose'", false);
    if (!x)
      return std::nullopt;
    std::vector<int64_t> perm;
    if (c.has(1)) {
      std::optional<std::vector<int64_t>> p = E.requireInts(c[1], c.locOf(1), "the permutation");
      if (!p)
        return std::nullopt;
      perm = *p;
    } else {
      for (int64_t d = typeOf(*x).getRank() - 1; d >= 0; --d)
        perm.push_back(d);
    }
    shape::Shape out;
    std::string why;
    if (!shape::transpose(shapeOf(x->getType()), perm, out, why)) {
      E.error(c.has(1) ? c.locOf(1) : c.loc, "cannot transpose " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::TransposeOp>(c.loc, E.tensorType(out, typeOf(*x).getElementType()), *x,
                                                    E.builder().getDenseI64ArrayAttr(perm)));
  }};
  t["broadcast"] = {{req("x"), req("shape")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'broadcast'", false);
    std::optional<std::vector<int64_t>> target = E.requireInts(c[1], c.locOf(1), "the target shape");
    if (!x || !target)
      return std::nullopt;
    if (!E.checkSize(*target, typeOf(*x).getElementType(), c.locOf(1), "the target shape"))
      return std::nullopt;
    std::string why;
    if (!shape::broadcastsTo(shapeOf(x->getType()), *target, why)) {
      E.error(c.loc, "cannot broadcast " + describeType(x->getType()) + " to " + shape::format(*target) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::BroadcastToOp>(c.loc, E.tensorType(*target, typeOf(*x).getElementType()), *x));
  }};
  t["concat"] = {{req("xs"), opt("axis", zero)}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
    if (!axis)
      return std::nullopt;
    if (c[0].kind != Val::Kind::List || c[0].list.empty()) {
      E.error(c.locOf(0), "concat takes a non-empty list of tensors, not " + c[0].describe());
      return std::nullopt;
    }
    std::vector<Value> values;
    std::vector<shape::Shape> shapes;
    std::string types;
    for (const Val &v : c[0].list) {
      std::optional<Value> t = E.requireTensor(v, c.locOf(0), "each element of concat's list", false);
      if (!t)
        return std::nullopt;
      if (typeOf(*t).getElementType() != typeOf(values.empty() ? *t : values[0]).getElementType()) {
        E.error(c.locOf(0), "concat's tensors have different element types");
        return std::nullopt;
      }
      values.push_back(*t);
      shapes.push_back(shapeOf(t->getType()));
      types += (types.empty() ? "" : ", ") + describeType(t->getType());
    }
    shape::Shape out;
    std::string why;
    if (!shape::concat(shapes, *axis, out, why)) {
      E.error(c.loc, "cannot concatenate " + types + " along axis " + std::to_string(*axis) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::ConcatOp>(c.loc, E.tensorType(out, typeOf(values[0]).getElementType()),
                                                 values, E.builder().getI64IntegerAttr(*axis)));
  }};
  t["split"] = {{req("x"), req("n"), opt("axis", zero)}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'split'", false);
    std::optional<int64_t> n = E.requireInt(c[1], c.locOf(1), "the number of parts");
    std::optional<int64_t> axis = E.requireInt(c[2], c.locOf(2), "'axis'");
    if (!x || !n || !axis)
      return std::nullopt;
    if (*n > kMaxSplitParts) {
      E.error(c.locOf(1), "split makes at most " + std::to_string(kMaxSplitParts) + " parts, not " +
                              std::to_string(*n));
      return std::nullopt;
    }
    shape::Shape piece;
    std::string why;
    if (!shape::split(shapeOf(x->getType()), *n, *axis, piece, why)) {
      E.error(c.loc, "cannot split " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    auto pieceType = E.tensorType(piece, typeOf(*x).getElementType());
    llvm::SmallVector<mlir::Type> types(*n, pieceType);
    auto op = E.builder().create<dlo::SplitOp>(E.loc(c.loc), types, *x, E.builder().getI64IntegerAttr(*n),
                                               E.builder().getI64IntegerAttr(*axis));
    std::vector<Val> parts;
    for (Value r : op->getResults())
      parts.push_back(Val::ofTensor(r));
    return Val::ofList(parts);
  }};
  t["pad"] = {{req("x"), req("pads"), opt("value", Val::number(0.0))}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'pad'", false);
    std::optional<double> value = E.requireNumber(c[2], c.locOf(2), "'value'", /*allowInfinity=*/true);
    if (!x || !value)
      return std::nullopt;
    std::vector<int64_t> low, high;
    bool ok = c[1].kind == Val::Kind::List && (int64_t)c[1].list.size() == typeOf(*x).getRank();
    for (size_t d = 0; ok && d < c[1].list.size(); ++d) {
      const Val &pair = c[1].list[d];
      ok = pair.kind == Val::Kind::List && pair.list.size() == 2 && pair.list[0].kind == Val::Kind::Int &&
           pair.list[1].kind == Val::Kind::Int;
      if (ok) {
        low.push_back(pair.list[0].i);
        high.push_back(pair.list[1].i);
      }
    }
    if (!ok) {
      E.error(c.locOf(1), "pad takes one [before, after] pair of integers per dimension of " +
                              describeType(x->getType()));
      return std::nullopt;
    }
    for (int64_t amount : low)
      ok = ok && amount <= Elaborator::kMaxElements;
    for (int64_t amount : high)
      ok = ok && amount <= Elaborator::kMaxElements;
    if (!ok) {
      E.error(c.locOf(1), "padding of " + describeType(x->getType()) + " is too large: a tensor "
                              "holds at most 2^40 elements");
      return std::nullopt;
    }
    shape::Shape out;
    std::string why;
    if (!shape::pad(shapeOf(x->getType()), low, high, out, why)) {
      E.error(c.locOf(1), "cannot pad " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::PadOp>(c.loc, E.tensorType(out, typeOf(*x).getElementType()), *x,
                                              E.builder().getDenseI64ArrayAttr(low), E.builder().getDenseI64ArrayAttr(high),
                                              E.builder().getF64FloatAttr(*value)));
  }};

  // Neural ops.
  t["dropout"] = {{req("x"), req("p")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'dropout'");
    std::optional<double> p = E.requireNumber(c[1], c.locOf(1), "the drop probability");
    if (!x || !p)
      return std::nullopt;
    if (!(*p >= 0 && *p < 1)) {
      E.error(c.locOf(1), "the drop probability must be in [0, 1), not " + std::to_string(*p));
      return std::nullopt;
    }
    int64_t stream = E.nextStream();  // Drawn in every mode, so streams agree across functions.
    if (E.mode() == Mode::Inference || *p == 0)
      return c[0];
    return Val::ofTensor(E.create<dlo::DropoutOp>(c.loc, x->getType(), *x, E.builder().getF64FloatAttr(*p),
                                                  E.builder().getI64IntegerAttr(stream)));
  }};
  addNeuralBuiltins(t);
  addAttentionBuiltins(t);

  // Losses.
  t["mse"] = {{req("p"), req("y")}, elementwiseLoss<dlo::MseOp>()};
  t["mae"] = {{req("p"), req("y")}, elementwiseLoss<dlo::MaeOp>()};
  t["huber"] = {{req("p"), req("y"), opt("delta", Val::number(1.0))}, elementwiseLoss<dlo::HuberOp>()};
  t["bce"] = {{req("p"), req("y")}, elementwiseLoss<dlo::BceOp>()};
  t["bce_with_logits"] = {{req("logits"), req("y")}, elementwiseLoss<dlo::BceWithLogitsOp>()};
  t["hinge"] = {{req("p"), req("y")}, elementwiseLoss<dlo::HingeOp>()};
  t["kl_div"] = {{req("logp"), req("q")}, elementwiseLoss<dlo::KlDivOp>()};
  t["cross_entropy"] = {{req("logits"), req("labels")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> z = E.requireTensor(c[0], c.locOf(0), "the logits of 'cross_entropy'");
    std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the labels of 'cross_entropy'", false);
    if (!z || !y)
      return std::nullopt;
    if (typeOf(*y).getElementType().isInteger(32)) {
      if (!checkLabels(E, c, *z, *y))
        return std::nullopt;
    } else if (y->getType() != z->getType()) {
      // The class ids' shape is the logits' without the class dimension. (Both iterators must come
      // from one vector: a shapeOf() temporary each made an invalid range.)
      shape::Shape ids = shapeOf(z->getType());
      if (!ids.empty())
        ids.pop_back();
      E.error(c.loc, "cross_entropy: targets " + describeType(y->getType()) + " must be i32 class ids of shape " +
                         shape::format(ids, "i32") + " or probabilities of the logits' shape " +
                         describeType(z->getType()));
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::CrossEntropyOp>(c.loc, E.tensorType({}, E.f32()), *z, *y));
  }};
  t["nll"] = {{req("logp"), req("labels")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> z = E.requireTensor(c[0], c.locOf(0), "the log-probabilities of 'nll'");
    std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the labels of 'nll'", false);
    if (!z || !y)
      return std::nullopt;
    if (!typeOf(*y).getElementType().isInteger(32)) {
      E.error(c.locOf(1), "nll takes i32 class ids, not " + describeType(y->getType()));
      return std::nullopt;
    }
    if (!checkLabels(E, c, *z, *y))
      return std::nullopt;
    return Val::ofTensor(E.create<dlo::NllOp>(c.loc, E.tensorType({}, E.f32()), *z, *y));
  }};
  t["kl_normal"] = {{req("mu"), req("logvar")}, [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> mu = E.requireTensor(c[0], c.locOf(0), "mu");
    std::optional<Value> lv = E.requireTensor(c[1], c.locOf(1), "logvar");
    if (!mu || !lv)
      return std::nullopt;
    if (mu->getType() != lv->getType() || typeOf(*mu).getRank() < 1) {
      E.error(c.loc, "kl_normal: mu " + describeType(mu->getType()) + " and logvar " +
                         describeType(lv->getType()) + " must have one shape with a batch dimension");
      return std::nullopt;
    }
    return Val::ofTensor(E.create<dlo::KlNormalOp>(c.loc, E.tensorType({}, E.f32()), *mu, *lv));
  }};

  // Randomness: normal(shape, mean, std) and uniform(shape, lo, hi) sample tensors; called without a
  // shape they are initializers (see Initializers.cpp).
  t["normal"] = {{req("shape"), opt("mean", Val::number(0.0)), opt("std", Val::number(1.0))},
                 [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<std::vector<int64_t>> s = E.requireInts(c[0], c.locOf(0), "the shape");
    std::optional<double> mean = E.requireNumber(c[1], c.locOf(1), "'mean'");
    std::optional<double> std = E.requireNumber(c[2], c.locOf(2), "'std'");
    if (!s || !mean || !std)
      return std::nullopt;
    if (*std < 0 || std::any_of(s->begin(), s->end(), [](int64_t d) { return d <= 0; })) {
      E.error(c.loc, "normal needs positive dimensions and a non-negative std");
      return std::nullopt;
    }
    if (!E.checkSize(*s, E.f32(), c.locOf(0), "the shape"))
      return std::nullopt;
    return Val::ofTensor(E.create<dlo::RandomNormalOp>(c.loc, E.tensorType(*s, E.f32()), E.builder().getF64FloatAttr(*mean),
                                                       E.builder().getF64FloatAttr(*std), E.builder().getI64IntegerAttr(E.nextStream())));
  }};
  t["uniform"] = {{req("shape"), opt("lo", Val::number(0.0)), opt("hi", Val::number(1.0))},
                  [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<std::vector<int64_t>> s = E.requireInts(c[0], c.locOf(0), "the shape");
    std::optional<double> lo = E.requireNumber(c[1], c.locOf(1), "'lo'");
    std::optional<double> hi = E.requireNumber(c[2], c.locOf(2), "'hi'");
    if (!s || !lo || !hi)
      return std::nullopt;
    if (!(*lo < *hi) || std::any_of(s->begin(), s->end(), [](int64_t d) { return d <= 0; })) {
      E.error(c.loc, "uniform needs positive dimensions and lo < hi");
      return std::nullopt;
    }
    if (!E.checkSize(*s, E.f32(), c.locOf(0), "the shape"))
      return std::nullopt;
    return Val::ofTensor(E.create<dlo::RandomUniformOp>(c.loc, E.tensorType(*s, E.f32()), E.builder().getF64FloatAttr(*lo),
                                                        E.builder().getF64FloatAttr(*hi), E.builder().getI64IntegerAttr(E.nextStream())));
  }};
  return t;
}

const std::map<std::string, Builtin> &table() {
  static const std::map<std::string, Builtin> t = makeTable();
  return t;
}

} // namespace

const Builtin *findBuiltin(const std::string &name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

const std::vector<std::string> &builtinNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto &[name, b] : table())
      n.push_back(name);
    return n;
  }();
  return names;
}

} // namespace dlc
