//===- RuntimeTarget.h - The target Halide's runtime is compiled for -*- C++ -*-===//
//
// A model's kernels are compiled for the CPU's vector extensions (AVX2, AVX-512, ...), but the
// Halide runtime linked beside them (thread pool, allocation, error reporting, the CUDA driver's
// loader) has no loop those extensions speed up: Halide picks the runtime's parts by OS,
// architecture and features such as CUDA, never by the vector extensions. So the runtime is
// compiled for the kernels' target without them, which leaves two targets for everything dlc
// builds (the CPU alone, and with CUDA); both are compiled once at dlc's build time
// (EmbedRuntimes.cpp) and embedded.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_RUNTIMETARGET_H
#define DLC_CODEGEN_HALIDE_RUNTIMETARGET_H

#include "Halide.h"

#include <cstddef>
#include <string>
#include <vector>

namespace dl::halide {

/// `kernels` without its CPU's vector extensions, NoRuntime and JIT: the runtime's target.
Halide::Target runtimeTargetOf(const Halide::Target &kernels);

/// The runtime targets compiled at dlc's build time (as Halide::Target::to_string spells them).
std::vector<std::string> embeddedRuntimeTargets();

/// A runtime object compiled at build time (the generated HalideRuntimes.cpp defines them).
struct EmbeddedRuntime {
  const char *target;
  const unsigned char *bytes;
  size_t size;
};
extern const EmbeddedRuntime kEmbeddedRuntimes[];
extern const size_t kNumEmbeddedRuntimes;

} // namespace dl::halide

#endif // DLC_CODEGEN_HALIDE_RUNTIMETARGET_H
