//===- GpuMatmulSchedule.cpp - Shared-memory tiles of matrix products on a GPU ---===//
//
// The GPU schedule of a product [..., M, K] x [..., K, N] large enough to fill 16 x 16 threads: the
// textbook tiled SGEMM, written as a Halide schedule.
//
//   - Each GPU block owns a tile of BI x BJ outputs of the product's owner (the output group that
//     consumes it, or a wrapper), with 16 x 16 threads. A thread owns R x C neighbouring outputs,
//     kept in registers.
//   - The shared dimension is walked in chunks of 16. Per chunk, the block's threads copy the
//     chunk's BI x 16 elements of A and 16 x BJ elements of B into shared memory, each thread a
//     few, neighbouring threads reading neighbouring addresses; then every thread adds its R x C
//     partial products from shared memory. Halide places the barriers between the copies and the
//     sums.
//   - The owner's epilogue (bias, activation, ...) runs on each thread's outputs in registers.
//   - Leading (batch) dimensions are fused into the third dimension of the grid.
//
// R x C is 4 x 2, 2 x 2 or 1 x 1: the largest that still gives the GPU enough blocks to fill its
// multiprocessors (kBlocksToFill), since the course's products are small (an MLP's [128, 784] x
// [784, 256] is 128 blocks of 16 x 16). Products too thin for a 16 x 16 block keep one thread per
// output (GpuSchedule.cpp).
//
// The accumulators are one Register allocation of the block's whole tile, which each thread indexes
// at its own offset (Halide gives every thread a copy of a block-level allocation); LLVM keeps a
// thread's part in registers when the tile is small and unguarded. Tiles past the product's last
// row or column are therefore computed whole (ops/Linalg.cpp clamps the operands' indices for the
// GPU), and 4 x 2 is the largest tile: at 4 x 4 LLVM still keeps the sums in registers but leaves a
// 16 KB per-thread stack of dead stores, which the driver must reserve for every resident thread.
// (A batched product's tile leaves such a stack too, 8 KB at 4 x 2.) test/lit/cuda/matmul-tiles.dl
// checks that no product's kernel reloads an accumulator from local memory.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/gpu/GpuSchedule.h"

namespace dl::halide {

using Halide::Func;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Threads per block along the columns and along the rows of a tile.
constexpr int kThreadColumns = 16;
constexpr int kThreadRows = 16;
/// Elements of the shared dimension staged in shared memory at a time: one per thread along the
/// copy's innermost dimension.
constexpr int kChunk = 16;
/// Blocks wanted before a thread takes more than one output: two per multiprocessor of an H100
/// (132), so that one block's copies overlap another's sums.
constexpr int64_t kBlocksToFill = 264;

/// Outputs per thread along rows and columns.
struct RegisterTile {
  int rows, columns;
};

RegisterTile registerTileFor(int64_t batch, int64_t m, int64_t n) {
  for (RegisterTile tile : {RegisterTile{4, 2}, RegisterTile{2, 2}}) {
    int64_t blocks = batch * ceilDiv(m, int64_t(tile.rows) * kThreadRows) *
                     ceilDiv(n, int64_t(tile.columns) * kThreadColumns);
    if (blocks >= kBlocksToFill)
      return tile;
  }
  return {1, 1};
}

/// Splits `stage`'s loops over columns `j` and rows `i` (extents up to the tile's) into threads
/// of `tile` outputs each: j = jt * C + jr and i = it * R + ir, threads (jt, it), a thread's
/// outputs (jr, ir) unrolled. (Not vectorized: the owner's guard of a partial tile would then be
/// a vector predicate, which Halide's OpenCL backend, the tests' stand-in for the GPU, cannot
/// print.) The loops, innermost first: the outputs, `inner`, the threads, `outer`; `stage` must
/// have no other loop but those of extent one.
void threadOutputs(Halide::Stage stage, Var j, Var i, const RegisterTile &tile,
                   const std::string &name, const std::vector<Halide::VarOrRVar> &inner = {},
                   const std::vector<Halide::VarOrRVar> &outer = {}) {
  Var jr(name + "_jr"), jt(name + "_jt"), ir(name + "_ir"), it(name + "_it");
  stage.split(j, jt, jr, tile.columns, TailStrategy::GuardWithIf)
      .split(i, it, ir, tile.rows, TailStrategy::GuardWithIf);
  std::vector<Halide::VarOrRVar> order = {jr, ir};
  order.insert(order.end(), inner.begin(), inner.end());
  order.insert(order.end(), {jt, it});
  order.insert(order.end(), outer.begin(), outer.end());
  stage.reorder(order).gpu_threads(jt, it).unroll(jr).unroll(ir);
}

/// The copy of an operand's chunk into shared memory, computed at `at` of the product's update:
/// its innermost dimension (`inner`, the contiguous one in memory) across 16 threads, the next
/// across the other 16, the rest of that dimension in a loop.
void stageInSharedMemory(Func copy, Func product, RVar at) {
  std::vector<Var> args = copy.args();
  Var inner = args[0], outer = args[1];
  Var tx(copy.name() + "_tx"), ty(copy.name() + "_ty"), xo(copy.name() + "_xo"),
      yo(copy.name() + "_yo");
  copy.compute_at(product, at)
      .store_in(Halide::MemoryType::GPUShared)
      .split(inner, xo, tx, kThreadColumns, TailStrategy::GuardWithIf)
      .split(outer, yo, ty, kThreadRows, TailStrategy::GuardWithIf)
      .reorder(tx, ty, xo, yo)
      .gpu_threads(tx, ty);
}

} // namespace

