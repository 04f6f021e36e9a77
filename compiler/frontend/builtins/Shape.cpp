//===- Shape.cpp - Shape functions ----------------------------------------===//
//
// The builtins that emit ops of ShapeOps.td (reshape and flatten, transpose, broadcast, concat,
// split, tile as reshape + broadcast + reshape; pad is Pad.cpp's), and shape(x), which emits nothing: it is x's dimensions as a list of integers.
// Indexing and slicing are syntax (Expressions.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

#include <algorithm>
#include <limits>

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// Each part of a split is a result of one op; thousands are plenty for any model.
constexpr int64_t kMaxSplitParts = 4096;

/// shape(x): the dimensions of x, as a list.
std::optional<Val> listShape(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'shape'", false);
  if (!x)
    return std::nullopt;
  std::vector<Val> dims;
  for (int64_t d : shapeOf(x->getType()))
    dims.push_back(Val::integer(d));
  return Val::ofList(dims);
}

/// reshape(x, shape): at most one dimension -1, inferred.
std::optional<Val> reshape(Elaborator &E, const BuiltinCall &c) {
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
}

/// flatten(x, start = 1): the dimensions from `start` on as one.
std::optional<Val> flatten(Elaborator &E, const BuiltinCall &c) {
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
}

/// transpose(x, perm): the dimensions permuted, reversed when perm is absent.
std::optional<Val> transpose(Elaborator &E, const BuiltinCall &c) {
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
}

/// broadcast(x, shape): NumPy broadcasting to `shape`.
std::optional<Val> broadcast(Elaborator &E, const BuiltinCall &c) {
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
}

/// concat(xs, axis = 0): a list of tensors of one element type.
std::optional<Val> concat(Elaborator &E, const BuiltinCall &c) {
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
}

/// split(x, n, axis = 0): n equal parts, as a list.
std::optional<Val> split(Elaborator &E, const BuiltinCall &c) {
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
}

/// tile(x, reps): torch.tile. `reps` gives the copies along each dimension, aligned at the last
/// one: a shorter list repeats the leading dimensions once, a longer one gives x leading
/// dimensions of 1. Emitted as reshape (a 1 before each dimension), broadcast_to (the copies) and
/// reshape (each copy count merged with its dimension), so the gradient sums the copies.
std::optional<Val> tile(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'tile'", false);
  std::optional<std::vector<int64_t>> reps = E.requireInts(c[1], c.locOf(1), "the repetitions");
  if (!x || !reps)
    return std::nullopt;
  shape::Shape in = shapeOf(x->getType());
  mlir::Type element = typeOf(*x).getElementType();
  size_t rank = std::max(in.size(), reps->size());
  shape::Shape dims(rank - in.size(), 1), copies(rank - reps->size(), 1);
  dims.insert(dims.end(), in.begin(), in.end());
  copies.insert(copies.end(), reps->begin(), reps->end());
  for (int64_t r : copies)
    if (r < 1) {
      E.error(c.locOf(1), "cannot tile " + describeType(x->getType()) + " by " +
                              shape::formatList(*reps) + ": each repetition must be at least 1");
      return std::nullopt;
    }
  shape::Shape spread, broadcastShape, out;
  for (size_t d = 0; d < rank; ++d) {
    spread.insert(spread.end(), {1, dims[d]});
    broadcastShape.insert(broadcastShape.end(), {copies[d], dims[d]});
    int64_t n = 0;
    if (__builtin_mul_overflow(copies[d], dims[d], &n))
      n = std::numeric_limits<int64_t>::max();
    out.push_back(n);
  }
  if (!E.checkSize(out, element, c.locOf(1), "tile's result"))
    return std::nullopt;
  if (out == in)
    return Val::ofTensor(*x);
  Value spreadX = E.create<dlo::ReshapeOp>(c.loc, E.tensorType(spread, element), *x);
  Value copied = E.create<dlo::BroadcastToOp>(c.loc, E.tensorType(broadcastShape, element), spreadX);
  return Val::ofTensor(E.create<dlo::ReshapeOp>(c.loc, E.tensorType(out, element), copied));
}

} // namespace

void registerShapeBuiltins(BuiltinTable &t) {
  Val zero = Val::integer(0);
  t["shape"] = {{req("x")}, listShape};
  t["reshape"] = {{req("x"), req("shape")}, reshape};
  t["flatten"] = {{req("x"), opt("start", Val::integer(1))}, flatten};
  t["transpose"] = {{req("x"), opt("perm")}, transpose};
  t["broadcast"] = {{req("x"), req("shape")}, broadcast};
  t["concat"] = {{req("xs"), opt("axis", zero)}, concat};
  t["split"] = {{req("x"), req("n"), opt("axis", zero)}, split};
  t["tile"] = {{req("x"), req("reps")}, tile};
}

} // namespace dlc
