//===- Conversions.cpp - Checking and converting values -------------------===//
//
// The services builtins and statements use to take values apart: requireTensor, requireInt,
// requireNumber and requireInts report "`what` must be ..." when a value is of the wrong kind;
// asTensor makes a number a constant of a tensor's element type (checking that it fits an i32 or
// a truth value); splat makes a constant tensor.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <cmath>
#include <limits>

namespace dlc {

namespace shape = dl::shape;
using mlir::Value;

Value Elaborator::splat(double v, const shape::Shape &s, mlir::Type element, SourceLoc at) {
  auto type = tensorType(s, element);
  mlir::Attribute scalar;
  if (llvm::isa<mlir::FloatType>(element))
    scalar = builder_.getFloatAttr(element, v);
  else
    scalar = builder_.getIntegerAttr(element, static_cast<int64_t>(v));
  auto value = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<mlir::Attribute>{scalar});
  return builder_.create<mlir::dl::ConstantOp>(loc(at), type, value);
}

std::optional<Value> Elaborator::asTensor(const Val &v, mlir::Type element, SourceLoc at,
                                          const std::string &what) {
  if (v.isTensor())
    return v.tensor;
  if (v.isNumber() && element.isInteger(32)) {
    // An i32 constant holds an integer in i32's range; anything else would be silently rounded or
    // wrapped (and converting a huge double to an integer is undefined).
    bool fits = v.kind == Val::Kind::Int
                    ? v.i >= std::numeric_limits<int32_t>::min() &&
                          v.i <= std::numeric_limits<int32_t>::max()
                    : v.f == std::floor(v.f) && v.f >= std::numeric_limits<int32_t>::min() &&
                          v.f <= std::numeric_limits<int32_t>::max();
    if (!fits) {
      error(at, what + " is " + v.describe() + ", which is not an i32 value; convert the tensor " +
                    "with f32(...)");
      return std::nullopt;
    }
  }
  if (v.isNumber() && element.isInteger(1) && v.asDouble() != 0 && v.asDouble() != 1) {
    error(at, what + " is " + v.describe() + ", which is not a truth value (0 or 1)");
    return std::nullopt;
  }
  if (v.isNumber())
    return constant(v.asDouble(), element, at);
  error(at, what + " must be a tensor or a number, not " + v.describe());
  return std::nullopt;
}

std::optional<Value> Elaborator::requireTensor(const Val &v, SourceLoc at, const std::string &what,
                                               bool floatOnly) {
  if (!v.isTensor()) {
    error(at, what + " must be a tensor, not " + v.describe());
    return std::nullopt;
  }
  if (floatOnly && !llvm::isa<mlir::FloatType>(v.tensorType().getElementType())) {
    error(at, what + " must be a float tensor, not " + describeType(v.tensor.getType()) +
                  "; convert it with f32(...)");
    return std::nullopt;
  }
  return v.tensor;
}

std::optional<int64_t> Elaborator::requireInt(const Val &v, SourceLoc at, const std::string &what) {
  if (v.kind == Val::Kind::Int)
    return v.i;
  error(at, what + " must be an integer, not " + v.describe());
  return std::nullopt;
}

std::optional<double> Elaborator::requireNumber(const Val &v, SourceLoc at, const std::string &what,
                                                bool allowInfinity) {
  if (!v.isNumber()) {
    error(at, what + " must be a number, not " + v.describe());
    return std::nullopt;
  }
  // Constant arithmetic can make NaN and infinities (`1e308 * 10`); no setting means either.
  double d = v.asDouble();
  if (std::isnan(d) || (!allowInfinity && std::isinf(d))) {
    error(at, what + " must be a finite number, not " + v.describe());
    return std::nullopt;
  }
  return d;
}

std::optional<std::vector<int64_t>> Elaborator::requireInts(const Val &v, SourceLoc at,
                                                            const std::string &what) {
  if (v.kind == Val::Kind::Int)
    return std::vector<int64_t>{v.i};
  if (v.kind != Val::Kind::List) {
    error(at, what + " must be a list of integers, not " + v.describe());
    return std::nullopt;
  }
  std::vector<int64_t> out;
  for (const Val &e : v.list) {
    if (e.kind != Val::Kind::Int) {
      error(at, what + " must be a list of integers, but holds " + e.describe());
      return std::nullopt;
    }
    out.push_back(e.i);
  }
  return out;
}

} // namespace dlc
