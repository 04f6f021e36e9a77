//===- Initializers.cpp - Filling parameters and buffers at creation -------===//
//
// Mirrors compiler/interpreter/Initializers.cpp formula for formula (see its banner for the list).
// Element i of a random initializer is drawn with Philox at (seed, i, init.stream, step 0), in
// double, and stored straight into the tensor's memory; only orthogonal keeps a double copy, because
// Gram–Schmidt needs the whole matrix before anything is stored.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Initializers.h"

#include "runtime/rng/Philox.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace dl::rt {
namespace {

/// Initializers that need fan_in and fan_out (and take an optional gain).
bool needsFans(const std::string &name) {
  return name == "xavier_uniform" || name == "xavier_normal" || name == "he_normal" ||
         name == "he_uniform" || name == "orthogonal";
}

/// The arguments each initializer requires (mirrors dialects/dl/ops/ModelOps.cpp and the
/// interpreter, which also requires both fans of the fan-based ones).
bool requiredArguments(const std::string &name, std::vector<const char *> &required) {
  if (name == "zeros" || name == "ones" || name == "sinusoidal")
    required = {};
  else if (name == "constant")
    required = {"value"};
  else if (name == "normal")
    required = {"mean", "std"};
  else if (name == "uniform")
    required = {"lo", "hi"};
  else if (needsFans(name))
    required = {"fan_in", "fan_out"};
  else
    return false;
  return true;
}

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

void fillConstant(void *data, const TensorSpec &tensor, double value) {
  size_t n = tensor.numElements();
  for (size_t i = 0; i < n; ++i)
    store(data, tensor.dtype, i, value);
}

void drawNormal(float *data, size_t n, uint64_t seed, uint32_t stream, double mean, double std) {
  for (size_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(mean + std * rng::normal(seed, i, stream, 0));
}

void drawUniform(float *data, size_t n, uint64_t seed, uint32_t stream, double lo, double hi) {
  for (size_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(lo + (hi - lo) * rng::uniform01(seed, i, stream, 0));
}

/// gain * an orthonormal [rows, numel / rows] matrix: the interpreter's modified Gram–Schmidt over
/// the smaller side, in double.
void drawOrthogonal(float *data, const TensorSpec &tensor, uint64_t seed, uint32_t stream,
                    double gain) {
  size_t n = tensor.numElements();
  size_t rows = tensor.shape.empty() ? 1 : static_cast<size_t>(tensor.shape[0]);
  if (rows == 0 || n == 0)
    return;
  size_t cols = n / rows;
  std::vector<double> value(n);
  for (size_t i = 0; i < n; ++i)
    value[i] = rng::normal(seed, i, stream, 0);
  bool byRows = rows < cols;
  size_t count = byRows ? rows : cols, length = byRows ? cols : rows;
  auto at = [&](size_t vector, size_t e) -> double & {
    return byRows ? value[vector * cols + e] : value[e * cols + vector];
  };
  for (size_t v = 0; v < count; ++v) {
    for (size_t u = 0; u < v; ++u) {
      double dot = 0;
      for (size_t e = 0; e < length; ++e)
        dot += at(u, e) * at(v, e);
      for (size_t e = 0; e < length; ++e)
        at(v, e) -= dot * at(u, e);
    }
    double norm = 0;
    for (size_t e = 0; e < length; ++e)
      norm += at(v, e) * at(v, e);
    norm = std::sqrt(norm);
    for (size_t e = 0; e < length; ++e)
      at(v, e) = norm > 0 ? at(v, e) / norm : 0.0;
  }
  for (size_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(value[i] * gain);
}

/// The Transformer's positional encodings of a [positions, dim] table.
void drawSinusoidal(float *data, const TensorSpec &tensor) {
  int64_t positions = tensor.shape[0], dim = tensor.shape[1];
  for (int64_t pos = 0; pos < positions; ++pos)
    for (int64_t j = 0; j < dim; ++j) {
      double angle = pos / std::pow(10000.0, static_cast<double>(j - j % 2) / dim);
      data[pos * dim + j] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
}

} // namespace

bool checkInitializer(const InitSpec &init, const TensorSpec &tensor, std::string &error) {
  std::vector<const char *> required;
  if (!requiredArguments(init.name, required)) {
    error = "unknown initializer '" + init.name + "'";
    return false;
  }
  for (const char *name : required)
    if (!init.args.count(name)) {
      error = "initializer '" + init.name + "' needs argument '" + name + "'";
      return false;
    }
  bool constant = init.name == "zeros" || init.name == "ones" || init.name == "constant";
  if (!constant && tensor.dtype != DL_F32) {
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
  const std::string &name = init.name;
  if (name == "zeros" || name == "ones" || name == "constant") {
    double value = name == "ones" ? 1.0 : name == "zeros" ? 0.0 : init.args.at("value");
    fillConstant(data, tensor, value);
    return;
  }
  // Every other initializer draws f32 (checkInitializer made sure).
  float *out = static_cast<float *>(data);
  size_t n = tensor.numElements();
  uint32_t stream = init.stream;
  if (name == "normal") {
    drawNormal(out, n, seed, stream, init.args.at("mean"), init.args.at("std"));
    return;
  }
  if (name == "uniform") {
    drawUniform(out, n, seed, stream, init.args.at("lo"), init.args.at("hi"));
    return;
  }
  if (name == "sinusoidal") {
    drawSinusoidal(out, tensor);
    return;
  }
  double fanIn = init.args.at("fan_in"), fanOut = init.args.at("fan_out");
  double gain = argumentOr(init, "gain", 1.0);
  if (name == "xavier_uniform") {
    double bound = gain * std::sqrt(6.0 / (fanIn + fanOut));
    drawUniform(out, n, seed, stream, -bound, bound);
  } else if (name == "xavier_normal") {
    drawNormal(out, n, seed, stream, 0.0, gain * std::sqrt(2.0 / (fanIn + fanOut)));
  } else if (name == "he_normal") {
    drawNormal(out, n, seed, stream, 0.0, std::sqrt(2.0 / fanIn));
  } else if (name == "he_uniform") {
    double bound = std::sqrt(6.0 / fanIn);
    drawUniform(out, n, seed, stream, -bound, bound);
  } else {
    drawOrthogonal(out, tensor, seed, stream, gain);
  }
}

} // namespace dl::rt
