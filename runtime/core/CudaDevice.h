//===- CudaDevice.h - An instance whose kernels run on an NVIDIA GPU -*- C++ -*-===//
//
// A model compiled with `dlc --target=cuda` runs its kernels through Halide's CUDA runtime, which
// the model.so carries. This file gives such an instance its device memory and keeps the host and
// the device consistent:
//
//   - The CUDA driver (libcuda.so.1) is loaded at run time with dlopen: nothing of CUDA is needed
//     to build or link the library, and a machine without the driver or without a GPU gets
//     DL_ERR_DEVICE at create time.
//   - The state block (parameters, buffers, optimizer state) and the workspace arena each get one
//     device allocation of the memory plan's size; every descriptor buffer of theirs wraps its
//     offset in it, so the kernels of a train step read and write device memory only. The device
//     holds the truth; the host blocks are mirrors, brought up to date when the host reads the
//     state (dlrt_tensor, checkpoints) and sent back before the next call when it may have
//     written them.
//   - A call copies its inputs from the caller's host memory to the device and its outputs back,
//     nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_CUDADEVICE_H
#define DL_RUNTIME_CORE_CUDADEVICE_H

#include "runtime/core/InstanceData.h"

#include <string>

namespace dl::rt {

/// Loads the CUDA driver and checks that it sees a GPU. False with the reason otherwise.
bool openCudaDriver(std::string &error);

/// Allocates the instance's device state and workspace, points its buffers at them and copies the
/// initialized state there. DL_OK, or DL_ERR_DEVICE / DL_ERR_OUT_OF_MEMORY with `error`.
dl_status attachCudaMemory(dlrt_instance &inst, std::string &error);

/// Releases every device allocation of the instance (its destructor calls this).
void detachCudaMemory(dlrt_instance &inst);

/// Brings the host mirror of the state up to date. `hostMayWrite`: the caller may change it (a
/// pointer handed out, a checkpoint loaded), so the next call sends it back first.
dl_status stateToHost(dlrt_instance &inst, bool hostMayWrite);

/// Before an entry runs: sends a state the host may have changed, and marks the inputs (just bound
/// to the caller's memory) as newer on the host. False with the instance's error set.
bool beforeDeviceCall(dlrt_instance &inst, int32_t entry);

/// After an entry ran: copies its outputs to the caller's memory. False with the instance's error.
bool afterDeviceCall(dlrt_instance &inst, int32_t entry);

/// dlrt_copy between buffers of which at least one lives on the device: through the host, as the
/// copies the memory plan leaves are small. 0, or -1 with a kernel error reported.
int32_t copyDeviceBuffer(halide_buffer_t *dst, const halide_buffer_t *src, int64_t bytes);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_CUDADEVICE_H
