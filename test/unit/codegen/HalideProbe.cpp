//===- HalideProbe.cpp - Smallest proof that Halide runs inside dlc -------===//
//
// See HalideProbe.h. Like ConvKernelBench.cpp, it includes Halide.h (through the private
// HostTarget.h of compiler/codegen/halide) outside the code generator: it is test code, built
// against Halide's headers in this folder's scope only.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/HalideProbe.h"

#include "compiler/codegen/halide/HostTarget.h"

namespace dl::halide {

std::string hostTargetName() { return hostTarget().to_string(); }

bool jitAddOne(const float *in, float *out, int n, std::string &error) {
  if (n <= 0) {
    error = "jitAddOne needs at least one element, not " + std::to_string(n);
    return false;
  }
  try {
    // Halide buffers wrap the caller's memory without copying; the input is only read.
    Halide::Buffer<float> input(const_cast<float *>(in), n);
    Halide::Buffer<float> output(out, n);

    Halide::Func addOne("add_one");
    Halide::Var x("x");
    addOne(x) = input(x) + 1.0f;
    addOne.vectorize(x, 8, Halide::TailStrategy::GuardWithIf);

    addOne.realize(output, jitTarget());
    return true;
  } catch (const Halide::Error &e) {
    error = e.what();
    return false;
  }
}

} // namespace dl::halide
