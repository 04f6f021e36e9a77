//===- RandomOps.cpp - Counter-based randomness ---------------------------===//
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
