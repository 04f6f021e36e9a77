//===- ConvSchedule.cpp - Register-blocked direct convolutions, pooling rows ===//
//
// The schedule of conv2d, conv2d_grad_input and conv2d_grad_weight (ops/Conv.cpp) on the CPU. Like
// the matmul's (MatmulSchedule.cpp), it computes the product block by block, each block's sums held
// in vector registers while the reduction runs outermost, and runs the owner's epilogue (bias,
// activation) on the block while it is hot:
//
//   Direct (conv2d, conv2d_grad_input): a block is R output channels x I output rows x V vectors
//   along the output row. Each step of the reduction (input channel, tap row, tap column) loads I*V
//   vectors of the padded input, broadcasts R weights and does R*I*V multiply-adds; R and I come
//   from an estimate of cycles. With 8 samples or more each sample is a task that pads its own
//   input just before its blocks read it (from L2); otherwise (sample, channel group) pairs are
//   the tasks and the padded input is computed once before.
//
//   WeightGradient (conv2d_grad_weight): a block is R output channels x a group of tap rows x all
//   tap columns, for one input channel, each a vector of kWeightGradientLanes partial sums along
//   the output rows; the reduction runs over (column chunk, output row, sample of the group), and
//   the block is then added into the lanes' total. Sample groups run one after the other,
//   output-channel blocks in parallel; the lanes are added when the owner stores gw.
//
// Every buffer a block reads is computed over all that the block reads, padding included: blocks
// overhang the output, and the lanes they discard must not read uninitialized memory (a denormal
// there slows every multiply-add that touches it a hundredfold).
//
// Why direct convolutions rather than im2col and the matmul: at the CNN's second layer (batch 64,
// 32 -> 64 channels, 14x14) the matmul alone that im2col would hand over takes about as long as
// the whole direct convolution (ConvKernelBench: 1.7 ms vs 1.6 ms forward, 1.6 vs 1.7 ms input
// gradient, 4.5 vs 2.5 ms weight gradient, AVX-512), before building the 14 MB im2col matrix (9x
// the input) and scattering the input gradient back.
//
// Outputs that read a pooling op (ops/Pooling.cpp) are vectorized along rows, never across them
// (fusing rows would turn the windows' reads into gathers), in tasks of about 16K elements.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/cpu/CpuSchedule.h"

#include <algorithm>

