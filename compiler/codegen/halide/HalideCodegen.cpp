//===- HalideCodegen.cpp - The entry points of HalideCodegen.h -------------===//
//
// Targets, ahead-of-time compilation (kernel objects, the lowered statement, Halide's runtime) and
// the JIT used by tests. Every entry point catches what the translation (LoweringError) and Halide
// (Halide::Error and its CompileError / RuntimeError / InternalError) throw and returns it in
// `error`; nothing is printed.
//
// The compiled function's signature is KernelSpec.h's: inputs in kernel order, seed, step, outputs
// in kernel order. Halide lists a pipeline's output buffers by output Func (Pipeline.h groups
// outputs by shape), so the argument list of the lowered function is permuted back into the
// kernel's output order before code generation; its body refers to buffers by name, not position.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/HalideCodegen.h"
#include "compiler/codegen/halide/HostTarget.h"
#include "compiler/codegen/halide/Pipeline.h"
#include "compiler/codegen/halide/RuntimeTarget.h"

#include <cmath>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

namespace dl::codegen {

using dl::halide::BuiltPipeline;
using dl::halide::LoweringError;

namespace {

/// Runs `body`, turning every exception of the translation or of Halide into `error`.
template <typename Fn> bool guarded(std::string &error, Fn body) {
  try {
    body();
    return true;
  } catch (const LoweringError &e) {
    error = e.what();
  } catch (const Halide::Error &e) {
    error = std::string("Halide: ") + e.what();
  } catch (const std::exception &e) {
    error = e.what();
  }
  return false;
}

Halide::Target parseTarget(const std::string &target) {
  if (!Halide::Target::validate_target_string(target))
    throw LoweringError("'" + target + "' is not a Halide target");
  return Halide::Target(target);
}

/// Whether the kernel holds a constant that is NaN or infinite.
bool hasNonFiniteConstant(const Kernel &kernel) {
  for (const KernelNode &node : kernel.nodes)
    if (node.op == "constant")
      for (double v : node.constant)
        if (!std::isfinite(v))
          return true;
  return false;
}

/// `target`, strict (no fast-math flags anywhere) for a kernel with a NaN or infinite constant:
/// LLVM takes an infinite literal in a fast-math instruction for poison, so x * inf would become
/// anything (0, in practice); a constant that reaches the arithmetic through a select is folded
/// into it too. Such constants are rare (a mask value, an infinite clamp bound), and only their
/// kernels pay for exact IEEE code (no FMA contraction).
Halide::Target kernelTarget(const Kernel &kernel, const Halide::Target &target) {
  return hasNonFiniteConstant(kernel) ? target.with_feature(Halide::Target::StrictFloat) : target;
}

} // namespace

std::string kernelSymbol(const std::string &kernelName) { return "dlk_" + kernelName; }

namespace {

/// The kernel as a Halide module whose function, kernelSymbol(kernel.name), has KernelSpec.h's
/// signature.
Halide::Module kernelModule(const Kernel &kernel, const Halide::Target &given) {
  Halide::Target target = kernelTarget(kernel, given);
  BuiltPipeline built = halide::buildPipeline(kernel, target);
  std::string symbol = kernelSymbol(kernel.name);
  Halide::Module module = built.pipeline.compile_to_module(built.arguments, symbol, target,
                                                           Halide::LinkageType::External);
  size_t leading = built.arguments.size();
  for (Halide::Internal::LoweredFunc &f : module.functions()) {
    if (f.name != symbol)
      continue;
    if (f.args.size() != leading + kernel.outputs.size())
      throw LoweringError(kernel.name + ": Halide produced " + std::to_string(f.args.size()) +
                          " arguments for " + std::to_string(leading + kernel.outputs.size()));
    std::vector<Halide::Internal::LoweredArgument> args(f.args.begin(), f.args.begin() + leading);
    for (size_t p = 0; p < kernel.outputs.size(); ++p)
      args.push_back(f.args[leading + built.bufferOfOutput[p]]);
    f.args = args;
  }
  return module;
}

/// The host value of element `i` of `t` converted to the buffer's element type.
void store(Halide::Buffer<> &buffer, DType dtype, size_t i, double value) {
  switch (dtype) {
  case DType::F32:
    buffer.as<float>().data()[i] = static_cast<float>(value);
    break;
  case DType::I32:
    buffer.as<int32_t>().data()[i] = static_cast<int32_t>(value);
    break;
  case DType::I1:
    buffer.as<bool>().data()[i] = value != 0;
    break;
  }
}

double load(const Halide::Buffer<> &buffer, DType dtype, size_t i) {
  switch (dtype) {
  case DType::F32:
    return buffer.as<float>().data()[i];
  case DType::I32:
    return buffer.as<int32_t>().data()[i];
  case DType::I1:
    return buffer.as<bool>().data()[i] ? 1.0 : 0.0;
  }
  return 0;
}

/// A dense buffer of `type` (Halide dimension 0 is the last dl dimension).
Halide::Buffer<> bufferOf(const TensorType &type) {
  std::vector<int> sizes(type.shape.rbegin(), type.shape.rend());
  return Halide::Buffer<>(halide::halideType(type.dtype), sizes);
}

} // namespace

double cpuSeconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

bool halideTargetForCpu(const std::string &cpu, std::string &target, std::string &error) {
  return guarded(error, [&] {
    if (cpu == "native")
      target = halide::hostTarget().to_string();
    else if (cpu == "x86-64-v3")
      target = "x86-64-linux-avx-avx2-fma-f16c-sse41";
    else if (cpu == "x86-64-v4")
      target = "x86-64-linux-avx-avx2-fma-f16c-sse41-avx512-avx512_skylake";
    else
      throw LoweringError("unknown CPU '" + cpu + "' (expected native, x86-64-v3 or x86-64-v4)");
  });
}

bool halideTargetForCuda(const std::string &cpu, std::string &target, std::string &error) {
  if (!halideTargetForCpu(cpu, target, error))
    return false;
  target += "-cuda-cuda_capability_80";
  return true;
}

bool kernelPtx(const Kernel &kernel, const std::string &target, std::string &ptx,
               std::string &error) {
  return guarded(error, [&] {
    Halide::Target t = parseTarget(target).with_feature(Halide::Target::NoRuntime);
    if (!t.has_feature(Halide::Target::CUDA))
      throw LoweringError("'" + target + "' is not a CUDA target");
    // Halide embeds the device code in the host module as the initializer of a constant byte
    // array; its LLVM assembly spells it c"...", with \XX escapes.
    Halide::Module module = kernelModule(kernel, t);
    Halide::Internal::TemporaryFile file(kernel.name, ".ll");
    module.compile({{Halide::OutputFileType::llvm_assembly, file.pathname()}});
    std::ifstream in(file.pathname());
    std::string ll((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = ll.find("@cuda_gpu_source_kernels");
    size_t open = at == std::string::npos ? at : ll.find("c\"", at);
    size_t close = open == std::string::npos ? open : ll.find('"', open + 2);
    if (close == std::string::npos)
      throw LoweringError(kernel.name + ": Halide produced no GPU code");
    ptx.clear();
    for (size_t i = open + 2; i < close; ++i) {
      if (ll[i] == '\\' && i + 2 < close) {
        ptx.push_back(static_cast<char>(std::stoi(ll.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        ptx.push_back(ll[i]);
      }
    }
    while (!ptx.empty() && ptx.back() == '\0')
      ptx.pop_back();
  });
}

bool compileKernel(const Kernel &kernel, const std::string &target, const std::string &objectPath,
                   std::string &error, CompileTimes *times) {
  return guarded(error, [&] {
    double start = cpuSeconds();
    Halide::Target t = parseTarget(target).with_feature(Halide::Target::NoRuntime);
    Halide::Module module = kernelModule(kernel, t);
    double lowered = cpuSeconds();
    module.compile({{Halide::OutputFileType::object, objectPath}});
    if (times) {
      times->lower = lowered - start;
      times->llvm = cpuSeconds() - lowered;
    }
  });
}

bool lowerKernel(const Kernel &kernel, const std::string &target, std::string &stmt,
                 std::string &error) {
  return guarded(error, [&] {
    Halide::Target t = parseTarget(target).with_feature(Halide::Target::NoRuntime);
    Halide::Module module = kernelModule(kernel, t);
    std::ostringstream os;
    for (const Halide::Internal::LoweredFunc &f : module.functions())
      os << f;
    stmt = os.str();
  });
}

bool compileHalideRuntime(const std::string &target, const std::string &objectPath,
                          std::string &error) {
  return guarded(error,
                 [&] { Halide::compile_standalone_runtime(objectPath, parseTarget(target)); });
}

bool writeHalideRuntime(const std::string &target, const std::string &objectPath,
                        std::string &error) {
  return guarded(error, [&] {
    Halide::Target wanted = halide::runtimeTargetOf(parseTarget(target));
    for (size_t i = 0; i < halide::kNumEmbeddedRuntimes; ++i) {
      const halide::EmbeddedRuntime &runtime = halide::kEmbeddedRuntimes[i];
      if (Halide::Target(runtime.target) != wanted)
        continue;
      std::ofstream out(objectPath, std::ios::binary);
      out.write(reinterpret_cast<const char *>(runtime.bytes),
                static_cast<std::streamsize>(runtime.size));
      out.close();
      if (!out)
        throw LoweringError("cannot write '" + objectPath + "'");
      return;
    }
    Halide::compile_standalone_runtime(objectPath, wanted);
  });
}

bool runKernel(const Kernel &kernel, const std::vector<HostTensor> &inputs, uint64_t seed,
               uint32_t step, std::vector<HostTensor> &outputs, std::string &error) {
  return runKernelForTarget(kernel, "", inputs, seed, step, outputs, error);
}

bool runKernelForTarget(const Kernel &kernel, const std::string &targetName,
                        const std::vector<HostTensor> &inputs, uint64_t seed, uint32_t step,
                        std::vector<HostTensor> &outputs, std::string &error) {
  outputs.clear();
  return guarded(error, [&] {
    if (inputs.size() != kernel.inputs.size())
      throw LoweringError(kernel.name + ": " + std::to_string(inputs.size()) +
                          " inputs given for " + std::to_string(kernel.inputs.size()));
    // A kernel of any length runs at the length of its 1-D inputs (all alike).
    std::optional<int64_t> length;
    for (size_t i = 0; i < inputs.size(); ++i) {
      TensorType expected = kernel.inputs[i];
      if (kernel.anyLength && expected.shape.size() == 1 && inputs[i].type.shape.size() == 1) {
        expected.shape = inputs[i].type.shape;
        if (!length)
          length = expected.shape[0];
      }
      if (!(inputs[i].type == expected) || (length && expected.shape.size() == 1 &&
                                            expected.shape[0] != *length) ||
          static_cast<int64_t>(inputs[i].data.size()) != inputs[i].type.numElements())
        throw LoweringError(kernel.name + ": input #" + std::to_string(i) +
                            " does not have the kernel's type or its number of elements");
    }
    auto outputType = [&](size_t p) {
      TensorType t = kernel.typeOf(kernel.outputs[p]);
      if (length && t.shape.size() == 1)
        t.shape = {*length};
      return t;
    };

    Halide::Target target = kernelTarget(
        kernel, targetName.empty() ? halide::jitTarget()
                                   : parseTarget(targetName).with_feature(Halide::Target::JIT));
    BuiltPipeline built = halide::buildPipeline(kernel, target);
    for (size_t i = 0; i < inputs.size(); ++i) {
      Halide::Buffer<> buffer = bufferOf(inputs[i].type);
      for (size_t e = 0; e < inputs[i].data.size(); ++e)
        store(buffer, inputs[i].type.dtype, e, inputs[i].data[e]);
      Halide::ImageParam param = built.lowering->inputs()[i];
      param.set(buffer);
    }
    Halide::Param<uint64_t> seedParam = built.lowering->seed();
    Halide::Param<uint32_t> stepParam = built.lowering->step();
    seedParam.set(seed);
    stepParam.set(step);

    // Halide's order of output buffers: by group, then Tuple element.
    std::vector<Halide::Buffer<>> buffers(kernel.outputs.size());
    for (size_t p = 0; p < kernel.outputs.size(); ++p)
      buffers[built.bufferOfOutput[p]] = bufferOf(outputType(p));
    Halide::Realization realization(buffers);
    built.pipeline.realize(realization, target);

    for (size_t p = 0; p < kernel.outputs.size(); ++p) {
      HostTensor out;
      out.type = outputType(p);
      const Halide::Buffer<> &buffer = buffers[built.bufferOfOutput[p]];
      out.data.resize(out.type.numElements());
      for (size_t e = 0; e < out.data.size(); ++e)
        out.data[e] = load(buffer, out.type.dtype, e);
      outputs.push_back(std::move(out));
    }
  });
}

} // namespace dl::codegen
