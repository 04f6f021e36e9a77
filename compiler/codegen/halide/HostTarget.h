//===- HostTarget.h - The Halide target of the machine dlc runs on -*- C++ -*-===//
//
// Halide 14 takes every x86 CPU with AVX512-BF16 for a Sapphire Rapids, and its Sapphire Rapids
// target lets LLVM use AVX512-FP16 instructions (vmovw for 16-bit loads, among others). AMD's
// Zen 4 has AVX512-BF16 but not AVX512-FP16, so kernels compiled for its "host" target die with
// SIGILL. hostTarget() is Halide's host target without the Sapphire Rapids feature where CPUID
// reports no AVX512-FP16 (the Cannon Lake and Skylake AVX-512 features stay).
//
//===----------------------------------------------------------------------===//
#ifndef DL_CODEGEN_HALIDE_HOSTTARGET_H
#define DL_CODEGEN_HALIDE_HOSTTARGET_H

#include "Halide.h"

namespace dl::halide {

/// The host's target, limited to the features this CPU runs.
Halide::Target hostTarget();

/// The target of JIT compilation: HL_JIT_TARGET when the environment sets it (Halide's rule),
/// else hostTarget() with the JIT feature.
Halide::Target jitTarget();

} // namespace dl::halide

#endif // DL_CODEGEN_HALIDE_HOSTTARGET_H
