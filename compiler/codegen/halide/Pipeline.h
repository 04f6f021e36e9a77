//===- Pipeline.h - A kernel as a scheduled Halide pipeline -----*- C++ -*-===//
//
// Private to compiler/codegen/halide. buildPipeline translates a codegen::Kernel (Lowering.h and
// the op families), gathers its outputs into output Funcs and schedules them (cpu/, gpu/); the
// entry points of HalideCodegen.h compile the result ahead of time or run it with the JIT.
//
// Outputs of one shape share one output Func whose value is a Tuple (one element per output), so
// that a matmul and its element-wise consumers are computed tile by tile for every output at once,
// and every output of that shape is written in one pass. Halide orders the output buffers of a
// pipeline by output Func and then Tuple element; `bufferOfOutput` maps the kernel's output order
// to that order, and the entry points restore the kernel's order (KernelSpec.h's signature).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_PIPELINE_H
#define DLC_CODEGEN_HALIDE_PIPELINE_H

#include "compiler/codegen/halide/Lowering.h"

#include <memory>

namespace dl::halide {

/// The outputs of one shape: one Func, one Tuple element per output.
struct OutputGroup {
  Halide::Func func;
  Shape shape;
  std::vector<int> values;       ///< The kernel value behind each Tuple element.
  std::vector<size_t> positions; ///< The position in kernel.outputs of each Tuple element.
};

struct BuiltPipeline {
  std::unique_ptr<Lowering> lowering;
  std::vector<OutputGroup> groups;
  Halide::Pipeline pipeline;
  /// inputs..., seed, step: the arguments before the output buffers.
  std::vector<Halide::Argument> arguments;
  /// For each kernel output, its index among the pipeline's output buffers (Halide's order).
  std::vector<size_t> bufferOfOutput;
};

/// Translates and schedules `kernel` for `target` (throws LoweringError or Halide::Error).
BuiltPipeline buildPipeline(const codegen::Kernel &kernel, const Halide::Target &target);

/// Chooses the CPU schedule of a translated kernel (cpu/CpuSchedule.cpp).
void scheduleForCpu(const Lowering &lowering, std::vector<OutputGroup> &groups,
                    const Halide::Target &target);

/// Chooses the GPU schedule of a translated kernel (gpu/GpuSchedule.cpp): every stored Func runs on
/// the GPU. Models get it for CUDA; the tests also lower it for OpenCL, to run it without a GPU.
void scheduleForGpu(const Lowering &lowering, std::vector<OutputGroup> &groups,
                    const Halide::Target &target);

} // namespace dl::halide

#endif // DLC_CODEGEN_HALIDE_PIPELINE_H
