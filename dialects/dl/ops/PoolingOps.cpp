//===- PoolingOps.cpp - 2-D max and average pooling -----------------------===//
//
// Type inference of the pooling ops and their gradient ops through the rules of
// ShapeRulesWindow.cpp and the window ops' shared inference (inferWindow, ConvOps.cpp), and the
// gradients of maxpool2d and avgpool2d, each built from the gradient ops of PoolingOps.td with the
// forward op's attributes (those left out stay left out).
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

/// The options of a max-pooling op (dilation, ceil_mode) as the shape rules take them; `opName`
/// and the attribute's values go into messages through inferWindow when dilation is given.
template <typename Adaptor> static shape::PoolOptions maxPoolOptions(Adaptor adaptor) {
  shape::PoolOptions options;
  if (DenseI64ArrayAttr d = adaptor.getDilationAttr())
    options.dilation.assign(d.asArrayRef().begin(), d.asArrayRef().end());
  options.ceilMode = adaptor.getCeilMode();
  return options;
}

/// Every pooling op's rule: `rule` gets the options besides the spatial attributes, whose names
/// and values go into messages (with dilation when it is given, and ceil_mode when set).
template <typename Adaptor>
static LogicalResult inferPooling(std::optional<Location> location, StringRef opName,
                                  ArrayRef<Type> operands, Adaptor adaptor,
                                  shape::PoolOptions options, DenseI64ArrayAttr dilation,
                                  DenseI64ArrayAttr inputSize, SmallVectorImpl<Type> &inferred,
                                  bool hasGradient) {
  SmallVector<NamedArray> attrs = {{"kernel_size", adaptor.getKernelSizeAttr()},
                                   {"stride", adaptor.getStrideAttr()},
                                   {"padding", adaptor.getPaddingAttr()}};
  if (dilation)
    attrs.push_back({"dilation", dilation});
  if (inputSize)
    attrs.push_back({"input_size", inputSize});
  std::string name = opName.str() + (options.ceilMode ? " (ceil_mode)" : "");
  return inferWindow(
      location, name, operands, attrs,
      [&](auto s, auto a, shape::Shape &out, std::string &why) {
        if (inputSize)
          return shape::avgPool2dGrad(s[0], a[0], a[1], a[2], a.back(), out, why, options);
        if (hasGradient)
          return shape::maxPool2dGrad(s[0], s[1], a[0], a[1], a[2], out, why, options);
        return shape::pool2d(s[0], a[0], a[1], a[2], out, why, options);
      },
      inferred);
}

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  return inferPooling(location, "maxpool2d", {adaptor.getInput().getType()}, adaptor,
                      maxPoolOptions(adaptor), adaptor.getDilationAttr(), {}, inferred, false);
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                            Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  shape::PoolOptions options;
  options.ceilMode = adaptor.getCeilMode();
  return inferPooling(location, "avgpool2d", {adaptor.getInput().getType()}, adaptor, options, {},
                      {}, inferred, false);
}

LogicalResult MaxPool2dGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  return inferPooling(location, "maxpool2d_grad",
                      {adaptor.getInput().getType(), adaptor.getGradOutput().getType()}, adaptor,
                      maxPoolOptions(adaptor), adaptor.getDilationAttr(), {}, inferred, true);
}

LogicalResult AvgPool2dGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  shape::PoolOptions options;
  options.ceilMode = adaptor.getCeilMode();
  return inferPooling(location, "avgpool2d_grad", {adaptor.getGradOutput().getType()}, adaptor,
                      options, {}, adaptor.getInputSizeAttr(), inferred, false);
}

//===----------------------------------------------------------------------===//
// Gradients: each forward op's VJP is its gradient op(s); those have none of their own.
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<MaxPool2dGradOp>(getLoc(), getInput(), dy[0], getKernelSizeAttr(),
                                         getStrideAttr(), getPaddingAttr(), getDilationAttr(),
                                         getCeilModeAttr()));
  return success();
}

LogicalResult AvgPool2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<AvgPool2dGradOp>(getLoc(), dy[0], getKernelSizeAttr(), getStrideAttr(),
                                         getPaddingAttr(), spatialSizeOf(b, getInput()),
                                         getCeilModeAttr(), getCountIncludePadAttr()));
  return success();
}
