//===- Shape.cpp - reshape, transpose, broadcast_to, concat, slice, pad -----===//
//
// Data movement: each op is a Func whose value at an output coordinate reads one operand element
// (or the pad value), so it inlines into its consumer as an access pattern rather than a copy. The
// schedule decides when such an access must be materialized (a transposed matmul operand).
// `split` never reaches the code generator: the extraction turns it into one `slice` per result.
//
// Where a select chooses between operands (concat, pad), each operand's coordinates are clamped
// into its own extent: Halide evaluates both sides of a select, and its bounds inference must never
// ask for elements outside an input buffer.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <cmath>

namespace dl::halide {
namespace {

using Halide::Expr;

LoweredValue dataMovement(LoweredValue v) {
  v.kind = ValueKind::DataMovement;
  return v;
}

LoweredValue lowerReshape(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  const Shape &in = x.type.shape, &out = node.type.shape;
  if (x.type.numElements() != node.type.numElements() || x.type.dtype != node.type.dtype)
    throw l.error(node, "must keep the number and type of elements");
  // Trailing dimensions both shapes share map one to one; the rest goes through the flat index.
  size_t common = 0;
  while (common < in.size() && common < out.size() &&
         in[in.size() - 1 - common] == out[out.size() - 1 - common])
    ++common;
  Shape outHead(out.begin(), out.end() - common), inHead(in.begin(), in.end() - common);
  return dataMovement(l.pointwise(node, [&](const Index &index) {
    Index head(index.begin(), index.begin() + outHead.size());
    Expr flat = flatIndex(head, outHead);
    Index source(in.size());
    for (size_t d = inHead.size(); d-- > 0;) {
      int32_t extent = static_cast<int32_t>(inHead[d]);
      source[d] = d == 0 ? flat : flat % extent;
      flat = flat / extent;
    }
    for (size_t k = 0; k < common; ++k)
      source[in.size() - 1 - k] = index[out.size() - 1 - k];
    return Lowering::call(x.func, source);
  }));
}

LoweredValue lowerTranspose(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  std::vector<int64_t> perm = l.intsAttr(node, "perm");
  size_t rank = x.type.shape.size();
  std::vector<bool> used(rank, false);
  if (perm.size() != rank || node.type.shape.size() != rank)
    throw l.error(node, "needs a permutation of all " + std::to_string(rank) + " dimensions");
  for (size_t d = 0; d < rank; ++d) {
    if (perm[d] < 0 || perm[d] >= static_cast<int64_t>(rank) || used[perm[d]] ||
        node.type.shape[d] != x.type.shape[perm[d]])
      throw l.error(node, "has a 'perm' that does not permute its operand into its result");
    used[perm[d]] = true;
  }
  // Result dimension d walks operand dimension perm[d].
  return dataMovement(l.pointwise(node, [&](const Index &index) {
    Index source(rank);
    for (size_t d = 0; d < rank; ++d)
      source[perm[d]] = index[d];
    return Lowering::call(x.func, source);
  }));
}

LoweredValue lowerBroadcastTo(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  return dataMovement(l.pointwise(
      node, [&](const Index &index) { return l.broadcastAt(x, node.type.shape, index); }));
}

LoweredValue lowerConcat(Lowering &l, const KernelNode &node) {
  if (node.operands.empty())
    throw l.error(node, "needs at least one operand");
  size_t rank = node.type.shape.size();
  int64_t axis = l.normalizeAxis(node, l.intAttr(node, "axis"), static_cast<int64_t>(rank));
  int64_t total = 0;
  for (size_t i = 0; i < node.operands.size(); ++i) {
    const Shape &s = l.operand(node, i).type.shape;
    if (s.size() != rank)
      throw l.error(node, "joins tensors of different ranks");
    total += s[axis];
  }
  if (total != node.type.shape[axis])
    throw l.error(node, "result does not hold its operands along the axis");
  return dataMovement(l.pointwise(node, [&](const Index &index) {
    // From the last operand backwards: select(i < start_k, <earlier>, operand k).
    Expr result;
    int64_t end = total;
    for (size_t i = node.operands.size(); i-- > 0;) {
      const LoweredValue &part = l.operand(node, i);
      int64_t size = part.type.shape[axis], start = end - size, partEnd = end;
      end = start;
      if (size == 0)
        continue;
      Index source = index;
      source[axis] = Halide::clamp(index[axis] - static_cast<int32_t>(start), 0,
                                   static_cast<int32_t>(size - 1));
      Expr value = Lowering::call(part.func, source);
      // Coordinates past this operand's end belong to the later operands already in `result`.
      result = result.defined()
                   ? Halide::select(index[axis] >= static_cast<int32_t>(partEnd), result, value)
                   : value;
    }
    if (!result.defined())
      throw l.error(node, "has no elements along its axis");
    return result;
  }));
}

LoweredValue lowerSlice(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  size_t rank = x.type.shape.size();
  std::vector<int64_t> start = l.intsAttr(node, "start"), stride = l.intsAttr(node, "stride");
  if (start.size() != rank || stride.size() != rank || node.type.shape.size() != rank)
    throw l.error(node, "needs 'start' and 'stride' for each of its " + std::to_string(rank) +
                            " dimensions");
  for (size_t d = 0; d < rank; ++d) {
    int64_t extent = node.type.shape[d];
    if (extent > 0 &&
        (start[d] < 0 || stride[d] <= 0 || start[d] + (extent - 1) * stride[d] >= x.type.shape[d]))
      throw l.error(node, "reads outside its operand in dimension " + std::to_string(d));
  }
  return dataMovement(l.pointwise(node, [&](const Index &index) {
    Index source(rank);
    for (size_t d = 0; d < rank; ++d)
      source[d] = static_cast<int32_t>(start[d]) + index[d] * static_cast<int32_t>(stride[d]);
    return Lowering::call(x.func, source);
  }));
}

LoweredValue lowerPad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  size_t rank = x.type.shape.size();
  std::vector<int64_t> low = l.intsAttr(node, "low"), high = l.intsAttr(node, "high");
  if (low.size() != rank || high.size() != rank || node.type.shape.size() != rank)
    throw l.error(node,
                  "needs 'low' and 'high' for each of its " + std::to_string(rank) + " dimensions");
  for (size_t d = 0; d < rank; ++d)
    if (low[d] < 0 || high[d] < 0 || x.type.shape[d] + low[d] + high[d] != node.type.shape[d])
      throw l.error(node, "result is not its operand padded by 'low' and 'high'");
  double value = l.floatAttr(node, "value", 0.0);
  // The fill is an f64 attribute; integer tensors take it as a cast would.
  Expr fill;
  switch (node.type.dtype) {
  case DType::F32:
    fill = Expr(static_cast<float>(value));
    break;
  case DType::I32:
    fill = Expr(static_cast<int32_t>(std::trunc(value)));
    break;
  case DType::I1:
    fill = Halide::cast(Halide::Bool(), value != 0 ? 1 : 0);
    break;
  }
  return dataMovement(l.pointwise(node, [&](const Index &index) {
    Index source(rank);
    Expr inside = Halide::cast(Halide::Bool(), 1);
    for (size_t d = 0; d < rank; ++d) {
      Expr i = index[d] - static_cast<int32_t>(low[d]);
      int32_t extent = static_cast<int32_t>(x.type.shape[d]);
      inside = inside && i >= 0 && i < extent;
      source[d] = Halide::clamp(i, 0, std::max(extent - 1, 0));
    }
    if (x.type.numElements() == 0)
      return fill;
    return Halide::select(inside, Lowering::call(x.func, source), fill);
  }));
}

} // namespace

void registerShapeLowerings(OpTable &t) {
  t["reshape"] = lowerReshape;
  t["transpose"] = lowerTranspose;
  t["broadcast_to"] = lowerBroadcastTo;
  t["concat"] = lowerConcat;
  t["slice"] = lowerSlice;
  t["pad"] = lowerPad;
}

} // namespace dl::halide
