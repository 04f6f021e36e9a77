//===- AttentionSchedule.cpp - Attention head by head on the CPU ----------===//
//
// The CPU schedule of dl.attention and dl.attention_grad (ops/Attention.cpp). When every value of
// one attention is in one output group, that group (the owner) runs one head per iteration of a
// parallel loop; inside it, the head's tiles are computed in order (the transposes in 8x8 blocks,
// the product tiles per register block with the shared dimension outermost, the row reductions
// across vector lanes, the rest vectorized along the rows), and then the owner's register blocks,
// each computing the values' own products with their accumulators in registers. Everything one head
// touches (for T = 128 and d = 64, ten tiles of at most 64 KB) stays in L2.
//
// Otherwise (the values spread over groups of different shapes: Tq != Tk or d != dv), every tile
// and product is computed whole into its own buffer: correct, but the scores are stored.
//
// A streamed attention (past kWholeTileScores, ops/AttentionStreamed.cpp) is computed by blocks of
// kAttentionRows rows of each value's output group (or of a wrapper of the value), the blocks of
// all heads in one parallel loop, the value's row tiles inside each block; the transposed operands
// once, whole; the gradients' per-query statistics by blocks of query rows, in parallel.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/cpu/CpuSchedule.h"

#include <algorithm>
#include <map>

