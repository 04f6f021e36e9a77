//===- CpuSchedule.cpp - The CPU schedule of a kernel ----------------------===//
//
// Chooses where each Func of a translated kernel is computed and how its loops run, from what the
// op families recorded (Lowering.h) and the kernel's static shapes:
//
//   - element-wise chains stay inline in their consumers (Halide's default), except a value that a
//     reduction reads and that is also stored or read elsewhere: it is computed once, so that every
//     reader sees the same rounding;
//   - each output Func is vectorized along its innermost dimension (small innermost dimensions are
//     fused with the next first) and parallel over its outermost one when it is large; in a kernel
//     of any length (Kernel::anyLength), whose extents come from the buffers, the threads join
//     in a specialization for long buffers;
//   - every reduction Func is computed once, before its consumers (compute_root), vectorized along
//     its innermost kept dimension, or split across vector lanes (rfactor) when it reduces to a few
//     elements; a scatter-add (embedding's gradient) is vectorized along the rows it adds; a scan
//     (cumsum) walks its axis once, a vector of rows at a time;
//   - a matmul or a convolution is register-blocked and tiled (MatmulSchedule.cpp,
//     ConvSchedule.cpp). When all its consumers are
//     element-wise ops of its shape that end in one output Func, the product is computed per tile
//     of that output, so bias, activation and any other epilogue run on the tile while it is in
//     registers; otherwise it is computed once into its own buffer. Matmul operands that are not
//     plain inputs (a transpose, a broadcast, a dropout) are materialized first, so that the
//     innermost loop reads dense rows instead of gathering. Convolutions are fused the same way;
//   - helper Funcs of a value (the argmax of max-pooling windows) are computed once, element-wise.
//
// In-place safety: the memory planner lets an output share its buffer with an input only when the
// input reaches that output alone, through element-wise ops of one shape. Every split of an output
// therefore uses GuardWithIf (never ShiftInwards, whose overlapping tail would read an element
// after it was overwritten), and each output element is computed from the input elements at its own
// coordinates just before it is stored.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/cpu/CpuSchedule.h"

#include <algorithm>
#include <set>
#include <string>

