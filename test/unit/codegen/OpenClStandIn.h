//===- OpenClStandIn.h - GPU schedules run on an OpenCL CPU device --*- C++ -*-===//
//
// Kernels scheduled for a GPU cannot run on a machine without one, yet their schedules (blocks
// and threads, shared-memory tiles, barriers, reductions across threads) are where GPU bugs live.
// Halide lowers the same GPU schedule for OpenCL as for CUDA; only the last step, the device
// source, differs. So the tests compile a kernel with its GPU schedule for OpenCL and run it on
// pocl, the portable OpenCL implementation that runs work-groups on the CPU (Debian's
// pocl-opencl-icd).
//
// pocl compiles kernels with its own LLVM, which must not meet the LLVM 14 that Halide links into
// this process: the compiled kernel and Halide's OpenCL runtime are loaded with dlmopen into a link
// namespace of their own, where libOpenCL and pocl then load too.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_CODEGEN_OPENCLSTANDIN_H
#define DLC_TEST_UNIT_CODEGEN_OPENCLSTANDIN_H

#include "compiler/codegen/KernelSpec.h"

#include <string>
#include <vector>

namespace dl::codegen::test {

/// The name runnableCpus() gives the GPU schedule run on the OpenCL stand-in.
inline constexpr const char *kGpuStandIn = "gpu-schedule-on-opencl";

/// Whether an OpenCL device is present to run GPU-scheduled kernels; else `why` says what is
/// missing. Decided once per process.
bool openClStandInAvailable(std::string &why);

/// Compiles `kernel` with its GPU schedule for OpenCL, runs it on the stand-in device with
/// `inputs` (kernel order) and returns one HostTensor per kernel output, as runKernel does.
bool runOnOpenClStandIn(const Kernel &kernel, const std::vector<HostTensor> &inputs, uint64_t seed,
                        uint32_t step, std::vector<HostTensor> &outputs, std::string &error);

} // namespace dl::codegen::test

#endif // DLC_TEST_UNIT_CODEGEN_OPENCLSTANDIN_H
