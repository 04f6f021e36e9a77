//===- CudaDevice.cpp - An instance whose kernels run on an NVIDIA GPU -----===//
#include "runtime/core/CudaDevice.h"

#include "runtime/core/KernelErrors.h"

#include <cstring>
#include <dlfcn.h>
#include <limits>
#include <mutex>

// Defined by Halide's CUDA runtime, which a model.so compiled for the cuda target links; weak, so
// that a CPU model.so, which never reaches this file's functions, links without it.
extern "C" const halide_device_interface_t *halide_cuda_device_interface() __attribute__((weak));

namespace dl::rt {
namespace {

constexpr const char *kDriverLibrary = "libcuda.so.1";

/// The result of loading the driver, decided once per process.
struct DriverState {
  bool ok = false;
  std::string error;
};

const DriverState &driver() {
  static DriverState state;
  static std::once_flag once;
  std::call_once(once, [] {
    // Global, so that Halide's CUDA runtime finds the driver's functions among the process's
    // symbols (it looks there before trying to load the library under its development name).
    void *library = dlopen(kDriverLibrary, RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
      const char *why = dlerror();
      state.error = std::string("no CUDA driver: cannot load ") + kDriverLibrary + " (" +
                    (why ? why : "unknown reason") + "); is the NVIDIA driver installed?";
      return;
    }
    using InitFn = int (*)(unsigned);
    using CountFn = int (*)(int *);
    auto init = reinterpret_cast<InitFn>(dlsym(library, "cuInit"));
    auto count = reinterpret_cast<CountFn>(dlsym(library, "cuDeviceGetCount"));
    if (!init || !count) {
      state.error = std::string(kDriverLibrary) + " lacks cuInit or cuDeviceGetCount";
      return;
    }
    if (int status = init(0); status != 0) {
      state.error = "the CUDA driver failed to initialize (CUresult " + std::to_string(status) +
                    (status == 100 ? ": no CUDA-capable device" : "") + ")";
      return;
    }
    int devices = 0;
    if (count(&devices) != 0 || devices == 0) {
      state.error = "the CUDA driver sees no GPU";
      return;
    }
    state.ok = true;
  });
  return state;
}

/// A one-dimensional byte buffer over `bytes` of host memory at `host`.
void describeBlock(halide_buffer_t &block, halide_dimension_t &dim, uint8_t *host, size_t bytes) {
  dim = halide_dimension_t(0, static_cast<int32_t>(bytes), 1);
  block = halide_buffer_t{};
  block.host = host;
  block.type = halide_type_t(halide_type_uint, 8);
  block.dimensions = 1;
  block.dim = &dim;
}

bool isOnDevice(BufferKind kind) { return kind == BufferKind::Arena || kind == BufferKind::State; }

/// Returns `code` == 0; otherwise sets the instance's error from the Halide runtime's message.
bool succeeded(dlrt_instance &inst, int code, const KernelErrorCapture &capture,
               const std::string &what) {
  if (code == 0)
    return true;
  std::string message = capture.message();
  inst.fail(DL_ERR_DEVICE, "model '" + inst.model->name + "': " + what + " failed (Halide error " +
                               std::to_string(code) + (message.empty() ? "" : ": " + message) +
                               ")");
  return false;
}

} // namespace

bool openCudaDriver(std::string &error) {
  const DriverState &state = driver();
  if (!state.ok)
    error = state.error;
  return state.ok;
}

dl_status attachCudaMemory(dlrt_instance &inst, std::string &error) {
  const ModelDescription &model = *inst.model;
  const halide_device_interface_t *cuda =
      halide_cuda_device_interface ? halide_cuda_device_interface() : nullptr;
  if (!cuda) {
    error = "model '" + model.name + "' was compiled for cuda but carries no CUDA runtime";
    return DL_ERR_INTERNAL;
  }
  constexpr size_t kLargest = std::numeric_limits<int32_t>::max();
  if (model.stateBlockBytes > kLargest || model.workspaceBytes > kLargest) {
    error = "model '" + model.name + "': a state block or workspace of 2 GiB or more does not fit "
            "one device allocation in this version";
    return DL_ERR_OUT_OF_MEMORY;
  }
  installKernelErrorHandler();
  KernelErrorCapture capture;
  inst.cuda = cuda;
  // Each kernel's intermediate buffers come from a cache of device allocations, not cuMemAlloc
  // and cuMemFree on every call.
  halide_reuse_device_allocations(nullptr, true);
  describeBlock(inst.deviceState, inst.deviceStateDim, inst.state, model.stateBlockBytes);
  describeBlock(inst.deviceWorkspace, inst.deviceWorkspaceDim, inst.workspace,
                model.workspaceBytes);
  for (halide_buffer_t *block : {&inst.deviceState, &inst.deviceWorkspace}) {
    if (block->dim[0].extent == 0)
      continue;
    if (int code = halide_device_malloc(nullptr, block, cuda); code != 0) {
      std::string message = capture.message();
      error = "model '" + model.name + "': cannot allocate " +
              std::to_string(block->dim[0].extent) + " bytes on the GPU" +
              (message.empty() ? "" : ": " + message);
      return DL_ERR_OUT_OF_MEMORY;
    }
  }
  // The initialized state goes to the device once, whole.
  inst.deviceState.flags = halide_buffer_flag_host_dirty;
  if (inst.deviceState.dim[0].extent > 0)
    if (int code = halide_copy_to_device(nullptr, &inst.deviceState, cuda); code != 0) {
      error = "model '" + model.name + "': cannot copy the state to the GPU (Halide error " +
              std::to_string(code) + ")";
      return DL_ERR_DEVICE;
    }
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    const BufferSpec &spec = model.buffers[i];
    if (!isOnDevice(spec.kind))
      continue;
    const halide_buffer_t &block =
        spec.kind == BufferKind::State ? inst.deviceState : inst.deviceWorkspace;
    if (block.device == 0)
      continue; // an empty block: its buffers hold nothing
    if (int code = halide_device_wrap_native(nullptr, &inst.buffers[i], block.device + spec.offset,
                                             cuda);
        code != 0) {
      error = "model '" + model.name + "': cannot place buffer " + std::to_string(i) +
              " on the GPU (Halide error " + std::to_string(code) + ")";
      return DL_ERR_DEVICE;
    }
    inst.buffers[i].flags = halide_buffer_flag_device_dirty;
  }
  return DL_OK;
}

