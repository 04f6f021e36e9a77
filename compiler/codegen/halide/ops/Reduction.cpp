//===- Reduction.cpp - sum, mean, max, min, logsumexp, argmax/min, cumsum, softmax, topk ===//
//
// Each reduction is a Func with an update over an RDom of the reduced dimensions (recorded in the
// value's `reductions`, so the schedule computes it once), read by a pointwise Func of the op's
// result type that restores `keepdims` and finishes the value (mean's division, logsumexp's log).
// Empty `axes` reduce every axis.
//
// The numbers follow compiler/interpreter/Reduction.cpp and Elementwise.cpp: maximum and minimum
// propagate NaN; logsumexp returns an infinite maximum unchanged; i32 sums wrap to 32 bits; argmax
// and argmin are the first index of the extremum, a NaN counting as either. softmax and log_softmax
// subtract the row maximum before exponentiating, and log_softmax takes (x - max) - log(sum) in
// that order. A float sum of zeros is +0. Floats accumulate in f32, except cumsum's running sums,
// which add in f64 as PyTorch's CPU kernel and the interpreter do. topk orders each row as the
// interpreter does (NaN above every number, ties by index) and selects by passes or by ranks
// (lowerTopk).
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <limits>

namespace dl::halide {

using Halide::Expr;
using Halide::Func;
using Halide::Tuple;

Index keptIndex(const Index &index, const std::vector<bool> &reduced) {
  Index kept;
  for (size_t d = 0; d < index.size(); ++d)
    if (!reduced[d])
      kept.push_back(index[d]);
  return kept;
}

ReductionFunc
reduceOver(const std::string &name, const Shape &shape, const std::vector<bool> &reduced,
           const Tuple &init,
           const std::function<Tuple(const Tuple &acc, const Index &element)> &combine,
           bool isSum) {
  size_t keptRank = 0;
  std::vector<Halide::Range> ranges; // innermost first, as RDom dimensions run
  for (size_t d = shape.size(); d-- > 0;) {
    if (reduced[d])
      ranges.emplace_back(0, static_cast<int>(shape[d]));
    else
      ++keptRank;
  }
  if (ranges.empty()) // nothing to reduce: one combine step with the element itself
    ranges.emplace_back(0, 1);
  Halide::RDom r(ranges);

  std::vector<Halide::Var> args;
  for (size_t h = 0; h < keptRank; ++h)
    args.push_back(Lowering::var(keptRank - 1 - h, keptRank));
  Index kept = Lowering::coordinates(keptRank);
  Index element(shape.size());
  size_t k = 0, j = ranges.size();
  for (size_t d = 0; d < shape.size(); ++d)
    element[d] = reduced[d] ? Expr(r[static_cast<int>(--j)]) : kept[k++];

  ReductionFunc result;
  result.func = Func(name);
  result.func(args) = init;
  Tuple acc = init.size() == 1 ? Tuple(Expr(result.func(args))) : Tuple(result.func(args));
  result.func(args) = combine(acc, element);
  for (size_t d = 0; d < shape.size(); ++d) {
    if (reduced[d])
      result.folded *= shape[d];
    else
      result.kept.push_back(shape[d]);
  }
  result.innermost = ranges[0].extent.as<Halide::Internal::IntImm>()->value;
  result.isSum = isSum;
  size_t rank = shape.size();
  result.reducesLastDim = rank >= 1 && reduced[rank - 1];
  if (result.reducesLastDim && rank >= 2 && reduced[rank - 2])
    result.nextInnermost = shape[rank - 2];
  return result;
}

namespace {

/// Which dimensions `axes` reduces (all when empty), checked and normalized.
std::vector<bool> reducedDims(Lowering &l, const KernelNode &node, const Shape &shape,
                              const std::vector<int64_t> &axes) {
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<bool> reduced(shape.size(), axes.empty());
  for (int64_t a : axes)
    reduced[l.normalizeAxis(node, a, rank)] = true;
  return reduced;
}

/// The shape a reduction over `reduced` leaves, with or without the reduced dimensions as 1s.
Shape reducedShape(const Shape &shape, const std::vector<bool> &reduced, bool keepdims) {
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d])
      out.push_back(shape[d]);
    else if (keepdims)
      out.push_back(1);
  return out;
}

