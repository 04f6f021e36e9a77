//===- Pooling.cpp - 2-D max and average pooling --------------------------===//
//
// maxpool2d(x, k, stride = k, padding = 0, dilation = 1, ceil_mode = false) and
// avgpool2d(x, k, stride = k, padding = 0, ceil_mode = false, count_include_pad = true), PyTorch's
// max_pool2d and avg_pool2d in their argument order, which emit the ops of PoolingOps.td; each
// spatial argument is one integer or [height, width] (spatial, Conv.cpp). Options left at
// PyTorch's defaults are left out of the op. The MaxPool2d and AvgPool2d layers are written in .dl
// (prelude.dl).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// Argument `i` of `c` as a boolean named `what` (true or false).
std::optional<bool> flag(Elaborator &E, const BuiltinCall &c, size_t i, const char *what) {
  if (c[i].kind != Val::Kind::Bool) {
    E.error(c.locOf(i), std::string("'") + what + "' must be true or false, not " +
                            c[i].describe());
    return std::nullopt;
  }
  return c[i].b;
}

/// The arguments every pooling call shares, checked.
struct PoolArgs {
  Value x;
  std::vector<int64_t> kernel, stride, padding;
};

std::optional<PoolArgs> poolArgs(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of '" + c.name + "'");
  std::optional<std::vector<int64_t>> kernel = spatial(E, c, 1, "kernel size", 1);
  std::optional<std::vector<int64_t>> stride =
      c.has(2) ? spatial(E, c, 2, "stride", 1) : kernel;
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 3, "padding", 0);
  if (!x || !kernel || !stride || !padding)
    return std::nullopt;
  return PoolArgs{*x, *kernel, *stride, *padding};
}

/// The result shape of pooling `a` with `options`, or an error at the call naming the input.
std::optional<shape::Shape> poolShape(Elaborator &E, const BuiltinCall &c, const PoolArgs &a,
                                      const shape::PoolOptions &options) {
  shape::Shape out;
  std::string why;
  if (!shape::pool2d(shapeOf(a.x.getType()), a.kernel, a.stride, a.padding, out, why, options)) {
    E.error(c.loc, c.name + " of " + describeType(a.x.getType()) + ": " + why);
    return std::nullopt;
  }
  return out;
}

/// maxpool2d(x, k, stride = k, padding = 0, dilation = 1, ceil_mode = false): x [N, C, H, W].
std::optional<Val> maxPool2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<PoolArgs> a = poolArgs(E, c);
  std::optional<std::vector<int64_t>> dilation = spatial(E, c, 4, "dilation", 1);
  std::optional<bool> ceilMode = flag(E, c, 5, "ceil_mode");
  if (!a || !dilation || !ceilMode)
    return std::nullopt;
  shape::PoolOptions options;
  options.dilation = *dilation;
  options.ceilMode = *ceilMode;
  std::optional<shape::Shape> out = poolShape(E, c, *a, options);
  if (!out)
    return std::nullopt;
  mlir::OpBuilder &b = E.builder();
  bool dilated = (*dilation)[0] != 1 || (*dilation)[1] != 1;
  return Val::ofTensor(E.create<dlo::MaxPool2dOp>(
      c.loc, E.tensorType(*out, E.f32()), a->x, b.getDenseI64ArrayAttr(a->kernel),
      b.getDenseI64ArrayAttr(a->stride), b.getDenseI64ArrayAttr(a->padding),
      dilated ? b.getDenseI64ArrayAttr(*dilation) : mlir::DenseI64ArrayAttr(),
      *ceilMode ? b.getBoolAttr(true) : mlir::BoolAttr()));
}

/// avgpool2d(x, k, stride = k, padding = 0, ceil_mode = false, count_include_pad = true).
std::optional<Val> avgPool2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<PoolArgs> a = poolArgs(E, c);
  std::optional<bool> ceilMode = flag(E, c, 4, "ceil_mode");
  std::optional<bool> countIncludePad = flag(E, c, 5, "count_include_pad");
  if (!a || !ceilMode || !countIncludePad)
    return std::nullopt;
  shape::PoolOptions options;
  options.ceilMode = *ceilMode;
  std::optional<shape::Shape> out = poolShape(E, c, *a, options);
  if (!out)
    return std::nullopt;
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<dlo::AvgPool2dOp>(
      c.loc, E.tensorType(*out, E.f32()), a->x, b.getDenseI64ArrayAttr(a->kernel),
      b.getDenseI64ArrayAttr(a->stride), b.getDenseI64ArrayAttr(a->padding),
      *ceilMode ? b.getBoolAttr(true) : mlir::BoolAttr(),
      *countIncludePad ? mlir::BoolAttr() : b.getBoolAttr(false)));
}

} // namespace

void registerPoolingBuiltins(BuiltinTable &t) {
  Val zero = Val::integer(0), one = Val::integer(1), no = Val::boolean(false),
      yes = Val::boolean(true);
  t["maxpool2d"] = {{req("x"), req("k"), opt("stride"), opt("padding", zero),
                     opt("dilation", one), opt("ceil_mode", no)},
                    maxPool2d};
  t["avgpool2d"] = {{req("x"), req("k"), opt("stride"), opt("padding", zero),
                     opt("ceil_mode", no), opt("count_include_pad", yes)},
                    avgPool2d};
}

} // namespace dlc
