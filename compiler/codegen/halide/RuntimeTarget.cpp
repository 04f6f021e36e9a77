//===- RuntimeTarget.cpp - The target Halide's runtime is compiled for -----===//
#include "compiler/codegen/halide/RuntimeTarget.h"

namespace dl::halide {

Halide::Target runtimeTargetOf(const Halide::Target &kernels) {
  using T = Halide::Target;
  Halide::Target target = kernels;
  for (T::Feature f : {T::SSE41, T::AVX, T::AVX2, T::FMA, T::FMA4, T::F16C, T::AVX512,
                       T::AVX512_KNL, T::AVX512_Skylake, T::AVX512_Cannonlake,
                       T::AVX512_SapphireRapids, T::NoRuntime, T::JIT})
    target = target.without_feature(f);
  return target;
}

std::vector<std::string> embeddedRuntimeTargets() {
  // What halideTargetForCpu and halideTargetForCuda (HalideCodegen.cpp) give, less the vector
  // extensions.
  return {"x86-64-linux", "x86-64-linux-cuda-cuda_capability_80"};
}

} // namespace dl::halide
