//===- OpenClStandIn.cpp - GPU schedules run on an OpenCL CPU device -------===//
//
// Each kernel is compiled for x86-64-v3 with OpenCL, linked into a shared library and loaded into
// the stand-in's link namespace, which holds Halide's OpenCL runtime and libOpenCL; the test calls
// it directly (callWithWords). Buffers cross with their host copy marked dirty; outputs are copied
// back with the namespace's halide_copy_to_host, and every device allocation is freed.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/OpenClStandIn.h"
#include "test/unit/codegen/KernelTestUtil.h"

#include "compiler/codegen/halide/HalideCodegen.h"

#include "HalideRuntime.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <utility>

namespace dl::codegen::test {
namespace {

/// Doubles are on: fmod, x e^x (silu, mish) and the normal draws run in double precision.
constexpr const char *kDeviceFeatures = "-opencl-cl_doubles";

bool runCommand(const std::string &command, std::string &error) {
  if (std::system(command.c_str()) == 0)
    return true;
  error = "command failed: " + command;
  return false;
}

/// What Halide's runtime in the stand-in's namespace reported since the last kernel began.
std::string &lastRuntimeError() {
  static std::string message;
  return message;
}

/// The stand-in's namespace: Halide's OpenCL runtime, and through it libOpenCL and the ICD.
struct StandIn {
  bool ok = false;
  std::string why;
  TempDir scratch{"dlc_opencl"};
  const std::string &dir = scratch.path();
  std::string target, runtimeLibrary;
  Lmid_t namespaceId = LM_ID_BASE;
  void *runtime = nullptr;
  int (*copyToHost)(void *, halide_buffer_t *) = nullptr;
  int (*deviceFree)(void *, halide_buffer_t *) = nullptr;

  StandIn() {
    if (dir.empty()) {
      why = "cannot create a temporary directory";
      return;
    }
    std::string error;
    if (!halideTargetForCpu("x86-64-v3", target, error)) {
      why = error;
      return;
    }
    target += kDeviceFeatures;
    if (!buildRuntime(error)) {
      why = "cannot link Halide's OpenCL runtime with libOpenCL.so.1 (is ocl-icd-libopencl1 "
            "installed?): " +
            error;
      return;
    }
    // pocl caches the kernels it compiles under ~/.cache/pocl, where two test processes running
    // at once have made it fail builds: each process compiles into a cache of its own.
    setenv("POCL_CACHE_DIR", (dir + "/pocl").c_str(), 1);
    runtime = dlmopen(LM_ID_NEWLM, runtimeLibrary.c_str(), RTLD_NOW);
    if (!runtime) {
      why = std::string("dlmopen: ") + dlerror();
      return;
    }
    dlinfo(runtime, RTLD_DI_LMID, &namespaceId);
    copyToHost = reinterpret_cast<decltype(copyToHost)>(dlsym(runtime, "halide_copy_to_host"));
    deviceFree = reinterpret_cast<decltype(deviceFree)>(dlsym(runtime, "halide_device_free"));
    // Halide's messages (a kernel pocl failed to build, ...) go into the test's error, not to
    // Halide's default handler.
    using ErrorHandler = void (*)(void *, const char *);
    using SetHandlerFn = ErrorHandler (*)(ErrorHandler);
    if (auto set = reinterpret_cast<SetHandlerFn>(dlsym(runtime, "halide_set_error_handler")))
      set([](void *, const char *message) { lastRuntimeError() += message; });
    using PlatformsFn = int32_t (*)(uint32_t, void **, uint32_t *);
    using DevicesFn = int32_t (*)(void *, uint64_t, uint32_t, void **, uint32_t *);
    auto platforms = reinterpret_cast<PlatformsFn>(dlsym(runtime, "clGetPlatformIDs"));
    auto devices = reinterpret_cast<DevicesFn>(dlsym(runtime, "clGetDeviceIDs"));
    if (!copyToHost || !deviceFree || !platforms || !devices) {
      why = "the OpenCL runtime library lacks a function";
      return;
    }
    uint32_t count = 0;
    void *platform = nullptr;
    constexpr uint64_t kAllDevices = 0xFFFFFFFF; // CL_DEVICE_TYPE_ALL
    if (platforms(1, &platform, &count) != 0 || count == 0 ||
        devices(platform, kAllDevices, 0, nullptr, &count) != 0 || count == 0) {
      why = "no OpenCL device (install pocl-opencl-icd)";
      return;
    }
    ok = true;
  }
  /// Sets runtimeLibrary to Halide's OpenCL runtime linked with libOpenCL. Building it takes a
  /// second, and every test process needs it: it is built once per build of this file and target,
  /// into the temporary directory, and renamed into place whole.
  bool buildRuntime(std::string &error) {
    std::string key = target + " " + __DATE__ + " " + __TIME__;
    char hash[32];
    std::snprintf(hash, sizeof hash, "%016zx", std::hash<std::string>()(key));
    runtimeLibrary = ::testing::TempDir() + "dlc_opencl_runtime_" + hash + ".so";
    if (access(runtimeLibrary.c_str(), R_OK) == 0)
      return true;
    std::string object = dir + "/runtime.o", built = dir + "/runtime.so";
    return compileHalideRuntime(target, object, error) &&
           runCommand(std::string(DLC_TEST_CXX) + " -shared -o '" + built + "' '" + object +
                          "' -Wl,--no-as-needed -l:libOpenCL.so.1 -lpthread -ldl 2>/dev/null",
                      error) &&
           std::rename(built.c_str(), runtimeLibrary.c_str()) == 0;
  }
};

StandIn &standIn() {
  static StandIn instance;
  return instance;
}

/// A dense buffer of `type` in host memory, dimension 0 innermost (KernelSpec.h).
struct HostBuffer {
  std::vector<uint8_t> bytes;
  std::vector<halide_dimension_t> dims;
  halide_buffer_t raw{};
  DType dtype;

