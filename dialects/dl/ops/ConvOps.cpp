//===- ConvOps.cpp - 2-D convolution --------------------------------------===//
//
// Type inference of conv2d, its gradient ops and conv_transpose2d through the rules of
// ShapeRulesWindow.cpp, and the gradients of conv2d and conv_transpose2d, built from conv2d and
// the gradient ops of ConvOps.td. A failed inference names every
// operand's type and every spatial attribute's values (inferWindow, which pooling shares).
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace {

Type elementTypeOf(Type type) { return llvm::cast<RankedTensorType>(type).getElementType(); }

} // namespace

LogicalResult mlir::dl::inferWindow(std::optional<Location> loc, StringRef opName,
                                    ArrayRef<Type> operands, ArrayRef<NamedArray> attrs,
                                    WindowRule rule, SmallVectorImpl<Type> &inferred) {
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

DenseI64ArrayAttr mlir::dl::spatialSizeOf(OpBuilder &b, Value v) {
  ArrayRef<int64_t> s = llvm::cast<RankedTensorType>(v.getType()).getShape();
  return b.getDenseI64ArrayAttr({s[2], s[3]});
}

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

LogicalResult ConvTranspose2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "conv_transpose2d", {adaptor.getInput().getType(), adaptor.getWeight().getType()},
      {{"stride", adaptor.getStrideAttr()},
       {"padding", adaptor.getPaddingAttr()},
       {"output_padding", adaptor.getOutputPaddingAttr()},
       {"dilation", adaptor.getDilationAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::convTranspose2d(s[0], s[1], a[0], a[1], a[2], a[3], out, why);
      },
      inferred);
}

//===----------------------------------------------------------------------===//
// The gradient: conv2d's VJP is its two gradient ops; those have none of their own.
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<Conv2dGradInputOp>(getLoc(), dy[0], getWeight(), getStrideAttr(),
                                           getPaddingAttr(), getDilationAttr(),
                                           spatialSizeOf(b, getInput())));
  dx.push_back(b.create<Conv2dGradWeightOp>(getLoc(), getInput(), dy[0], getStrideAttr(),
                                            getPaddingAttr(), getDilationAttr(),
                                            spatialSizeOf(b, getWeight())));
  return success();
}

/// conv_transpose2d is conv2d's input gradient, so its gradients are conv2d (for x) and conv2d's
/// weight gradient with the roles of input and output gradient swapped (for W). conv2d maps the
/// output [OH, OW] back onto [H + output_padding_h / sh, W + ...]: an output padding of at least
/// the stride (allowed where the dilation is larger) adds rows no input reaches, which the input's
/// gradient drops and the weight's gradient reads as zeros.
LogicalResult ConvTranspose2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy,
                                          SmallVectorImpl<Value> &dx) {
  shape::Shape in = shapeOf(getInput().getType());
  ArrayRef<int64_t> stride = getStride(), outputPadding = getOutputPadding();
  int64_t extraH = outputPadding[0] / stride[0], extraW = outputPadding[1] / stride[1];
  Value gx = b.create<Conv2dOp>(getLoc(), dy[0], getWeight(), getStrideAttr(), getPaddingAttr(),
                                getDilationAttr());
  Value x = getInput();
  if (extraH > 0 || extraW > 0) {
    gx = b.create<SliceOp>(getLoc(), gx, b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                           b.getDenseI64ArrayAttr(in), b.getDenseI64ArrayAttr({1, 1, 1, 1}));
    x = b.create<PadOp>(getLoc(), x, b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                        b.getDenseI64ArrayAttr({0, 0, extraH, extraW}), b.getF64FloatAttr(0.0));
  }
  dx.push_back(gx);
  dx.push_back(b.create<Conv2dGradWeightOp>(getLoc(), dy[0], x, getStrideAttr(), getPaddingAttr(),
                                            getDilationAttr(), spatialSizeOf(b, getWeight())));
  return success();
}
