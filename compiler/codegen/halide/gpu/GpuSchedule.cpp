//===- GpuSchedule.cpp - The CUDA schedule of a kernel ---------------------===//
//
// The schedule a kernel gets when its target has the CUDA feature. Every Func that the pipeline
// stores (output groups, reductions, helpers, products read by more than one element-wise chain)
// runs as a GPU kernel, so that no stage falls back to the host and no buffer travels between host
// and device inside a train step:
//
//   - element-wise Funcs are flattened to one dimension and split into blocks of kThreadsPerBlock
//     threads, one element per thread;
//   - a reduction runs one thread per kept element, each folding its elements in order. A sum with
//     few kept elements (a loss total, batch norm's statistics) is first split across kPartialSums
//     threads per kept element (rfactor), whose partial sums one thread then adds; a sum along
//     rows of 64 or more (layer norm's statistics, softmax's denominators) runs one warp per row,
//     its 32 lanes reading neighbouring elements (gpuRowSum); other reductions to a scalar run in
//     one thread;
//   - a scatter-add (embedding's gradient) runs one thread per column of the table, each visiting
//     the ids in order, so repeated ids never race;
//   - a scan (cumsum) runs one thread per row along its axis, each adding the row in order
//     (gpuScan);
//   - a matmul of matrices with M, N and K of 16 or more runs in shared-memory tiles, each thread
//     a few outputs in registers (GpuMatmulSchedule.cpp), in the threads of the output group that
//     consumes it when its consumers are element-wise and end in one group, otherwise into its own
//     buffer;
//   - a direct convolution (conv2d, its input gradient) with four output channels or more runs
//     four channels of one pixel per thread, in registers (GpuConvSchedule.cpp), in the threads of
//     its output group or into its own buffer, as a matmul does;
//   - another matmul or convolution whose consumers are element-wise and end in one output group
//     is computed inside that group's thread (one output element, its shared dimension in a loop),
//     with bias and activation applied in registers; otherwise it is computed once into its own
//     buffer, one thread per element;
//   - a convolution's zero-padded input is computed once, before the taps read it;
//   - an attention's tiles (ops/Attention.cpp) are computed whole, one element per thread, and its
//     values' products inside their group's threads;
//   - a value a reduction reads and that is also stored is computed once (needsOneRounding);
//   - the one exception to the GPU: a check of an embedding's ids or of a loss's class labels
//     runs on the host, where a failed requirement can report its message (LoweredValue::checks).
//     They are an input of the train step, on the host already; the checked values travel to the
//     device.
//
// Every schedule here also runs in the kernel tests, lowered for OpenCL on pocl
// (test/unit/codegen/OpenClStandIn.h). Convolutions do not stage their inputs in shared memory.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/gpu/GpuSchedule.h"

#include <algorithm>