/// The coordinates of the reduction Func for result coordinates `index`.
Index fromResult(const Index &index, const std::vector<bool> &reduced, bool keepdims) {
  if (!keepdims)
    return index;
  return keptIndex(index, reduced);
}

/// The common frame of sum, mean, reduce_max, reduce_min and logsumexp.
struct AxesReduction {
  const LoweredValue *x;
  std::vector<bool> reduced;
  bool keepdims;
  int64_t count; // elements folded into each result element
};

AxesReduction axesReduction(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  AxesReduction a;
  a.x = &l.operand(node, 0);
  a.reduced = reducedDims(l, node, a.x->type.shape, l.intsAttr(node, "axes", {}));
  a.keepdims = l.intAttr(node, "keepdims", 0) != 0;
  a.count = 1;
  for (size_t d = 0; d < a.reduced.size(); ++d)
    if (a.reduced[d])
      a.count *= a.x->type.shape[d];
  if (reducedShape(a.x->type.shape, a.reduced, a.keepdims) != node.type.shape)
    throw l.error(node, "result shape does not match its axes and keepdims");
  if (a.x->type.dtype != node.type.dtype || node.type.dtype == DType::I1)
    throw l.error(node, "reduces f32 or i32 tensors into the same element type");
  return a;
}

/// The value reading `acc` at the result coordinates, finished by `finish`.
LoweredValue finishReduction(Lowering &l, const KernelNode &node, const AxesReduction &a,
                             std::vector<ReductionFunc> reductions,
                             const std::function<Expr(const Index &accIndex)> &finish) {
  LoweredValue v = l.pointwise(
      node, [&](const Index &index) { return finish(fromResult(index, a.reduced, a.keepdims)); });
  v.kind = ValueKind::Reduction;
  v.reductions = std::move(reductions);
  return v;
}

/// The extreme of the reduced elements (NaN-propagating for floats).
ReductionFunc extremum(Lowering &l, const KernelNode &node, const LoweredValue &x,
                       const std::vector<bool> &reduced, bool isMax, const std::string &suffix) {
  Halide::Type t = halideType(x.type.dtype);
  Expr init = isMax ? t.min() : t.max();
  if (t.is_float())
    init = infinityOf(t, /*negative=*/isMax);
  return reduceOver(l.funcName(node, suffix), x.type.shape, reduced, Tuple(init),
                    [&](const Tuple &acc, const Index &element) {
                      Expr v = Lowering::call(x.func, element);
                      return Tuple(isMax ? maxPropagatingNaN(acc[0], v)
                                         : minPropagatingNaN(acc[0], v));
                    });
}

LoweredValue lowerSum(Lowering &l, const KernelNode &node, bool mean) {
  AxesReduction a = axesReduction(l, node);
  bool isInt = node.type.dtype == DType::I32;
  if (mean && isInt)
    throw l.error(node, "is defined on floats only");
  // i32 sums accumulate as uint32, whose wrap-around Halide defines.
  Expr zero = isInt ? Expr(uint32_t(0)) : Expr(0.0f);
  ReductionFunc acc = reduceOver(
      l.funcName(node, "_acc"), a.x->type.shape, a.reduced, Tuple(zero),
      [&](const Tuple &s, const Index &element) {
        Expr v = Lowering::call(a.x->func, element);
        return Tuple(s[0] + (isInt ? Halide::cast<uint32_t>(v) : v));
      },
      /*isSum=*/true);
  float count = static_cast<float>(a.count);
  return finishReduction(l, node, a, {acc}, [&](const Index &i) {
    Expr s = Lowering::call(acc.func, i);
    if (isInt)
      return wrapToInt32(s);
    Expr sum = unsignedZero(s); // a sum of zeros is +0
    return mean ? sum / count : sum;
  });
}

