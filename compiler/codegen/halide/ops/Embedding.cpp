//===- Embedding.cpp - dl.embedding and dl.embedding_grad -----------------===//
//
// The lookup is a pointwise Func over [S..., D] whose element (s, d) reads table(ids[s], d):
// inlined into its consumers and vectorized along D, every vector is one dense load of a table row.
// Its gradient is a Func over the table's shape [V, D], zero, with an update over an RDom of the
// ids' positions that adds row s of the incoming gradient into row ids[s]. The RDom runs in
// row-major order of s, the order in which the interpreter adds repeated ids. The update is
// recorded as a scatter among the value's reductions: the schedule computes it once, vectorized
// along D (scheduleScatter in cpu/CpuSchedule.cpp).
//
// Both read the ids through a Func over the ids' shape (LoweredValue::checks) that checks every id
// once, before any row is read or written (Halide's `require`): an id outside [0, V) makes the
// kernel fail with a message that gives the id, V and the op's location. Reads and writes clamp
// the checked id too, which bounds inference needs to size what it touches in the table and the
// accumulator.
//
// gather (torch.gather) along axis a is the same pointwise read with the index in place of
// coordinate a. Its gradient is the same scatter, seen as one: the accumulator is [S, M] with S the
// input's extent along a and M the product of its other extents (a flat "column" m names the
// input's other coordinates); the update over an RDom of the index's extent along a adds
// grad[p] into (index[p], m), p being m's coordinates with r along a. Where the index is smaller
// than the input on some other axis, columns past it add zero (+0 changes no sum that starts from
// +0). The gradient's value reads the accumulator back at (q[a], m(q)). So embedding_grad's
// schedules apply unchanged: columns never share a row segment, and each column visits r in order,
// the interpreter's row-major order.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;

int i32(int64_t v) { return static_cast<int>(v); }

/// The ids of `node` (operand 0, i32), checked to lie in [0, rows) when the helper is computed.
Func checkedIds(Lowering &l, const KernelNode &node, const LoweredValue &ids, int64_t rows) {
  return l.checkedIndices(node, ids, rows, "_ids", "ids", "is not a row of the table");
}

/// Checks the types: i32 ids of shape S, operand 1 f32 of `operandShape` and an f32 result of
/// `resultShape`.
void expectTypes(Lowering &l, const KernelNode &node, const Shape &operandShape,
                 const Shape &resultShape) {
  const LoweredValue &ids = l.operand(node, 0), &other = l.operand(node, 1);
  if (ids.type.dtype != DType::I32)
    throw l.error(node, "needs i32 ids");
  if (other.type.dtype != DType::F32 || node.type.dtype != DType::F32)
    throw l.error(node, "works on f32 tensors only");
  if (other.type.shape != operandShape || node.type.shape != resultShape)
    throw l.error(node, "has operand and result shapes that do not fit the ids' shape");
}

/// `s` followed by `last`.
template <typename T> std::vector<T> append(std::vector<T> s, T last) {
  s.push_back(std::move(last));
  return s;
}

LoweredValue lowerEmbedding(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &ids = l.operand(node, 0), &table = l.operand(node, 1);
  if (table.type.shape.size() != 2)
    throw l.error(node, "needs a table [V, D]");
  int64_t rows = table.type.shape[0], dim = table.type.shape[1];
  expectTypes(l, node, {rows, dim}, append(ids.type.shape, dim));
  Func checked = checkedIds(l, node, ids, rows);
  size_t k = ids.type.shape.size();
  LoweredValue v = l.pointwise(node, [&](const Index &index) {
    Index s(index.begin(), index.begin() + k);
    Expr row = Halide::clamp(Lowering::call(checked, s), 0, i32(rows - 1));
    return Lowering::call(table.func, {row, index[k]});
  });
  v.checks.emplace_back(checked, ids.type.shape);
  return v;
}

LoweredValue lowerEmbeddingGrad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &ids = l.operand(node, 0), &grad = l.operand(node, 1);
  int64_t rows = l.intAttr(node, "rows");
  if (rows < 1 || grad.type.shape.empty())
    throw l.error(node, "needs at least one row and a gradient [S..., D]");
  int64_t dim = grad.type.shape.back();
  expectTypes(l, node, append(ids.type.shape, dim), {rows, dim});
  Func checked = checkedIds(l, node, ids, rows);

  ReductionFunc acc;
  acc.func = l.newFunc(node, "_acc");
  acc.kept = {rows, dim};
  acc.folded = ids.type.numElements();
  acc.scatter = true;
  Lowering::define(acc.func, 2, [](const Index &) { return Expr(0.0f); });

  // Position s of the ids, the last dimension innermost; scalar ids have the one position.
  const Shape &positions = ids.type.shape;
  Index s;
  if (!positions.empty()) {
    std::vector<Halide::Range> ranges; // innermost first, as RDom dimensions run
    for (size_t d = positions.size(); d-- > 0;)
      ranges.emplace_back(0, i32(positions[d]));
    Halide::RDom r(ranges);
    for (size_t d = 0; d < positions.size(); ++d)
      s.push_back(r[i32(positions.size() - 1 - d)]);
    acc.innermost = positions.back();
  }
  Halide::Var d = Lowering::var(1, 2);
  Expr row = Halide::clamp(Lowering::call(checked, s), 0, i32(rows - 1));
  acc.func(d, row) += Lowering::call(grad.func, append(s, Expr(d)));

  LoweredValue v;
  v.func = acc.func;
  v.type = node.type;
  v.kind = ValueKind::Reduction;
  v.reductions.push_back(acc);
  v.checks.emplace_back(checked, ids.type.shape);
  return v;
}