namespace dl::halide {

using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Below this many multiply-adds a convolution takes microseconds: no threads.
constexpr int64_t kParallelMultiplyAdds = int64_t(1) << 21;

/// Vector registers that may hold accumulators: the rest hold loaded inputs and broadcasts. AVX2
/// has no broadcasting memory operand, so its weights take registers too (with 12 accumulators
/// LLVM spilled one in the innermost loop: conv2d at 97 GFLOP/s, 135 with 10).
int accumulatorBudget(const Halide::Target &target) {
  return target.has_feature(Halide::Target::AVX512) ? 24 : 10;
}


/// Batches of at least this many samples run one task per sample.
constexpr int64_t kSampleTasks = 8;

struct DirectBlocking {
  int channels, rows, vectors;
  bool sourcePerSample = false; ///< The source is computed per sample, in the owner's loop.
  int lanes = 0;                ///< Of each vector.
};

/// Chooses the block of a direct convolution over [N, OC, OH, OW] by an estimate of its cycles per
/// reduction step: the multiply-adds or the loads, whichever is more, and a little per block.
DirectBlocking directBlocking(const Shape &out, int vw, const Halide::Target &target) {
  int64_t oc = out[1], oh = out[2], ow = out[3];
  int vectors = static_cast<int>(std::clamp<int64_t>(ceilDiv(ow, vw), 1, 4));
  int budget = std::max(accumulatorBudget(target), vectors);
  DirectBlocking best{1, 1, vectors};
  int64_t bestCost = -1;
  for (int r = 1; r <= 8 && r <= oc; ++r)
    for (int i = 1; i <= 8 && i <= oh; ++i) {
      int acc = r * i * vectors;
      if (acc > budget)
        continue;
      int64_t perStep = std::max<int64_t>(acc, int64_t(i) * vectors + r) + 2;
      int64_t cost = ceilDiv(oc, r) * ceilDiv(oh, i) * perStep;
      if (bestCost < 0 || cost < bestCost) {
        bestCost = cost;
        best = {r, i, vectors};
      }
    }
  return best;
}

DirectBlocking scheduleDirect(Func owner, const LoweredValue &conv, const Halide::Target &target) {
  const Shape &out = conv.type.shape;
  // Rows of at most half a vector take half vectors: fewer wasted lanes.
  int vw = target.natural_vector_size<float>();
  if (out[3] <= vw / 2)
    vw /= 2;
  DirectBlocking b = directBlocking(out, vw, target);
  b.lanes = vw;
  int width = b.vectors * vw;
  Var n = Lowering::var(0, 4), o = Lowering::var(1, 4), i = Lowering::var(2, 4),
      j = Lowering::var(3, 4);
  Var jo("jo"), ji("ji"), io("io"), ii("ii"), oo("oo"), oi("oi"), task("task");
  owner.split(j, jo, ji, width, TailStrategy::GuardWithIf)
      .split(i, io, ii, b.rows, TailStrategy::GuardWithIf)
      .split(o, oo, oi, b.channels, TailStrategy::GuardWithIf)
      .reorder(ji, ii, oi, jo, io, oo, n)
      .vectorize(ji, vw, TailStrategy::GuardWithIf)
      .unroll(ii)
      .unroll(oi);
  bool parallel = conv.convolution.multiplyAdds >= kParallelMultiplyAdds;
  // With enough samples, each is a task that pads its own input (in L2, where its blocks read it)
  // just before its blocks; otherwise samples and channel groups share out the work.
  b.sourcePerSample = out[0] >= kSampleTasks;
  if (b.sourcePerSample) {
    if (parallel)
      owner.parallel(n);
  } else {
    owner.fuse(oo, n, task);
    if (parallel)
      owner.parallel(task);
  }

  Func prod = conv.convolution.product;
  prod.compute_at(owner, jo)
      .bound_extent(j, width)
      .bound_extent(i, b.rows)
      .bound_extent(o, b.channels)
      .vectorize(j, vw)
      .unroll(j)
      .unroll(i)
      .unroll(o);
  if (prod.has_update_definition()) {
    std::vector<Halide::RVar> r = prod.rvars(0); // tap column, tap row, input channel
    Halide::Stage update = prod.update();
    update.reorder(j, i, o, r[0], r[1], r[2]).vectorize(j, vw).unroll(j).unroll(i).unroll(o);
  }
  return b;
}

void scheduleWeightGradient(Func owner, const LoweredValue &conv, const Halide::Target &target) {
  const Shape &gw = conv.type.shape; // [O, C, KH, KW]
  int vw = target.natural_vector_size<float>();
  int lanes = kWeightGradientLanes, laneVectors = std::max(1, lanes / vw);
  // Its broadcasts are loads, not registers: AVX2 takes 12 accumulators here.
  int budget = std::max(accumulatorBudget(target), 12);
  int64_t kh = gw[2], kw = gw[3];
  // A block is `tapRows` rows of taps (a divisor of KH) x all tap columns x `channels` output
  // channels. Chosen by an estimate of cycles per reduction step over all blocks: the
  // multiply-adds or the loads (a vector of gy per channel, of the input per tap), whichever is
  // more, and a quarter of the loads again (one row of taps for 8 channels, 186 GFLOP/s at the
  // CNN's second layer with AVX-512, beats three rows for 2 channels, 138, which costs the same
  // multiply-adds and loads).
  int tapRows = 1, channels = 1;
  int64_t bestCost = -1;
  for (int64_t p = 1; p <= kh; ++p) {
    if (kh % p != 0)
      continue;
    for (int64_t r = 1; r <= 8 && r <= gw[0]; ++r) {
      int64_t acc = p * kw * laneVectors * r;
      if (acc > budget && !(p == 1 && r == 1))
        continue;
      int64_t loads = r * laneVectors + p * kw * laneVectors;
      int64_t cost = ceilDiv(gw[0], r) * (kh / p) * (4 * std::max(acc, loads) + loads);
      if (bestCost < 0 || cost < bestCost) {
        bestCost = cost;
        tapRows = static_cast<int>(p);
        channels = static_cast<int>(r);
      }
    }
  }

  // lanesTotal over [O, C, KH, KW, lanes]: for each sample group (serial), output-channel blocks
  // in parallel; per block, the group's sums in registers, then added into lanesTotal.
  Func total = conv.convolution.lanesTotal;
  Var lane = Lowering::var(4, 5), q = Lowering::var(3, 5), p = Lowering::var(2, 5),
      c = Lowering::var(1, 5), o = Lowering::var(0, 5);
  Var po("po"), pi("pi"), oo("oo"), oi("oi");
  total.compute_root().vectorize(lane, vw);
  Halide::Stage update = total.update();
  update.split(p, po, pi, tapRows, TailStrategy::GuardWithIf)
      .split(o, oo, oi, channels, TailStrategy::GuardWithIf)
      .reorder(lane, q, pi, oi, po, c, oo, total.rvars(0)[0])
      .vectorize(lane, vw)
      .unroll(q)
      .unroll(pi)
      .unroll(oi);
  if (conv.convolution.multiplyAdds >= kParallelMultiplyAdds)
    update.parallel(oo);
  schedulePointwise(owner, gw, target);

  // The group's sums over [groups, O, C, KH, KW, lanes]: Halide dimension 0 is the lane.
  Func group = conv.convolution.product;
  Var gl = Lowering::var(5, 6), gq = Lowering::var(4, 6), gp = Lowering::var(3, 6),
      gc = Lowering::var(2, 6), go = Lowering::var(1, 6), gg = Lowering::var(0, 6);
  group.compute_at(total, po)
      .bound_extent(gl, lanes)
      .bound_extent(gq, static_cast<int>(kw))
      .bound_extent(gp, tapRows)
      .bound_extent(go, channels)
      .vectorize(gl, vw)
      .unroll(gl)
      .unroll(gq)
      .unroll(gp)
      .unroll(go);
  std::vector<Halide::RVar> r = group.rvars(0); // column chunk, output row, sample
  group.update()
      .reorder(gl, gq, gp, go, gc, gg, r[0], r[1], r[2])
      .vectorize(gl, vw)
      .unroll(gl)
      .unroll(gq)
      .unroll(gp)
      .unroll(go);
}

/// Computes the source once, over all that blocks covering `rows` x `cols` outputs read, one
/// vectorized row at a time, in parallel over the batch.
void scheduleSource(const ConvolutionFuncs &c, int64_t rows, int64_t cols, bool perSample,
                    Func owner, const Halide::Target &target) {
  Func source = c.source;
  int64_t extent[2];
  for (int d = 0; d < 2; ++d) {
    int64_t outputs = d == 0 ? rows : cols;
    extent[d] = (outputs - 1) * c.stride[d] + (c.kernel[d] - 1) * c.dilation[d] + c.offset[d] + 1;
  }
  // A vector of output columns reads the source with the stride: Halide loads that as one dense
  // vector of stride x lanes floats and shuffles, reading up to stride - 1 floats past the last
  // column used (AVX2, 4 columns at stride 3: 12 for 11).
  extent[1] += c.stride[1] - 1;
  Var n = Lowering::var(0, 4), ch = Lowering::var(1, 4), h = Lowering::var(2, 4),
      w = Lowering::var(3, 4);
  source.bound(h, 0, static_cast<int>(extent[0])).bound(w, 0, static_cast<int>(extent[1]));
  int vw = target.natural_vector_size<float>();
  if (extent[1] >= vw)
    source.vectorize(w, vw, TailStrategy::GuardWithIf);
  // The copy of the interior (when the source has one, see ops/Conv.cpp), along its rows.
  bool copies = source.has_update_definition();
  if (copies)
    source.update().vectorize(source.rvars(0)[0], vw, TailStrategy::GuardWithIf);
  if (perSample) {
    source.compute_at(owner, n);
    return;
  }
  source.compute_root()
      .bound(n, 0, static_cast<int>(c.sourceBatch))
      .bound(ch, 0, static_cast<int>(c.sourceChannels));
  if (c.sourceBatch * c.sourceChannels * extent[0] * extent[1] >= 32 * 1024) {
    source.parallel(n);
    if (copies)
      source.update().parallel(n);
  }
}

} // namespace