LoweredValue lowerExtremum(Lowering &l, const KernelNode &node, bool isMax) {
  AxesReduction a = axesReduction(l, node);
  ReductionFunc m = extremum(l, node, *a.x, a.reduced, isMax, "_acc");
  return finishReduction(l, node, a, {m},
                         [&](const Index &i) { return Lowering::call(m.func, i); });
}

LoweredValue lowerLogSumExp(Lowering &l, const KernelNode &node) {
  AxesReduction a = axesReduction(l, node);
  if (node.type.dtype != DType::F32)
    throw l.error(node, "is defined on floats only");
  ReductionFunc m = extremum(l, node, *a.x, a.reduced, /*isMax=*/true, "_max");
  ReductionFunc s = reduceOver(
      l.funcName(node, "_sum"), a.x->type.shape, a.reduced, Tuple(0.0f),
      [&](const Tuple &acc, const Index &element) {
        Expr shifted = Lowering::call(a.x->func, element) -
                       Lowering::call(m.func, keptIndex(element, a.reduced));
        return Tuple(acc[0] + ieeeExp(shifted));
      },
      /*isSum=*/true);
  return finishReduction(l, node, a, {m, s}, [&](const Index &i) {
    Expr mi = Lowering::call(m.func, i);
    return Halide::select(isInfinite(mi), mi, mi + ieeeLog(Lowering::call(s.func, i)));
  });
}

/// argmax and argmin: the first index of the extremum along `axis`, the first NaN winning both.
LoweredValue lowerArgExtremum(Lowering &l, const KernelNode &node, bool isMax) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  const Shape &shape = x.type.shape;
  int64_t axis =
      l.normalizeAxis(node, l.intAttr(node, "axis", -1), static_cast<int64_t>(shape.size()));
  bool keepdims = l.intAttr(node, "keepdims", 0) != 0;
  std::vector<bool> reduced(shape.size(), false);
  reduced[axis] = true;
  if (reducedShape(shape, reduced, keepdims) != node.type.shape || node.type.dtype != DType::I32)
    throw l.error(node, "result must be i32 of the input's shape without (or with 1 at) the axis");
  if (shape[axis] == 0) // the interpreter rejects this; there is no index to give
    return l.pointwise(node, [](const Index &) { return Expr(0); });

  bool isFloat = x.type.dtype == DType::F32;
  Halide::Type t = halideType(x.type.dtype);
  // (best index, best value), starting from element 0 of the axis and folding in the others.
  ReductionFunc best = reduceOver(
      l.funcName(node, "_best"), shape, reduced, Tuple(Expr(0), Halide::Internal::make_zero(t)),
      [&](const Tuple &acc, const Index &element) {
        Expr j = element[axis];
        Expr v = Lowering::call(x.func, element);
        Expr better = isMax ? v > acc[1] : v < acc[1];
        if (isFloat)
          better = !isNaN(acc[1]) && (better || isNaN(v));
        Expr take = j == 0 || better;
        return Tuple(Halide::select(take, j, acc[0]), Halide::select(take, v, acc[1]));
      });
  LoweredValue v = l.pointwise(node, [&](const Index &index) {
    Index k = fromResult(index, reduced, keepdims);
    return best.func(std::vector<Expr>(k.rbegin(), k.rend()))[0];
  });
  v.kind = ValueKind::Reduction;
  v.reductions = {best};
  return v;
}