namespace dl::halide {

using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Element counts above which a loop nest is split across threads.
constexpr int64_t kParallelElements = 32 * 1024;
/// Or elements x their weighted ops (elementWork) above which an element-wise loop nest is: about
/// 15 us on one core. An LSTM's cell, [32, 256] elements of three sigmoids and two tanh (about
/// 25 weighted ops), takes tens of microseconds on one thread at every step, while the other
/// waits for the next product.
constexpr int64_t kParallelWork = 64 * 1024;

/// The weight of one op: an arithmetic op 1, a transcendental function 4, erf and GELU (three
/// polynomials and an exp, MathFunctions.cpp) 16.
int opWeight(const std::string &op) {
  static const std::set<std::string> transcendental = {
      "exp", "log", "sigmoid", "tanh", "softplus", "silu", "mish", "elu", "pow", "sin", "cos"};
  return op == "erf" || op == "gelu" ? 16 : transcendental.count(op) ? 4 : 1;
}

/// The weighted ops an element of the values `roots` costs: theirs and those of the element-wise
/// values inlined into them (each counted once), down to inputs and computed buffers.
int64_t elementWork(const Lowering &l, const std::vector<int> &roots,
                    const std::set<int> &materialized) {
  const codegen::Kernel &k = l.kernel();
  int inputs = static_cast<int>(k.inputs.size());
  int64_t work = 0;
  std::vector<int> todo(roots.begin(), roots.end());
  std::set<int> seen(roots.begin(), roots.end());
  while (!todo.empty()) {
    int v = todo.back();
    todo.pop_back();
    if (v < inputs)
      continue;
    const codegen::KernelNode &node = k.nodes[v - inputs];
    work += opWeight(node.op);
    for (int operand : node.operands) {
      ValueKind kind = l.value(operand).kind;
      if ((kind == ValueKind::Pointwise || kind == ValueKind::Random) &&
          !materialized.count(operand) && seen.insert(operand).second)
        todo.push_back(operand);
    }
  }
  return std::max<int64_t>(1, work);
}

/// Random values in the epilogue of matmul `m` (which `owner` computes block by block) are drawn
/// once per block into a small buffer, in a vectorized loop: inlined into the block's unrolled
/// epilogue, every one of its rows x vectors would repeat the ten Philox rounds in straight-line
/// code, which takes LLVM seconds to compile and spills registers.
void computeDrawsPerBlock(const Lowering &l, const std::vector<std::vector<int>> &consumers, int m,
                          Func owner, Var block, const Halide::Target &target) {
  std::vector<int> work{m};
  std::set<int> seen{m};
  while (!work.empty()) {
    int v = work.back();
    work.pop_back();
    for (int c : consumers[v])
      if (seen.insert(c).second)
        work.push_back(c);
    const LoweredValue &value = l.value(v);
    if (value.kind != ValueKind::Random || value.type.shape.empty())
      continue;
    Func f = value.func;
    size_t rank = value.type.shape.size();
    f.compute_at(owner, block);
    if (value.type.shape.back() >= target.natural_vector_size<float>())
      f.vectorize(Lowering::var(rank - 1, rank), target.natural_vector_size<float>(),
                  TailStrategy::GuardWithIf);
  }
}

/// 0 when no pooling op computes value `v` inline (through element-wise ops of the kernel);
/// otherwise the largest gatherStride of those that do (LoweredValue::window).
int64_t windowStrideBehind(const Lowering &l, int v) {
  const LoweredValue &value = l.value(v);
  if (value.window)
    return value.gatherStride;
  if (value.kind != ValueKind::Pointwise && value.kind != ValueKind::Random)
    return 0;
  const codegen::Kernel &k = l.kernel();
  if (v < static_cast<int>(k.inputs.size()))
    return 0;
  int64_t stride = 0;
  for (int operand : k.nodes[v - k.inputs.size()].operands)
    stride = std::max(stride, windowStrideBehind(l, operand));
  return stride;
}

} // namespace

void schedulePointwise(Func f, const Shape &shape, const Halide::Target &target,
                       int64_t opsPerElement) {
  size_t rank = shape.size();
  if (rank == 0)
    return;
  int vw = target.natural_vector_size<float>();
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  // Fuse small innermost dimensions so that the vectorized loop is long enough to pay off.
  Var inner = Lowering::var(rank - 1, rank);
  int64_t innerExtent = shape[rank - 1];
  size_t fused = 1;
  while (innerExtent < 4 * vw && fused < rank) {
    Var next = Lowering::var(rank - 1 - fused, rank);
    Var both(inner.name() + "_" + next.name());
    f.fuse(inner, next, both);
    inner = both;
    innerExtent *= shape[rank - 1 - fused];
    ++fused;
  }
  bool parallel = total >= kParallelElements || total * opsPerElement >= kParallelWork;
  if (parallel && fused == rank) {
    // One loop left: split off an outer loop for the threads.
    Var chunk(inner.name() + "_chunk"), within(inner.name() + "_in");
    int64_t chunkSize = std::max<int64_t>(vw * 64, (innerExtent + 15) / 16);
    f.split(inner, chunk, within, static_cast<int>(chunkSize), TailStrategy::GuardWithIf);
    f.parallel(chunk);
    inner = within;
  } else if (parallel) {
    f.parallel(Lowering::var(0, rank));
  }
  if (innerExtent >= vw)
    f.vectorize(inner, vw, TailStrategy::GuardWithIf);
}

