//===- MatmulSchedule.cpp - Register-blocked, tiled matrix products --------===//
//
// The schedule of dl.matmul on the CPU, in the classic Halide form: the owner (the output Func that
// reads the product, or a wrapper when the product is computed into its own buffer) is tiled; each
// tile is cut into blocks of `rows` rows by `vectors` vectors of columns, and the product is
// computed per block with the shared dimension outermost, so the block's partial sums stay in
// vector registers while A's elements are broadcast and B's rows are loaded whole. The owner's
// epilogue (bias, activation, ...) then runs on the block while it is hot, unrolled like the block
// when it is cheap; a costly one (GELU's erf, then in double precision, repeated for every register
// of the block, took LLVM 1.5 s for one kernel) loops over the block instead. Tiles (and batch
// dimensions) are fused into one parallel loop.
//
// Products whose result is not [..., M, N] (a 1-D operand) are computed once, vectorized along the
// result's innermost dimension.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/cpu/CpuSchedule.h"

#include <algorithm>

namespace dl::halide {

using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

constexpr int64_t kParallelMultiplyAdds = int64_t(1) << 21;
constexpr int64_t kTaskMultiplyAdds = int64_t(1) << 19;
/// The fewest column panels, and row blocks reading each, for which B is packed (one panel a
/// task): with fewer row blocks, copying the panel costs about what reading it in place does (an
/// LSTM step's [32, 256] x [256, 1024] measured no faster packed).
constexpr int64_t kPackedPanels = 4;
constexpr int64_t kPackedRowBlocks = 8;
/// The shortest shared dimension K for which B is packed: at a batch's K (the MLP's x^T dg, K =
/// 128) B's panel is a few hundred KB that stays in L2 read in place, and the copy cost 5% of
/// the MLP's train step; the LSTM's weight gradients sum over T x B = 2048 rows.
constexpr int64_t kPackedFromK = 1024;

} // namespace

Blocking blockingFor(int64_t n, int vw, const Halide::Target &target) {
  std::vector<std::pair<int, int>> candidates; // (rows, vectors), best first
  if (target.has_feature(Halide::Target::AVX512))
    candidates = {{6, 4}, {8, 3}, {8, 2}, {8, 1}};
  else
    candidates = {{6, 2}, {4, 3}, {8, 1}};
  for (auto [rows, vectors] : candidates)
    if (n % (static_cast<int64_t>(vectors) * vw) == 0)
      return {rows, vectors, true};
  int vectors =
      static_cast<int>(std::min<int64_t>(candidates.front().second, std::max<int64_t>(1, n / vw)));
  return {candidates.front().first, vectors, false};
}

bool packsRhs(const MatmulShape &shape, const Halide::Target &target) {
  size_t rank = shape.result.size();
  if (!shape.matrixByMatrix || rank != 2)
    return false;
  int vw = target.natural_vector_size<float>();
  int64_t m = shape.result[0];
  Blocking b = blockingFor(shape.columns, vw, target);
  int64_t columns = int64_t(b.vectors) * vw;
  return b.unrollColumns && shape.shared >= kPackedFromK && shape.columns / columns >= kPackedPanels &&
         (m + b.rows - 1) / b.rows >= kPackedRowBlocks;
}

std::optional<Var> scheduleMatmul(Func owner, const LoweredValue &product, const MatmulShape &shape,
                                  const Halide::Target &target, bool unrollEpilogue,
                                  const Func *rhs) {
  Func prod = product.func;
  size_t rank = shape.result.size();
  int vw = target.natural_vector_size<float>();
  if (!shape.matrixByMatrix || rank < 2) {
    prod.compute_root();
    if (rank >= 1 && shape.result.back() >= vw) {
      Var d0 = Lowering::var(rank - 1, rank);
      prod.vectorize(d0, vw, TailStrategy::GuardWithIf);
      if (product.hasSharedDim)
        prod.update().vectorize(d0, vw, TailStrategy::GuardWithIf);
    }
    schedulePointwise(owner, shape.result, target);
    return std::nullopt;
  }

  Blocking b = blockingFor(shape.columns, vw, target);
  int columns = b.vectors * vw;
  int64_t m = shape.result[rank - 2];
  // A task of the thread pool: one column panel of `group` row blocks. The panel of B (K x
  // columns) is reused from L1/L2 by each of its row blocks, and a task is long enough (about
  // kTaskMultiplyAdds) that handing it out costs little.
  int64_t rowBlocks = (m + b.rows - 1) / b.rows;
  int64_t blockMultiplyAdds = std::max<int64_t>(1, int64_t(b.rows) * columns * shape.shared);
  int group = static_cast<int>(std::clamp<int64_t>(
      (kTaskMultiplyAdds + blockMultiplyAdds - 1) / blockMultiplyAdds, 1, rowBlocks));
  // Packing B: B's rows are N floats apart, so a block's walk down its panel (K rows of
  // `columns` floats) touches a new page at every k once N reaches 1024 floats, and the prefetchers
  // stop at page boundaries. With enough column panels to share among the threads, a task is one
  // whole panel: its K x columns slice of B is first copied into a dense buffer, which each of the
  // panel's row blocks then reads sequentially (dW_hh = h^T dg of an LSTM: K = 2048, N = 1024).
  bool pack = rhs && packsRhs(shape, target);
  if (pack)
    group = static_cast<int>(rowBlocks);
  Var j = Lowering::var(rank - 1, rank), i = Lowering::var(rank - 2, rank);
  Var jo("jo"), io("io"), ji("ji"), ii("ii"), rowTask("rt"), block("blk"), tile("tile");
  owner.split(j, jo, ji, columns, TailStrategy::GuardWithIf)
      .split(i, io, ii, b.rows, TailStrategy::GuardWithIf)
      .split(io, rowTask, block, group, TailStrategy::GuardWithIf)
      .reorder(ji, ii, block, jo, rowTask)
      .vectorize(ji, vw, TailStrategy::GuardWithIf);
  if (unrollEpilogue) {
    owner.unroll(ii);
    if (b.unrollColumns)
      owner.unroll(ji);
  }
  owner.fuse(rowTask, jo, tile);
  for (size_t d = rank - 2; d-- > 0;) {
    Var batch = Lowering::var(d, rank), outer("tile_" + batch.name());
    owner.fuse(tile, batch, outer);
    tile = outer;
  }
  // Below a few million multiply-adds a product takes microseconds, about what waking the thread
  // pool costs.
  int64_t multiplyAdds = shape.shared;
  for (int64_t d : shape.result)
    multiplyAdds *= d;
  if (multiplyAdds >= kParallelMultiplyAdds)
    owner.parallel(tile);

  if (pack) {
    Func packed = Func(*rhs).in(prod);
    packed.compute_at(owner, tile)
        .bound_extent(j, columns)
        .vectorize(j, vw, TailStrategy::GuardWithIf)
        .unroll(j);
  }

  // One block of the product per iteration of `block`: always `rows` rows (the definition clamps
  // A's row, so an overhanging block is safe), and `columns` columns when they divide N.
  prod.compute_at(owner, block)
      .bound_extent(i, b.rows)
      .vectorize(j, vw, TailStrategy::GuardWithIf)
      .unroll(i);
  if (b.unrollColumns)
    prod.bound_extent(j, columns).unroll(j);
  if (product.hasSharedDim) {
    Halide::Stage update = prod.update();
    update.reorder(j, i, product.sharedDim).vectorize(j, vw, TailStrategy::GuardWithIf).unroll(i);
    if (b.unrollColumns)
      update.unroll(j);
  }
  return block;
}

} // namespace dl::halide
