//===- LinalgOps.cpp - Matrix products ------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type lhs = adaptor.getLhs().getType(), rhs = adaptor.getRhs().getType();
  Type element = llvm::cast<RankedTensorType>(lhs).getElementType();
  if (llvm::cast<RankedTensorType>(rhs).getElementType() != element)
    return inferenceError(location, "matmul operands have different element types: " +
                                        typeString(lhs) + " and " + typeString(rhs));
  shape::Shape out;
  std::string why;
  if (!shape::matmul(shapeOf(lhs), shapeOf(rhs), out, why))
    return inferenceError(location, "matmul shapes do not agree: " + typeString(lhs) + " @ " +
                                        typeString(rhs) + " (" + why + ")");
  inferred.push_back(tensorOf(out, element));
  return success();
}