void scheduleWindowed(Func f, const Shape &shape, int64_t gatherStride,
                      const Halide::Target &target) {
  size_t rank = shape.size();
  if (rank < 2) {
    schedulePointwise(f, shape, target);
    return;
  }
  int vw = target.natural_vector_size<float>();
  Var w = Lowering::var(rank - 1, rank), inner = w;
  int64_t extent = shape.back();
  if (gatherStride > 1 && extent >= 2 * gatherStride) {
    // Column v = phase + stride * k: within one unrolled phase, the windows that read v are
    // k + a constant, so the vectorized loop over k reads them densely (a plain v / stride would
    // gather), and Halide interleaves the phases' stores into dense ones.
    Var outer("wk"), phase("wphase");
    f.split(w, outer, phase, static_cast<int>(gatherStride), TailStrategy::GuardWithIf)
        .reorder(phase, outer)
        .unroll(phase);
    inner = outer;
    extent = ceilDiv(extent, gatherStride);
  }
  // Short rows (7 columns after the CNN's second pooling) take one predicated vector.
  int lanes = vw;
  while (lanes > 4 && lanes / 2 >= extent)
    lanes /= 2;
  if (extent >= 4)
    f.vectorize(inner, lanes, TailStrategy::GuardWithIf);
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  if (total >= 32 * 1024) {
    // Tasks of about 16K elements: the thread pool's cost per task is about what a plane of 7x7
    // pooled values takes.
    // Every dimension before the last two is one loop over planes (of rank 3 there is one such
    // dimension already; fusing dimension rank - 3 with dimension 0 fused it with itself).
    Var planes = Lowering::var(0, rank);
    int64_t planeSize = shape[rank - 1] * shape[rank - 2], planeCount = shape[0];
    for (size_t d = 1; d + 2 < rank; ++d) {
      Var fused(d == 1 ? std::string("planes") : "planes" + std::to_string(d));
      f.fuse(Lowering::var(d, rank), planes, fused);
      planes = fused;
      planeCount *= shape[d];
    }
    int64_t perTask = std::clamp<int64_t>(16 * 1024 / std::max<int64_t>(planeSize, 1), 1,
                                          std::max<int64_t>(planeCount / 8, 1));
    Var task("plane_task"), within("plane_in");
    f.split(planes, task, within, static_cast<int>(perTask), TailStrategy::GuardWithIf)
        .parallel(task);
  }
}

void scheduleConvolution(Func owner, const LoweredValue &conv, const Halide::Target &target) {
  int64_t rows = conv.convolution.outputExtent[0], cols = conv.convolution.outputExtent[1];
  bool perSample = false;
  if (conv.convolution.form == ConvolutionFuncs::Form::Direct) {
    DirectBlocking b = scheduleDirect(owner, conv, target);
    rows = ceilDiv(rows, b.rows) * b.rows;
    cols = ceilDiv(cols, b.vectors * b.lanes) * b.vectors * b.lanes;
    perSample = b.sourcePerSample;
  } else {
    scheduleWeightGradient(owner, conv, target);
  }
  scheduleSource(conv.convolution, rows, cols, perSample, owner, target);
}

} // namespace dl::halide
