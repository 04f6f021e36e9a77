//===- OpHelpers.h - Shared helpers of the dl ops' C++ -------------*- C++ -*-===//
//
// Conversions between MLIR tensor types and the MLIR-free shape rules, the one way the ops report
// a shape error, and the type inference shared by the ops of several families (elementwise,
// reductions, losses, the 2-D window ops of convolution and pooling). Private to dialects/dl.
//
//===----------------------------------------------------------------------===//
#ifndef DL_OPS_OPHELPERS_H
#define DL_OPS_OPHELPERS_H

#include "dl/DLOps.h"
#include "dl/ShapeRules.h"

#include "llvm/ADT/STLFunctionalExtras.h"
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

/// The i32 type of argmax or argmin along `axis` (a reduction over that one axis).
LogicalResult inferArgExtremum(MLIRContext *context, std::optional<Location> loc, Type input,
                               int64_t axis, bool keepdims, SmallVectorImpl<Type> &inferred);

/// `input`'s own type, after checking that `axis` names one of its dimensions (cumsum).
LogicalResult inferAlongAxis(std::optional<Location> loc, StringRef op, Type input, int64_t axis,
                             SmallVectorImpl<Type> &inferred);

/// topk's two types: `input`'s with `axis` k long, in its element type and in i32, after checking
/// that `axis` names a dimension and that 1 <= k <= its size.
LogicalResult inferTopk(MLIRContext *context, std::optional<Location> loc, Type input, int64_t k,
                        int64_t axis, SmallVectorImpl<Type> &inferred);

/// A scalar f32, after checking that prediction and target have one shape (elementwise losses).
LogicalResult inferElementwiseLoss(std::optional<Location> loc, Type prediction, Type target,
                                   SmallVectorImpl<Type> &inferred);

/// A spatial attribute with the name it has in the assembly, for messages.
using NamedArray = std::pair<const char *, DenseI64ArrayAttr>;

/// A shape rule of ShapeRules.h applied to the operands' shapes and the attributes' values, in the
/// order they are given.
using WindowRule = llvm::function_ref<bool(ArrayRef<shape::Shape> operands,
                                           ArrayRef<std::vector<int64_t>> attrs, shape::Shape &out,
                                           std::string &why)>;

/// Infers a 2-D window op's result type (convolution and pooling): `rule`'s shape with the
/// operands' (common) element type; a failure names every operand's type and every attribute's
/// values (ConvOps.cpp).
LogicalResult inferWindow(std::optional<Location> loc, StringRef opName, ArrayRef<Type> operands,
                          ArrayRef<NamedArray> attrs, WindowRule rule,
                          SmallVectorImpl<Type> &inferred);

/// The [height, width] of a rank-4 NCHW (or OIHW) value, as an attribute (ConvOps.cpp).
DenseI64ArrayAttr spatialSizeOf(OpBuilder &b, Value v);

} // namespace mlir::dl

#endif // DL_OPS_OPHELPERS_H