/// cumsum: a scan along `axis`. The scan Func starts as the elements themselves, then one update
/// walks the axis in element order (from the end with `reverse`) and adds to each element the
/// running sum before it: n - 1 adds for a row of n, whose other dimensions the schedules vectorize
/// or run in parallel (ReductionFunc::scanDim). Floats add in f64, as PyTorch's CPU kernel does,
/// and round once; i32 sums wrap. PyTorch's running sum starts from +0, so no result is -0 (a sum
/// with a +0 in it is never -0, and f32 elements sum to multiples of the smallest subnormal, which
/// round to zero only when they are zero): the scan, which starts from the first element, drops
/// the sign of a zero instead.
LoweredValue lowerCumsum(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  const Shape &shape = x.type.shape;
  if (!(x.type == node.type) || node.type.dtype == DType::I1 || shape.empty())
    throw l.error(node, "maps an f32 or i32 tensor of rank 1 or more to one of the same type");
  size_t rank = shape.size();
  int64_t axis = l.normalizeAxis(node, l.intAttr(node, "axis", 0), static_cast<int64_t>(rank));
  bool reverse = l.intAttr(node, "reverse", 0) != 0;
  bool isInt = node.type.dtype == DType::I32;
  int64_t n = shape[axis];
  if (n == 0)
    return l.pointwise(node, [](const Index &) { return Expr(0); });

  ReductionFunc scan;
  scan.func = Func(l.funcName(node, "_scan"));
  Lowering::define(scan.func, rank, [&](const Index &at) {
    Expr v = Lowering::call(x.func, at);
    return isInt ? Halide::cast<uint32_t>(v) : Halide::cast<double>(v);
  });
  if (n > 1) {
    Halide::RDom r(1, static_cast<int>(n - 1)); // the k-th element after the first
    Expr last = static_cast<int>(n - 1);
    Index here = Lowering::coordinates(rank), before = here;
    here[axis] = reverse ? last - r : Expr(r);
    before[axis] = reverse ? last - r + 1 : r - 1;
    std::vector<Expr> args(here.rbegin(), here.rend());
    scan.func(args) = Lowering::call(scan.func, before) + Lowering::call(scan.func, here);
  }
  scan.kept = shape;
  scan.folded = n;
  scan.innermost = n;
  scan.scanDim = axis;
  LoweredValue out = l.pointwise(node, [&](const Index &index) {
    Expr s = Lowering::call(scan.func, index);
    return isInt ? wrapToInt32(s) : unsignedZero(Halide::cast<float>(s));
  });
  out.kind = ValueKind::Reduction;
  out.reductions = {scan};
  return out;
}

/// topk selects by one pass over the row per slot up to this k (k * n comparisons, one Func per
/// slot), and past it by each element's rank in its row (n * n comparisons, two Funcs whatever k
/// is). Measured on [128, 1000] (bench/RESULTS.md): passes take 1.0, 2.1 and 8.3 ms at k = 16, 32
/// and 64 and compile in 1.3, 2.8 and 8.5 s; ranks take 48 ms and compile in 0.5 s. So: passes
/// while the compile stays within a few seconds.
constexpr int64_t kTopkPassesUpTo = 32;

/// Whether element (ja, va) comes before (jb, vb) in topk's order: the larger first (the smaller
/// with `largest` false), a NaN larger than every number, equal elements (NaN and NaN, -0 and +0)
/// by index. Exact on the bits for NaN, which Halide's float assumptions cannot fold.
Expr topkBefore(const Expr &ja, const Expr &va, const Expr &jb, const Expr &vb, bool largest,
                bool isFloat) {
  Expr beats = largest ? va > vb : va < vb;
  Expr equal = va == vb;
  if (isFloat) {
    Expr na = isNaN(va), nb = isNaN(vb);
    Expr nanOrder = largest ? na && !nb : nb && !na;
    beats = nanOrder || (!na && !nb && beats);
    equal = (na && nb) || (!na && !nb && equal);
  }
  return beats || (equal && ja < jb);
}

