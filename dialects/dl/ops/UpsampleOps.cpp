//===- UpsampleOps.cpp - Bilinear upsampling ------------------------------===//
//
// Type inference of upsample_bilinear2d and its gradient op through the rules of
// ShapeRulesWindow.cpp and the window ops' shared inference (inferWindow, ConvOps.cpp), and the
// gradient of upsample_bilinear2d, its gradient op.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

LogicalResult UpsampleBilinear2dOp::inferReturnTypes(MLIRContext *,
                                                     std::optional<Location> location,
                                                     Adaptor adaptor,
                                                     SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "upsample_bilinear2d", {adaptor.getInput().getType()},
      {{"scale", adaptor.getScaleAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::upsample2d(s[0], a[0], out, why);
      },
      inferred);
}

LogicalResult UpsampleBilinear2dGradOp::inferReturnTypes(MLIRContext *,
                                                         std::optional<Location> location,
                                                         Adaptor adaptor,
                                                         SmallVectorImpl<Type> &inferred) {
  return inferWindow(
      location, "upsample_bilinear2d_grad", {adaptor.getGradOutput().getType()},
      {{"scale", adaptor.getScaleAttr()}, {"input_size", adaptor.getInputSizeAttr()}},
      [](auto s, auto a, shape::Shape &out, std::string &why) {
        return shape::upsample2dGrad(s[0], a[0], a[1], out, why);
      },
      inferred);
}

LogicalResult UpsampleBilinear2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy,
                                             SmallVectorImpl<Value> &dx) {
  dx.push_back(b.create<UpsampleBilinear2dGradOp>(getLoc(), dy[0], getScaleAttr(),
                                                  spatialSizeOf(b, getInput()),
                                                  getAlignCornersAttr()));
  return success();
}
