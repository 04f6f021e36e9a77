//===- ConvOps.cpp - Convolution and pooling ------------------------------===//
//
// Type inference of the 2-D window ops through the rules of ShapeRulesWindow.cpp, and the
// gradients of conv2d, maxpool2d and avgpool2d, each built from the gradient ops of ConvOps.td. A
// failed inference names every operand's type and every spatial attribute's values.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace {

/// A spatial attribute with the name it has in the assembly, for messages.
using NamedArray = std::pair<const char *, DenseI64ArrayAttr>;

/// A shape rule of ShapeRules.h applied to the operands' shapes and the attributes' values, in the
/// order they are given.
using WindowRule = llvm::function_ref<bool(ArrayRef<shape::Shape> operands,
                                           ArrayRef<std::vector<int64_t>> attrs, shape::Shape &out,
                                           std::string &why)>;

Type elementTypeOf(Type type) { return llvm::cast<RankedTensorType>(type).getElementType(); }

/// Infers a window op's result type: `rule`'s shape with the operands' (common) element type.
LogicalResult inferWindow(std::optional<Location> loc, StringRef opName, ArrayRef<Type> operands,
                          ArrayRef<NamedArray> attrs, WindowRule rule,
                          SmallVectorImpl<Type> &inferred) {
  std::string types, values;
  for (Type t : operands)
    types += (types.empty() ? "" : " and ") + typeString(t);
  std::vector<std::vector<int64_t>> arrays;
  for (auto [name, attr] : attrs) {
    // A generic builder may infer before the verifier has checked that the attribute is there.
    if (!attr)
      return inferenceError(loc, opName + " needs the attribute '" + name + "'");
    arrays.emplace_back(attr.asArrayRef().begin(), attr.asArrayRef().end());
    values += (values.empty() ? "" : ", ") + std::string(name) + " " +
              shape::formatList(arrays.back());
  }
  Type element = elementTypeOf(operands[0]);
  std::vector<shape::Shape> shapes;
  for (Type t : operands) {
    if (elementTypeOf(t) != element)
      return inferenceError(loc, opName + " operands have different element types: " + types);
    shapes.push_back(shapeOf(t));
  }
  shape::Shape out;
  std::string why;
  if (!rule(shapes, arrays, out, why))
    return inferenceError(loc, opName + " of " + types + " with " + values + " is invalid: " + why);
  inferred.push_back(tensorOf(out, element));
  return success();
}

} // namespace

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "conv2d", {adaptor.getInput().getType(), adaptor.getWeight().getType()},
      {{"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()},
       {"dilation", adaptor.getDilationAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::conv2d(s[0], s[1], a[0], a[1], a[2], out, why);
      },
      inferred);
}

LogicalResult Conv2dGradInputOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "conv2d_grad_input",
      {adaptor.getGradOutput().getType(), adaptor.getWeight().getType()},
      {{"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()},
       {"dilation", adaptor.getDilationAttr()},
       {"input_size", adaptor.getInputSizeAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::conv2dGradInput(s[0], s[1], a[0], a[1], a[2], a[3], out, why);
      },
      inferred);
}

LogicalResult Conv2dGradWeightOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                   Adaptor adaptor,
                                                   SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "conv2d_grad_weight",
      {adaptor.getInput().getType(), adaptor.getGradOutput().getType()},
      {{"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()},
       {"dilation", adaptor.getDilationAttr()},
       {"kernel_size", adaptor.getKernelSizeAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::conv2dGradWeight(s[0], s[1], a[0], a[1], a[2], a[3], out, why);
      },
      inferred);
}

/// maxpool2d and avgpool2d share one rule.
template <typename Adaptor>
static LogicalResult inferPool(std::optional<Location> location, StringRef opName, Adaptor adaptor,
                               SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, opName, {adaptor.getInput().getType()},
      {{"kernel_size", adaptor.getKernelSizeAttr()},
       {"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::pool2d(s[0], a[0], a[1], a[2], out, why);
      },
      inferred);
}

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  return inferPool(location, "maxpool2d", adaptor, inferred);
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  return inferPool(location, "avgpool2d", adaptor, inferred);
}

LogicalResult MaxPool2dGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "maxpool2d_grad",
      {adaptor.getInput().getType(), adaptor.getGradOutput().getType()},
      {{"kernel_size", adaptor.getKernelSizeAttr()},
       {"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::maxPool2dGrad(s[0], s[1], a[0], a[1], a[2], out, why);
      },
      inferred);
}

LogicalResult AvgPool2dGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "avgpool2d_grad", {adaptor.getGradOutput().getType()},
      {{"kernel_size", adaptor.getKernelSizeAttr()},
       {"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()},
       {"input_size", adaptor.getInputSizeAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::avgPool2dGrad(s[0], a[0], a[1], a[2], a[3], out, why);
      },
      inferred);
}

//===----------------------------------------------------------------------===//
// Gradients: each forward op's VJP is its gradient op(s); those have none of their own.
//===----------------------------------------------------------------------===//

/// The [height, width] of a rank-4 NCHW (or OIHW) value.
static DenseI64ArrayAttr spatialSizeOf(OpBuilder &b, Value v) {
  ArrayRef<int64_t> s = llvm::cast<RankedTensorType>(v.getType()).getShape();
  return b.getDenseI64ArrayAttr({s[2], s[3]});
}

LogicalResult Conv2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<Conv2dGradInputOp>(getLoc(), dy[0], getWeight(), getStrideAttr(),
                                           getPaddingAttr(), getDilationAttr(),
                                           spatialSizeOf(b, getInput())));
  dx.push_back(b.create<Conv2dGradWeightOp>(getLoc(), getInput(), dy[0], getStrideAttr(),
                                            getPaddingAttr(), getDilationAttr(),
                                            spatialSizeOf(b, getWeight())));
  return success();
}

LogicalResult MaxPool2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<MaxPool2dGradOp>(getLoc(), getInput(), dy[0], getKernelSizeAttr(),
                                         getStrideAttr(), getPaddingAttr()));
  return success();
}

LogicalResult AvgPool2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<AvgPool2dGradOp>(getLoc(), dy[0], getKernelSizeAttr(), getStrideAttr(),
                                         getPaddingAttr(), spatialSizeOf(b, getInput())));
  return success();
}
