//===- PoolingOps.cpp - 2-D max and average pooling -----------------------===//
//
// Type inference of the pooling ops and their gradient ops through the rules of
// ShapeRulesWindow.cpp and the window ops' shared inference (inferWindow, ConvOps.cpp), and the
// gradients of maxpool2d and avgpool2d, each built from the gradient ops of PoolingOps.td.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

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
