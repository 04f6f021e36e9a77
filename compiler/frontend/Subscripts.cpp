//===- Subscripts.cpp - Subscripts of tensors and lists -------------------===//
//
// `x[...]` on a tensor: indices drop a dimension, slices keep it (Python's rules: negative bounds
// count from the end, bounds are clamped, steps are positive), emitted as dl.slice and a
// dl.reshape for the dropped dimensions. `list[i]` picks an element, and `zeros[B, H]` and
// `ones[B, H]` make constant tensors.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <algorithm>

namespace dlc {

namespace shape = dl::shape;
using mlir::Value;

std::optional<Val> Elaborator::evalIndex(const ast::IndexExpr &x, Scope &scope) {
  std::optional<Val> base = eval(x.base.get(), scope);
  if (!base)
    return std::nullopt;
  // zeros[B, H] and ones[B, H] make constant tensors.
  if (base->kind == Val::Kind::Function && (base->s == "zeros" || base->s == "ones"))
    return evalFilled(base->s, x, scope);
  if (base->kind == Val::Kind::List)
    return evalListIndex(*base, x, scope);
  std::optional<Value> t = requireTensor(*base, x.base->loc, "the subscripted value", false);
  if (!t)
    return std::nullopt;
  return sliceTensor(*t, x, scope);
}

std::optional<Val> Elaborator::evalFilled(const std::string &fill, const ast::IndexExpr &x,
                                          Scope &scope) {
  shape::Shape s;
  for (const ast::Subscript &sub : x.subscripts) {
    std::optional<Val> v = sub.isSlice ? std::nullopt : eval(sub.index.get(), scope);
    if (sub.isSlice)
      error(sub.loc, "'" + fill + "[...]' takes dimensions, not slices");
    std::optional<int64_t> n = v ? requireInt(*v, sub.loc, "a dimension") : std::nullopt;
    if (!n)
      return std::nullopt;
    if (*n <= 0) {
      error(sub.loc, "dimensions must be positive, not " + std::to_string(*n));
      return std::nullopt;
    }
    s.push_back(*n);
  }
  if (!checkSize(s, f32(), x.loc, "'" + fill + "[...]'"))
    return std::nullopt;
  if (!inFunction()) {
    error(x.loc, "tensors exist only inside a model");
    return std::nullopt;
  }
  return Val::ofTensor(splat(fill == "ones" ? 1.0 : 0.0, s, f32(), x.loc));
}

std::optional<Val> Elaborator::evalListIndex(const Val &list, const ast::IndexExpr &x,
                                             Scope &scope) {
  if (x.subscripts.size() != 1 || x.subscripts[0].isSlice) {
    error(x.loc, "a list takes one integer subscript");
    return std::nullopt;
  }
  std::optional<Val> v = eval(x.subscripts[0].index.get(), scope);
  std::optional<int64_t> i = v ? requireInt(*v, x.subscripts[0].loc, "a list index") : std::nullopt;
  if (!i)
    return std::nullopt;
  int64_t n = list.list.size();
  int64_t k = *i < 0 ? *i + n : *i;
  if (k < 0 || k >= n) {
    error(x.subscripts[0].loc, "index " + std::to_string(*i) + " is out of range for a list of " +
                                   std::to_string(n));
    return std::nullopt;
  }
  return list.list[k];
}

std::optional<Val> Elaborator::sliceTensor(Value t, const ast::IndexExpr &x, Scope &scope) {
  shape::Shape in = shapeOf(t.getType());
  if (x.subscripts.size() > in.size()) {
    error(x.loc, "too many subscripts (" + std::to_string(x.subscripts.size()) + ") for " +
                     describeType(t.getType()));
    return std::nullopt;
  }
  std::vector<int64_t> start, limit, stride;
  shape::Shape kept;
  for (size_t d = 0; d < in.size(); ++d) {
    int64_t lo = 0, hi = in[d], step = 1;
    bool drop = false;
    if (d < x.subscripts.size()) {
      const ast::Subscript &sub = x.subscripts[d];
      auto intOf = [&](const ast::ExprPtr &e, int64_t &out) -> bool {
        if (!e)
          return true;
        std::optional<Val> v = eval(e.get(), scope);
        std::optional<int64_t> n = v ? requireInt(*v, e->loc, "an index") : std::nullopt;
        if (!n)
          return false;
        out = *n;
        return true;
      };
      if (!sub.isSlice) {
        int64_t i = 0;  // Set by intOf: an index subscript always has its expression.
        if (!intOf(sub.index, i))
          return std::nullopt;
        int64_t k = i < 0 ? i + in[d] : i;
        if (k < 0 || k >= in[d]) {
          error(sub.loc, "index " + std::to_string(i) + " is out of range for dimension " +
                             std::to_string(d) + " of " + describeType(t.getType()));
          return std::nullopt;
        }
        lo = k;
        hi = k + 1;
        drop = true;
      } else {
        if (!intOf(sub.lo, lo) || !intOf(sub.hi, hi) || !intOf(sub.step, step))
          return std::nullopt;
        if (step <= 0) {
          error(sub.loc, "slice steps must be positive");
          return std::nullopt;
        }
        // A step past the dimension's end takes one element, as the dimension's size does; the
        // smaller stride keeps the arithmetic below (and in the shape rules) from overflowing.
        step = std::min(step, in[d]);
        // Python's rules: negative bounds count from the end, and bounds are clamped.
        if (sub.lo && lo < 0) lo += in[d];
        if (sub.hi && hi < 0) hi += in[d];
        lo = std::clamp<int64_t>(lo, 0, in[d]);
        hi = std::clamp<int64_t>(hi, 0, in[d]);
        if (lo >= hi) {
          error(sub.loc, "slice selects nothing from dimension " + std::to_string(d) + " of " +
                             describeType(t.getType()));
          return std::nullopt;
        }
      }
    }
    start.push_back(lo);
    limit.push_back(hi);
    stride.push_back(step);
    if (!drop)
      kept.push_back((hi - lo + step - 1) / step);
  }
  shape::Shape sliced;
  std::string why;
  if (!shape::slice(in, start, limit, stride, sliced, why)) {
    error(x.loc, "cannot slice " + describeType(t.getType()) + ": " + why);
    return std::nullopt;
  }
  mlir::Type element = llvm::cast<mlir::RankedTensorType>(t.getType()).getElementType();
  Value result = t;
  if (sliced != in)
    result = create<mlir::dl::SliceOp>(x.loc, tensorType(sliced, element), t, start, limit, stride);
  if (kept != sliced)
    result = create<mlir::dl::ReshapeOp>(x.loc, tensorType(kept, element), result);
  return Val::ofTensor(result);
}

} // namespace dlc