  explicit HostBuffer(const TensorType &type) : dtype(type.dtype) {
    bytes.resize(static_cast<size_t>(type.bytes()));
    int32_t stride = 1;
    for (size_t h = 0; h < type.shape.size(); ++h) {
      int32_t extent = static_cast<int32_t>(type.shape[type.shape.size() - 1 - h]);
      dims.push_back(halide_dimension_t(0, extent, stride));
      stride *= extent;
    }
    raw.host = bytes.data();
    raw.type = type.dtype == DType::F32   ? halide_type_t(halide_type_float, 32)
               : type.dtype == DType::I32 ? halide_type_t(halide_type_int, 32)
                                          : halide_type_t(halide_type_uint, 1);
    raw.dimensions = static_cast<int32_t>(dims.size());
    raw.dim = dims.empty() ? nullptr : dims.data();
  }

  void store(size_t i, double v) {
    if (dtype == DType::F32) {
      float f = static_cast<float>(v);
      std::memcpy(&bytes[4 * i], &f, 4);
    } else if (dtype == DType::I32) {
      int32_t n = static_cast<int32_t>(v);
      std::memcpy(&bytes[4 * i], &n, 4);
    } else {
      bytes[i] = v != 0;
    }
  }
  double load(size_t i) const {
    if (dtype == DType::F32) {
      float f;
      std::memcpy(&f, &bytes[4 * i], 4);
      return f;
    }
    if (dtype == DType::I32) {
      int32_t n;
      std::memcpy(&n, &bytes[4 * i], 4);
      return n;
    }
    return bytes[i];
  }
};

/// Calls `fn`, a kernel of KernelSpec.h's signature, with `args`: its buffers' addresses, the seed
/// and the step, each widened to one machine word. Every parameter of that signature is a pointer
/// or an integer, which the x86-64 System V convention passes alike, one register or stack slot
/// each.
using Word = uintptr_t;

template <size_t... I> int callWithWords(void *fn, const Word *args, std::index_sequence<I...>) {
  using Fn = int (*)(decltype(I, Word())...);
  return reinterpret_cast<Fn>(fn)(args[I]...);
}

constexpr size_t kMostArguments = 64;

template <size_t... N>
int callWithCount(void *fn, const std::vector<Word> &args, std::index_sequence<N...>) {
  int status = -1;
  (void)((args.size() == N &&
          (status = callWithWords(fn, args.data(), std::make_index_sequence<N>()), true)) ||
         ...);
  return status;
}

} // namespace

bool openClStandInAvailable(std::string &why) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  StandIn &s = standIn();
  why = s.why;
  return s.ok;
}

