//===- Reduction.cpp - Reductions -----------------------------------------===//
//
// The builtins that emit ops of ReductionOps.td: sum, mean and logsumexp over an axis, a list of
// axes or all of them, with or without keepdims; max and min, which are element-wise with two
// operands (maximum, minimum) and reductions with one; argmax and argmin along one axis; cumsum
// (torch.cumsum) along one axis; topk (torch.topk) along one axis, whose two results (values and
// i32 indices) come back as a list to destructure: `v, i = topk(x, 5)`.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

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

/// argmax and argmin(x, axis = -1, keepdims = false): i32 indices.
template <typename OpTy> Apply argExtremum() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of '" + c.name + "'", false);
    std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
    if (!x || !axis)
      return std::nullopt;
    if (c.has(2) && c[2].kind != Val::Kind::Bool) {
      E.error(c.locOf(2), "'keepdims' must be true or false");
      return std::nullopt;
    }
    bool keepdims = c[2].kind == Val::Kind::Bool && c[2].b;
    shape::Shape out;
    std::string why;
    if (!shape::reduce(shapeOf(x->getType()), {*axis}, keepdims, out, why)) {
      E.error(c.locOf(1), "cannot take " + c.name + " of " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    return Val::ofTensor(E.create<OpTy>(c.loc, E.tensorType(out, E.i32()), *x,
                                        E.builder().getI64IntegerAttr(*axis),
                                        E.builder().getBoolAttr(keepdims)));
  };
}

/// cumsum(x, axis, reverse = false): torch.cumsum(x, dim = axis) (reversed: from the end).
std::optional<Val> cumsum(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'cumsum'", false);
  std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
  if (!x || !axis)
    return std::nullopt;
  if (c.has(2) && c[2].kind != Val::Kind::Bool) {
    E.error(c.locOf(2), "'reverse' must be true or false");
    return std::nullopt;
  }
  int64_t rank = static_cast<int64_t>(shapeOf(x->getType()).size());
  if (rank == 0 || *axis < -rank || *axis >= rank) {
    E.error(c.locOf(1), "cannot take cumsum of " + describeType(x->getType()) + ": axis " +
                            std::to_string(*axis) + " is out of range" +
                            (rank ? " [" + std::to_string(-rank) + ", " + std::to_string(rank - 1) + "]" : ""));
    return std::nullopt;
  }
  bool reverse = c.has(2) && c[2].b;
  return Val::ofTensor(E.create<dlo::CumsumOp>(c.loc, x->getType(), *x, E.builder().getI64IntegerAttr(*axis),
                                               E.builder().getBoolAttr(reverse)));
}

/// topk(x, k, axis = -1, largest = true, sorted = true): torch.topk(x, k, dim = axis, largest,
/// sorted), as the list [values, indices]; k is a number known when compiling, 1 <= k <= the size
/// of the axis.
std::optional<Val> topk(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'topk'", false);
  std::optional<int64_t> k = E.requireInt(c[1], c.locOf(1), "'k'");
  std::optional<int64_t> axis = E.requireInt(c[2], c.locOf(2), "'axis'");
  if (!x || !k || !axis)
    return std::nullopt;
  for (size_t i : {3, 4})
    if (c[i].kind != Val::Kind::Bool) {
      E.error(c.locOf(i), std::string("'") + (i == 3 ? "largest" : "sorted") + "' must be true or false");
      return std::nullopt;
    }
  shape::Shape out = shapeOf(x->getType());
  int64_t rank = static_cast<int64_t>(out.size());
  std::string what = "cannot take topk of " + describeType(x->getType()) + ": ";
  if (rank == 0 || *axis < -rank || *axis >= rank) {
    E.error(c.locOf(2), what + "axis " + std::to_string(*axis) + " is out of range" +
                            (rank ? " [" + std::to_string(-rank) + ", " + std::to_string(rank - 1) + "]" : ""));
    return std::nullopt;
  }
  int64_t &extent = out[*axis < 0 ? *axis + rank : *axis];
  if (*k < 1 || *k > extent) {
    E.error(c.locOf(1), what + "k = " + std::to_string(*k) + " is out of range [1, " +
                            std::to_string(extent) + "] for axis " + std::to_string(*axis));
    return std::nullopt;
  }
  extent = *k;
  auto op = E.builder().create<dlo::TopkOp>(
      E.loc(c.loc), mlir::TypeRange{E.tensorType(out, typeOf(*x).getElementType()), E.tensorType(out, E.i32())},
      *x, E.builder().getI64IntegerAttr(*k), E.builder().getI64IntegerAttr(*axis),
      E.builder().getBoolAttr(c[3].b), E.builder().getBoolAttr(c[4].b));
  return Val::ofList({Val::ofTensor(op.getValues()), Val::ofTensor(op.getIndices())});
}

} // namespace

void registerReductionBuiltins(BuiltinTable &t) {
  Val minusOne = Val::integer(-1), falseV = Val::boolean(false);
  t["sum"] = {{req("x"), opt("axis"), opt("keepdims", falseV)}, reduction<dlo::SumOp>(false)};
  t["mean"] = {{req("x"), opt("axis"), opt("keepdims", falseV)}, reduction<dlo::MeanOp>()};
  t["logsumexp"] = {{req("x"), opt("axis"), opt("keepdims", falseV)}, reduction<dlo::LogSumExpOp>()};
  t["max"] = {{req("x"), opt("y"), opt("axis"), opt("keepdims", falseV)}, minOrMax<dlo::ReduceMaxOp>("max")};
  t["min"] = {{req("x"), opt("y"), opt("axis"), opt("keepdims", falseV)}, minOrMax<dlo::ReduceMinOp>("min")};
  t["argmax"] = {{req("x"), opt("axis", minusOne), opt("keepdims", falseV)}, argExtremum<dlo::ArgmaxOp>()};
  t["argmin"] = {{req("x"), opt("axis", minusOne), opt("keepdims", falseV)}, argExtremum<dlo::ArgminOp>()};
  t["cumsum"] = {{req("x"), req("axis"), opt("reverse", falseV)}, cumsum};
  Val trueV = Val::boolean(true);
  t["topk"] = {{req("x"), req("k"), opt("axis", minusOne), opt("largest", trueV), opt("sorted", trueV)}, topk};
}

} // namespace dlc