void scheduleAnyLength(Func f, const Halide::Target &target) {
  int vw = target.natural_vector_size<float>();
  Var x = Lowering::var(0, 1), chunk("x_chunk"), within("x_in");
  Halide::Expr length = f.output_buffers()[0].dim(0).extent();
  // Chunks of 64 vectors, as schedulePointwise cuts a long 1-D loop at least.
  f.specialize(length >= static_cast<int>(kParallelElements))
      .split(x, chunk, within, vw * 64, TailStrategy::GuardWithIf)
      .parallel(chunk)
      .vectorize(within, vw, TailStrategy::GuardWithIf);
  f.vectorize(x, vw, TailStrategy::GuardWithIf);
}

bool epilogueIsCheap(const Lowering &l, const std::vector<std::vector<int>> &consumers, int m) {
  // Cheap up to 8 weighted ops (opWeight).
  const codegen::Kernel &k = l.kernel();
  int weight = 0;
  std::vector<int> work{m};
  std::set<int> seen{m};
  while (!work.empty()) {
    int v = work.back();
    work.pop_back();
    for (int c : consumers[v]) {
      if (!seen.insert(c).second)
        continue;
      work.push_back(c);
      weight += opWeight(k.nodes[c - k.inputs.size()].op);
    }
  }
  return weight <= 8;
}

/// See scheduleReduction.
static void scheduleScatter(const ReductionFunc &r, const Halide::Target &target) {
  Func f = r.func;
  f.compute_root();
  schedulePointwise(f, r.kept, target); // the zeros
  // The update visits the positions of the ids (RVars) and, inside each, a row segment of D: one
  // vector load, add and store per vector. Large scatters split D into segments of a few vectors,
  // one thread each; threads never share a row segment, so repeated ids cannot race.
  int vw = target.natural_vector_size<float>();
  int64_t dim = r.kept.back();
  Var d = Lowering::var(1, 2), segment("d_segment"), within("d_within");
  std::vector<Halide::VarOrRVar> order{d};
  for (const Halide::RVar &rv : f.rvars(0))
    order.push_back(rv);
  Halide::Stage update = f.update();
  int64_t segmentSize = 4 * vw;
  if (dim > segmentSize && r.folded * dim >= kParallelElements) {
    update.split(d, segment, within, static_cast<int>(segmentSize), TailStrategy::GuardWithIf);
    order.front() = within;
    order.push_back(segment);
    update.reorder(order).parallel(segment);
  } else if (order.size() > 1) {
    update.reorder(order);
  }
  if (dim >= vw)
    update.vectorize(order.front().var, vw, TailStrategy::GuardWithIf);
}

/// See scheduleReduction.
static void scheduleScan(const ReductionFunc &r, const Halide::Target &target) {
  Func f = r.func;
  f.compute_root();
  schedulePointwise(f, r.kept, target); // the elements
  size_t rank = r.kept.size();
  std::vector<size_t> rows; // the dimensions other than the scan's, outermost first
  for (size_t d = 0; d < rank; ++d)
    if (static_cast<int64_t>(d) != r.scanDim)
      rows.push_back(d);
  if (!f.has_update_definition() || rows.empty())
    return; // nothing to add, or one row: a serial loop
  // Each step along the scan adds a vector of rows (neighbours along the innermost other
  // dimension), so the loop-carried dependency is one vector add per vw rows.
  Halide::Stage update = f.update();
  Halide::RVar along = f.rvars(0)[0];
  int vw = target.natural_vector_size<float>();
  size_t innerDim = rows.back();
  Var inner = Lowering::var(innerDim, rank), outer = inner;
  if (r.kept[innerDim] >= vw) {
    Var vectors(inner.name() + "_v"), lanes(inner.name() + "_l");
    update.split(inner, vectors, lanes, vw, TailStrategy::GuardWithIf)
        .reorder(lanes, along, vectors)
        .vectorize(lanes);
    outer = vectors;
  }
  int64_t rowsCount = 1;
  for (size_t d : rows)
    rowsCount *= r.kept[d];
  if (rowsCount * r.folded >= kParallelElements) {
    if (rows.size() >= 2 && r.kept[rows.front()] >= 2)
      update.parallel(Lowering::var(rows.front(), rank));
    else
      update.parallel(outer);
  }
}

