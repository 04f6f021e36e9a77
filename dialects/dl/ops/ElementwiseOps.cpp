//===- ElementwiseOps.cpp - Elementwise ops and activations ---------------===//
//
// Type inference for the broadcasting ops, and the verifiers of the ops with attributes.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace mlir::dl {

LogicalResult inferBroadcast(std::optional<Location> loc, ArrayRef<Type> operands,
                             SmallVectorImpl<Type> &inferred) {
  Type element = llvm::cast<RankedTensorType>(operands[0]).getElementType();
  shape::Shape joined = shapeOf(operands[0]);
  for (Type t : operands.drop_front()) {
    if (llvm::cast<RankedTensorType>(t).getElementType() != element)
      return inferenceError(loc, "operands have different element types: " +
                                     typeString(operands[0]) + " and " + typeString(t));
    std::string why;
    if (!shape::broadcast(joined, shapeOf(t), joined, why))
      return inferenceError(loc, "operands are not broadcast-compatible: " +
                                     typeString(operands[0]) + " and " + typeString(t) + " (" +
                                     why + ")");
  }
  inferred.push_back(tensorOf(joined, element));
  return success();
}

LogicalResult inferBroadcastInto(std::optional<Location> loc, Type operand, Type target,
                                 SmallVectorImpl<Type> &inferred) {
  std::string why;
  if (llvm::cast<RankedTensorType>(operand).getElementType() !=
      llvm::cast<RankedTensorType>(target).getElementType())
    return inferenceError(loc, "operands have different element types: " + typeString(target) +
                                   " and " + typeString(operand));
  if (!shape::broadcastsTo(shapeOf(operand), shapeOf(target), why))
    return inferenceError(loc, typeString(operand) + " does not broadcast to " +
                                   typeString(target) + " (" + why + ")");
  inferred.push_back(target);
  return success();
}

} // namespace mlir::dl

LogicalResult CmpOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> joined;
  if (failed(inferBroadcast(location, {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
                            joined)))
    return failure();
  inferred.push_back(tensorOf(shapeOf(joined[0]), IntegerType::get(context, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> values;
  if (failed(inferBroadcast(location,
                            {adaptor.getOnTrue().getType(), adaptor.getOnFalse().getType()},
                            values)))
    return failure();
  std::string why;
  shape::Shape joined;
  Type cond = adaptor.getCond().getType();
  if (!shape::broadcast(shapeOf(cond), shapeOf(values[0]), joined, why))
    return inferenceError(location, "condition " + typeString(cond) +
                                        " is not broadcast-compatible with " +
                                        typeString(values[0]) + " (" + why + ")");
  inferred.push_back(tensorOf(joined, llvm::cast<RankedTensorType>(values[0]).getElementType()));
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                           Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getValue().getType());
  return success();
}

LogicalResult ClampOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("has min ") << getMin().convertToDouble() << " above max " << getMax().convertToDouble();
  return success();
}

/// softmax and log_softmax: the axis must name a dimension.
template <typename SoftmaxLike> static LogicalResult verifySoftmaxAxis(SoftmaxLike op) {
  int64_t axis;
  std::string why;
  if (!shape::normalizeAxis(op.getAxis(), op.getType().getRank(), axis, why))
    return op.emitOpError() << why;
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifySoftmaxAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxAxis(*this); }
