//===- Instance.cpp - One instance of a model: memory, buffers, calls ------===//
#include "runtime/core/Instance.h"

#include "runtime/core/CudaDevice.h"
#include "runtime/core/DataParallel.h"
#include "runtime/core/Initializers.h"
#include "runtime/core/KernelErrors.h"
#include "runtime/core/KernelMemory.h"
#include "runtime/core/KernelThreads.h"

#include <cstdlib>
#include <cstring>
#include <memory>

dlrt_instance::~dlrt_instance() {
  dl::rt::detachCudaMemory(*this);
  std::free(state);
  std::free(workspace);
}

namespace dl::rt {
namespace {

/// A zeroed block of at least `bytes` bytes (at least one cache line) at a 64-byte boundary.
uint8_t *allocateBlock(size_t bytes) {
  size_t size = bytes == 0 ? 64 : (bytes + 63) & ~size_t(63);
  void *p = nullptr;
  if (posix_memalign(&p, 64, size) != 0)
    return nullptr;
  std::memset(p, 0, size);
  return static_cast<uint8_t *>(p);
}

halide_type_t halideTypeOf(dl_dtype dtype) {
  switch (dtype) {
  case DL_F32:
    return halide_type_t(halide_type_float, 32);
  case DL_I32:
    return halide_type_t(halide_type_int, 32);
  case DL_BOOL:
    break;
  }
  return halide_type_t(halide_type_uint, 1); // Halide's Bool(): one byte per element in memory
}

/// Builds one halide_buffer_t per descriptor buffer; dimension 0 is the innermost.
void buildBuffers(dlrt_instance &inst) {
  const ModelDescription &model = *inst.model;
  size_t totalRank = 0;
  for (const BufferSpec &b : model.buffers)
    totalRank += b.shape.size();
  inst.dimensions.assign(totalRank, halide_dimension_t(0, 0, 0));
  inst.buffers.assign(model.buffers.size(), halide_buffer_t{});
  inst.bufferTable.assign(model.buffers.size(), nullptr);
  halide_dimension_t *dims = inst.dimensions.data();
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    const BufferSpec &spec = model.buffers[i];
    halide_buffer_t &buffer = inst.buffers[i];
    int rank = static_cast<int>(spec.shape.size());
    int64_t stride = 1;
    for (int d = 0; d < rank; ++d) {
      int64_t extent = spec.shape[rank - 1 - d];
      // The descriptor check keeps the element count, hence every stride, within int32.
      dims[d] = halide_dimension_t(0, static_cast<int32_t>(extent), static_cast<int32_t>(stride));
      stride *= extent;
    }
    buffer.type = halideTypeOf(spec.dtype);
    buffer.dimensions = rank;
    buffer.dim = rank > 0 ? dims : nullptr;
    dims += rank;
    if (spec.kind == BufferKind::Arena)
      buffer.host = inst.workspace + spec.offset;
    else if (spec.kind == BufferKind::State)
      buffer.host = inst.state + spec.offset;
    inst.bufferTable[i] = &buffer;
  }
}

std::string entryLabel(const EntrySpec &entry) { return "entry '" + entry.name + "'"; }

/// Checks one side (inputs or outputs) of a call.
bool checkTensors(dlrt_instance &inst, const EntrySpec &entry, bool input, const void *const *data,
                  int32_t count) {
  const auto &specs = input ? entry.inputs : entry.outputs;
  const char *noun = input ? "input" : "output";
  if (count != static_cast<int32_t>(specs.size())) {
    inst.fail(DL_ERR_INVALID_ARGUMENT, entryLabel(entry) + " takes " +
                                           std::to_string(specs.size()) + " " + noun +
                                           (specs.size() == 1 ? "" : "s") + ", got " +
                                           std::to_string(count));
    return false;
  }
  if (count > 0 && !data) {
    inst.fail(DL_ERR_INVALID_ARGUMENT,
              entryLabel(entry) + ": the array of " + noun + "s is null");
    return false;
  }
  for (int32_t i = 0; i < count; ++i)
    if (!data[i] && specs[i].bytes > 0) {
      inst.fail(DL_ERR_INVALID_ARGUMENT, entryLabel(entry) + ": " + noun + " " +
                                             std::to_string(i) + " ('" + specs[i].name +
                                             "') is null");
      return false;
    }
  return true;
}

/// Points the entry's input and output buffers at the caller's memory, or back at nothing.
void bindCallerMemory(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                      void *const *outputs) {
  const ModelDescription &model = *inst.model;
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    const BufferSpec &spec = model.buffers[i];
    if (spec.entry != entry)
      continue;
    if (spec.kind == BufferKind::Input)
      inst.buffers[i].host =
          inputs ? static_cast<uint8_t *>(const_cast<void *>(inputs[spec.index])) : nullptr;
    else if (spec.kind == BufferKind::Output)
      inst.buffers[i].host = outputs ? static_cast<uint8_t *>(outputs[spec.index]) : nullptr;
  }
}