void scheduleReduction(const ReductionFunc &r, const Halide::Target &target) {
  if (r.scatter) {
    scheduleScatter(r, target);
    return;
  }
  if (r.scanDim >= 0) {
    scheduleScan(r, target);
    return;
  }
  Func f = r.func;
  f.compute_root();
  size_t rank = r.kept.size();
  int vw = target.natural_vector_size<float>();
  int64_t keptElements = 1;
  for (int64_t d : r.kept)
    keptElements *= d;

  if (rank == 0) {
    // A scalar from many elements: each vector lane sums a share, then the lanes are added.
    if (r.isSum && r.innermost >= 4 * vw) {
      std::vector<Halide::RVar> rvars = f.rvars(0);
      Halide::RVar innermost = rvars[0];
      Halide::RVar outer(f.name() + "_ro"), lane(f.name() + "_ri");
      Var u(f.name() + "_lane");
      // Large ones (the sums of squares of gradient clipping: 256K elements for an LSTM's W_hh)
      // also split their outermost reduced dimension into chunks the threads sum apart.
      // (Two reduced dimensions: the outer one's extent is what the inner one leaves.)
      int64_t extent = rvars.size() == 2 ? r.folded / r.innermost : 0;
      int chunks = 0;
      if (r.folded >= 2 * kParallelElements)
        for (int c : {16, 8, 4, 2})
          if (extent >= 2 * c && extent % c == 0) {
            chunks = c;
            break;
          }
      Halide::Stage update =
          f.update().split(innermost, outer, lane, vw, TailStrategy::GuardWithIf);
      if (chunks) {
        Halide::RVar chunk(f.name() + "_rchunk"), within(f.name() + "_rwithin");
        Var c(f.name() + "_chunk");
        Func partial =
            update.split(rvars.back(), chunk, within, static_cast<int>(extent / chunks))
                .rfactor({{lane, u}, {chunk, c}});
        partial.compute_root().vectorize(u);
        partial.update().vectorize(u).parallel(c);
      } else {
        Func partial = update.rfactor(lane, u);
        partial.compute_root().vectorize(u);
        partial.update().vectorize(u);
      }
    }
    return;
  }
  bool worthThreads = keptElements * r.folded >= kParallelElements;
  if (r.isSum && r.reducesLastDim) {
    // A sum over the operand's rows (a bias gradient or batch norm's statistics, per channel of
    // [N, C, H, W]): vectorizing the kept dimension would gather across rows. Instead the rows
    // (with the dimension before them, when it is reduced too: a whole H x W plane) are split
    // into vectors whose lanes sum separately (rfactor), in parallel over the kept dimension.
    std::vector<Halide::RVar> rvars = f.rvars(0);
    Halide::RVar along = rvars[0];
    int64_t extent = r.innermost;
    if (r.nextInnermost > 0 && rvars.size() >= 2) {
      Halide::RVar plane(f.name() + "_rplane");
      f.update().fuse(rvars[0], rvars[1], plane);
      along = plane;
      extent *= r.nextInnermost;
    }
    if (extent >= 2 * vw) {
      Halide::RVar outer(f.name() + "_ro"), lane(f.name() + "_ri");
      Var u(f.name() + "_lane");
      Func partial =
          f.update().split(along, outer, lane, vw, TailStrategy::GuardWithIf).rfactor(lane, u);
      // The lanes innermost in memory too: each vector of partial sums is one dense load.
      std::vector<Var> storage{u};
      for (size_t d = rank; d-- > 0;)
        storage.push_back(Lowering::var(d, rank));
      partial.reorder_storage(storage);
      partial.compute_root().vectorize(u);
      partial.update().vectorize(u);
      Var outerKept = Lowering::var(0, rank);
      if (worthThreads && r.kept[0] >= 2) {
        partial.parallel(outerKept);
        partial.update().parallel(outerKept);
      }
      return;
    }
  }
  Var inner = Lowering::var(rank - 1, rank);
  bool parallel = worthThreads && rank >= 2 && r.kept[0] >= 2;
  Var outer = Lowering::var(0, rank);
  if (r.kept.back() >= vw) {
    f.vectorize(inner, vw, TailStrategy::GuardWithIf);
    f.update().vectorize(inner, vw, TailStrategy::GuardWithIf);
  }
  if (parallel) {
    f.parallel(outer);
    f.update().parallel(outer);
  }
}

