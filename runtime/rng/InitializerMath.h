//===- InitializerMath.h - The formulas of dl's initializers, in one place -*- C++ -*-===//
//
// What a dl.param or dl.buffer's initializer puts in element i (row-major), shared by the
// reference interpreter (compiler/interpreter/Initializers.cpp, which keeps the doubles) and the
// runtime (runtime/core/Initializers.cpp, which stores them as the tensor's dtype), so that the
// two draw the same numbers by construction. Random initializers draw with Philox at
// (seed, i, stream, step 0), the stream being kInitStreamBase + the op's index in the model:
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
// The catalogue below names them and the arguments each needs; the dialect's verifier, the
// runtime's descriptor check and the interpreter read it (the frontend's table adds the user's
// positional order and defaults, and a unit test keeps the two in step).
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_RNG_INITIALIZERMATH_H
#define DL_RUNTIME_RNG_INITIALIZERMATH_H

#include "runtime/rng/Philox.h"

#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace dl::initializers {

/// An initializer's arguments; those it does not take are ignored.
struct Arguments {
  double value = 0, mean = 0, std = 1, lo = 0, hi = 1;
  double gain = 1; ///< Optional wherever it is taken.
  double fanIn = 0, fanOut = 0;
};

/// The initializers and the arguments a dl.param / dl.buffer's init_args must hold for each (the
/// frontend fills them in: PyTorch's fans from the shape, the user's or the default values);
/// `gain` is optional wherever it is taken. The dialect's verifier, the runtime's descriptor check
/// and the interpreter read this one table.
struct Initializer {
  std::string_view name;
  std::vector<std::string_view> required;
  bool takesGain = false;
};

inline const std::vector<Initializer> &catalogue() {
  static const std::vector<Initializer> table = {
      {"zeros", {}},
      {"ones", {}},
      {"constant", {"value"}},
      {"normal", {"mean", "std"}},
      {"uniform", {"lo", "hi"}},
      {"xavier_uniform", {"fan_in", "fan_out"}, true},
      {"xavier_normal", {"fan_in", "fan_out"}, true},
      {"he_normal", {"fan_in", "fan_out"}},
      {"he_uniform", {"fan_in", "fan_out"}},
      {"orthogonal", {"fan_in", "fan_out"}, true},
      {"sinusoidal", {}},
  };
  return table;
}

/// The catalogue's entry for `name`, or null.
inline const Initializer *find(std::string_view name) {
  for (const Initializer &i : catalogue())
    if (i.name == name)
      return &i;
  return nullptr;
}

/// Whether `name` is drawn from a distribution (f32 tensors only) rather than filled with a
/// constant (any dtype).
inline bool drawsFloats(std::string_view name) {
  return name != "zeros" && name != "ones" && name != "constant";
}

namespace detail {

/// Orthonormalizes the smaller side of the row-major [rows, cols] `m` in place: rows when the
/// matrix is wide, columns when it is tall (modified Gram–Schmidt, in double).
inline void orthonormalize(std::vector<double> &m, size_t rows, size_t cols) {
  bool byRows = rows < cols;
  size_t count = byRows ? rows : cols, length = byRows ? cols : rows;
  auto at = [&](size_t vector, size_t e) -> double & {
    return byRows ? m[vector * cols + e] : m[e * cols + vector];
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
}

} // namespace detail

/// Calls store(i, value) for every element i of a tensor of `shape` initialized by `name` with
/// `args` (sinusoidal needs rank 2; the caller checks that and the name). False for a name that
/// is none of the above.
template <typename Store>
bool draw(std::string_view name, const Arguments &args, const std::vector<int64_t> &shape,
          uint64_t seed, uint32_t stream, Store store) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<size_t>(d);
  auto normal = [&](double mean, double std) {
    for (size_t i = 0; i < n; ++i)
      store(i, mean + std * rng::normal(seed, i, stream, 0));
  };
  auto uniform = [&](double lo, double hi) {
    for (size_t i = 0; i < n; ++i)
      store(i, lo + (hi - lo) * rng::uniform01(seed, i, stream, 0));
  };
  if (name == "zeros" || name == "ones" || name == "constant") {
    double v = name == "ones" ? 1.0 : name == "zeros" ? 0.0 : args.value;
    for (size_t i = 0; i < n; ++i)
      store(i, v);
  } else if (name == "normal") {
    normal(args.mean, args.std);
  } else if (name == "uniform") {
    uniform(args.lo, args.hi);
  } else if (name == "xavier_uniform") {
    double bound = args.gain * std::sqrt(6.0 / (args.fanIn + args.fanOut));
    uniform(-bound, bound);
  } else if (name == "xavier_normal") {
    normal(0.0, args.gain * std::sqrt(2.0 / (args.fanIn + args.fanOut)));
  } else if (name == "he_normal") {
    normal(0.0, std::sqrt(2.0 / args.fanIn));
  } else if (name == "he_uniform") {
    double bound = std::sqrt(6.0 / args.fanIn);
    uniform(-bound, bound);
  } else if (name == "orthogonal") {
    size_t rows = shape.empty() ? 1 : static_cast<size_t>(shape[0]);
    if (rows == 0 || n == 0)
      return true;
    std::vector<double> m(n);
    for (size_t i = 0; i < n; ++i)
      m[i] = rng::normal(seed, i, stream, 0);
    detail::orthonormalize(m, rows, n / rows);
    for (size_t i = 0; i < n; ++i)
      store(i, m[i] * args.gain);
  } else if (name == "sinusoidal") {
    int64_t positions = shape[0], dim = shape[1];
    for (int64_t pos = 0; pos < positions; ++pos)
      for (int64_t j = 0; j < dim; ++j) {
        double angle = pos / std::pow(10000.0, static_cast<double>(j - j % 2) / dim);
        store(static_cast<size_t>(pos * dim + j), j % 2 == 0 ? std::sin(angle) : std::cos(angle));
      }
  } else {
    return false;
  }
  return true;
}

} // namespace dl::initializers

#endif // DL_RUNTIME_RNG_INITIALIZERMATH_H
