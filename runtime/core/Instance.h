//===- Instance.h - One instance of a model: memory, buffers, calls -*- C++ -*-===//
//
// An instance owns a 64-byte-aligned state block (parameters, buffers, optimizer state, at the
// descriptor's offsets), a 64-byte-aligned workspace arena (with DL_DEVICE_CUDA, their device
// copies too: CudaDevice.h), one halide_buffer_t per descriptor
// buffer (pointing into those blocks, or at the caller's memory during a call), its step counter,
// the application's metadata (saved with checkpoints) and the message of its last error. Instances share nothing but the model description and the
// Halide runtime (its thread pool and its error handler are per process).
//
// This file does not know where the description and the entry functions come from; Api.cpp hands
// in the glue's, tests may hand in their own.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_INSTANCE_H
#define DL_RUNTIME_CORE_INSTANCE_H

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

  // With DL_DEVICE_CUDA (runtime/core/CudaDevice.h): Halide's CUDA device interface, the device
  // copies of the state block and the workspace (which the state and arena buffers wrap), and
  // whether the host mirror of the state may be newer than the device's.
  const halide_device_interface_t *cuda = nullptr;
  halide_buffer_t deviceState{}, deviceWorkspace{};
  halide_dimension_t deviceStateDim{}, deviceWorkspaceDim{};
  bool stateNewerOnHost = false;

  ~dlrt_instance();

  /// Keeps `message` as the last error and returns `status`.
  dl_status fail(dl_status status, std::string message) {
    lastError = std::move(message);
    return status;
  }
};

namespace dl::rt {

/// The device `options` asks for (DL_DEVICE_CPU without options), as the int a C caller passed:
/// reading an out-of-range value as a dl_device would be undefined in C++.
int requestedDevice(const dl_options *options);

/// Allocates and initializes an instance of `model` whose entries run `entryFunctions`. On failure
/// `*out` stays null and `error` says why (DL_ERR_INVALID_ARGUMENT, DL_ERR_DEVICE,
/// DL_ERR_OUT_OF_MEMORY).
dl_status createInstance(const ModelDescription &model, const dl_entry_fn *entryFunctions,
                         const dl_options *options, dlrt_instance **out, std::string &error);

/// Checks the arguments, points the entry's input and output buffers at them, runs the entry and
/// advances the step of a train entry that succeeded.
dl_status callEntry(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                    int32_t numInputs, void *const *outputs, int32_t numOutputs);

/// Copies `src` into `dst` (dense buffers of the same byte size). 0, or -1 with the reason
/// reported as a kernel error.
int32_t copyBuffer(halide_buffer_t *dst, const halide_buffer_t *src);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_INSTANCE_H