/// topk, node by node (KernelSpec.h): the indices node (result 1) computes the selection; the
/// values node (result 0) reads the input at the indices. Up to kTopkPassesUpTo, slot p is the
/// first element in topk's order among those after slot p - 1's (one reduction per slot, each
/// carrying (index, value)); past it, each element's rank is the number of elements of its row
/// before it, and slot s is the index whose rank is s. Both are plain reductions with the row's
/// other dimensions kept, so the CPU and GPU schedules treat them as any other.
LoweredValue lowerTopk(Lowering &l, const KernelNode &node) {
  int64_t result = l.intAttr(node, "result");
  const LoweredValue &x = l.operand(node, 0);
  const Shape &shape = x.type.shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = l.normalizeAxis(node, l.intAttr(node, "axis", -1), rank);
  int64_t k = l.intAttr(node, "k"), n = shape[axis];
  Shape out = shape;
  out[axis] = k;
  if (k < 1 || k > n || node.type.shape != out || x.type.dtype == DType::I1 ||
      node.type.dtype != (result == 1 ? DType::I32 : x.type.dtype))
    throw l.error(node, "takes 1 <= k <= the axis's size; values of the input's type and i32 "
                        "indices, both of its shape with the axis k long");
  if (result == 0) {
    l.expectOperands(node, 2);
    const LoweredValue &indices = l.operand(node, 1);
    LoweredValue v = l.pointwise(node, [&](const Index &index) {
      Index at = index;
      at[axis] = Halide::clamp(Lowering::call(indices.func, index), 0, static_cast<int>(n - 1));
      return Lowering::call(x.func, at);
    });
    return v;
  }
  l.expectOperands(node, 1);
  bool largest = l.intAttr(node, "largest", 1) != 0;
  bool isFloat = x.type.dtype == DType::F32;
  Halide::Type t = halideType(x.type.dtype);
  std::vector<bool> reduced(shape.size(), false);
  reduced[axis] = true;
  std::vector<ReductionFunc> funcs;
  LoweredValue v;
  if (k <= kTopkPassesUpTo) {
    for (int64_t p = 0; p < k; ++p) {
      // (index, value) of the first element after the previous slot's; index -1 until one is seen.
      ReductionFunc prev = p ? funcs.back() : ReductionFunc();
      funcs.push_back(reduceOver(
          l.funcName(node, "_slot" + std::to_string(p)), shape, reduced,
          Tuple(Expr(-1), Halide::Internal::make_zero(t)),
          [&](const Tuple &acc, const Index &element) {
            Expr j = element[axis];
            Expr value = Lowering::call(x.func, element);
            Expr take = acc[0] < 0 || topkBefore(j, value, acc[0], acc[1], largest, isFloat);
            if (p) {
              Index row = keptIndex(element, reduced);
              std::vector<Expr> args(row.rbegin(), row.rend());
              take = take && topkBefore(prev.func(args)[0], prev.func(args)[1], j, value, largest,
                                        isFloat);
            }
            return Tuple(Halide::select(take, j, acc[0]), Halide::select(take, value, acc[1]));
          }));
    }
    v = l.pointwise(node, [&](const Index &index) {
      Index row = keptIndex(index, reduced);
      std::vector<Expr> args(row.rbegin(), row.rend());
      Expr picked = funcs.back().func(args)[0];
      for (int64_t p = k - 1; p-- > 0;)
        picked = Halide::select(index[axis] == static_cast<int>(p), funcs[p].func(args)[0], picked);
      return picked;
    });
  } else {
    // ranks over [shape..., n]: the last dimension (reduced) runs over the row's other elements.
    Shape pairs = shape;
    pairs.push_back(n);
    std::vector<bool> overOthers(pairs.size(), false);
    overOthers.back() = true;
    ReductionFunc ranks = reduceOver(
        l.funcName(node, "_rank"), pairs, overOthers, Tuple(Expr(0)),
        [&](const Tuple &acc, const Index &element) {
          Index self(element.begin(), element.end() - 1), other = self;
          other[axis] = element.back();
          Expr before = topkBefore(other[axis], Lowering::call(x.func, other), self[axis],
                                   Lowering::call(x.func, self), largest, isFloat);
          return Tuple(acc[0] + Halide::select(before, 1, 0));
        });
    // slots over [out..., n]: the last dimension (reduced) runs over the row's elements.
    Shape slots = out;
    slots.push_back(n);
    ReductionFunc pick = reduceOver(
        l.funcName(node, "_pick"), slots, overOthers, Tuple(Expr(0)),
        [&](const Tuple &acc, const Index &element) {
          Index at(element.begin(), element.end() - 1);
          Expr slot = at[axis];
          at[axis] = element.back();
          return Tuple(Halide::select(Lowering::call(ranks.func, at) == slot, element.back(), acc[0]));
        });
    funcs = {ranks, pick};
    v = l.pointwise(node, [&](const Index &index) { return Lowering::call(pick.func, index); });
  }
  v.kind = ValueKind::Reduction;
  v.reductions = funcs;
  return v;
}

