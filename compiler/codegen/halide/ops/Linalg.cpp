//===- Linalg.cpp - dl.matmul ----------------------------------------------===//
//
// NumPy's matmul as one Func over the result's coordinates with an update that sums over the shared
// dimension: the last two dimensions multiply, leading (batch) dimensions broadcast, and a 1-D
// operand is a row (left) or column (right) vector whose added dimension does not appear in the
// result. The product is written once here; how it is tiled, register-blocked and fused with its
// element-wise consumers is the schedules' business (cpu/, gpu/; they find the Func through
// ValueKind::Matmul).
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <algorithm>

namespace dl::halide {
namespace {

using Halide::Expr;

/// The NumPy broadcast of two batch shapes; false when they do not broadcast.
bool broadcastBatch(const Shape &a, const Shape &b, Shape &out) {
  out.assign(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      return false;
    out[out.size() - 1 - i] = da == 1 ? db : da;
  }
  return true;
}

LoweredValue lowerMatmul(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &a = l.operand(node, 0), &b = l.operand(node, 1);
  const Shape &sa = a.type.shape, &sb = b.type.shape;
  if (sa.empty() || sb.empty())
    throw l.error(node, "needs operands of rank 1 or more");
  if (a.type.dtype != DType::F32 || b.type.dtype != DType::F32 || node.type.dtype != DType::F32)
    throw l.error(node, "multiplies f32 tensors only");
  bool aVector = sa.size() == 1, bVector = sb.size() == 1;
  int64_t k = sa.back();
  int64_t kb = bVector ? sb[0] : sb[sb.size() - 2];
  if (k != kb)
    throw l.error(node, "has inner dimensions " + std::to_string(k) + " and " + std::to_string(kb) +
                            " that differ");
  Shape batchA = aVector ? Shape{} : Shape(sa.begin(), sa.end() - 2);
  Shape batchB = bVector ? Shape{} : Shape(sb.begin(), sb.end() - 2);
  Shape batch;
  if (!broadcastBatch(batchA, batchB, batch))
    throw l.error(node, "has batch dimensions that do not broadcast");
  Shape expected = batch;
  if (!aVector)
    expected.push_back(sa[sa.size() - 2]);
  if (!bVector)
    expected.push_back(sb.back());
  if (expected != node.type.shape)
    throw l.error(node, "result type does not match the product of its operands");

  LoweredValue v;
  v.kind = ValueKind::Matmul;
  v.func = l.newFunc(node);
  size_t rank = expected.size();
  Lowering::define(v.func, rank, [](const Index &) { return Expr(0.0f); });
  if (k == 0)
    return v;

  // Matrix by matrix with N not a multiple of the column quantum: on the CPU, read B through a copy
  // whose extra columns are zeros (their products are computed and never stored). The GPU's tiles
  // clamp B's column instead, as both clamp A's row below.
  const Halide::Func *rhs = &b.func;
  if (!l.forGpu() && !aVector && !bVector && expected.back() % kMatmulColumnQuantum != 0) {
    int32_t n = static_cast<int32_t>(expected.back());
    v.paddedRhs = l.newFunc(node, "_rhs_padded");
    Lowering::define(v.paddedRhs, sb.size(), [&](const Index &index) {
      Index source = index;
      source.back() = Halide::clamp(index.back(), 0, n - 1);
      return Halide::select(index.back() < n, Lowering::call(b.func, source), 0.0f);
    });
    v.hasPaddedRhs = true;
    rhs = &v.paddedRhs;
  }

  Halide::RDom r(0, static_cast<int>(k), l.funcName(node, "_k"));
  Index out = Lowering::coordinates(rank);
  Index batchIndex(out.begin(), out.begin() + batch.size());
  Index ai = Lowering::broadcastIndex(batchA, batch, batchIndex);
  // The row is clamped into A: the schedule computes whole register blocks of rows, and a block
  // that overhangs the last row reads (and then discards) copies of that row instead of memory
  // past A. The GPU's tiles overhang the last column too (gpu/GpuMatmulSchedule.cpp).
  if (!aVector)
    ai.push_back(Halide::clamp(out[batch.size()], 0, static_cast<int>(sa[sa.size() - 2]) - 1));
  ai.push_back(r.x);
  Index bi = Lowering::broadcastIndex(batchB, batch, batchIndex);
  bi.push_back(r.x);
  if (!bVector && !aVector && l.forGpu())
    bi.push_back(Halide::clamp(out.back(), 0, static_cast<int>(sb.back()) - 1));
  else if (!bVector)
    bi.push_back(out.back());

  std::vector<Expr> args(out.rbegin(), out.rend());
  v.func(args) += Lowering::call(a.func, ai) * Lowering::call(*rhs, bi);
  v.sharedDim = r.x;
  v.hasSharedDim = true;
  return v;
}

} // namespace

void registerLinalgLowerings(OpTable &t) { t["matmul"] = lowerMatmul; }

} // namespace dl::halide
