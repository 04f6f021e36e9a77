//===- HalideProbe.h - Smallest proof that Halide runs inside dlc -*- C++ -*-===//
//
// Two tiny entry points that compile and run a Halide pipeline in the calling process. They exist to
// prove (in test/unit/TwoLLVMTest.cpp) that Halide 14, built on LLVM 14, and MLIR/LLVM 19 coexist in
// one process, and to give a quick sanity check of the host JIT. Test-only: the HalideProbe library
// (test/unit/codegen/CMakeLists.txt), not part of dlc's DLHalide.
//
// The interface is plain C++ on purpose: no Halide or LLVM type may cross this header, because Halide
// headers and LLVM/MLIR headers must never meet in one translation unit (see architecture.md).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_UNIT_CODEGEN_HALIDEPROBE_H
#define DLC_TEST_UNIT_CODEGEN_HALIDEPROBE_H

#include <string>

namespace dl::halide {

/// The Halide target string of the host, e.g. "x86-64-linux-avx-avx2-f16c-fma-sse41".
std::string hostTargetName();

/// JIT-compiles `out[i] = in[i] + 1` for the host and runs it over `n` floats.
/// `in` and `out` are owned by the caller and must hold `n` floats each. Returns false and sets
/// `error` (Halide's message) when compilation or execution fails; never throws.
bool jitAddOne(const float *in, float *out, int n, std::string &error);

} // namespace dl::halide

#endif // DLC_TEST_UNIT_CODEGEN_HALIDEPROBE_H
