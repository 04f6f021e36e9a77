//===- HalideCodegen.h - Kernels as Halide pipelines (plain C++ interface) --*- C++ -*-===//
//
// Turns a codegen::Kernel (compiler/codegen/KernelSpec.h) into one Halide pipeline: one algorithm
// per node, and a CPU schedule chosen by the kernel's shape (matmul register-blocked and tiled,
// element-wise outputs vectorized and parallel over the outer dimension, reductions computed once).
// This interface carries no Halide or LLVM type, so the MLIR side of dlc can include it.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_HALIDECODEGEN_H
#define DLC_CODEGEN_HALIDE_HALIDECODEGEN_H

#include "compiler/codegen/KernelSpec.h"

#include <string>
#include <vector>

namespace dl::codegen {

/// The Halide target string for `--cpu`: "native" (the host's features), "x86-64-v3" (AVX2, FMA,
/// F16C) or "x86-64-v4" (AVX-512 Skylake). Kernels get "-no_runtime" appended by compileKernel;
/// the runtime object is built once per model. False with `error` for any other name.
bool halideTargetForCpu(const std::string &cpu, std::string &target, std::string &error);

/// The Halide target of kernels that run on an NVIDIA GPU: the host part for `cpu` (as
/// halideTargetForCpu), the device part PTX for compute capability 8.0, which the driver compiles
/// for the GPU at hand (sm_80 and later: A100, H100, ...).
bool halideTargetForCuda(const std::string &cpu, std::string &target, std::string &error);

/// The PTX of `kernel` for a CUDA `target` (what `dlc --emit=ptx` prints): one PTX module holding
/// every GPU loop nest of the kernel.
bool kernelPtx(const Kernel &kernel, const std::string &target, std::string &ptx,
               std::string &error);

/// CPU seconds the calling thread has run (compiles are single-threaded, so this is their cost
/// whatever else the machine runs).
double cpuSeconds();

/// CPU seconds of one compile by phase (`dlc --time-phases`): `lower`, building the Halide pipeline and
/// lowering it to Halide's statement; `llvm`, Halide's translation to LLVM IR, LLVM's optimization
/// and code generation, and writing the object.
struct CompileTimes {
  double lower = 0, llvm = 0;
};

/// The C symbol of the compiled kernel named `kernelName`: the name behind the prefix "dlk_",
/// which no C library, OpenCL builtin or Halide runtime function has. Halide compiles a kernel
/// into one LLVM module with the runtime's declarations of libm and its own functions, so a kernel
/// named like one of them ("tanh", "acos", "halide_error") would be that declaration: its arguments
/// were lost and the compile failed ("Symbol not found: out0.buffer").
std::string kernelSymbol(const std::string &kernelName);

/// Compiles `kernel` to an object file at `objectPath` (ELF, position independent) that defines the
/// C function kernelSymbol(kernel.name) with the signature of KernelSpec.h. No Halide runtime
/// inside. With `times`, the seconds each phase took.
bool compileKernel(const Kernel &kernel, const std::string &target, const std::string &objectPath,
                   std::string &error, CompileTimes *times = nullptr);

/// Halide's lowered statement of `kernel` (what `dlc --emit=halide` prints).
bool lowerKernel(const Kernel &kernel, const std::string &target, std::string &stmt,
                 std::string &error);

/// Writes Halide's runtime for `target` (thread pool, allocation, errors) to `objectPath`.
bool compileHalideRuntime(const std::string &target, const std::string &objectPath,
                          std::string &error);

/// Writes the Halide runtime that a model's kernels for `target` link with to `objectPath`: the
/// runtime of `target` without its vector extensions (RuntimeTarget.h), compiled when dlc was
/// built for the targets dlc uses (their bytes are copied; nothing is compiled), else now.
bool writeHalideRuntime(const std::string &target, const std::string &objectPath,
                        std::string &error);

/// JIT-compiles and runs `kernel` on the host: `inputs` in kernel order, converted to each buffer's
/// dtype; `outputs` receives one HostTensor per kernel output. For tests against the interpreter.
/// A kernel of any length (Kernel::anyLength) runs at the length of the 1-D inputs given.
bool runKernel(const Kernel &kernel, const std::vector<HostTensor> &inputs, uint64_t seed,
               uint32_t step, std::vector<HostTensor> &outputs, std::string &error);

/// runKernel, compiled for `target` (a Halide target string the host can run, such as the one
/// halideTargetForCpu gives for "x86-64-v3") instead of the host's own features: tests use it to
/// run the schedule of each CPU level.
bool runKernelForTarget(const Kernel &kernel, const std::string &target,
                        const std::vector<HostTensor> &inputs, uint64_t seed, uint32_t step,
                        std::vector<HostTensor> &outputs, std::string &error);

/// The ops a KernelNode may name (`op`, without "dl."): the keys of the op table the translation
/// looks each node up in (defined in Pipeline.cpp, beside it). Plain strings, so that a test
/// compares them with the dialect's ops by name (test/unit/OpCoverageTest.cpp).
std::vector<std::string> halideLoweredOps();

} // namespace dl::codegen

#endif // DLC_CODEGEN_HALIDE_HALIDECODEGEN_H
