//===- HalideRuntimeObject.cpp - Writes a Halide runtime object for the tests ===//
//
// Usage: dl-test-halide-runtime <out.o>
// The Halide runtime (thread pool, halide_error, allocation) for the host, as a standalone object,
// which the test build links into the fake model.so the way dlc links the real one into every
// model.so. Test-only: the compiler's own copy comes from dl::codegen::compileHalideRuntime.
//
//===----------------------------------------------------------------------===//
#include "Halide.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <out.o>\n", argv[0]);
    return 2;
  }
  // Without the Sapphire Rapids feature, which Halide 14 also gives AMD's Zen 4 (no AVX512-FP16;
  // compiler/codegen/halide/HostTarget.h): the runtime needs none of it.
  Halide::compile_standalone_runtime(
      argv[1], Halide::get_host_target().without_feature(Halide::Target::AVX512_SapphireRapids));
  return 0;
}
