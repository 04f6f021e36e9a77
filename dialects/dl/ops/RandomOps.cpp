//===- RandomOps.cpp - Counter-based randomness ---------------------------===//
//
// The verifiers of the random ops, the shape rules of the augmentations (ShapeRulesWindow.cpp), and
// the gradients: dropout, gaussian_noise and random_flip are their own adjoints under the same
// stream (or the identity); random_crop's is random_crop_grad.
//
//===----------------------------------------------------------------------===//
#include "GradBuilder.h"
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitOpError("drop probability must be in [0, 1), not ") << p;
  return success();
}

LogicalResult RandomNormalOp::verify() {
  if (!(getStd().convertToDouble() >= 0.0))
    return emitOpError("standard deviation must not be negative, not ") << getStd().convertToDouble();
  return success();
}

LogicalResult RandomUniformOp::verify() {
  if (!(getLo().convertToDouble() < getHi().convertToDouble()))
    return emitOpError("needs lo < hi, not [") << getLo().convertToDouble() << ", " << getHi().convertToDouble() << ")";
  return success();
}

LogicalResult DropoutOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  // The same stream at the same step draws the same mask, so dropping out dy with this op's
  // attributes multiplies it by exactly the mask and scale the forward pass used.
  dx.push_back(b.create<DropoutOp>(getLoc(), dy[0].getType(), dy[0], getPAttr(), getStreamAttr()));
  return success();
}

LogicalResult GaussianNoiseOp::verify() {
  if (!(getStd().convertToDouble() >= 0.0))
    return emitOpError("standard deviation must not be negative, not ") << getStd().convertToDouble();
  return success();
}

LogicalResult RandomFlipOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p <= 1.0))
    return emitOpError("flip probability must be in [0, 1], not ") << p;
  int64_t axis;
  std::string why;
  if (!shape::randomFlip(shapeOf(getInput().getType()), getAxis(), axis, why))
    return emitOpError("of ") << typeString(getInput().getType()) << " is invalid: " << why;
  return success();
}

LogicalResult RandomCropOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                             Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "random_crop", {adaptor.getInput().getType()},
      {{"size", adaptor.getSizeAttr()}, {"padding", adaptor.getPaddingAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::randomCrop(s[0], a[0], a[1], out, why);
      },
      inferred);
}

LogicalResult RandomCropGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "random_crop_grad", {adaptor.getGradOutput().getType()},
      {{"padding", adaptor.getPaddingAttr()}, {"input_size", adaptor.getInputSizeAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::randomCropGrad(s[0], a[0], a[1], out, why);
      },
      inferred);
}

LogicalResult GaussianNoiseOp::buildVJP(OpBuilder &, ArrayRef<Value> dy,
                                        SmallVectorImpl<Value> &dx) {
  // The noise does not depend on x.
  dx.push_back(dy[0]);
  return success();
}

LogicalResult RandomFlipOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  // A flip is its own inverse and its own transpose; the same stream at the same step flips the
  // same samples.
  dx.push_back(b.create<RandomFlipOp>(getLoc(), dy[0].getType(), dy[0], getAxisAttr(), getPAttr(),
                                      getStreamAttr()));
  return success();
}

LogicalResult RandomCropOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<RandomCropGradOp>(getLoc(), dy[0], getPaddingAttr(),
                                          spatialSizeOf(b, getInput()), getStreamAttr()));
  return success();
}
