//===- EmbeddingOps.cpp - Embedding lookup and its gradient ---------------===//
//
// Type inference of dl.embedding and dl.embedding_grad through the rules of ShapeRules.h (a failed
// inference names both operand types), and embedding's gradient: a scatter-add into the table.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

static Type elementTypeOf(Type type) { return llvm::cast<RankedTensorType>(type).getElementType(); }

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type ids = adaptor.getIds().getType(), table = adaptor.getTable().getType();
  shape::Shape out;
  std::string why;
  if (!shape::embedding(shapeOf(ids), shapeOf(table), out, why))
    return inferenceError(location, "embedding of " + typeString(ids) + " and " +
                                        typeString(table) + " is invalid: " + why);
  inferred.push_back(tensorOf(out, elementTypeOf(table)));
  return success();
}

LogicalResult EmbeddingGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  Type ids = adaptor.getIds().getType(), grad = adaptor.getGrad().getType();
  // A generic builder may infer before the verifier has checked that the attribute is there.
  if (!adaptor.getRowsAttr())
    return inferenceError(location, "embedding_grad needs the attribute 'rows'");
  int64_t rows = adaptor.getRows();
  shape::Shape out;
  std::string why;
  if (!shape::embeddingGrad(shapeOf(ids), shapeOf(grad), rows, out, why))
    return inferenceError(location, "embedding_grad of " + typeString(ids) + " and " +
                                        typeString(grad) + " with rows " + std::to_string(rows) +
                                        " is invalid: " + why);
  inferred.push_back(tensorOf(out, elementTypeOf(grad)));
  return success();
}

/// The table takes the scatter-add of the result's gradient; the ids take none.
LogicalResult EmbeddingOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  int64_t rows = llvm::cast<RankedTensorType>(getTable().getType()).getShape()[0];
  dx.push_back(Value());
  dx.push_back(b.create<EmbeddingGradOp>(getLoc(), getIds(), dy[0], b.getI64IntegerAttr(rows)));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type input = adaptor.getInput().getType(), index = adaptor.getIndex().getType();
  if (!adaptor.getAxisAttr())
    return inferenceError(location, "gather needs the attribute 'axis'");
  int64_t axis = adaptor.getAxis();
  shape::Shape out;
  std::string why;
  if (!shape::gather(shapeOf(input), shapeOf(index), axis, out, why))
    return inferenceError(location, "gather of " + typeString(input) + " by " +
                                        typeString(index) + " is invalid: " + why);
  inferred.push_back(tensorOf(out, elementTypeOf(input)));
  return success();
}

LogicalResult GatherGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                             Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type index = adaptor.getIndex().getType(), grad = adaptor.getGrad().getType();
  if (!adaptor.getAxisAttr() || !adaptor.getInputShapeAttr())
    return inferenceError(location, "gather_grad needs the attributes 'axis' and 'input_shape'");
  shape::Shape input(adaptor.getInputShape().begin(), adaptor.getInputShape().end());
  int64_t axis = adaptor.getAxis();
  shape::Shape out;
  std::string why;
  if (shapeOf(index) != shapeOf(grad))
    why = "the gradient must have the index's shape";
  else if (std::any_of(input.begin(), input.end(), [](int64_t s) { return s < 1; }))
    why = "every input extent must be at least 1";
  else
    shape::gather(input, shapeOf(index), axis, out, why);
  if (!why.empty())
    return inferenceError(location, "gather_grad of " + typeString(index) + " and " +
                                        typeString(grad) + " into " + shape::format(input, "f32") +
                                        " is invalid: " + why);
  inferred.push_back(tensorOf(input, elementTypeOf(grad)));
  return success();
}

/// The input takes the scatter-add of the result's gradient along the axis; the index takes none.
LogicalResult GatherOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  auto input = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t rank = input.getRank(), axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  dx.push_back(b.create<GatherGradOp>(getLoc(), getIndex(), dy[0], b.getI64IntegerAttr(axis),
                                      b.getDenseI64ArrayAttr(input.getShape())));
  dx.push_back(Value());
  return success();
}