bool scheduleGpuMatmul(Func owner, const LoweredValue &product, Func lhs, Func rhs,
                       const MatmulShape &shape) {
  size_t rank = shape.result.size();
  if (!shape.matrixByMatrix || rank < 2 || !product.hasSharedDim)
    return false;
  int64_t m = shape.result[rank - 2], n = shape.result[rank - 1];
  if (m < kThreadRows || n < kThreadColumns || shape.shared < kChunk)
    return false;
  int64_t batch = 1;
  for (size_t d = 0; d + 2 < rank; ++d)
    batch *= shape.result[d];
  RegisterTile tile = registerTileFor(batch, m, n);
  int tileColumns = tile.columns * kThreadColumns, tileRows = tile.rows * kThreadRows;

  Func prod = product.func;
  Var j = Lowering::var(rank - 1, rank), i = Lowering::var(rank - 2, rank);
  std::string name = owner.name();
  Var jb(name + "_jb"), ib(name + "_ib"), jin(name + "_jin"), iin(name + "_iin");
  std::vector<Halide::VarOrRVar> blocks = {jb, ib};
  if (rank > 2)
    blocks.push_back(fuseHeads(owner, rank, name));
  owner.split(j, jb, jin, tileColumns, TailStrategy::GuardWithIf)
      .split(i, ib, iin, tileRows, TailStrategy::GuardWithIf);
  threadOutputs(owner, jin, iin, tile, name, {}, blocks);
  if (rank > 2)
    owner.gpu_blocks(blocks[0], blocks[1], blocks[2]);
  else
    owner.gpu_blocks(jb, ib);

  // The product: one tile per block, each thread's outputs in its registers, the shared dimension
  // in chunks outside the threads. Whole tiles, even past the last row and column (the product
  // clamps both operands' indices there): a guard around each accumulator would keep LLVM from
  // holding them in registers.
  prod.compute_at(owner, jb)
      .store_in(Halide::MemoryType::Register)
      .bound_extent(j, tileColumns)
      .bound_extent(i, tileRows);
  threadOutputs(prod, j, i, tile, prod.name());
  RVar chunk(prod.name() + "_ko"), within(prod.name() + "_ki");
  Halide::Stage update = prod.update();
  update.split(product.sharedDim, chunk, within, kChunk, TailStrategy::GuardWithIf);
  threadOutputs(update, j, i, tile, prod.name() + "_u", {within}, {chunk});

  stageInSharedMemory(lhs.in(prod), prod, chunk);
  stageInSharedMemory(rhs.in(prod), prod, chunk);
  return true;
}

} // namespace dl::halide
