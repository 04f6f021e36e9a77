//===- Tensor.h - Tensors the importer knows the values of ---------*- C++ -*-===//
//
// A tensor whose values are known at import time: an ONNX initializer, a Constant node's value, or
// what the importer folds from them (shapes, indices). Values are held as doubles, which hold every
// float32 and every integer up to 2^53 exactly; float32 results are rounded back to float32 as they
// are made. No MLIR here: the importer only writes .dl text and safetensors.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_TENSOR_H
#define DLC_IMPORTER_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::importer {

/// The element types the importer handles. ONNX int64 becomes dlc's i32 (ids, labels, indices).
enum class DType { F32, I32, I64, Bool };

/// "f32", "i32", "i64", "bool".
const char *dtypeName(DType dtype);

using Shape = std::vector<int64_t>;

/// "[2, 3]".
std::string formatShape(const Shape &shape);

/// The number of elements of `shape` (1 for a scalar).
int64_t numElements(const Shape &shape);

/// A tensor with known values, in row-major order.
struct Tensor {
  DType dtype = DType::F32;
  Shape shape;
  std::vector<double> values;

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  bool isFloat() const { return dtype == DType::F32; }
  /// The values as integers (truncated).
  std::vector<int64_t> ints() const;
  /// Whether every value equals the first (and there is one).
  bool isUniform() const;
};

/// A tensor of `dtype` and `shape` holding `values` (rounded to float32 for F32).
Tensor makeTensor(DType dtype, Shape shape, std::vector<double> values);

/// The shortest decimal text that reads back as the float32 `value` ("0.1", "1e-05", "3.0"; an
/// integral value keeps a ".0", so builtins that take an integer or a tensor read a number).
std::string formatFloat(double value);

} // namespace dlc::importer

#endif // DLC_IMPORTER_TENSOR_H
