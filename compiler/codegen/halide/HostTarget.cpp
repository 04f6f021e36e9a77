//===- HostTarget.cpp - The Halide target of the machine dlc runs on -------===//
#include "compiler/codegen/halide/HostTarget.h"

#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace dl::halide {
namespace {

/// Whether CPUID reports AVX512-FP16 (leaf 7, sub-leaf 0, EDX bit 23).
bool hasAvx512Fp16() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  return (edx >> 23) & 1;
#else
  return false;
#endif
}

} // namespace

Halide::Target hostTarget() {
  Halide::Target target = Halide::get_host_target();
  if (target.has_feature(Halide::Target::AVX512_SapphireRapids) && !hasAvx512Fp16())
    target = target.without_feature(Halide::Target::AVX512_SapphireRapids);
  return target;
}

Halide::Target jitTarget() {
  const char *fromEnvironment = std::getenv("HL_JIT_TARGET");
  if (fromEnvironment && *fromEnvironment)
    return Halide::get_jit_target_from_environment();
  return hostTarget().with_feature(Halide::Target::JIT);
}

} // namespace dl::halide
