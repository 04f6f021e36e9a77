//===- InstanceData.h - What one instance of a model holds -------*- C++ -*-===//
//
// dlrt_instance, the opaque handle of dl/model_abi.h: a 64-byte-aligned state block (parameters,
// buffers, optimizer state, at the descriptor's offsets), a 64-byte-aligned workspace arena (with
// DL_DEVICE_CUDA, their device copies too: CudaDevice.h), one halide_buffer_t per descriptor
// buffer (pointing into those blocks, or at the caller's memory during a call), its step counter,
// the application's metadata (saved with checkpoints) and the message of its last error.
// Instances share nothing but the model description and the Halide runtime (its thread pool and
// its error handler are per process).
//
// Only the data. Instance.h creates instances and calls their entries, using CudaDevice.h on the
// GPU; CudaDevice.h keeps an instance's memory on the GPU and needs nothing of Instance.h, only
// this file, so the dependency runs one way.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_INSTANCEDATA_H
#define DL_RUNTIME_CORE_INSTANCEDATA_H

#include "dl/model_abi.h"
#include "runtime/core/Descriptor.h"

#include <HalideRuntime.h>

#include <map>
#include <string>
#include <vector>

struct dlrt_instance {
  const dl::rt::ModelDescription *model = nullptr;
  const dl_entry_fn *entryFunctions = nullptr; ///< One per model entry.
  uint64_t seed = 0;
  uint64_t step = 0;
  std::map<std::string, std::string> metadata; ///< dl_instance_set_metadata's pairs.
  uint8_t *state = nullptr;     ///< model->stateBlockBytes bytes, 64-byte aligned.
  uint8_t *workspace = nullptr; ///< model->workspaceBytes bytes, 64-byte aligned.
  std::vector<halide_dimension_t> dimensions;
  std::vector<halide_buffer_t> buffers;
  std::vector<halide_buffer_t *> bufferTable; ///< What entry functions receive.
  std::string lastError;

  // Data parallelism and gradient accumulation (DataParallel.h): the attached communicator, if any,
  // and per gradient area (by its offset) the batches accumulated since its step's last update.
  bool hasCommunicator = false;
  dl_communicator communicator{};
  std::map<size_t, uint32_t> pendingBatches;

  // With DL_DEVICE_CUDA (runtime/core/CudaDevice.h): Halide's CUDA device interface, the device
  // copies of the state block and the workspace (which the state and arena buffers wrap), and
  // whether the host mirror of the state may be newer than the device's.
  const halide_device_interface_t *cuda = nullptr;
  halide_buffer_t deviceState{}, deviceWorkspace{};
  halide_dimension_t deviceStateDim{}, deviceWorkspaceDim{};
  bool stateNewerOnHost = false;

  /// Frees the blocks and, on the GPU, the device memory (Instance.cpp).
  ~dlrt_instance();

  /// Keeps `message` as the last error and returns `status`.
  dl_status fail(dl_status status, std::string message) {
    lastError = std::move(message);
    return status;
  }
};

#endif // DL_RUNTIME_CORE_INSTANCEDATA_H