/// Checks gather's types: f32 `values` (the input, or the gradient of the result), an i32 `index`
/// of rank 1 or more and an f32 result.
void expectGatherTypes(Lowering &l, const KernelNode &node, const LoweredValue &values,
                       const LoweredValue &index) {
  if (index.type.dtype != DType::I32)
    throw l.error(node, "needs an i32 index");
  if (values.type.dtype != DType::F32 || node.type.dtype != DType::F32)
    throw l.error(node, "works on f32 tensors only");
  if (index.type.shape.empty())
    throw l.error(node, "needs an index of rank 1 or more");
}

/// `index`, checked to lie in [0, extent), the extent of the input's axis `axis`.
Func checkedIndex(Lowering &l, const KernelNode &node, const LoweredValue &index, int64_t extent,
                  int64_t axis) {
  return l.checkedIndices(node, index, extent, "_index", "index",
                          "is outside the input's axis " + std::to_string(axis));
}

LoweredValue lowerGather(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &x = l.operand(node, 0), &index = l.operand(node, 1);
  expectGatherTypes(l, node, x, index);
  const Shape &in = x.type.shape, &at = index.type.shape;
  int64_t axis = l.normalizeAxis(node, l.intAttr(node, "axis"), static_cast<int64_t>(in.size()));
  if (at.size() != in.size() || node.type.shape != at)
    throw l.error(node, "needs an index of the input's rank and a result of the index's shape");
  Func checked = checkedIndex(l, node, index, in[axis], axis);
  LoweredValue v = l.pointwise(node, [&](const Index &p) {
    Index q = p;
    q[axis] = Halide::clamp(Lowering::call(checked, p), 0, i32(in[axis] - 1));
    return Lowering::call(x.func, q);
  });
  v.checks.emplace_back(checked, at);
  return v;
}

LoweredValue lowerGatherGrad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &index = l.operand(node, 0), &grad = l.operand(node, 1);
  expectGatherTypes(l, node, grad, index);
  const Shape &in = node.type.shape, &at = index.type.shape;
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = l.normalizeAxis(node, l.intAttr(node, "axis"), rank);
  if (at.size() != in.size() || grad.type.shape != at)
    throw l.error(node, "needs an index and a gradient of one shape, of the result's rank");
  Func checked = checkedIndex(l, node, index, in[axis], axis);

  // Strides of the input's coordinates other than `axis` in a flat column m (the last fastest).
  std::vector<int64_t> stride(in.size(), 0);
  int64_t columns = 1;
  for (int64_t d = rank; d-- > 0;)
    if (d != axis) {
      stride[d] = columns;
      columns *= in[d];
    }

  ReductionFunc acc;
  acc.func = l.newFunc(node, "_acc");
  acc.kept = {in[axis], columns};
  acc.folded = at[axis];
  acc.innermost = at[axis];
  acc.scatter = true;
  Lowering::define(acc.func, 2, [](const Index &) { return Expr(0.0f); });

  Halide::RDom r(0, i32(at[axis]));
  Halide::Var m = Lowering::var(1, 2);
  Index p(in.size());
  Expr inside = Halide::Internal::const_true();
  for (int64_t d = 0; d < rank; ++d) {
    if (d == axis) {
      p[d] = r;
      continue;
    }
    Expr c = (m / i32(stride[d])) % i32(in[d]);
    if (at[d] < in[d]) {
      inside = inside && c < i32(at[d]);
      c = Halide::min(c, i32(at[d] - 1));
    }
    p[d] = c;
  }
  Expr row = Halide::clamp(Lowering::call(checked, p), 0, i32(in[axis] - 1));
  acc.func(m, row) += Halide::select(inside, Lowering::call(grad.func, p), Expr(0.0f));

  LoweredValue v = l.pointwise(node, [&](const Index &q) {
    Expr column = Expr(0);
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        column = column + q[d] * i32(stride[d]);
    return Lowering::call(acc.func, {q[axis], column});
  });
  v.kind = ValueKind::Reduction;
  v.reductions.push_back(acc);
  v.checks.emplace_back(checked, at);
  return v;
}

} // namespace

void registerEmbeddingLowerings(OpTable &t) {
  t["gather"] = lowerGather;
  t["gather_grad"] = lowerGatherGrad;
  t["embedding"] = lowerEmbedding;
  t["embedding_grad"] = lowerEmbeddingGrad;
}

} // namespace dl::halide