void scheduleOperandCopy(Func f, const Shape &shape, bool transposes,
                         const Halide::Target &target) {
  size_t rank = shape.size();
  if (!transposes || rank < 2 || shape[rank - 1] < 8 || shape[rank - 2] < 8) {
    schedulePointwise(f, shape, target);
    return;
  }
  // 8x8 tiles, vectorized along the copy's rows and unrolled along its columns: LLVM turns the
  // eight strided row reads of a tile into dense loads and shuffles (2.5x faster than vectorizing
  // both dimensions of the tile, on a 256x128 transpose with Halide 14).
  Var x = Lowering::var(rank - 1, rank), y = Lowering::var(rank - 2, rank);
  Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
  f.tile(x, y, xo, yo, xi, yi, 8, 8, TailStrategy::GuardWithIf).vectorize(xi).unroll(yi);
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  if (total >= kParallelElements)
    f.parallel(rank > 2 ? Lowering::var(0, rank) : yo);
}

/// A concatenation along its innermost dimension, materialized as a matmul's left operand (the
/// four gate gradients of an LSTM's reverse step): each element selects its part and clamps its
/// coordinate into it, which turns every vector load into a gather. When every part has the same
/// length `part`, a multiple of the vector width, the dimension is split into parts, unrolled:
/// with the part a constant in each copy, Halide folds the selects and clamps away and each vector
/// is one dense load of one part.
static bool scheduleConcatCopy(Func f, const Shape &shape, int64_t part,
                               const Halide::Target &target) {
  size_t rank = shape.size();
  int vw = target.natural_vector_size<float>();
  if (rank < 2 || part <= 0 || part % vw != 0 || shape.back() % part != 0 ||
      shape.back() / part > 8)
    return false;
  Var x = Lowering::var(rank - 1, rank), which("part"), within("within");
  f.split(x, which, within, static_cast<int>(part), TailStrategy::GuardWithIf)
      .reorder(within, which)
      .unroll(which)
      .vectorize(within, vw, TailStrategy::GuardWithIf);
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  if (total >= kParallelElements)
    f.parallel(Lowering::var(0, rank));
  return true;
}

