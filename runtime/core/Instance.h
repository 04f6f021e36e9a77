//===- Instance.h - One instance of a model: creation and calls --*- C++ -*-===//
//
// Creating an instance of a model (its memory, its initialized state, its buffers; what it holds
// is InstanceData.h's) and calling its entries, on the CPU or, through CudaDevice.h, on the GPU.
//
// This file does not know where the description and the entry functions come from; Api.cpp hands
// in the glue's, tests may hand in their own.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_INSTANCE_H
#define DL_RUNTIME_CORE_INSTANCE_H

#include "runtime/core/InstanceData.h"

#include <string>

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
/// advances the step of a train entry that updated. A split train entry (one without a function
/// of its own), and one with a communicator attached or an `accumulate` above 1, runs as its grad
/// entry, then (every accumulate-th batch) its apply entry (DataParallel.h).
dl_status callEntry(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                    int32_t numInputs, void *const *outputs, int32_t numOutputs);

/// Runs the function of entry `entry` once with the caller's inputs and outputs bound (already
/// checked), with the random ops keyed by `seed`; advances no step counter.
dl_status runEntryFunction(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                           void *const *outputs, uint64_t seed);

/// Copies `src` into `dst` (dense buffers of the same byte size). 0, or -1 with the reason
/// reported as a kernel error.
int32_t copyBuffer(halide_buffer_t *dst, const halide_buffer_t *src);

/// dlrt_view: points `view` `offset` bytes into `parent`, on the host and, when the parent lives
/// on the GPU, on the device (the descriptor check keeps every window inside its parent).
void pointView(halide_buffer_t *view, const halide_buffer_t *parent, int64_t offset);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_INSTANCE_H