void detachCudaMemory(dlrt_instance &inst) {
  if (!inst.cuda)
    return;
  const ModelDescription &model = *inst.model;
  for (size_t i = 0; i < inst.buffers.size() && i < model.buffers.size(); ++i) {
    halide_buffer_t &buffer = inst.buffers[i];
    if (!buffer.device)
      continue;
    if (model.buffers[i].kind == BufferKind::View)
      buffer.device = 0; // a window into its parent's device memory, which it does not own
    else if (isOnDevice(model.buffers[i].kind))
      halide_device_detach_native(nullptr, &buffer);
    else
      halide_device_free(nullptr, &buffer);
  }
  for (halide_buffer_t *block : {&inst.deviceState, &inst.deviceWorkspace})
    if (block->device)
      halide_device_free(nullptr, block);
  inst.cuda = nullptr;
}

dl_status stateToHost(dlrt_instance &inst, bool hostMayWrite) {
  if (!inst.cuda || inst.deviceState.device == 0)
    return DL_OK;
  if (!inst.stateNewerOnHost) {
    KernelErrorCapture capture;
    inst.deviceState.flags = halide_buffer_flag_device_dirty;
    if (!succeeded(inst, halide_copy_to_host(nullptr, &inst.deviceState), capture,
                   "copying the state from the GPU"))
      return DL_ERR_DEVICE;
  }
  if (hostMayWrite)
    inst.stateNewerOnHost = true;
  return DL_OK;
}

bool beforeDeviceCall(dlrt_instance &inst, int32_t entry) {
  const ModelDescription &model = *inst.model;
  KernelErrorCapture capture;
  if (inst.stateNewerOnHost) {
    inst.deviceState.flags = halide_buffer_flag_host_dirty;
    if (!succeeded(inst, halide_copy_to_device(nullptr, &inst.deviceState, inst.cuda), capture,
                   "copying the state to the GPU"))
      return false;
    inst.stateNewerOnHost = false;
  }
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    const BufferSpec &spec = model.buffers[i];
    halide_buffer_t &buffer = inst.buffers[i];
    if (isOnDevice(spec.kind)) {
      // The device holds the truth: a stage that ran on the host would copy it there first.
      if (buffer.device)
        buffer.flags = halide_buffer_flag_device_dirty;
    } else if (spec.entry == entry) {
      buffer.flags = spec.kind == BufferKind::Input && buffer.host ? halide_buffer_flag_host_dirty
                                                                   : 0;
    }
  }
  // A loop's views of an input read it on the device: it goes there whole, before the first.
  for (const BufferSpec &spec : model.buffers) {
    if (spec.kind != BufferKind::View)
      continue;
    const BufferSpec &parent = model.buffers[spec.parent];
    halide_buffer_t &buffer = inst.buffers[spec.parent];
    if (parent.kind == BufferKind::Input && parent.entry == entry && buffer.host &&
        (buffer.flags & halide_buffer_flag_host_dirty) &&
        !succeeded(inst, halide_copy_to_device(nullptr, &buffer, inst.cuda), capture,
                   "copying input " + std::to_string(parent.index) + " of the entry to the GPU"))
      return false;
  }
  return true;
}

bool afterDeviceCall(dlrt_instance &inst, int32_t entry) {
  const ModelDescription &model = *inst.model;
  KernelErrorCapture capture;
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    const BufferSpec &spec = model.buffers[i];
    halide_buffer_t &buffer = inst.buffers[i];
    if (isOnDevice(spec.kind)) {
      // Written on the host by a copy the memory plan left (dlrt_copy): the device gets it now.
      if (buffer.device && (buffer.flags & halide_buffer_flag_host_dirty) &&
          !succeeded(inst, halide_copy_to_device(nullptr, &buffer, inst.cuda), capture,
                     "copying buffer " + std::to_string(i) + " to the GPU"))
        return false;
    } else if (spec.entry == entry && spec.kind == BufferKind::Output) {
      if ((buffer.flags & halide_buffer_flag_device_dirty) && buffer.host &&
          !succeeded(inst, halide_copy_to_host(nullptr, &buffer), capture,
                     "copying output " + std::to_string(spec.index) + " of the entry from the GPU"))
        return false;
    }
    if (!isOnDevice(spec.kind) && spec.entry == entry)
      buffer.flags = 0;
  }
  return true;
}

int32_t copyDeviceBuffer(halide_buffer_t *dst, const halide_buffer_t *src, int64_t bytes) {
  auto *source = const_cast<halide_buffer_t *>(src);
  if ((source->flags & halide_buffer_flag_device_dirty) && source->device &&
      halide_copy_to_host(nullptr, source) != 0)
    return -1; // the runtime has reported why
  std::memmove(dst->host, src->host, static_cast<size_t>(bytes));
  dst->flags = dst->device ? halide_buffer_flag_host_dirty : 0;
  return 0;
}

} // namespace dl::rt
