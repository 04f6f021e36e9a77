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

} // namespace

void registerEmbeddingLowerings(OpTable &t) {
  t["embedding"] = lowerEmbedding;
  t["embedding_grad"] = lowerEmbeddingGrad;
}

} // namespace dl::halide