void scheduleForCpu(const Lowering &l, std::vector<OutputGroup> &groups,
                    const Halide::Target &target) {
  std::vector<std::vector<int>> consumers = consumersOf(l);
  const codegen::Kernel &kernel = l.kernel();

  for (const LoweredValue &v : l.values())
    for (const ReductionFunc &r : v.reductions)
      scheduleReduction(r, target);

  std::set<int> groupsWithMatmul;
  scheduleAttention(l, groups, groupsWithMatmul, target);
  std::set<int> materialized;
  for (const LoweredValue &v : l.values())
    for (const auto *list : {&v.helpers, &v.checks})
      for (const auto &[helper, shape] : *list) {
        Func f = helper;
        f.compute_root();
        scheduleWindowed(f, shape, 1, target);
      }

  for (int m = 0; m < kernel.numValues(); ++m) {
    const LoweredValue &mv = l.value(m);
    if (mv.kind == ValueKind::Convolution) {
      // Operands other than inputs are computed once: the taps read them many times.
      const codegen::KernelNode &node = kernel.nodes[m - kernel.inputs.size()];
      for (int operand : node.operands) {
        const LoweredValue &ov = l.value(operand);
        if (ov.kind != ValueKind::Input && ov.kind != ValueKind::Matmul &&
            materialized.insert(operand).second) {
          Func f = ov.func;
          f.compute_root();
          schedulePointwise(f, ov.type.shape, target);
        }
      }
      int g = fusionGroup(l, consumers, groups, m);
      if (g >= 0 && !groupsWithMatmul.count(g)) {
        groupsWithMatmul.insert(g);
        scheduleConvolution(groups[g].func, mv, target);
      } else {
        Func wrapper = Func(mv.func).in();
        wrapper.compute_root();
        scheduleConvolution(wrapper, mv, target);
      }
      continue;
    }
    if (mv.kind != ValueKind::Matmul)
      continue;
    const codegen::KernelNode &node = kernel.nodes[m - kernel.inputs.size()];
    auto isTranspose = [&](int v) {
      return v >= static_cast<int>(kernel.inputs.size()) &&
             kernel.nodes[v - kernel.inputs.size()].op == "transpose";
    };
    auto materialize = [&](int v, Func f, const Shape &shape, bool transposes) {
      if (v >= 0 && !materialized.insert(v).second)
        return;
      f.compute_root();
      scheduleOperandCopy(f, shape, transposes, target);
    };
    // The left operand is read one broadcast element at a time, so re-indexing (a transpose) costs
    // nothing there; computed values are materialized so they are not recomputed per column block,
    // and so is a concatenation, whose every element would otherwise choose among its parts in the
    // innermost loop (the gate gradients an LSTM's reverse step multiplies by W_hh^T).
    // (A product feeding this one is already in its own buffer: it cannot fuse into a matmul.)
    int lhs = node.operands[0], rhs = node.operands[1];
    const LoweredValue &a = l.value(lhs), &b = l.value(rhs);
    auto isConcat = [&](int v) {
      return v >= static_cast<int>(kernel.inputs.size()) &&
             kernel.nodes[v - kernel.inputs.size()].op == "concat";
    };
    // The common length of a concatenation's parts along its last dimension (0: not one).
    auto innerPart = [&](int v) -> int64_t {
      const codegen::KernelNode &n = kernel.nodes[v - kernel.inputs.size()];
      size_t rank = n.type.shape.size();
      if (rank == 0 || l.normalizeAxis(n, l.intAttr(n, "axis"), static_cast<int64_t>(rank)) !=
                           static_cast<int64_t>(rank) - 1)
        return 0;
      int64_t part = kernel.typeOf(n.operands[0]).shape.back();
      for (int o : n.operands)
        if (kernel.typeOf(o).shape.back() != part)
          return 0;
      return part;
    };
    if (isConcat(lhs) && !materialized.count(lhs)) {
      Func f = a.func;
      f.compute_root();
      if (!scheduleConcatCopy(f, a.type.shape, innerPart(lhs), target))
        scheduleOperandCopy(f, a.type.shape, false, target);
      materialized.insert(lhs);
    } else if (a.kind != ValueKind::Input && a.kind != ValueKind::DataMovement &&
               a.kind != ValueKind::Matmul) {
      materialize(lhs, a.func, a.type.shape, false);
    } else if (isTranspose(lhs) && packsRhs(matmulShape(l, node), target)) {
      // Except for the tall products whose B is packed (K of 1024 or more): there each block's
      // broadcasts would walk K rows of the untransposed operand, a new cache line at every k;
      // transposed once, a block reads its `rows` rows of A sequentially (h^T of dW_hh: 5% faster).
      materialize(lhs, a.func, a.type.shape, true);
    }
    MatmulShape shape = matmulShape(l, node);
    // A reshape keeps memory order: of an input whose last dimension it keeps, B's rows are dense
    // in the input already, and the panels packed from them are the only copy needed (dW_hh's dg,
    // [T, B, 4H] read as [T B, 4H]: 8 MB copied twice otherwise).
    auto isRowReshapeOfInput = [&](int v) {
      if (v < static_cast<int>(kernel.inputs.size()))
        return false;
      const codegen::KernelNode &n = kernel.nodes[v - kernel.inputs.size()];
      return n.op == "reshape" && n.operands.size() == 1 &&
             l.value(n.operands[0]).kind == ValueKind::Input &&
             !kernel.typeOf(n.operands[0]).shape.empty() &&
             kernel.typeOf(n.operands[0]).shape.back() == n.type.shape.back();
    };
    // The right operand is read in whole vectors along its rows: it must be dense there, so
    // anything but an input (or another product) is copied, transposing in registers.
    if (mv.hasPaddedRhs) {
      Shape padded = b.type.shape;
      padded.back() = matmulShape(l, node).columns;
      // All of it, zeros included: bounds inference alone would stop at the last real column and
      // leave the padding uninitialized (garbage, possibly denormals, in every block's last lanes).
      Func f = mv.paddedRhs;
      f.bound(Lowering::var(padded.size() - 1, padded.size()), 0, static_cast<int>(padded.back()));
      materialize(-1, f, padded, isTranspose(rhs));
    } else if (b.kind != ValueKind::Input && b.kind != ValueKind::Matmul &&
               !(isRowReshapeOfInput(rhs) && packsRhs(shape, target))) {
      materialize(rhs, b.func, b.type.shape, isTranspose(rhs));
    }
    const Func *rhsFunc = mv.hasPaddedRhs ? &mv.paddedRhs
                          : b.kind != ValueKind::Matmul ? &b.func
                                                        : nullptr;
    int g = fusionGroup(l, consumers, groups, m);
    if (g >= 0 && !groupsWithMatmul.count(g)) {
      groupsWithMatmul.insert(g);
      std::optional<Var> block = scheduleMatmul(groups[g].func, mv, shape, target,
                                                epilogueIsCheap(l, consumers, m), rhsFunc);
      if (block)
        computeDrawsPerBlock(l, consumers, m, groups[g].func, *block, target);
    } else {
      // Computed once into its own buffer through a wrapper that every consumer reads.
      Func wrapper = Func(mv.func).in();
      wrapper.compute_root();
      scheduleMatmul(wrapper, mv, shape, target, rhsFunc);
    }
  }

  // A value a reduction reads and that is also stored or read elsewhere is computed once.
  std::set<int> stored(kernel.outputs.begin(), kernel.outputs.end());
  for (int v = 0; v < kernel.numValues(); ++v) {
    const LoweredValue &value = l.value(v);
    if ((value.kind != ValueKind::Pointwise && value.kind != ValueKind::Random) ||
        materialized.count(v))
      continue;
    if (needsOneRounding(l, consumers, stored, v)) {
      Func f = value.func;
      f.compute_root();
      // Behind a pooling gradient (ReLU's mask on max-pooling's gradient), rows keep their
      // phases, as output groups do: flattened rows would gather every tap.
      if (int64_t stride = windowStrideBehind(l, v); stride > 0)
        scheduleWindowed(f, value.type.shape, stride, target);
      else
        schedulePointwise(f, value.type.shape, target);
      materialized.insert(v);
    }
  }

  for (size_t g = 0; g < groups.size(); ++g) {
    if (groupsWithMatmul.count(static_cast<int>(g)))
      continue;
    int64_t stride = 0; // 0: no pooling op behind the group
    for (int v : groups[g].values)
      stride = std::max(stride, windowStrideBehind(l, v));
    if (stride > 0)
      scheduleWindowed(groups[g].func, groups[g].shape, stride, target);
    else if (kernel.anyLength && !groups[g].shape.empty())
      scheduleAnyLength(groups[g].func, target);
    else
      schedulePointwise(groups[g].func, groups[g].shape, target,
                        elementWork(l, groups[g].values, materialized));
  }
}

} // namespace dl::halide
