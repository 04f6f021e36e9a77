//===- CpuSchedule.h - Building blocks of the CPU schedule ------*- C++ -*-===//
//
// Private to compiler/codegen/halide. CpuSchedule.cpp decides which Func gets which treatment
// (scheduleForCpu, declared in Pipeline.h); the treatments themselves are here: element-wise loop
// nests, reductions, materialized matmul operands (CpuSchedule.cpp), the register-blocked, tiled
// matmul (MatmulSchedule.cpp), the register-blocked convolutions and pooling rows
// (ConvSchedule.cpp) and attention head by head (AttentionSchedule.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_CPU_CPUSCHEDULE_H
#define DLC_CODEGEN_HALIDE_CPU_CPUSCHEDULE_H

#include "compiler/codegen/halide/Schedule.h"

#include <optional>

namespace dl::halide {

/// Vectorizes `f` (over dimensions of `shape`) along its innermost dimension, fusing small inner
/// dimensions first, and runs it in parallel when it is large: many elements, or fewer that each
/// cost `opsPerElement` (elementWork) enough. Every split guards its tail.
void schedulePointwise(Halide::Func f, const Shape &shape, const Halide::Target &target,
                       int64_t opsPerElement = 1);

/// Schedules output `f` of a kernel of any length (Kernel::anyLength), 1-D with the extent of the
/// caller's buffer: vectorized, and in parallel chunks when that buffer is long. Tails are guarded.
void scheduleAnyLength(Halide::Func f, const Halide::Target &target);

/// Computes `r` once (compute_root), vectorized along its innermost kept dimension, or across
/// partial sums (rfactor) when it reduces to a scalar. A scatter-add (ReductionFunc::scatter) gets
/// its zeros element-wise and its update vectorized along D, split across threads when large. A
/// scan (ReductionFunc::scanDim) gets its elements element-wise and its update vectorized across
/// rows (the innermost other dimension), split across threads over the outermost when large.
void scheduleReduction(const ReductionFunc &r, const Halide::Target &target);

/// The schedule of a matmul operand computed into its own buffer. `transposes` when it reads its
/// source with the last two dimensions swapped: it then copies square tiles, so the transposition
/// is done with shuffles in registers rather than element by element.
void scheduleOperandCopy(Halide::Func f, const Shape &shape, bool transposes,
                         const Halide::Target &target);

/// A register block: `rows` rows by `vectors` vectors of columns of accumulators, which must leave
/// registers for the loaded vectors of B and the broadcast element of A (16 vector registers with
/// AVX2, 32 with AVX-512). `unrollColumns` when the block's columns divide N, so every block is
/// full and its loops unroll; otherwise the column vectors are a guarded loop.
struct Blocking {
  int rows, vectors;
  bool unrollColumns;
};

/// The register block for products of `n` columns, with vectors of `vw` floats.
Blocking blockingFor(int64_t n, int vw, const Halide::Target &target);

/// Whether scheduleMatmul packs B panel by panel for a product of `shape` (when given its `rhs`):
/// an operand it packs need not be materialized first when reading it in place is dense along
/// its rows (a reshape of an input).
bool packsRhs(const MatmulShape &shape, const Halide::Target &target);

/// Tiles `owner` (the output Func that consumes the product, or a wrapper of it) into register
/// blocks and computes the product `product` per block of `owner`. Returns the loop of `owner`
/// that visits the blocks, or nothing when the product is not tiled (a 1-D operand).
/// `unrollEpilogue`: the owner's loops over a block are unrolled as the product's are; pass false
/// for a costly epilogue (epilogueIsCheap), whose unrolled copies take LLVM long to compile.
/// `rhs`, the Func the product reads B from (not another product's wrapper), lets it pack B panel
/// by panel.
std::optional<Halide::Var> scheduleMatmul(Halide::Func owner, const LoweredValue &product,
                                          const MatmulShape &shape, const Halide::Target &target,
                                          bool unrollEpilogue = true, const Halide::Func *rhs = nullptr);

/// Whether the element-wise ops that consume value `m` (a matmul's product, in an output group)
/// are cheap enough to unroll over a register block: a few arithmetic ops, or one transcendental
/// function computed in single precision; not erf or GELU, evaluated in double precision.
bool epilogueIsCheap(const Lowering &l, const std::vector<std::vector<int>> &consumers, int m);

/// The schedule of an output or helper that reads a pooling op (`shape` of rank 4, NCHW): vectorized
/// along its rows only (fusing rows would turn the windows' reads into gathers), parallel over
/// batch and channels. `gatherStride` > 1 splits the rows into that many unrolled phases
/// (LoweredValue::gatherStride).
void scheduleWindowed(Halide::Func f, const Shape &shape, int64_t gatherStride,
                      const Halide::Target &target);

/// Schedules the attention values of the kernel (ValueKind::Attention) and their heads' tiles
/// (AttentionSchedule.cpp). An attention whose values all belong to one output group is computed
/// head by head in that group's loops, its tiles inside the loop over heads; the group is added to
/// `scheduledGroups`. Otherwise its tiles and products are computed whole, each into its own
/// buffer.
void scheduleAttention(const Lowering &l, std::vector<OutputGroup> &groups,
                       std::set<int> &scheduledGroups, const Halide::Target &target);

/// Computes convolution `conv` (ValueKind::Convolution) block by block of `owner` (the output Func
/// that consumes it, or a wrapper of it), after computing its padded input once.
void scheduleConvolution(Halide::Func owner, const LoweredValue &conv,
                         const Halide::Target &target);

} // namespace dl::halide

#endif // DLC_CODEGEN_HALIDE_CPU_CPUSCHEDULE_H
