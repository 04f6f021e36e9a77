//===- LossOps.cpp - Losses -----------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

static Type scalarF32(MLIRContext *context) {
  return RankedTensorType::get({}, Float32Type::get(context));
}

namespace mlir::dl {

LogicalResult inferElementwiseLoss(std::optional<Location> loc, Type prediction, Type target,
                                   SmallVectorImpl<Type> &inferred) {
  if (prediction != target)
    return inferenceError(loc, "prediction and target differ: " + typeString(prediction) +
                                   " and " + typeString(target));
  inferred.push_back(scalarF32(prediction.getContext()));
  return success();
}

} // namespace mlir::dl

/// Class-indexed losses: the labels have the scores' shape without the last (class) dimension.
static LogicalResult checkLabels(std::optional<Location> loc, Type scores, Type labels) {
  shape::Shape s = shapeOf(scores);
  if (s.empty())
    return inferenceError(loc, "class scores " + typeString(scores) + " need a class dimension");
  shape::Shape expected(s.begin(), s.end() - 1);
  if (shapeOf(labels) != expected)
    return inferenceError(loc, "labels " + typeString(labels) + " do not fit class scores " +
                                   typeString(scores) + ": expected labels of shape " +
                                   shape::format(expected, "i32"));
  return success();
}

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *context,
                                               std::optional<Location> location, Adaptor adaptor,
                                               SmallVectorImpl<Type> &inferred) {
  Type logits = adaptor.getLogits().getType(), target = adaptor.getTarget().getType();
  auto targetElement = llvm::cast<RankedTensorType>(target).getElementType();
  if (targetElement.isInteger(32)) {
    if (failed(checkLabels(location, logits, target)))
      return failure();
  } else if (target != logits) {
    return inferenceError(location, "soft targets " + typeString(target) +
                                        " must have the logits' type " + typeString(logits));
  }
  inferred.push_back(scalarF32(context));
  return success();
}

LogicalResult NllOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  if (failed(checkLabels(location, adaptor.getLogProbs().getType(), adaptor.getLabels().getType())))
    return failure();
  inferred.push_back(scalarF32(context));
  return success();
}

LogicalResult KlNormalOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                           Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type mu = adaptor.getMu().getType(), logvar = adaptor.getLogvar().getType();
  if (mu != logvar)
    return inferenceError(location, "mu and logvar differ: " + typeString(mu) + " and " +
                                        typeString(logvar));
  if (llvm::cast<RankedTensorType>(mu).getRank() < 1)
    return inferenceError(location, "kl_normal needs a batch dimension");
  inferred.push_back(scalarF32(context));
  return success();
}
