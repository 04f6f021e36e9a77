//===- ShapeOps.cpp - Data movement ---------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

static std::vector<int64_t> vec(ArrayRef<int64_t> a) { return {a.begin(), a.end()}; }

LogicalResult ReshapeOp::verify() {
  std::string why;
  shape::Shape out;
  if (!shape::reshape(shapeOf(getInput().getType()), shapeOf(getType()), out, why))
    return emitOpError("cannot reshape ") << getInput().getType() << " to " << getType() << ": "
                                          << why;
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult BroadcastToOp::verify() {
  std::string why;
  if (!shape::broadcastsTo(shapeOf(getInput().getType()), shapeOf(getType()), why))
    return emitOpError("cannot broadcast ") << getInput().getType() << " to " << getType() << ": "
                                            << why;
  return success();
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  shape::Shape out;
  std::string why;
  if (!shape::transpose(shapeOf(input), vec(adaptor.getPerm()), out, why))
    return inferenceError(location, "cannot transpose " + typeString(input) + ": " + why);
  inferred.push_back(tensorOf(out, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return inferenceError(location, "concat needs at least one operand");
  std::vector<shape::Shape> shapes;
  Type element = llvm::cast<RankedTensorType>(adaptor.getInputs()[0].getType()).getElementType();
  std::string types;
  for (Value v : adaptor.getInputs()) {
    if (llvm::cast<RankedTensorType>(v.getType()).getElementType() != element)
      return inferenceError(location, "concat operands have different element types");
    shapes.push_back(shapeOf(v.getType()));
    types += (types.empty() ? "" : ", ") + typeString(v.getType());
  }
  shape::Shape out;
  std::string why;
  if (!shape::concat(shapes, adaptor.getAxis(), out, why))
    return inferenceError(location, "cannot concatenate " + types + ": " + why);
  inferred.push_back(tensorOf(out, element));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                        Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  shape::Shape piece;
  std::string why;
  if (!shape::split(shapeOf(input), adaptor.getParts(), adaptor.getAxis(), piece, why))
    return inferenceError(location, "cannot split " + typeString(input) + ": " + why);
  inferred.append(adaptor.getParts(), tensorOf(piece, input.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                        Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  shape::Shape out;
  std::string why;
  if (!shape::slice(shapeOf(input), vec(adaptor.getStart()), vec(adaptor.getLimit()),
                    vec(adaptor.getStride()), out, why))
    return inferenceError(location, "cannot slice " + typeString(input) + ": " + why);
  inferred.push_back(tensorOf(out, input.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  shape::Shape out;
  std::string why;
  if (!shape::pad(shapeOf(input), vec(adaptor.getLow()), vec(adaptor.getHigh()), out, why))
    return inferenceError(location, "cannot pad " + typeString(input) + ": " + why);
  inferred.push_back(tensorOf(out, input.getElementType()));
  return success();
}
