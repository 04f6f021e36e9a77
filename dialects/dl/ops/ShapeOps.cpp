//===- ShapeOps.cpp - Data movement ---------------------------------------===//
#include "GradBuilder.h"
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

LogicalResult BroadcastToOp::verify() {
  std::string why;
  if (!shape::broadcastsTo(shapeOf(getInput().getType()), shapeOf(getType()), why))
    return emitOpError("cannot broadcast ") << getInput().getType() << " to " << getType() << ": "
                                            << why;
  return success();
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

//===----------------------------------------------------------------------===//
// Gradients: data movement moves the gradient back the other way.
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  GradBuilder g(b, getLoc());
  dx.push_back(GradBuilder::isFloat(getInput()) ? g.reshape(dy[0], getInput().getType()) : Value());
  return success();
}

LogicalResult TransposeOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  GradBuilder g(b, getLoc());
  SmallVector<int64_t> inverse(getPerm().size());
  for (size_t i = 0; i < getPerm().size(); ++i)
    inverse[getPerm()[i]] = i;
  dx.push_back(g.transpose(dy[0], inverse));
  return success();
}

LogicalResult BroadcastToOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  GradBuilder g(b, getLoc());
  dx.push_back(GradBuilder::isFloat(getInput()) ? g.sumToType(dy[0], getInput().getType()) : Value());
  return success();
}

LogicalResult ConcatOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  auto type = llvm::cast<RankedTensorType>(getType());
  int64_t rank = type.getRank(), axis = (static_cast<int64_t>(getAxis()) + rank) % rank;
  int64_t offset = 0;
  for (Value in : getInputs()) {
    auto inType = llvm::cast<RankedTensorType>(in.getType());
    SmallVector<int64_t> start(rank, 0), limit(type.getShape()), stride(rank, 1);
    start[axis] = offset;
    limit[axis] = offset + inType.getDimSize(axis);
    offset = limit[axis];
    if (!GradBuilder::isFloat(in)) {
      dx.push_back(Value());
      continue;
    }
    dx.push_back(b.create<SliceOp>(getLoc(), dy[0], b.getDenseI64ArrayAttr(start),
                                   b.getDenseI64ArrayAttr(limit), b.getDenseI64ArrayAttr(stride)));
  }
  return success();
}

LogicalResult SplitOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  dx.push_back(b.create<ConcatOp>(getLoc(), dy, b.getI64IntegerAttr(getAxis())));
  return success();
}

LogicalResult SliceOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  if (llvm::any_of(getStride(), [](int64_t s) { return s != 1; }))
    return emitOpError("has no gradient rule for strides other than 1 yet");
  // The gradient is dy placed back where it was taken from, zeros elsewhere.
  shape::Shape in = shapeOf(getInput().getType());
  SmallVector<int64_t> low(getStart()), high;
  for (size_t d = 0; d < in.size(); ++d)
    high.push_back(in[d] - getLimit()[d]);
  dx.push_back(b.create<PadOp>(getLoc(), dy[0], b.getDenseI64ArrayAttr(low),
                               b.getDenseI64ArrayAttr(high), b.getF64FloatAttr(0.0)));
  return success();
}

LogicalResult PadOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  if (!GradBuilder::isFloat(getInput())) {
    dx.push_back(Value());
    return success();
  }
  shape::Shape in = shapeOf(getInput().getType());
  SmallVector<int64_t> start(getLow()), limit, stride(in.size(), 1);
  for (size_t d = 0; d < in.size(); ++d)
    limit.push_back(getLow()[d] + in[d]);
  dx.push_back(b.create<SliceOp>(getLoc(), dy[0], b.getDenseI64ArrayAttr(start),
                                 b.getDenseI64ArrayAttr(limit), b.getDenseI64ArrayAttr(stride)));
  return success();
}
