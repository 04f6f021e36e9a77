//===- Array.cpp - Element types, shapes and conversions of data arrays ---===//
#include "runtime/data/Array.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace dldata {

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32: return "f32";
  case DType::F64: return "f64";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  case DType::U8: return "u8";
  case DType::Bool: return "bool";
  }
  return "?";
}

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32: case DType::I32: return 4;
  case DType::F64: case DType::I64: return 8;
  case DType::U8: case DType::Bool: return 1;
  }
  return 1;
}

int64_t Array::elements() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

Array makeArray(DType dtype, std::vector<int64_t> shape) {
  Array array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.bytes.assign(size_t(array.elements()) * dtypeSize(dtype), 0);
  return array;
}

bool checkedElementCount(const std::vector<int64_t> &shape, size_t elementSize, uint64_t &count) {
  count = 1;
  uint64_t limit = kMaxArrayBytes / elementSize;
  for (int64_t d : shape) {
    if (d < 0)
      return false;
    if (d == 0) {
      // An empty array, whatever the other dimensions say; they must still be valid numbers.
      count = 0;
      continue;
    }
    if (count != 0 && uint64_t(d) > limit / count)
      return false;
    count *= uint64_t(d);
  }
  return true;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::ostringstream text;
  text << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text << (i ? ", " : "") << shape[i];
  text << "]";
  return text.str();
}

std::string describe(DType dtype, const std::vector<int64_t> &shape) {
  return std::string(dtypeName(dtype)) + shapeString(shape);
}

namespace {

bool isFloat(DType dtype) { return dtype == DType::F32 || dtype == DType::F64; }

double loadFloat(const Array &a, size_t i) {
  switch (a.dtype) {
  case DType::F32: return a.data<float>()[i];
  case DType::F64: return a.data<double>()[i];
  case DType::I32: return a.data<int32_t>()[i];
  case DType::I64: return double(a.data<int64_t>()[i]);
  case DType::U8: case DType::Bool: return a.data<uint8_t>()[i];
  }
  return 0;
}

int64_t loadInteger(const Array &a, size_t i) {
  switch (a.dtype) {
  case DType::I32: return a.data<int32_t>()[i];
  case DType::I64: return a.data<int64_t>()[i];
  case DType::U8: case DType::Bool: return a.data<uint8_t>()[i];
  case DType::F32: case DType::F64: break;
  }
  return 0;
}

std::string valueText(const Array &a, size_t i) {
  std::ostringstream text;
  if (isFloat(a.dtype)) {
    text.precision(9);
    text << loadFloat(a, i);
  } else {
    text << loadInteger(a, i);
  }
  return text.str();
}

/// The range of an integer target type.
void integerRange(DType dtype, int64_t &lo, int64_t &hi) {
  switch (dtype) {
  case DType::I32: lo = std::numeric_limits<int32_t>::min(); hi = std::numeric_limits<int32_t>::max(); return;
  case DType::U8: lo = 0; hi = 255; return;
  case DType::Bool: lo = 0; hi = 1; return;
  default: lo = std::numeric_limits<int64_t>::min(); hi = std::numeric_limits<int64_t>::max(); return;
  }
}

void storeInteger(Array &a, size_t i, int64_t v) {
  switch (a.dtype) {
  case DType::I32: a.data<int32_t>()[i] = int32_t(v); return;
  case DType::I64: a.data<int64_t>()[i] = v; return;
  case DType::U8: case DType::Bool: a.data<uint8_t>()[i] = uint8_t(v); return;
  default: return;
  }
}

} // namespace

bool convert(const Array &in, DType to, Array &out, std::string &error) {
  Array result;
  result.dtype = to;
  result.shape = in.shape;
  if (in.dtype == to) {
    result.bytes = in.bytes;
    out = std::move(result);
    return true;
  }
  size_t n = size_t(in.elements());
  result.bytes.assign(n * dtypeSize(to), 0);
  if (isFloat(to)) {
    for (size_t i = 0; i < n; ++i) {
      double v = loadFloat(in, i);
      if (to == DType::F32)
        result.data<float>()[i] = float(v);
      else
        result.data<double>()[i] = v;
    }
    out = std::move(result);
    return true;
  }
  int64_t lo, hi;
  integerRange(to, lo, hi);
  for (size_t i = 0; i < n; ++i) {
    int64_t v;
    if (isFloat(in.dtype)) {
      double f = loadFloat(in, i);
      if (!(f == std::floor(f))) {
        error = "element " + std::to_string(i) + " is " + valueText(in, i) +
                ", not a whole number as " + dtypeName(to) + " needs";
        return false;
      }
      // The bounds compare exactly as doubles; i64's upper bound rounds up to 2^63, itself out of range.
      if (f < double(lo) || f >= double(hi) + (to == DType::I64 ? 0.0 : 1.0)) {
        error = "element " + std::to_string(i) + " is " + valueText(in, i) + ", outside the range of " +
                dtypeName(to);
        return false;
      }
      v = int64_t(f);
    } else {
      v = loadInteger(in, i);
      if (v < lo || v > hi) {
        error = "element " + std::to_string(i) + " is " + valueText(in, i) + ", outside the range of " +
                dtypeName(to);
        return false;
      }
    }
    storeInteger(result, i, v);
  }
  out = std::move(result);
  return true;
}

} // namespace dldata
