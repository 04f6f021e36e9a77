//===- Tensor.cpp - Tensors of the interpreter and their index arithmetic -===//
//
// The Tensor helpers of Interpreter.h and the index arithmetic that Kernels.h shares among the op
// families: strides, NumPy broadcasting, axis views and 32-bit wrapping.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <cstdint>

namespace dl::interp {

bool kindOf(mlir::Type elementType, ElementKind &kind) {
  if (llvm::isa<mlir::FloatType>(elementType)) {
    kind = ElementKind::F32;
    return true;
  }
  if (elementType.isSignlessInteger(32)) {
    kind = ElementKind::I32;
    return true;
  }
  if (elementType.isSignlessInteger(1)) {
    kind = ElementKind::I1;
    return true;
  }
  return false;
}

const char *kindName(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "f32";
  case ElementKind::I32:
    return "i32";
  case ElementKind::I1:
    return "i1";
  }
  return "?";
}

int64_t Tensor::numElements() const { return numElementsOf(shape); }

Tensor Tensor::scalar(double value, ElementKind kind) { return Tensor({}, kind, {value}); }

Tensor Tensor::filled(std::vector<int64_t> shape, double value, ElementKind kind) {
  int64_t n = numElementsOf(shape);
  return Tensor(std::move(shape), kind, std::vector<double>(n, value));
}

Tensor Tensor::fromType(mlir::RankedTensorType type) {
  ElementKind kind = ElementKind::F32;
  (void)kindOf(type.getElementType(), kind);
  return filled(std::vector<int64_t>(type.getShape().begin(), type.getShape().end()), 0.0, kind);
}

std::string Tensor::typeString() const {
  std::string s = kindName(kind);
  s += "[";
  for (size_t d = 0; d < shape.size(); ++d)
    s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

int64_t numElementsOf(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

void nextIndex(std::vector<int64_t> &index, const Shape &shape) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (++index[d] < shape[d])
      return;
    index[d] = 0;
  }
}

std::vector<int64_t> broadcastIndices(const Shape &in, const Shape &out) {
  // The stride of `in` seen from each output dimension: 0 where `in` is missing or has size 1.
  int64_t lead = static_cast<int64_t>(out.size() - in.size());
  Shape inStrides = stridesOf(in);
  Shape step(out.size(), 0);
  for (size_t d = 0; d < out.size(); ++d) {
    int64_t din = static_cast<int64_t>(d) - lead;
    if (din >= 0 && in[din] != 1)
      step[d] = inStrides[din];
  }
  int64_t n = numElementsOf(out);
  std::vector<int64_t> indices(n);
  std::vector<int64_t> index(out.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = 0;
    for (size_t d = 0; d < out.size(); ++d)
      flat += index[d] * step[d];
    indices[i] = flat;
    nextIndex(index, out);
  }
  return indices;
}

int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

AxisView viewAround(const Shape &shape, int64_t axis) {
  AxisView v;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis)
      v.outer *= shape[d];
    else if (d == axis)
      v.size = shape[d];
    else
      v.inner *= shape[d];
  }
  return v;
}

double wrapI32(int64_t value) {
  return static_cast<double>(static_cast<int32_t>(static_cast<uint32_t>(value)));
}

} // namespace dl::interp
