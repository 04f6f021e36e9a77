//===- Array.h - A dense array read from a data file --------------*- C++ -*-===//
//
// The one value every reader of runtime/data returns: an element type, a shape (outermost first)
// and the row-major, little-endian bytes. Also the conversions dl-run needs to hand an array to a
// model input of another element type (f64 -> f32, i64 -> i32, ...), which check what they lose.
//
// This file knows nothing about file formats; see Idx.h, Npy.h, Csv.h and ArrayFile.h.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_ARRAY_H
#define DL_RUNTIME_DATA_ARRAY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dldata {

/// Element types of data files. Bool takes one byte per element (0 or 1), as in NumPy and in the
/// model ABI.
enum class DType { F32, F64, I32, I64, U8, Bool };

/// "f32", "f64", "i32", "i64", "u8", "bool".
const char *dtypeName(DType dtype);

/// Bytes per element.
size_t dtypeSize(DType dtype);

/// The largest array a reader allocates (bytes); larger headers are reported as errors.
constexpr uint64_t kMaxArrayBytes = uint64_t(1) << 40;

struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;       ///< Outermost first; empty for a scalar.
  std::vector<unsigned char> bytes; ///< elements() * dtypeSize(dtype) bytes, row-major.

  /// The number of elements (1 for a scalar). The shape must have passed checkedElementCount.
  int64_t elements() const;

  template <typename T> T *data() { return reinterpret_cast<T *>(bytes.data()); }
  template <typename T> const T *data() const { return reinterpret_cast<const T *>(bytes.data()); }
};

/// Makes a zero-filled array; the caller has checked that the shape's size is sane.
Array makeArray(DType dtype, std::vector<int64_t> shape);

/// The product of `shape` in `count`; false when a dimension is negative or the product of the
/// dimensions times `elementSize` exceeds kMaxArrayBytes.
bool checkedElementCount(const std::vector<int64_t> &shape, size_t elementSize, uint64_t &count);

/// "[128, 784]" ("[]" for a scalar).
std::string shapeString(const std::vector<int64_t> &shape);

/// "f32[128, 784]".
std::string describe(DType dtype, const std::vector<int64_t> &shape);

/// Converts `in` to `to` into `out` (same shape). Integer targets take floating-point values only
/// when they are whole numbers in range, bool takes only 0 and 1, u8 only 0..255; any other value
/// is an error that names the first offending element (its flat index) and its value.
bool convert(const Array &in, DType to, Array &out, std::string &error);

} // namespace dldata

#endif // DL_RUNTIME_DATA_ARRAY_H
