//===- OpHelpers.h - Shared helpers of the dl ops' C++ -------------*- C++ -*-===//
//
// Conversions between MLIR tensor types and the MLIR-free shape rules, and the one way the ops report
// a shape error. Private to dialects/dl.
//
//===----------------------------------------------------------------------===//
#ifndef DL_OPS_OPHELPERS_H
#define DL_OPS_OPHELPERS_H

#include "dl/DLOps.h"
#include "dl/ShapeRules.h"

#include "mlir/IR/Diagnostics.h"
#include <optional>
#include <string>

namespace mlir::dl {

namespace shape = ::dl::shape;

/// The static shape of a ranked tensor type.
inline shape::Shape shapeOf(Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  return shape::Shape(t.getShape().begin(), t.getShape().end());
}

/// A ranked tensor type of the given shape and element type.
inline RankedTensorType tensorOf(const shape::Shape &s, Type elementType) {
  return RankedTensorType::get(s, elementType);
}

/// The type as MLIR prints it, for messages: 'tensor<4x8xf32>'.
inline std::string typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "'" << type << "'";
  return s;
}

/// Reports a failed inference at `loc` (when there is one) and fails.
inline LogicalResult inferenceError(std::optional<Location> loc, const Twine &message) {
  return emitOptionalError(loc, message);
}

/// The broadcast of `operands`, which share one element type (elementwise ops).
LogicalResult inferBroadcast(std::optional<Location> loc, ArrayRef<Type> operands,
                             SmallVectorImpl<Type> &inferred);

/// `target` itself, after checking that `operand` broadcasts to it (prelu's slopes).
LogicalResult inferBroadcastInto(std::optional<Location> loc, Type operand, Type target,
                                 SmallVectorImpl<Type> &inferred);

/// The type of a reduction over `axes` (all when empty).
LogicalResult inferReduction(std::optional<Location> loc, Type input, ArrayRef<int64_t> axes,
                             bool keepdims, SmallVectorImpl<Type> &inferred);

/// A scalar f32, after checking that prediction and target have one shape (elementwise losses).
LogicalResult inferElementwiseLoss(std::optional<Location> loc, Type prediction, Type target,
                                   SmallVectorImpl<Type> &inferred);

} // namespace mlir::dl

#endif // DL_OPS_OPHELPERS_H
