//===- Api.cpp - The runtime's C functions inside a model.so ---------------===//
//
// The dlrt_* functions of dl/model_abi.h, which the generated typed entry points call, and
// dl_model_api_v1, the one symbol a model.so exports for the loader. This is the only file of the
// runtime that refers to the glue's symbols (dl_model_descriptor, dl_model_entries): it parses the
// descriptor once, on first use, from whichever thread comes first.
//
// No C++ exception leaves these functions: running out of memory anywhere becomes
// DL_ERR_OUT_OF_MEMORY, anything else unexpected DL_ERR_INTERNAL. Errors that have no instance to
// live on (creating one, a null instance) are kept per thread and returned by
// dlrt_last_error(NULL) and by the api's creation_error.
//
//===----------------------------------------------------------------------===//
#include "dl/model_abi.h"
#include "runtime/core/Checkpoint.h"
#include "runtime/core/CudaDevice.h"
#include "runtime/core/DataParallel.h"
#include "runtime/core/Descriptor.h"
#include "runtime/core/Instance.h"

#include <cstring>
#include <new>

using namespace dl::rt;

namespace {

/// The calling thread's last error without an instance (a plain array: no thread-exit destructor
/// in a library that may be unloaded).
thread_local char threadError[1024];

void setThreadError(const std::string &message) {
  size_t n = std::min(message.size(), sizeof(threadError) - 1);
  std::memcpy(threadError, message.data(), n);
  threadError[n] = '\0';
}

struct LoadedModel {
  std::unique_ptr<ModelDescription> model;
  std::string error;
};

const LoadedModel &loadedModel() {
  static const LoadedModel loaded = [] {
    LoadedModel result;
    try {
      result.model = parseDescriptor(dl_model_descriptor, result.error);
    } catch (const std::bad_alloc &) {
      result.error = "out of memory while reading the model descriptor";
    }
    return result;
  }();
  return loaded;
}

/// Runs `body` on a live instance, turning exceptions into statuses kept on the instance.
template <typename Body>
dl_status onInstance(dlrt_instance *inst, const char *function, Body body) {
  if (!inst) {
    setThreadError(std::string(function) + ": the instance is null");
    return DL_ERR_INVALID_ARGUMENT;
  }
  try {
    return body(*inst);
  } catch (const std::bad_alloc &) {
    return inst->fail(DL_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (...) {
    return inst->fail(DL_ERR_INTERNAL, "internal error");
  }
}

const char *creationError() { return threadError; }

/// The entry functions for the device `options` asks for: a library for both the CPU and CUDA
/// has a second table for the GPU (model_abi.h).
const dl_entry_fn *entriesFor(const ModelDescription &model, const dl_options *options) {
  if (model.hasCudaEntries() && requestedDevice(options) == DL_DEVICE_CUDA)
    return dl_model_entries_cuda;
  return dl_model_entries;
}

} // namespace

extern "C" {

const dl_model_info *dlrt_info(void) {
  const LoadedModel &loaded = loadedModel();
  if (!loaded.model) {
    setThreadError(loaded.error);
    return nullptr;
  }
  return &loaded.model->info;
}

dl_status dlrt_create(const dl_options *options, dlrt_instance **out) {
  if (!out) {
    setThreadError("dlrt_create: out is null");
    return DL_ERR_INVALID_ARGUMENT;
  }
  *out = nullptr;
  const LoadedModel &loaded = loadedModel();
  if (!loaded.model) {
    setThreadError(loaded.error);
    return DL_ERR_FORMAT;
  }
  try {
    std::string error;
    dl_status status = createInstance(*loaded.model, entriesFor(*loaded.model, options), options,
                                      out, error);
    if (status != DL_OK)
      setThreadError(error);
    return status;
  } catch (const std::bad_alloc &) {
    setThreadError("model '" + loaded.model->name + "': out of memory while creating an instance");
    return DL_ERR_OUT_OF_MEMORY;
  } catch (...) {
    setThreadError("internal error while creating an instance");
    return DL_ERR_INTERNAL;
  }
}

void dlrt_destroy(dlrt_instance *inst) { delete inst; }

dl_status dlrt_call(dlrt_instance *inst, int32_t entry, const void *const *inputs, int32_t n_inputs,
                    void *const *outputs, int32_t n_outputs) {
  return onInstance(inst, "dlrt_call", [&](dlrt_instance &i) {
    return callEntry(i, entry, inputs, n_inputs, outputs, n_outputs);
  });
}

dl_status dlrt_tensor(dlrt_instance *inst, const char *name, void **data,
                      const dl_tensor_info **info) {
  if (data)
    *data = nullptr;
  if (info)
    *info = nullptr;
  return onInstance(inst, "dlrt_tensor", [&](dlrt_instance &i) {
    const ModelDescription &model = *i.model;
    if (!name)
      return i.fail(DL_ERR_INVALID_ARGUMENT, "dlrt_tensor: the name is null");
    const StateSpec *state = model.findState(name);
    if (!state)
      return i.fail(DL_ERR_INVALID_ARGUMENT, "model '" + model.name +
                                                 "' has no parameter or buffer '" + name + "'");
    if (data) {
      // The caller may read or write through the pointer: the host holds the state from now on.
      if (dl_status status = stateToHost(i, /*hostMayWrite=*/true); status != DL_OK)
        return status;
      *data = i.state + state->offset;
    }
    if (info)
      *info = &model.stateInfo(static_cast<size_t>(state - model.states.data()));
    return DL_OK;
  });
}

dl_status dlrt_save(dlrt_instance *inst, const char *path) {
  return onInstance(inst, "dlrt_save", [&](dlrt_instance &i) {
    if (!path)
      return i.fail(DL_ERR_INVALID_ARGUMENT, "dlrt_save: the path is null");
    if (dl_status status = stateToHost(i, /*hostMayWrite=*/false); status != DL_OK)
      return status;
    std::string error;
    CheckpointMetadata metadata{i.step, i.metadata};
    dl_status status = saveCheckpoint(*i.model, i.state, metadata, path, error);
    return status == DL_OK ? status : i.fail(status, error);
  });
}

dl_status dlrt_load(dlrt_instance *inst, const char *path) {
  return onInstance(inst, "dlrt_load", [&](dlrt_instance &i) {
    if (!path)
      return i.fail(DL_ERR_INVALID_ARGUMENT, "dlrt_load: the path is null");
    // A load that fails part way leaves the state as it was, on the host as on the device.
    if (dl_status status = stateToHost(i, /*hostMayWrite=*/true); status != DL_OK)
      return status;
    std::string error;
    CheckpointMetadata metadata;
    dl_status status = loadCheckpoint(*i.model, i.state, metadata, path, error);
    if (status != DL_OK)
      return i.fail(status, error);
    i.step = metadata.step;
    i.metadata = std::move(metadata.entries);
    // Batches accumulated before the load belong to another state.
    return clearGradientAreas(i);
  });
}

dl_status dlrt_set_metadata(dlrt_instance *inst, const char *key, const char *value) {
  return onInstance(inst, "dlrt_set_metadata", [&](dlrt_instance &i) {
    if (!key || !*key)
      return i.fail(DL_ERR_INVALID_ARGUMENT, "dlrt_set_metadata: the key is null or empty");
    if (isReservedMetadataKey(key))
      return i.fail(DL_ERR_INVALID_ARGUMENT, "dlrt_set_metadata: '" + std::string(key) +
                                                 "' is written by the runtime itself (reserved: "
                                                 "format, model, step)");
    if (value)
      i.metadata[key] = value;
    else
      i.metadata.erase(key);
    return DL_OK;
  });
}

const char *dlrt_metadata(const dlrt_instance *inst, const char *key) {
  if (!inst || !key)
    return nullptr;
  auto found = inst->metadata.find(key);
  return found == inst->metadata.end() ? nullptr : found->second.c_str();
}

uint64_t dlrt_step(const dlrt_instance *inst) { return inst ? inst->step : 0; }

const char *dlrt_last_error(const dlrt_instance *inst) {
  return inst ? inst->lastError.c_str() : creationError();
}

dl_status dlrt_set_communicator(dlrt_instance *inst, const dl_communicator *comm) {
  return onInstance(inst, "dlrt_set_communicator",
                    [&](dlrt_instance &i) { return attachCommunicator(i, comm); });
}

dl_status dlrt_gradients(dlrt_instance *inst, int32_t entry, float **data, size_t *count) {
  if (data)
    *data = nullptr;
  if (count)
    *count = 0;
  return onInstance(inst, "dlrt_gradients", [&](dlrt_instance &i) {
    const ModelDescription &model = *i.model;
    if (entry < 0 || entry >= static_cast<int32_t>(model.entries.size()))
      return i.fail(DL_ERR_INVALID_ARGUMENT, "dlrt_gradients: model '" + model.name +
                                                 "' has no entry " + std::to_string(entry));
    const EntrySpec &spec = model.entries[entry];
    if (spec.gradBytes == 0)
      return i.fail(DL_ERR_INVALID_ARGUMENT, "entry '" + spec.name +
                                                 "' is no training step with a gradient area");
    if (data) {
      if (dl_status status = stateToHost(i, /*hostMayWrite=*/true); status != DL_OK)
        return status;
      *data = reinterpret_cast<float *>(i.state + spec.gradOffset);
    }
    if (count)
      *count = spec.gradBytes / sizeof(float);
    return DL_OK;
  });
}

int32_t dlrt_copy(struct halide_buffer_t *dst, const struct halide_buffer_t *src) {
  return copyBuffer(dst, src);
}

void dlrt_view(struct halide_buffer_t *view, const struct halide_buffer_t *parent,
               int64_t offset) {
  pointView(view, parent, offset);
}

__attribute__((visibility("default"))) const dl_model_api *dl_model_api_v1(void) {
  static const dl_model_api api = {
      DL_MODEL_ABI_VERSION, dlrt_info,      dlrt_create, dlrt_destroy,
      dlrt_call,            dlrt_tensor,    dlrt_save,   dlrt_load,
      dlrt_step,            dlrt_last_error, creationError,
      dlrt_set_metadata,    dlrt_metadata,   dlrt_set_communicator,
      dlrt_gradients,
  };
  return &api;
}

} // extern "C"
