//===- RandomOps.cpp - Counter-based randomness ---------------------------===//
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
