//===- Initializers.cpp - Filling parameters and buffers at creation -------===//
//
// Checks a descriptor's initializers, then draws each with runtime/rng/InitializerMath.h, the
// formulas the reference interpreter uses too: element i in double, stored straight into the
// tensor's memory as its dtype (only orthogonal keeps a double copy, because Gram–Schmidt needs
// the whole matrix before anything is stored).
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Initializers.h"

#include "runtime/rng/InitializerMath.h"

#include <cmath>
#include <cstring>
#include <vector>

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
    int32_t v = static_cast<int32_t>(value); // checkInitializer keeps it in range
    std::memcpy(static_cast<char *>(data) + 4 * i, &v, 4);
    break;
  }
  case DL_BOOL:
    static_cast<uint8_t *>(data)[i] = value != 0.0 ? 1 : 0;
    break;
  }
}

} // namespace

bool checkInitializer(const InitSpec &init, const TensorSpec &tensor, std::string &error) {
  const initializers::Initializer *entry = initializers::find(init.name);
  if (!entry) {
    error = "unknown initializer '" + init.name + "'";
    return false;
  }
  for (std::string_view name : entry->required)
    if (!init.args.count(std::string(name))) {
      error = "initializer '" + init.name + "' needs argument '" + std::string(name) + "'";
      return false;
    }
  if (initializers::drawsFloats(init.name) && tensor.dtype != DL_F32) {
    error = "initializer '" + init.name + "' draws floats, but the tensor is " +
            dl_dtype_name(tensor.dtype);
    return false;
  }
  if (init.name == "constant") {
    double v = init.args.at("value");
    if (tensor.dtype == DL_I32 && (v != std::trunc(v) || v < INT32_MIN || v > INT32_MAX)) {
      error = "constant " + std::to_string(v) + " is not an i32 value";
      return false;
    }
    if (tensor.dtype == DL_BOOL && v != 0.0 && v != 1.0) {
      error = "constant " + std::to_string(v) + " is not a bool value (0 or 1)";
      return false;
    }
  }
  if (init.name == "sinusoidal" && tensor.shape.size() != 2) {
    error = "sinusoidal needs a [positions, dim] table, not rank " +
            std::to_string(tensor.shape.size());
    return false;
  }
  return true;
}

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
  // checkInitializer made sure of the name, the arguments and the dtype.
  initializers::draw(init.name, args, tensor.shape, seed, init.stream,
             [&](size_t i, double value) { store(data, tensor.dtype, i, value); });
}

} // namespace dl::rt