/// Bytes of a dense buffer, or -1 when it is not dense (row-major, dimension 0 innermost).
int64_t denseBytes(const halide_buffer_t *b) {
  int64_t elements = 1;
  for (int d = 0; d < b->dimensions; ++d) {
    if (b->dim[d].min != 0 || b->dim[d].stride != elements)
      return -1;
    elements *= b->dim[d].extent;
  }
  return elements * ((b->type.bits + 7) / 8) * b->type.lanes;
}

} // namespace

int requestedDevice(const dl_options *options) {
  static_assert(sizeof(dl_device) == sizeof(int), "dl_device is an int-sized enum");
  int device = DL_DEVICE_CPU;
  if (options)
    std::memcpy(&device, &options->device, sizeof device);
  return device;
}

dl_status createInstance(const ModelDescription &model, const dl_entry_fn *entryFunctions,
                         const dl_options *options, dlrt_instance **out, std::string &error) {
  *out = nullptr;
  dl_options opts = options ? *options : dl_options{DL_DEVICE_CPU, 0, 0};
  std::string label = "model '" + model.name + "'";
  int device = requestedDevice(options);
  if (device != DL_DEVICE_CPU && device != DL_DEVICE_CUDA) {
    error = label + ": unknown device " + std::to_string(device);
    return DL_ERR_INVALID_ARGUMENT;
  }
  if (!model.runsOn(device)) {
    if (device == DL_DEVICE_CUDA)
      error = label + " was compiled for the CPU: create it with DL_DEVICE_CPU, or compile it "
                      "with dlc --target=cuda to run on the GPU";
    else
      error = label + " was compiled for CUDA (dlc --target=cuda): create it with "
                      "DL_DEVICE_CUDA, or compile it for the CPU";
    return DL_ERR_DEVICE;
  }
  if (device == DL_DEVICE_CUDA && !openCudaDriver(error)) {
    error = label + ": " + error;
    return DL_ERR_DEVICE;
  }
  if (opts.threads < 0) {
    error = label + ": threads must be 0 (one per core) or more, not " +
            std::to_string(opts.threads);
    return DL_ERR_INVALID_ARGUMENT;
  }
  if (!entryFunctions && !model.entries.empty()) {
    error = label + " has no entry functions";
    return DL_ERR_INTERNAL;
  }

  auto inst = std::make_unique<dlrt_instance>();
  inst->model = &model;
  inst->entryFunctions = entryFunctions;
  inst->seed = opts.seed;
  inst->state = allocateBlock(model.stateBlockBytes);
  if (!inst->state) {
    error = label + ": cannot allocate its state block of " +
            std::to_string(model.stateBlockBytes) + " bytes";
    return DL_ERR_OUT_OF_MEMORY;
  }
  inst->workspace = allocateBlock(model.workspaceBytes);
  if (!inst->workspace) {
    error = label + ": cannot allocate its workspace of " + std::to_string(model.workspaceBytes) +
            " bytes";
    return DL_ERR_OUT_OF_MEMORY;
  }
  for (const StateSpec &s : model.states)
    drawInitializer(s.init, s.tensor, opts.seed, inst->state + s.offset);
  buildBuffers(*inst);
  if (device == DL_DEVICE_CUDA)
    if (dl_status status = attachCudaMemory(*inst, error); status != DL_OK)
      return status;

  installKernelErrorHandler();
  installKernelAllocator();
  // The kernels' thread pool belongs to the process (to this model.so): the latest instance
  // created sets its size for all. Halide's own pool, sized alike, runs only the loops started
  // from a second thread while the first one's loop runs (KernelThreads.h).
  installKernelThreadPool();
  setKernelThreads(opts.threads);
  halide_set_num_threads(opts.threads);
  *out = inst.release();
  return DL_OK;
}

