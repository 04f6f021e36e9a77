//===- OpenClStandIn.cpp - GPU schedules run on an OpenCL CPU device -------===//
//
// Each kernel is compiled for x86-64-v3 with OpenCL, linked with a small C++ shim (its arguments
// from an array) into a shared library, and loaded into the stand-in's link namespace, which holds
// Halide's OpenCL runtime and libOpenCL. Buffers cross with their host copy marked dirty; outputs
// are copied back with the namespace's halide_copy_to_host and every device allocation is freed.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/OpenClStandIn.h"

#include "compiler/codegen/halide/HalideCodegen.h"

#include "HalideRuntime.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

namespace dl::codegen::test {
namespace {

/// Doubles are on: the GELU gradient's exp runs in double precision.
constexpr const char *kDeviceFeatures = "-opencl-cl_doubles";

std::string makeTempDir() {
  std::string pattern = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  pattern += "/dlc_opencl_XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  return mkdtemp(buffer.data()) ? std::string(buffer.data()) : std::string();
}

bool runCommand(const std::string &command, std::string &error) {
  if (std::system(command.c_str()) == 0)
    return true;
  error = "command failed: " + command;
  return false;
}

/// The stand-in's namespace: Halide's OpenCL runtime, and through it libOpenCL and the ICD.
struct StandIn {
  bool ok = false;
  std::string why;
  std::string dir, target, runtimeLibrary;
  Lmid_t namespaceId = LM_ID_BASE;
  void *runtime = nullptr;
  int (*copyToHost)(void *, halide_buffer_t *) = nullptr;
  int (*deviceFree)(void *, halide_buffer_t *) = nullptr;

  StandIn() {
    dir = makeTempDir();
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
    std::string object = dir + "/runtime.o";
    runtimeLibrary = dir + "/libopencl_runtime.so";
    if (!compileHalideRuntime(target, object, error) ||
        !runCommand(std::string(DLC_TEST_CXX) + " -shared -o '" + runtimeLibrary + "' '" + object +
                        "' -Wl,--no-as-needed -l:libOpenCL.so.1 -lpthread -ldl 2>/dev/null",
                    error)) {
      why = "cannot link Halide's OpenCL runtime with libOpenCL.so.1 (is ocl-icd-libopencl1 "
            "installed?): " +
            error;
      return;
    }
    runtime = dlmopen(LM_ID_NEWLM, runtimeLibrary.c_str(), RTLD_NOW);
    if (!runtime) {
      why = std::string("dlmopen: ") + dlerror();
      return;
    }
    dlinfo(runtime, RTLD_DI_LMID, &namespaceId);
    copyToHost = reinterpret_cast<decltype(copyToHost)>(dlsym(runtime, "halide_copy_to_host"));
    deviceFree = reinterpret_cast<decltype(deviceFree)>(dlsym(runtime, "halide_device_free"));
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
  ~StandIn() {
    if (!dir.empty())
      std::system(("rm -rf '" + dir + "'").c_str());
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

/// C++ source that calls kernel `name` with KernelSpec.h's signature from an array of buffers.
std::string shimSource(const Kernel &kernel) {
  std::vector<std::string> params, args;
  auto buffer = [&](size_t i) {
    params.push_back("halide_buffer_t *");
    args.push_back("b[" + std::to_string(i) + "]");
  };
  for (size_t i = 0; i < kernel.inputs.size(); ++i)
    buffer(i);
  params.insert(params.end(), {"uint64_t", "uint32_t"});
  args.insert(args.end(), {"seed", "step"});
  for (size_t p = 0; p < kernel.outputs.size(); ++p)
    buffer(kernel.inputs.size() + p);
  auto join = [](const std::vector<std::string> &parts) {
    std::string joined;
    for (const std::string &part : parts)
      joined += (joined.empty() ? "" : ", ") + part;
    return joined;
  };
  // The kernel is declared by its symbol (an asm label): its name may be a C++ keyword (`int`).
  return "#include <cstdint>\n"
         "struct halide_buffer_t;\n"
         "extern \"C\" int dlc_kernel(" +
         join(params) + ") __asm__(\"" + kernel.name +
         "\");\n"
         "extern \"C\" int dlc_call(halide_buffer_t **b, uint64_t seed, uint32_t step) {\n"
         "  return dlc_kernel(" +
         join(args) + ");\n}\n";
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
  static int serial = 0;
  std::string base = s.dir + "/" + kernel.name + "_" + std::to_string(serial++);
  std::string object = base + ".o", shim = base + "_shim.cpp", library = base + ".so";
  if (!compileKernel(kernel, s.target, object, error))
    return false;
  std::ofstream(shim) << shimSource(kernel);
  // -Bsymbolic: the shim calls its own kernel even when the kernel is named like a C library
  // function (a test's `pow` kernel), which the namespace also holds.
  if (!runCommand(std::string(DLC_TEST_CXX) + " -shared -fPIC -Wl,-Bsymbolic -w -o '" + library +
                      "' '" + shim +
                      "' '" + object + "' '" + s.runtimeLibrary + "'",
                  error))
    return false;
  void *handle = dlmopen(s.namespaceId, library.c_str(), RTLD_NOW);
  if (!handle) {
    error = std::string("dlmopen: ") + dlerror();
    return false;
  }
  using CallFn = int (*)(halide_buffer_t **, uint64_t, uint32_t);
  auto call = reinterpret_cast<CallFn>(dlsym(handle, "dlc_call"));

  std::vector<HostBuffer> buffers;
  buffers.reserve(inputs.size() + kernel.outputs.size());
  for (const HostTensor &t : inputs) {
    buffers.emplace_back(t.type);
    for (size_t e = 0; e < t.data.size(); ++e)
      buffers.back().store(e, t.data[e]);
    buffers.back().raw.flags = halide_buffer_flag_host_dirty;
  }
  for (int v : kernel.outputs)
    buffers.emplace_back(kernel.typeOf(v));
  std::vector<halide_buffer_t *> raw;
  for (HostBuffer &b : buffers)
    raw.push_back(&b.raw);

  int status = call ? call(raw.data(), seed, step) : -1;
  bool ok = status == 0;
  if (!ok)
    error = kernel.name + " returned " + std::to_string(status) + " on the OpenCL device";
  for (size_t p = 0; ok && p < kernel.outputs.size(); ++p) {
    HostBuffer &b = buffers[inputs.size() + p];
    if (int copied = s.copyToHost(nullptr, &b.raw); copied != 0) {
      error = "copying output " + std::to_string(p) + " to the host failed (" +
              std::to_string(copied) + ")";
      ok = false;
      break;
    }
    HostTensor t;
    t.type = kernel.typeOf(kernel.outputs[p]);
    t.data.resize(static_cast<size_t>(t.type.numElements()));
    for (size_t e = 0; e < t.data.size(); ++e)
      t.data[e] = b.load(e);
    outputs.push_back(std::move(t));
  }
  for (HostBuffer &b : buffers)
    if (b.raw.device)
      s.deviceFree(nullptr, &b.raw);
  dlclose(handle);
  for (const std::string &path : {object, shim, library})
    unlink(path.c_str());
  return ok;
}

} // namespace dl::codegen::test