namespace dl::halide {

using Halide::Func;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;

namespace {

constexpr int kThreadsPerBlock = 256;
/// Threads that sum a share each of a reduction split across threads.
constexpr int kPartialSums = 256;
/// Sums with fewer kept elements than this (a loss total, batch norm's per-channel statistics)
/// are split across kPartialSums threads per kept element.
constexpr int64_t kSplitBelowKept = 4096;
/// A sum along rows (its operand's last dimension reduced) of at least kWarpRowsFrom elements runs
/// one warp per row; a block holds kWarpRowsPerBlock rows.
constexpr int64_t kWarpRowsFrom = 2 * kWarpSize;
constexpr int kWarpRowsPerBlock = 8;

/// Fuses loops `loops` of `stage` (innermost first) into one and spreads it over GPU blocks of
/// threads, `elements` iterations in all. No loops: the stage runs in one thread.
void gpuThreads(Halide::Stage stage, const std::string &name, const std::vector<Var> &loops,
                int64_t elements) {
  if (loops.empty()) {
    stage.gpu_single_thread();
    return;
  }
  // Innermost first: neighbouring threads touch neighbouring elements (coalesced accesses).
  Var flat = loops[0];
  for (size_t d = 1; d < loops.size(); ++d) {
    Var both(name + "_f" + std::to_string(d));
    stage.fuse(flat, loops[d], both);
    flat = both;
  }
  int threads = static_cast<int>(std::clamp<int64_t>(elements, 1, kThreadsPerBlock));
  Var block(name + "_block"), thread(name + "_thread");
  stage.gpu_tile(flat, block, thread, threads, TailStrategy::GuardWithIf);
}

/// Fuses the pure loops of `stage` (of a Func of rank `rank`) into one and spreads it over GPU
/// blocks of threads. A rank-0 stage runs in one thread.
void gpuElementwise(Halide::Stage stage, const std::string &name, size_t rank, int64_t elements) {
  std::vector<Var> loops;
  for (size_t d = rank; d-- > 0;)
    loops.push_back(Lowering::var(d, rank));
  gpuThreads(stage, name, loops, elements);
}

int64_t elementsOf(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void gpuPointwise(Func f, const Shape &shape) {
  f.compute_root();
  gpuElementwise(f, f.name(), shape.size(), elementsOf(shape));
}

/// A sum along rows, one warp per kept element: lane l of the warp adds the row's elements l,
/// l + 32, ... (the warp reads 32 neighbouring elements at a time, where one thread per row would
/// read 32 rows apart), into a partial sum in shared memory; then one thread per kept element adds
/// its 32 partial sums. Blocks of kWarpRowsPerBlock kept elements along the last kept dimension;
/// the other kept dimensions are more blocks.
void gpuRowSum(const ReductionFunc &r) {
  Func f = r.func;
  size_t rank = r.kept.size();
  std::string name = f.name();
  RVar chunk(name + "_wo"), laneOfRow(name + "_wl");
  Var lane(name + "_lane");
  Func partial = f.update()
                     .split(f.rvars(0)[0], chunk, laneOfRow, kWarpSize,
                            TailStrategy::GuardWithIf)
                     .rfactor(laneOfRow, lane);
  Var last = Lowering::var(rank - 1, rank), thread(name + "_rt"), blocks;
  for (Halide::Stage stage : {Halide::Stage(f), f.update()}) {
    blocks = Var(name + "_rb");
    stage.split(last, blocks, thread, kWarpRowsPerBlock, TailStrategy::GuardWithIf);
    for (size_t d = rank - 1; d-- > 0;) {
      Var outer(name + "_rb" + std::to_string(d));
      stage.fuse(blocks, Lowering::var(d, rank), outer);
      blocks = outer;
    }
    stage.gpu_blocks(blocks).gpu_threads(thread);
  }
  f.compute_root();
  // In the update's block: the last kept dimension spans at most kWarpRowsPerBlock, the others
  // one.
  partial.compute_at(f, blocks);
  for (bool isUpdate : {false, true}) {
    Halide::Stage stage = isUpdate ? partial.update() : Halide::Stage(partial);
    if (isUpdate)
      stage.reorder(chunk, lane, last);
    else
      stage.reorder(lane, last);
    stage.gpu_threads(lane, last);
  }
}

/// A scan (cumsum): the elements one per thread, then one thread per row along the scan, each
/// adding its row in order (neighbouring threads take neighbouring rows).
void gpuScan(const ReductionFunc &r) {
  Func f = r.func;
  size_t rank = r.kept.size();
  f.compute_root();
  gpuElementwise(f, f.name(), rank, elementsOf(r.kept));
  if (!f.has_update_definition())
    return;
  std::vector<Var> rows;
  int64_t count = 1;
  for (size_t d = rank; d-- > 0;)
    if (static_cast<int64_t>(d) != r.scanDim) {
      rows.push_back(Lowering::var(d, rank));
      count *= r.kept[d];
    }
  gpuThreads(f.update(), f.name() + "_u", rows, count);
}

void gpuReduction(const ReductionFunc &r) {
  if (r.scanDim >= 0) {
    gpuScan(r);
    return;
  }
  Func f = r.func;
  size_t rank = r.kept.size();
  int64_t kept = elementsOf(r.kept);
  // A sum that would leave most of the GPU idle (few kept elements, each of many) is split first.
  bool split = r.isSum && !r.scatter && kept < kSplitBelowKept && r.folded >= 2 * kPartialSums;
  if (!split && r.isSum && !r.scatter && r.reducesLastDim && rank > 0 &&
      r.innermost >= kWarpRowsFrom) {
    gpuRowSum(r);
    return;
  }
  f.compute_root();
  gpuElementwise(f, f.name(), rank, kept);
  if (!split) {
    // One thread per kept element (a scatter's kept dimensions are [rows, D]; its update has D
    // alone as a pure dimension).
    size_t updateRank = r.scatter ? 1 : rank;
    int64_t updateElements = r.scatter ? r.kept.back() : kept;
    gpuElementwise(f.update(), f.name() + "_u", updateRank, updateElements);
    return;
  }
  // partial(share, kept...) sums the elements share, share + kPartialSums, ... of the reduced
  // dimensions, flattened (neighbouring threads read neighbouring elements); then one thread per
  // kept element adds its kPartialSums partial sums.
  Halide::Stage update = f.update();
  std::vector<Halide::RVar> rvars = f.rvars(0);
  Halide::RVar all = rvars[0];
  for (size_t i = 1; i < rvars.size(); ++i) {
    Halide::RVar both(f.name() + "_rf" + std::to_string(i));
    update.fuse(all, rvars[i], both);
    all = both;
  }
  Halide::RVar outer(f.name() + "_ro"), share(f.name() + "_ri");
  Var u(f.name() + "_share");
  Func partial = update.split(all, outer, share, kPartialSums, TailStrategy::GuardWithIf)
                     .rfactor(share, u);
  partial.compute_root();
  // Blocks over the kept elements, a thread per share. rfactor leaves the shares innermost in the
  // update: reordered, each thread runs its share's whole loop on the GPU.
  for (bool isUpdate : {false, true}) {
    Halide::Stage stage = isUpdate ? partial.update() : Halide::Stage(partial);
    if (rank == 0) {
      if (isUpdate)
        stage.reorder(outer, u);
      Var block(f.name() + "_pb"), thread(f.name() + "_pt");
      stage.gpu_tile(u, block, thread, kPartialSums, TailStrategy::GuardWithIf);
      continue;
    }
    Var block = Lowering::var(rank - 1, rank);
    for (size_t d = 1; d < rank; ++d) {
      Var both(f.name() + "_pf" + std::to_string(d));
      stage.fuse(block, Lowering::var(rank - 1 - d, rank), both);
      block = both;
    }
    if (isUpdate)
      stage.reorder(outer, u, block);
    else
      stage.reorder(u, block);
    stage.gpu_blocks(block).gpu_threads(u);
  }
  gpuElementwise(f.update(), f.name() + "_u", rank, kept);
}

/// A convolution's padded input (ConvolutionFuncs::source), once into its own buffer. Left to
/// Halide's default, a source with an update (the interior copied over zeros) would be computed,
/// whole, inside every thread of its consumer. The zeros run one element per thread; the interior
/// one block per image and channel, one thread per column (the copy writes each element once).
void gpuConvolutionSource(Func source) {
  source.compute_root();
  gpuElementwise(source, source.name(), 4, kThreadsPerBlock);
  if (!source.has_update_definition())
    return;
  std::vector<Halide::RVar> interior = source.rvars(0); // columns, rows
  Var images(source.name() + "_nc");
  source.update()
      .fuse(Lowering::var(1, 4), Lowering::var(0, 4), images)
      .allow_race_conditions() // each (image, channel, row, column) is written once
      .gpu_blocks(images)
      .gpu_threads(interior[0]);
}

/// The tiles of an attention head, each computed whole, one element per thread (a product tile's
/// product inside its thread); the row reductions one thread per row (or per row and lane).
void gpuAttentionTiles(const std::vector<AttentionTile> &tiles) {
  for (const AttentionTile &t : tiles) {
    if (!t.isRowReduction) {
      gpuPointwise(t.func, t.shape);
      if (t.triangular) {
        // One GPU block per block of the tile and head (those above the diagonal exit at once),
        // one thread per element, written once.
        const Halide::RDom &cells = t.cells;
        Halide::Stage update = Func(t.func).update();
        update.allow_race_conditions();
        size_t rank = t.shape.size();
        if (rank > 2) {
          update.gpu_blocks(cells[3], cells[4], fuseHeads(update, rank, Func(t.func).name()));
        } else {
          update.gpu_blocks(cells[3], cells[4]);
        }
        update.gpu_threads(cells.x, cells.y);
        // Each thread's product in its registers.
        Func(t.product).compute_at(t.func, cells.x).store_in(Halide::MemoryType::Register);
      }
      continue;
    }
    Shape laneShape = t.shape;
    laneShape.push_back(kRowLanes);
    Func lanes = t.lanes, total = t.func;
    for (auto [f, shape] : {std::pair{lanes, laneShape}, {total, t.shape}}) {
      f.compute_root();
      gpuElementwise(f, f.name(), shape.size(), elementsOf(shape));
      gpuElementwise(f.update(), f.name() + "_u", shape.size(), elementsOf(shape));
    }
  }
}

/// The Func through which a product reads operand `v`: a product or convolution computed into its
/// own buffer is read through the wrapper that holds it (Func::in() returns the existing one).
Func operandSource(const Lowering &l, int v) {
  const LoweredValue &value = l.value(v);
  bool wrapped = value.kind == ValueKind::Matmul || value.kind == ValueKind::Convolution;
  return wrapped ? Func(value.func).in() : Func(value.func);
}

} // namespace

void scheduleForGpu(const Lowering &l, std::vector<OutputGroup> &groups,
                    const Halide::Target & /*target*/) {
  std::vector<std::vector<int>> consumers = consumersOf(l);
  const codegen::Kernel &kernel = l.kernel();

  for (const LoweredValue &v : l.values()) {
    for (const ReductionFunc &r : v.reductions)
      gpuReduction(r);
    for (const auto &[helper, shape] : v.helpers)
      gpuPointwise(helper, shape);
    for (const auto &[check, shape] : v.checks)
      Func(check).compute_root(); // on the host: see LoweredValue::checks
  }

  std::set<const AttentionHead *> heads;
  for (const LoweredValue &v : l.values()) {
    if (v.kind != ValueKind::Attention)
      continue;
    // A streamed attention's tiles too are computed whole here (a GPU schedule by blocks of rows
    // is not done).
    gpuAttentionTiles(v.attention.rowTiles);
    const AttentionHead &head = *v.attention.head;
    if (!heads.insert(&head).second)
      continue;
    gpuAttentionTiles(head.rootTiles);
    gpuAttentionTiles(head.tiles);
    if (head.stats.defined())
      gpuPointwise(head.stats, head.statsShape);
  }

  std::set<int> tiledGroups;
  for (int m = 0; m < kernel.numValues(); ++m) {
    const LoweredValue &mv = l.value(m);
    if (mv.kind != ValueKind::Matmul && mv.kind != ValueKind::Convolution)
      continue;
    if (mv.kind == ValueKind::Convolution && mv.convolution.source.defined())
      gpuConvolutionSource(mv.convolution.source);
    int g = fusionGroup(l, consumers, groups, m);
    // One product or convolution per group is tiled with the group's loops; another one fused
    // into the same group is computed inside the group's threads.
    if (!(g >= 0 && tiledGroups.count(g))) {
      Func owner = g >= 0 ? groups[g].func : Func(mv.func).in();
      if (g < 0)
        owner.compute_root();
      const codegen::KernelNode &node = kernel.nodes[m - kernel.inputs.size()];
      // (A product lowered for the GPU reads B itself, never a padded copy: ops/Linalg.cpp.)
      bool tiled = mv.kind == ValueKind::Matmul
                       ? scheduleGpuMatmul(owner, mv, operandSource(l, node.operands[0]),
                                           operandSource(l, node.operands[1]), matmulShape(l, node))
                       : scheduleGpuConvolution(owner, mv);
      if (tiled) {
        if (g >= 0)
          tiledGroups.insert(g);
        continue;
      }
    }
    // Inside the group's threads: a Func with an update definition that no schedule places is
    // computed at the innermost loop of its consumer, one element at a time.
    if (g >= 0)
      continue;
    gpuPointwise(Func(mv.func).in(), mv.type.shape);
  }

  std::set<int> stored(kernel.outputs.begin(), kernel.outputs.end());
  for (int v = 0; v < kernel.numValues(); ++v) {
    const LoweredValue &value = l.value(v);
    if ((value.kind == ValueKind::Pointwise || value.kind == ValueKind::Random) &&
        needsOneRounding(l, consumers, stored, v))
      gpuPointwise(value.func, value.type.shape);
  }

  for (size_t g = 0; g < groups.size(); ++g) {
    if (tiledGroups.count(static_cast<int>(g)))
      continue;
    // A kernel of any length (Kernel::anyLength) gets full blocks, whatever the length of the call
    // its types come from.
    Shape shape = groups[g].shape;
    if (kernel.anyLength && !shape.empty())
      shape = {kThreadsPerBlock};
    gpuPointwise(groups[g].func, shape);
  }
}

} // namespace dl::halide
