//===- Initializers.cpp - Filling parameters and buffers at creation -------===//
//
// Draws each initializer of a checked descriptor (Descriptor.cpp checks them) with
// runtime/rng/InitializerMath.h, the formulas the reference interpreter uses too: element i in
// double, stored straight into the tensor's memory as its dtype (only orthogonal keeps a double
// copy, because Gram–Schmidt needs the whole matrix before anything is stored).
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Initializers.h"

#include "runtime/rng/InitializerMath.h"

#include <cstring>

namespace dl::rt {
namespace {

double argumentOr(const InitSpec &init, const char *name, double fallback) {
  auto it = init.args.find(name);
  return it == init.args.end() ? fallback : it->second;
}

/// Stores `value` as element `i` of a tensor of `dtype` at `data`.
void store(void *data, dl_dtype dtype, size_t i, double value) {
  switch (dtype) {
  case DL_F32: {
    float f = static_cast<float>(value);
    std::memcpy(static_cast<char *>(data) + 4 * i, &f, 4);
    break;
  }
  case DL_I32: {
    int32_t v = static_cast<int32_t>(value); // the descriptor check keeps it in range
    std::memcpy(static_cast<char *>(data) + 4 * i, &v, 4);
    break;
  }
  case DL_BOOL:
    static_cast<uint8_t *>(data)[i] = value != 0.0 ? 1 : 0;
    break;
  }
}

} // namespace

void drawInitializer(const InitSpec &init, const TensorSpec &tensor, uint64_t seed, void *data) {
  initializers::Arguments args;
  args.value = argumentOr(init, "value", 0.0);
  args.mean = argumentOr(init, "mean", 0.0);
  args.std = argumentOr(init, "std", 1.0);
  args.lo = argumentOr(init, "lo", 0.0);
  args.hi = argumentOr(init, "hi", 1.0);
  args.gain = argumentOr(init, "gain", 1.0);
  args.fanIn = argumentOr(init, "fan_in", 0.0);
  args.fanOut = argumentOr(init, "fan_out", 0.0);
  // The descriptor check made sure of the name, the arguments and the dtype.
  initializers::draw(init.name, args, tensor.shape, seed, init.stream,
             [&](size_t i, double value) { store(data, tensor.dtype, i, value); });
}

} // namespace dl::rt