LoweredValue lowerSoftmaxLike(Lowering &l, const KernelNode &node, bool log) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  if (!(x.type == node.type) || node.type.dtype != DType::F32)
    throw l.error(node, "maps an f32 tensor to one of the same type");
  const Shape &shape = x.type.shape;
  int64_t axis =
      l.normalizeAxis(node, l.intAttr(node, "axis", -1), static_cast<int64_t>(shape.size()));
  std::vector<bool> reduced(shape.size(), false);
  reduced[axis] = true;
  ReductionFunc m = extremum(l, node, x, reduced, /*isMax=*/true, "_max");
  ReductionFunc s = reduceOver(
      l.funcName(node, "_sum"), shape, reduced, Tuple(0.0f),
      [&](const Tuple &acc, const Index &element) {
        Expr shifted =
            Lowering::call(x.func, element) - Lowering::call(m.func, keptIndex(element, reduced));
        return Tuple(acc[0] + ieeeExp(shifted));
      },
      /*isSum=*/true);
  LoweredValue v = l.pointwise(node, [&](const Index &index) {
    Index row = keptIndex(index, reduced);
    Expr shifted = Lowering::call(x.func, index) - Lowering::call(m.func, row);
    Expr sum = Lowering::call(s.func, row);
    // (x - max) - log(sum) in this order: reassociated as x - (max + log(sum)), large x lose digits.
    return log ? Halide::strict_float(shifted - ieeeLog(sum)) : ieeeExp(shifted) / sum;
  });
  v.kind = ValueKind::Reduction;
  v.reductions = {m, s};
  return v;
}

} // namespace

void registerReductionLowerings(OpTable &t) {
  t["sum"] = [](Lowering &l, const KernelNode &n) { return lowerSum(l, n, /*mean=*/false); };
  t["mean"] = [](Lowering &l, const KernelNode &n) { return lowerSum(l, n, /*mean=*/true); };
  t["reduce_max"] = [](Lowering &l, const KernelNode &n) { return lowerExtremum(l, n, true); };
  t["reduce_min"] = [](Lowering &l, const KernelNode &n) { return lowerExtremum(l, n, false); };
  t["logsumexp"] = lowerLogSumExp;
  t["argmax"] = [](Lowering &l, const KernelNode &n) { return lowerArgExtremum(l, n, true); };
  t["argmin"] = [](Lowering &l, const KernelNode &n) { return lowerArgExtremum(l, n, false); };
  t["cumsum"] = lowerCumsum;
  t["topk"] = lowerTopk;
  t["softmax"] = [](Lowering &l, const KernelNode &n) { return lowerSoftmaxLike(l, n, false); };
  t["log_softmax"] = [](Lowering &l, const KernelNode &n) { return lowerSoftmaxLike(l, n, true); };
}

} // namespace dl::halide