namespace dl::halide {

using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// With at least this many heads, the heads run in parallel.
constexpr int64_t kParallelHeads = 2;

/// The vector registers a register block may hold accumulators in: of 32 with AVX-512, of 16
/// with AVX2, the rest hold the loaded and broadcast operands.
int accumulatorRegisters(const Halide::Target &target) {
  return target.has_feature(Halide::Target::AVX512) ? 24 : 12;
}

/// Register blocks of kAttentionRows rows (the granularity at which causal attention skips work)
/// by as many vectors of columns as divide `columns` and fit the registers.
Blocking attentionBlocking(int64_t columns, int vw, const Halide::Target &target) {
  for (int vectors = accumulatorRegisters(target) / kAttentionRows; vectors >= 1; --vectors)
    if (columns % (int64_t(vectors) * vw) == 0)
      return {kAttentionRows, vectors, true};
  return {kAttentionRows, 1, false};
}

/// Splits the innermost two dimensions of `owner` (rank `rank`) into register blocks of `b` and
/// returns the loop over column blocks, inside the loop over row blocks.
Var blockOwner(Func owner, size_t rank, const Blocking &b, int vw, const std::string &prefix) {
  Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
  Var xo(prefix + "_xo"), xi(prefix + "_xi"), yo(prefix + "_yo"), yi(prefix + "_yi");
  owner.split(x, xo, xi, b.vectors * vw, TailStrategy::GuardWithIf)
      .split(y, yo, yi, b.rows, TailStrategy::GuardWithIf)
      .reorder(xi, yi, xo, yo)
      .vectorize(xi, vw, TailStrategy::GuardWithIf)
      .unroll(yi);
  if (b.unrollColumns)
    owner.unroll(xi);
  return xo;
}

/// Computes `product` (over rank `rank`, with an update over `shared`) per register block of its
/// owner, at the owner's loop `block`: `b.rows` rows (the product clamps the rows it reads) by the
/// block's columns, the shared dimension outermost so the accumulators stay in registers.
void blockProduct(Func product, Halide::RVar shared, const Halide::LoopLevel &block, size_t rank,
                  const Blocking &b, int vw) {
  Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
  product.compute_at(block)
      .bound_extent(y, b.rows)
      .vectorize(x, vw, TailStrategy::GuardWithIf)
      .unroll(y);
  Halide::Stage update = product.update();
  update.reorder(x, y, shared).vectorize(x, vw, TailStrategy::GuardWithIf).unroll(y);
  if (b.unrollColumns) {
    product.bound_extent(x, b.vectors * vw).unroll(x);
    update.unroll(x);
  }
}

/// `product` (with an update over `shared`) computed at `at` over one block of kAttentionRows
/// rows by kAttentionColumns columns, in passes of as many rows as the registers hold.
void scheduleBlockProduct(Func product, Halide::RVar shared, const Halide::LoopLevel &at,
                          size_t rank, int vw, const Halide::Target &target) {
  Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
  int vectors = kAttentionColumns / vw, rows = kAttentionRows;
  while (rows > 1 && rows * vectors > accumulatorRegisters(target))
    rows /= 2;
  product.compute_at(at)
      .bound_extent(x, kAttentionColumns)
      .bound_extent(y, kAttentionRows)
      .vectorize(x, vw)
      .unroll(x)
      .unroll(y);
  Var yo(product.name() + "_yo"), yi(product.name() + "_yi");
  product.update()
      .split(y, yo, yi, rows)
      .reorder(x, yi, shared, yo)
      .vectorize(x, vw)
      .unroll(x)
      .unroll(yi);
}

/// The update of causal product tile `t` (after its fill): its blocks on or below the diagonal,
/// each computing its product first.
void scheduleTriangle(const AttentionTile &t, int vw, const Halide::Target &target) {
  const Halide::RDom &cells = t.cells;
  Func f = t.func;
  // Each (column, row) of a block is written once: vector lanes never race.
  f.update().allow_race_conditions().vectorize(cells.x, vw).unroll(cells.y);
  scheduleBlockProduct(t.product, t.shared, Halide::LoopLevel(f, cells.z), t.shape.size(), vw,
                       target);
}

/// `tiles`, computed at loop level `at` (one head of the owner, or one block of rows).
void scheduleTiles(const std::vector<AttentionTile> &tiles, Halide::LoopLevel at, int vw,
                   const Halide::Target &target) {
  for (const AttentionTile &t : tiles) {
    size_t rank = t.shape.size();
    Func f = t.func;
    f.compute_at(at);
    if (t.isRowReduction) {
      // The lanes: [L..., rows, kRowLanes], one vector per row and chunk of columns.
      size_t laneRank = rank + 1;
      Var lane = Lowering::var(laneRank - 1, laneRank), row = Lowering::var(laneRank - 2, laneRank);
      Func lanes = t.lanes;
      lanes.compute_at(at).vectorize(lane, std::min(vw, kRowLanes));
      lanes.update()
          .reorder(lane, lanes.rvars(0)[0], row)
          .vectorize(lane, std::min(vw, kRowLanes));
      continue;
    }
    Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
    if (t.transposes) {
      Var xo(f.name() + "_xo"), yo(f.name() + "_yo"), xi(f.name() + "_xi"), yi(f.name() + "_yi");
      f.tile(x, y, xo, yo, xi, yi, 8, 8, TailStrategy::GuardWithIf).vectorize(xi).unroll(yi);
      continue;
    }
    if (!t.hasProduct) {
      f.vectorize(x, vw, TailStrategy::GuardWithIf);
      continue;
    }
    if (t.triangular) {
      f.vectorize(x, vw, TailStrategy::GuardWithIf);
      scheduleTriangle(t, vw, target);
      continue;
    }
    Blocking b = attentionBlocking(t.shape.back(), vw, target);
    Var block = blockOwner(f, rank, b, vw, f.name());
    blockProduct(t.product, t.shared, Halide::LoopLevel(f, block), rank, b, vw);
  }
}

/// Everything of `head` and its values computed whole, each into its own buffer.
void scheduleWhole(const AttentionHead &head, const std::vector<const LoweredValue *> &values,
                   int vw, const Halide::Target &target) {
  auto vectorized = [&](Func f, size_t rank, std::optional<Halide::RVar> shared) {
    Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
    f.compute_root().vectorize(x, vw, TailStrategy::GuardWithIf);
    if (rank >= 3)
      f.parallel(Lowering::var(0, rank));
    if (!shared)
      return;
    Halide::Stage update = f.update();
    update.reorder(x, *shared, y).vectorize(x, vw, TailStrategy::GuardWithIf);
    if (rank >= 3)
      update.parallel(Lowering::var(0, rank));
  };
  for (const AttentionTile &t : head.tiles) {
    size_t rank = t.shape.size();
    if (t.isRowReduction) {
      Func lanes = t.lanes;
      Var lane = Lowering::var(rank, rank + 1);
      lanes.compute_root().vectorize(lane, std::min(vw, kRowLanes));
      lanes.update().vectorize(lane, std::min(vw, kRowLanes));
      Func(t.func).compute_root();
      continue;
    }
    vectorized(t.func, rank, std::nullopt);
    if (t.triangular)
      scheduleTriangle(t, vw, target);
    else if (t.hasProduct)
      vectorized(t.product, rank, t.shared);
  }
  for (const LoweredValue *v : values)
    vectorized(v->attention.product, v->type.shape.size(), v->attention.shared);
}

/// The loops of an output computed by blocks of rows for streamed attention (or of a wrapper of a
/// value that no group can take): tiles at `rows`, the values' products at `block`.
struct StreamedOwner {
  Halide::LoopLevel rows, block;
  Blocking blocking;
};

/// Fuses the leading dimensions of `f` (rank `rank`, rows at rank - 2, split into `rowBlock`)
/// with its row blocks into one parallel loop; returns it.
Var parallelRowBlocks(Func f, size_t rank, Var rowBlock) {
  Var all = rowBlock;
  for (size_t d = rank - 2; d-- > 0;) {
    Var outer(f.name() + "_rb" + std::to_string(d));
    f.fuse(all, Lowering::var(d, rank), outer);
    all = outer;
  }
  f.parallel(all);
  return all;
}

/// Splits `owner` (an output over `shape`) into register blocks, its row blocks (and heads) in
/// parallel.
StreamedOwner blockStreamedOwner(Func owner, const Shape &shape, int vw,
                                 const Halide::Target &target) {
  size_t rank = shape.size();
  StreamedOwner o;
  o.blocking = attentionBlocking(shape.back(), vw, target);
  Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
  std::string n = owner.name();
  Var xo(n + "_xo"), xi(n + "_xi"), yo(n + "_yo"), yi(n + "_yi");
  owner.split(x, xo, xi, o.blocking.vectors * vw, TailStrategy::GuardWithIf)
      .split(y, yo, yi, o.blocking.rows, TailStrategy::GuardWithIf)
      .reorder(xi, yi, xo, yo)
      .vectorize(xi, vw, TailStrategy::GuardWithIf)
      .unroll(yi);
  if (o.blocking.unrollColumns)
    owner.unroll(xi);
  o.rows = Halide::LoopLevel(owner, parallelRowBlocks(owner, rank, yo));
  o.block = Halide::LoopLevel(owner, xo);
  return o;
}

/// A streamed attention (AttentionHead::streamed): the transposed operands once, whole; the
/// gradients' statistics by blocks of query rows, the blocks in parallel; each value by blocks of
/// kAttentionRows rows of the output group that holds it (or of a wrapper of it), its row tiles
/// inside each block, its product per register block.
void scheduleStreamed(const Lowering &l, const AttentionHead &head, const std::vector<int> &values,
                      std::vector<OutputGroup> &groups, std::set<int> &scheduledGroups,
                      std::map<int, StreamedOwner> &owners, int vw,
                      const Halide::Target &target) {
  for (const AttentionTile &t : head.rootTiles) {
    size_t rank = t.shape.size();
    Func f = t.func;
    Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
    Var xo(f.name() + "_xo"), yo(f.name() + "_yo"), xi(f.name() + "_xi"), yi(f.name() + "_yi");
    f.compute_root()
        .tile(x, y, xo, yo, xi, yi, 8, 8, TailStrategy::GuardWithIf)
        .vectorize(xi)
        .unroll(yi);
    if (rank > 2)
      f.parallel(fuseHeads(f, rank, f.name()));
  }
  if (head.stats.defined()) {
    Func stats = head.stats;
    size_t rank = head.statsShape.size();
    Var y = Lowering::var(rank - 1, rank);
    Var yo(stats.name() + "_yo"), yi(stats.name() + "_yi");
    stats.compute_root().split(y, yo, yi, kAttentionRows, TailStrategy::GuardWithIf);
    Var all = yo;
    for (size_t d = rank - 1; d-- > 0;) {
      Var outer(stats.name() + "_rb" + std::to_string(d));
      stats.fuse(all, Lowering::var(d, rank), outer);
      all = outer;
    }
    stats.parallel(all);
    scheduleTiles(head.tiles, Halide::LoopLevel(stats, all), vw, target);
  }
  for (int v : values) {
    const LoweredValue &value = l.value(v);
    int owner = -1;
    for (size_t g = 0; g < groups.size(); ++g)
      if (std::count(groups[g].values.begin(), groups[g].values.end(), v) > 0 &&
          (owners.count(static_cast<int>(g)) || !scheduledGroups.count(static_cast<int>(g))))
        owner = static_cast<int>(g);
    StreamedOwner o;
    if (owner >= 0) {
      if (!owners.count(owner)) {
        owners[owner] = blockStreamedOwner(groups[owner].func, groups[owner].shape, vw, target);
        scheduledGroups.insert(owner);
      }
      o = owners[owner];
    } else {
      Func wrapper = Func(value.func).in();
      wrapper.compute_root();
      o = blockStreamedOwner(wrapper, value.type.shape, vw, target);
    }
    scheduleTiles(value.attention.rowTiles, o.rows, vw, target);
    blockProduct(value.attention.product, value.attention.shared, o.block,
                 value.type.shape.size(), o.blocking, vw);
  }
}

} // namespace

