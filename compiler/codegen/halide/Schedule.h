//===- Schedule.h - What the CPU and GPU schedules share --------*- C++ -*-===//
//
// Private to compiler/codegen/halide. Pipeline.cpp hands a translated kernel to the CPU schedule
// (cpu/, scheduleForCpu) or the GPU one (gpu/, scheduleForGpu), both declared in Pipeline.h. Both
// read the kernel the same way, through what is declared here (Schedule.cpp): who consumes each
// value, which output group a product can be fused into, which values must be computed once, the
// shape of a matmul, and the one loop over an attention's heads. Each schedule's own treatments
// are in cpu/CpuSchedule.h and gpu/GpuSchedule.h.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_SCHEDULE_H
#define DLC_CODEGEN_HALIDE_SCHEDULE_H

#include "compiler/codegen/halide/Pipeline.h"

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

/// What the matmul schedules need to know about a product.
struct MatmulShape {
  Shape result;                ///< The result's shape.
  int64_t shared = 0;          ///< K, the length of the shared dimension.
  int64_t columns = 0;         ///< N, rounded up when the right operand is padded.
  bool matrixByMatrix = false; ///< Both operands of rank >= 2: the result ends in [M, N].
};

/// The MatmulShape of matmul `node`.
MatmulShape matmulShape(const Lowering &lowering, const codegen::KernelNode &node);

/// Fuses the leading dimensions of `stage` (of a Func over [L..., rows, columns] of rank `rank` >
/// 2: an attention's heads) into one loop, its name made from `name`, and returns it.
Halide::Var fuseHeads(Halide::Stage stage, size_t rank, const std::string &name);

} // namespace dl::halide

#endif // DLC_CODEGEN_HALIDE_SCHEDULE_H
