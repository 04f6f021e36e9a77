//===- Initializers.cpp - Drawing parameters and buffers from their initializers ===//
//
// The initializers a dl.param / dl.buffer names (see dialects/dl/ops/ModelOps.cpp for the list and
// the arguments each carries; the frontend fills in fan_in and fan_out by PyTorch's conventions).
// Random ones draw element i (row-major) with Philox at (seed, stream, step 0), the stream being
// kInitStreamBase + the op's index in the model (runtime/rng/Philox.h):
//
//   zeros, ones, constant(value)
//   normal(mean, std)            mean + std * normal(i)
//   uniform(lo, hi)              lo + (hi - lo) * uniform01(i)
//   xavier_uniform(gain)         uniform(-b, b), b = gain * sqrt(6 / (fan_in + fan_out))
//   xavier_normal(gain)          normal(0, gain * sqrt(2 / (fan_in + fan_out)))
//   he_normal                    normal(0, sqrt(2 / fan_in))
//   he_uniform                   uniform(-b, b), b = sqrt(6 / fan_in)
//   orthogonal(gain)             gain * Q, Q orthonormalized from a normal [rows, numel / rows]
//                                matrix by modified Gram–Schmidt over its smaller side: the Q of
//                                torch.nn.init.orthogonal_'s QR with R's diagonal made positive
//   sinusoidal                   the Transformer's positional encodings of a [positions, dim] table:
//                                sin(pos / 10000^(2i / dim)) at 2i, cos(...) at 2i + 1
//
// `gain` is optional (1 when absent); every other argument is required.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include "runtime/rng/Philox.h"

#include <cmath>

using namespace mlir;

namespace dl::interp {
namespace {

/// Reads numeric argument `name` (a float or an integer attribute) into `out`.
bool argument(DictionaryAttr args, llvm::StringRef name, double &out, std::string &error,
              const double *fallback = nullptr) {
  Attribute a = args ? args.get(name) : Attribute();
  if (auto f = llvm::dyn_cast_or_null<FloatAttr>(a)) {
    out = f.getValueAsDouble();
    return true;
  }
  if (auto i = llvm::dyn_cast_or_null<IntegerAttr>(a)) {
    out = static_cast<double>(i.getInt());
    return true;
  }
  if (!a && fallback) {
    out = *fallback;
    return true;
  }
  error = a ? "argument '" + name.str() + "' is not a number"
            : "missing argument '" + name.str() + "'";
  return false;
}

/// Fills `value` with mean + std * normal(i).
void drawNormal(Tensor &value, uint64_t seed, uint32_t stream, double mean, double std) {
  for (size_t i = 0; i < value.data.size(); ++i)
    value.data[i] = mean + std * rng::normal(seed, i, stream, 0);
}

/// Fills `value` with lo + (hi - lo) * uniform01(i).
void drawUniform(Tensor &value, uint64_t seed, uint32_t stream, double lo, double hi) {
  for (size_t i = 0; i < value.data.size(); ++i)
    value.data[i] = lo + (hi - lo) * rng::uniform01(seed, i, stream, 0);
}

/// gain * an orthonormal [rows, cols] matrix (rows = shape[0]), as described in the banner.
void drawOrthogonal(Tensor &value, uint64_t seed, uint32_t stream, double gain) {
  int64_t n = value.numElements();
  int64_t rows = value.rank() == 0 ? 1 : value.shape[0];
  if (rows == 0 || n == 0)
    return;
  int64_t cols = n / rows;
  drawNormal(value, seed, stream, 0.0, 1.0);
  // Orthonormalize the smaller side: rows when the matrix is wide, columns when it is tall.
  bool byRows = rows < cols;
  int64_t count = byRows ? rows : cols, length = byRows ? cols : rows;
  auto at = [&](int64_t vector, int64_t e) -> double & {
    return byRows ? value.data[vector * cols + e] : value.data[e * cols + vector];
  };
  for (int64_t v = 0; v < count; ++v) {
    for (int64_t u = 0; u < v; ++u) {
      double dot = 0;
      for (int64_t e = 0; e < length; ++e)
        dot += at(u, e) * at(v, e);
      for (int64_t e = 0; e < length; ++e)
        at(v, e) -= dot * at(u, e);
    }
    double norm = 0;
    for (int64_t e = 0; e < length; ++e)
      norm += at(v, e) * at(v, e);
    norm = std::sqrt(norm);
    for (int64_t e = 0; e < length; ++e)
      at(v, e) = norm > 0 ? at(v, e) / norm : 0.0;
  }
  for (double &x : value.data)
    x *= gain;
}

bool drawSinusoidal(Tensor &value, std::string &error) {
  if (value.rank() != 2) {
    error = "sinusoidal needs a [positions, dim] table, not " + value.typeString();
    return false;
  }
  int64_t positions = value.shape[0], dim = value.shape[1];
  for (int64_t pos = 0; pos < positions; ++pos)
    for (int64_t j = 0; j < dim; ++j) {
      double angle = pos / std::pow(10000.0, static_cast<double>(j - j % 2) / dim);
      value.data[pos * dim + j] = j % 2 == 0 ? std::sin(angle) : std::cos(angle);
    }
  return true;
}

} // namespace

bool drawInitializer(llvm::StringRef init, DictionaryAttr args, uint64_t seed, uint32_t stream,
                     Tensor &value, std::string &error) {
  const double one = 1.0;
  if (init == "zeros" || init == "ones" || init == "constant") {
    double v = init == "ones" ? 1.0 : 0.0;
    if (init == "constant" && !argument(args, "value", v, error))
      return false;
    for (double &x : value.data)
      x = v;
    return true;
  }
  if (value.kind != ElementKind::F32) {
    error = "initializer '" + init.str() + "' draws floats, but the tensor is " + value.typeString();
    return false;
  }
  double a = 0, b = 0, gain = 1, fanIn = 0, fanOut = 0;
  if (init == "normal") {
    if (!argument(args, "mean", a, error) || !argument(args, "std", b, error))
      return false;
    drawNormal(value, seed, stream, a, b);
    return true;
  }
  if (init == "uniform") {
    if (!argument(args, "lo", a, error) || !argument(args, "hi", b, error))
      return false;
    drawUniform(value, seed, stream, a, b);
    return true;
  }
  if (init == "sinusoidal")
    return drawSinusoidal(value, error);

  bool fans = init == "xavier_uniform" || init == "xavier_normal" || init == "he_normal" ||
              init == "he_uniform" || init == "orthogonal";
  if (!fans) {
    error = "unknown initializer '" + init.str() + "'";
    return false;
  }
  if (!argument(args, "fan_in", fanIn, error) || !argument(args, "fan_out", fanOut, error) ||
      !argument(args, "gain", gain, error, &one))
    return false;
  if (init == "xavier_uniform") {
    double bound = gain * std::sqrt(6.0 / (fanIn + fanOut));
    drawUniform(value, seed, stream, -bound, bound);
  } else if (init == "xavier_normal") {
    drawNormal(value, seed, stream, 0.0, gain * std::sqrt(2.0 / (fanIn + fanOut)));
  } else if (init == "he_normal") {
    drawNormal(value, seed, stream, 0.0, std::sqrt(2.0 / fanIn));
  } else if (init == "he_uniform") {
    double bound = std::sqrt(6.0 / fanIn);
    drawUniform(value, seed, stream, -bound, bound);
  } else {
    drawOrthogonal(value, seed, stream, gain);
  }
  return true;
}

} // namespace dl::interp