void scheduleAttention(const Lowering &l, std::vector<OutputGroup> &groups,
                       std::set<int> &scheduledGroups, const Halide::Target &target) {
  int vw = target.natural_vector_size<float>();
  std::map<const AttentionHead *, std::vector<int>> valuesOf;
  std::vector<const AttentionHead *> heads;
  for (int v = 0; v < l.kernel().numValues(); ++v) {
    const LoweredValue &value = l.value(v);
    if (value.kind != ValueKind::Attention)
      continue;
    const AttentionHead *head = value.attention.head.get();
    if (!valuesOf.count(head))
      heads.push_back(head);
    valuesOf[head].push_back(v);
  }

  std::map<int, StreamedOwner> streamedOwners;
  for (const AttentionHead *head : heads) {
    const std::vector<int> &values = valuesOf[head];
    if (head->streamed) {
      scheduleStreamed(l, *head, values, groups, scheduledGroups, streamedOwners, vw, target);
      continue;
    }
    int owner = -1;
    for (size_t g = 0; g < groups.size(); ++g)
      if (std::all_of(values.begin(), values.end(), [&](int v) {
            return std::count(groups[g].values.begin(), groups[g].values.end(), v) > 0;
          }))
        owner = static_cast<int>(g);
    if (owner < 0 || scheduledGroups.count(owner)) {
      std::vector<const LoweredValue *> lowered;
      for (int v : values)
        lowered.push_back(&l.value(v));
      scheduleWhole(*head, lowered, vw, target);
      continue;
    }
    scheduledGroups.insert(owner);
    Func out = groups[owner].func;
    const Shape &shape = groups[owner].shape;
    size_t rank = shape.size();
    Blocking b = attentionBlocking(shape.back(), vw, target);
    Var block = blockOwner(out, rank, b, vw, out.name());
    Halide::LoopLevel perHead = Halide::LoopLevel::root();
    if (rank > 2) {
      Var heads = fuseHeads(out, rank, out.name());
      int64_t count = 1;
      for (size_t d = 0; d + 2 < rank; ++d)
        count *= shape[d];
      if (count >= kParallelHeads)
        out.parallel(heads);
      perHead = Halide::LoopLevel(out, heads);
    }
    scheduleTiles(head->tiles, perHead, vw, target);
    for (int v : values) {
      const LoweredValue &value = l.value(v);
      blockProduct(value.attention.product, value.attention.shared,
                   Halide::LoopLevel(out, block), rank, b, vw);
    }
  }
}

} // namespace dl::halide
