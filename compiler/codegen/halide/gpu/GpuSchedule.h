//===- GpuSchedule.h - Building blocks of the GPU schedule ------*- C++ -*-===//
//
// Private to compiler/codegen/halide. GpuSchedule.cpp decides which Func gets which treatment
// (scheduleForGpu, declared in Pipeline.h); the treatments of products too large for one thread
// per output are here: the shared-memory tiles of a matmul (GpuMatmulSchedule.cpp) and the
// register-blocked convolutions (GpuConvSchedule.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_GPU_GPUSCHEDULE_H
#define DLC_CODEGEN_HALIDE_GPU_GPUSCHEDULE_H

#include "compiler/codegen/halide/Schedule.h"

namespace dl::halide {

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

} // namespace dl::halide

#endif // DLC_CODEGEN_HALIDE_GPU_GPUSCHEDULE_H
