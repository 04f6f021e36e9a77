//===- TensorComparison.cpp - Compiled results against the interpreter's --===//
#include "TensorComparison.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>

namespace dl::e2e {

using interp::ElementKind;
using interp::Tensor;

static int64_t elementsOf(const dl_tensor_info &info) {
  int64_t n = 1;
  for (int i = 0; i < info.rank; ++i)
    n *= info.shape[i];
  return n;
}

std::vector<unsigned char> toHost(const Tensor &value, const dl_tensor_info &info) {
  std::vector<unsigned char> bytes(info.bytes);
  int64_t n = std::min<int64_t>(elementsOf(info), value.numElements());
  for (int64_t i = 0; i < n; ++i) {
    double v = value.data[i];
    switch (info.dtype) {
    case DL_F32: {
      float f = static_cast<float>(v);
      std::memcpy(bytes.data() + 4 * i, &f, 4);
      break;
    }
    case DL_I32: {
      int32_t k = static_cast<int32_t>(v);
      std::memcpy(bytes.data() + 4 * i, &k, 4);
      break;
    }
    case DL_BOOL:
      bytes[i] = v != 0;
      break;
    }
  }
  return bytes;
}

Tensor fromHost(const void *data, const dl_tensor_info &info) {
  Tensor t;
  t.shape.assign(info.shape, info.shape + info.rank);
  t.kind = info.dtype == DL_F32 ? ElementKind::F32
           : info.dtype == DL_I32 ? ElementKind::I32
                                  : ElementKind::I1;
  int64_t n = elementsOf(info);
  t.data.resize(n);
  const auto *bytes = static_cast<const unsigned char *>(data);
  for (int64_t i = 0; i < n; ++i) {
    switch (info.dtype) {
    case DL_F32: {
      float f;
      std::memcpy(&f, bytes + 4 * i, 4);
      t.data[i] = f;
      break;
    }
    case DL_I32: {
      int32_t k;
      std::memcpy(&k, bytes + 4 * i, 4);
      t.data[i] = k;
      break;
    }
    case DL_BOOL:
      t.data[i] = bytes[i] != 0;
      break;
    }
  }
  return t;
}

std::string multiIndex(const std::vector<int64_t> &shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::string s = "[";
  for (size_t d = 0; d < index.size(); ++d)
    s += (d ? ", " : "") + std::to_string(index[d]);
  return s + "]";
}

static bool close(double compiled, double reference, double scale, ElementKind kind,
                  Tolerance tolerance) {
  if (kind != ElementKind::F32)
    return compiled == reference;
  if (std::isnan(compiled) || std::isnan(reference))
    return std::isnan(compiled) && std::isnan(reference);
  if (std::isinf(compiled) || std::isinf(reference))
    return compiled == reference;
  double size = std::max({std::fabs(compiled), std::fabs(reference), tolerance.share * scale});
  return std::fabs(compiled - reference) <= tolerance.absolute + tolerance.relative * size;
}

::testing::AssertionResult matches(const std::string &what, const Tensor &compiled,
                                   const Tensor &reference, Tolerance tolerance) {
  if (compiled.shape != reference.shape)
    return ::testing::AssertionFailure()
           << what << ": the compiled model's tensor is " << compiled.typeString()
           << ", the interpreter's " << reference.typeString();
  double scale = 0;
  for (double v : reference.data)
    if (std::isfinite(v))
      scale = std::max(scale, std::fabs(v));
  constexpr int kShown = 8;
  int64_t mismatches = 0;
  double worst = 0;
  bool nonFinite = false; // A NaN or an infinity on one side only.
  std::ostringstream shown;
  shown.precision(9);
  for (int64_t i = 0; i < reference.numElements(); ++i) {
    double c = compiled.data[i], r = reference.data[i];
    if (close(c, r, scale, reference.kind, tolerance))
      continue;
    if (mismatches++ < kShown)
      shown << "\n  " << what << multiIndex(reference.shape, i) << ": compiled " << c
            << ", interpreter " << r;
    double difference = std::fabs(c - r);
    if (std::isfinite(difference))
      worst = std::max(worst, difference);
    else
      nonFinite = true;
  }
  if (mismatches == 0)
    return ::testing::AssertionSuccess();
  auto number = [](double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  };
  return ::testing::AssertionFailure()
         << what << " (" << reference.typeString() << "): " << mismatches << " of "
         << reference.numElements() << " elements differ "
         << (reference.kind == ElementKind::F32
                 ? "beyond relative " + number(tolerance.relative) + " (of at least " +
                       number(tolerance.share * scale) + ") + absolute " +
                       number(tolerance.absolute)
                 : std::string("(they must be equal)"))
         << (nonFinite ? " (some NaN or infinite on one side only)"
                       : " (largest difference " + number(worst) + ")")
         << shown.str()
         << (mismatches > kShown ? "\n  ..." : "");
}

std::vector<bool> changedElements(const Tensor &before, const Tensor &after) {
  std::vector<bool> changed(before.data.size());
  for (size_t i = 0; i < changed.size() && i < after.data.size(); ++i)
    changed[i] = before.data[i] != after.data[i];
  return changed;
}

} // namespace dl::e2e
