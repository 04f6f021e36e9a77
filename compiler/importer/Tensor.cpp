//===- Tensor.cpp - Tensors the importer knows the values of --------------===//
#include "compiler/importer/Tensor.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace dlc::importer {

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "bool";
  }
  return "?";
}

std::string formatShape(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<int64_t> Tensor::ints() const {
  std::vector<int64_t> out;
  out.reserve(values.size());
  // Values are held as doubles, where ONNX's INT64_MAX ("to the end", as torch.onnx.export writes
  // `t[6:]`'s end) rounds up to 2^63, past int64_t: converting it would be undefined (INT64_MIN on
  // x86, an empty slice). Saturate instead.
  constexpr double kTwo63 = 9223372036854775808.0;
  for (double v : values)
    out.push_back(v >= kTwo63    ? std::numeric_limits<int64_t>::max()
                  : v <= -kTwo63 ? std::numeric_limits<int64_t>::min()
                                 : static_cast<int64_t>(v));
  return out;
}

bool Tensor::isUniform() const {
  if (values.empty())
    return false;
  for (double v : values)
    if (!(v == values[0]) || std::signbit(v) != std::signbit(values[0]))
      return false;
  return true;
}

Tensor makeTensor(DType dtype, Shape shape, std::vector<double> values) {
  if (dtype == DType::F32)
    for (double &v : values)
      v = static_cast<float>(v);
  return Tensor{dtype, std::move(shape), std::move(values)};
}

std::string formatFloat(double value) {
  float f = static_cast<float>(value);
  if (f == std::floor(f) && std::fabs(f) < 1e15 && !(f == 0 && std::signbit(f)))
    return std::to_string(static_cast<long long>(f)) + ".0";
  char buffer[32];
  for (int precision = 1; precision <= 9; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, static_cast<double>(f));
    if (std::strtof(buffer, nullptr) == f)
      break;
  }
  return buffer;
}

} // namespace dlc::importer