dl_status callEntry(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                    int32_t numInputs, void *const *outputs, int32_t numOutputs) {
  const ModelDescription &model = *inst.model;
  if (entry < 0 || entry >= static_cast<int32_t>(model.entries.size()))
    return inst.fail(DL_ERR_INVALID_ARGUMENT,
                     "entry " + std::to_string(entry) + " does not exist: model '" + model.name +
                         "' has " + std::to_string(model.entries.size()) + " entries");
  const EntrySpec &spec = model.entries[entry];
  if (!checkTensors(inst, spec, true, inputs, numInputs) ||
      !checkTensors(inst, spec, false, const_cast<const void *const *>(outputs), numOutputs))
    return DL_ERR_INVALID_ARGUMENT;
  switch (spec.kind) {
  case DL_ENTRY_GRAD:
    return accumulateGradient(inst, entry, inputs, outputs);
  case DL_ENTRY_APPLY:
    return applyGradient(inst, entry, outputs);
  case DL_ENTRY_TRAIN:
    // A split entry (no function of its own), data parallelism and accumulation run grad, apply.
    if (spec.split || inst.hasCommunicator || spec.accumulate > 1) {
      if (spec.gradEntry < 0)
        return inst.fail(DL_ERR_INVALID_ARGUMENT,
                         entryLabel(spec) + " has no grad and apply entries to accumulate or to "
                                            "train across ranks with; compile it again with this dlc");
      if (dl_status status = accumulateGradient(inst, spec.gradEntry, inputs, outputs))
        return status;
      if (pendingBatches(inst, spec) < static_cast<uint64_t>(spec.accumulate))
        return DL_OK;
      return applyGradient(inst, spec.applyEntry, outputs);
    }
    break;
  case DL_ENTRY_FORWARD:
  case DL_ENTRY_EVAL:
    break;
  }
  if (dl_status status = runEntryFunction(inst, entry, inputs, outputs, kernelSeed(inst, 0)))
    return status;
  if (spec.kind == DL_ENTRY_TRAIN)
    ++inst.step;
  return DL_OK;
}

dl_status runEntryFunction(dlrt_instance &inst, int32_t entry, const void *const *inputs,
                           void *const *outputs, uint64_t seed) {
  const EntrySpec &spec = inst.model->entries[entry];
  dl_entry_fn function = inst.entryFunctions[entry];
  if (!function)
    return inst.fail(DL_ERR_INTERNAL, entryLabel(spec) + " has no function in this library");

  bindCallerMemory(inst, entry, inputs, outputs);
  if (inst.cuda && !beforeDeviceCall(inst, entry)) {
    bindCallerMemory(inst, entry, nullptr, nullptr);
    return DL_ERR_DEVICE;
  }
  int32_t code;
  std::string message;
  {
    KernelErrorCapture capture;
    code = function(inst.bufferTable.data(), seed, static_cast<uint32_t>(inst.step));
    if (code != 0)
      message = capture.message();
  }
  bool copiedBack = code != 0 || !inst.cuda || afterDeviceCall(inst, entry);
  // Never leave a pointer to the caller's memory behind.
  bindCallerMemory(inst, entry, nullptr, nullptr);
  if (!copiedBack)
    return DL_ERR_DEVICE;
  if (code != 0)
    return inst.fail(DL_ERR_NUMERIC, entryLabel(spec) + " failed with Halide error " +
                                         std::to_string(code) +
                                         (message.empty() ? "" : ": " + message));
  return DL_OK;
}

void pointView(halide_buffer_t *view, const halide_buffer_t *parent, int64_t offset) {
  view->host = parent->host ? parent->host + offset : nullptr;
  view->device = parent->device ? parent->device + static_cast<uint64_t>(offset) : 0;
  view->device_interface = parent->device ? parent->device_interface : nullptr;
  // Where the parent's newest bytes are, the window's are.
  view->flags = parent->flags;
}

int32_t copyBuffer(halide_buffer_t *dst, const halide_buffer_t *src) {
  if (!dst || !src || !dst->host || !src->host) {
    reportKernelError("dlrt_copy: a buffer or its host memory is null");
    return -1;
  }
  int64_t dstBytes = denseBytes(dst), srcBytes = denseBytes(src);
  if (dstBytes < 0 || srcBytes < 0) {
    reportKernelError("dlrt_copy: a buffer is not dense");
    return -1;
  }
  if (dstBytes != srcBytes) {
    std::string message = "dlrt_copy: the destination holds " + std::to_string(dstBytes) +
                          " bytes, the source " + std::to_string(srcBytes);
    reportKernelError(message.c_str());
    return -1;
  }
  if (dst->device || src->device)
    return copyDeviceBuffer(dst, src, srcBytes);
  std::memmove(dst->host, src->host, static_cast<size_t>(srcBytes));
  return 0;
}

} // namespace dl::rt
