//===- CpuSchedule.h - Building blocks of the CPU schedule ------*- C++ -*-===//
//
// Private to compiler/codegen/halide. CpuSchedule.cpp decides which Func gets which treatment
// (scheduleForCpu, declared in Pipeline.h); the treatments themselves are here: element-wise loop
// nests, reductions, materialized matmul operands (CpuSchedule.cpp), the register-blocked, tiled
// matmul (MatmulSchedule.cpp) and the register-blocked convolutions (ConvSchedule.cpp). The GPU
// schedule (gpu/) declares its own treatments here too, and reads the analysis above them.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_CPU_CPUSCHEDULE_H
#define DLC_CODEGEN_HALIDE_CPU_CPUSCHEDULE_H

#include "compiler/codegen/halide/Pipeline.h"

#include <optional>
#include <set>

namespace dl::halide {

/// a / b rounded up, for positive b.
inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// For each value, the kernel values (node results) that read it.
std::vector<std::vector<int>> consumersOf(const Lowering &l);

/// The output group into whose tiles (or threads) matmul or convolution value `m` can be fused, or
/// -1: every consumer of the product (transitively) is element-wise of the product's shape, and
/// all of them end in one group of that shape.
int fusionGroup(const Lowering &l, const std::vector<std::vector<int>> &consumers,
                const std::vector<OutputGroup> &groups, int m);

/// Whether computed value `v` is read by a reduction and also stored (`stored`: the kernel's
/// outputs) or read by another node. Such a value is computed once: inlined, it would be evaluated
/// under two floating-point rules (contracted FMAs in the stored copy, strict_float inside a
/// NaN-propagating max), and max's gradient, which looks for the elements equal to the maximum,
/// would find none.
bool needsOneRounding(const Lowering &l, const std::vector<std::vector<int>> &consumers,
                      const std::set<int> &stored, int v);

/// Vectorizes `f` (over dimensions of `shape`) along its innermost dimension, fusing small inner
/// dimensions first, and runs it in parallel when it is large. Every split guards its tail.
void schedulePointwise(Halide::Func f, const Shape &shape, const Halide::Target &target);

/// Computes `r` once (compute_root), vectorized along its innermost kept dimension, or across
/// partial sums (rfactor) when it reduces to a scalar. A scatter-add (ReductionFunc::scatter) gets
/// its zeros element-wise and its update vectorized along D, split across threads when large.
void scheduleReduction(const ReductionFunc &r, const Halide::Target &target);

/// The schedule of a matmul operand computed into its own buffer. `transposes` when it reads its
/// source with the last two dimensions swapped: it then copies square tiles, so the transposition
/// is done with shuffles in registers rather than element by element.
void scheduleOperandCopy(Halide::Func f, const Shape &shape, bool transposes,
                         const Halide::Target &target);

/// What the matmul schedule needs to know about a product.
struct MatmulShape {
  Shape result;                ///< The result's shape.
  int64_t shared = 0;          ///< K, the length of the shared dimension.
  int64_t columns = 0;         ///< N, rounded up when the right operand is padded.
  bool matrixByMatrix = false; ///< Both operands of rank >= 2: the result ends in [M, N].
};

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

/// The MatmulShape of matmul `node`.
MatmulShape matmulShape(const Lowering &lowering, const codegen::KernelNode &node);

/// Tiles `owner` (the output Func that consumes the product, or a wrapper of it) into register
/// blocks and computes the product `product` per block of `owner`. Returns the loop of `owner`
/// that visits the blocks, or nothing when the product is not tiled (a 1-D operand).
std::optional<Halide::Var> scheduleMatmul(Halide::Func owner, const LoweredValue &product, const MatmulShape &shape,
                    const Halide::Target &target);

/// Threads of an NVIDIA warp, which run in lockstep and whose neighbouring loads coalesce.
constexpr int kWarpSize = 32;

/// The GPU schedule of a product too large for one thread per output (GpuMatmulSchedule.cpp): tiles
/// of `owner` (the output Func that consumes the product, or a wrapper of it) per GPU block, the
/// shared dimension in chunks that the block's threads stage in shared memory from `lhs` and `rhs`
/// (the Funcs the product reads), each thread's outputs in registers. False, scheduling nothing,
/// for a product that is not [..., M, N] with M, N and K at least 16.
bool scheduleGpuMatmul(Halide::Func owner, const LoweredValue &product, Halide::Func lhs,
                       Halide::Func rhs, const MatmulShape &shape);

/// The GPU schedule of a direct convolution (GpuConvSchedule.cpp): each thread computes four output
/// channels of one pixel of `owner` (the output Func that consumes it, or a wrapper of it) in
/// registers. False, scheduling nothing, for the weight gradient and for fewer than four channels.
bool scheduleGpuConvolution(Halide::Func owner, const LoweredValue &conv);

/// The schedule of an output or helper that reads a pooling op (`shape` of rank 4, NCHW): vectorized
/// along its rows only (fusing rows would turn the windows' reads into gathers), parallel over
/// batch and channels. `gatherStride` > 1 splits the rows into that many unrolled phases
/// (LoweredValue::gatherStride).
void scheduleWindowed(Halide::Func f, const Shape &shape, int64_t gatherStride,
                      const Halide::Target &target);

/// Fuses the leading dimensions of `stage` (of a Func over [L..., rows, columns] of rank `rank` > 2:
/// an attention's heads) into one loop, its name made from `name`, and returns it.
Halide::Var fuseHeads(Halide::Stage stage, size_t rank, const std::string &name);

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