bool runOnOpenClStandIn(const Kernel &kernel, const std::vector<HostTensor> &inputs, uint64_t seed,
                        uint32_t step, std::vector<HostTensor> &outputs, std::string &error) {
  outputs.clear();
  if (!openClStandInAvailable(error))
    return false;
  StandIn &s = standIn();
  if (inputs.size() != kernel.inputs.size()) {
    error = "wrong number of inputs";
    return false;
  }
  if (inputs.size() + kernel.outputs.size() + 2 >= kMostArguments) {
    error = kernel.name + " has too many arguments for the stand-in";
    return false;
  }
  static int serial = 0;
  std::string base = s.dir + "/" + kernel.name + "_" + std::to_string(serial++);
  std::string object = base + ".o", library = base + ".so";
  if (!compileKernel(kernel, s.target, object, error))
    return false;
  // -Bsymbolic: the library's own functions win over any of the namespace's of the same name.
  if (!runCommand(std::string(DLC_TEST_CXX) + " -shared -Wl,-Bsymbolic -o '" + library + "' '" +
                      object + "' '" + s.runtimeLibrary + "'",
                  error))
    return false;
  void *handle = dlmopen(s.namespaceId, library.c_str(), RTLD_NOW);
  if (!handle) {
    error = std::string("dlmopen: ") + dlerror();
    return false;
  }
  void *fn = dlsym(handle, kernelSymbol(kernel.name).c_str());

  std::vector<HostBuffer> buffers;
  buffers.reserve(inputs.size() + kernel.outputs.size());
  for (const HostTensor &t : inputs) {
    buffers.emplace_back(t.type);
    for (size_t e = 0; e < t.data.size(); ++e)
      buffers.back().store(e, t.data[e]);
    buffers.back().raw.flags = halide_buffer_flag_host_dirty;
  }
  // A kernel of any length writes outputs of its 1-D inputs' length.
  auto outputType = [&](size_t p) {
    TensorType t = kernel.typeOf(kernel.outputs[p]);
    for (const HostTensor &in : inputs)
      if (kernel.anyLength && t.shape.size() == 1 && in.type.shape.size() == 1)
        t.shape = in.type.shape;
    return t;
  };
  for (size_t p = 0; p < kernel.outputs.size(); ++p)
    buffers.emplace_back(outputType(p));
  std::vector<Word> args;
  for (size_t b = 0; b < buffers.size(); ++b) {
    if (b == inputs.size())
      args.insert(args.end(), {Word(seed), Word(step)});
    args.push_back(reinterpret_cast<Word>(&buffers[b].raw));
  }
  if (kernel.outputs.empty())
    args.insert(args.end(), {Word(seed), Word(step)});
  lastRuntimeError().clear();
  int status = fn ? callWithCount(fn, args, std::make_index_sequence<kMostArguments>()) : -1;
  bool ok = status == 0;
  if (!ok)
    error = kernel.name + " returned " + std::to_string(status) + " on the OpenCL device: " +
            lastRuntimeError();
  for (size_t p = 0; ok && p < kernel.outputs.size(); ++p) {
    HostBuffer &b = buffers[inputs.size() + p];
    if (int copied = s.copyToHost(nullptr, &b.raw); copied != 0) {
      error = "copying output " + std::to_string(p) + " to the host failed (" +
              std::to_string(copied) + ")";
      ok = false;
      break;
    }
    HostTensor t;
    t.type = outputType(p);
    t.data.resize(static_cast<size_t>(t.type.numElements()));
    for (size_t e = 0; e < t.data.size(); ++e)
      t.data[e] = b.load(e);
    outputs.push_back(std::move(t));
  }
  for (HostBuffer &b : buffers)
    if (b.raw.device)
      s.deviceFree(nullptr, &b.raw);
  dlclose(handle);
  for (const std::string &path : {object, library})
    unlink(path.c_str());
  return ok;
}

} // namespace dl::codegen::test
