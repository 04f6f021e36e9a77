//===- HalideProbe.cpp - Smallest proof that Halide runs inside dlc -------===//
//
// See HalideProbe.h. Halide.h is included here and nowhere outside compiler/codegen/halide/.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/HalideProbe.h"

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
