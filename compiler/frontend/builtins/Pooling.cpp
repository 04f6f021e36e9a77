//===- Pooling.cpp - 2-D max and average pooling --------------------------===//
//
// maxpool2d(x, k, stride = k, padding = 0) and avgpool2d with the same parameters, which emit the
// ops of PoolingOps.td; each spatial argument is one integer or [height, width] (spatial,
// Conv.cpp). The MaxPool2d and AvgPool2d layers are written in .dl (prelude.dl).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// maxpool2d / avgpool2d(x, k, stride = k, padding = 0): x [N, C, H, W].
template <typename OpTy> std::optional<Val> pool2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of '" + c.name + "'");
  std::optional<std::vector<int64_t>> kernel = spatial(E, c, 1, "kernel size", 1);
  std::optional<std::vector<int64_t>> stride =
      c.has(2) ? spatial(E, c, 2, "stride", 1) : kernel;
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 3, "padding", 0);
  if (!x || !kernel || !stride || !padding)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::pool2d(shapeOf(x->getType()), *kernel, *stride, *padding, out, why)) {
    E.error(c.loc, c.name + " of " + describeType(x->getType()) + ": " + why);
    return std::nullopt;
  }
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<OpTy>(c.loc, E.tensorType(out, E.f32()), *x,
                                      b.getDenseI64ArrayAttr(*kernel),
                                      b.getDenseI64ArrayAttr(*stride),
                                      b.getDenseI64ArrayAttr(*padding)));
}

} // namespace

void registerPoolingBuiltins(BuiltinTable &t) {
  Val zero = Val::integer(0);
  t["maxpool2d"] = {{req("x"), req("k"), opt("stride"), opt("padding", zero)},
                    pool2d<dlo::MaxPool2dOp>};
  t["avgpool2d"] = {{req("x"), req("k"), opt("stride"), opt("padding", zero)},
                    pool2d<dlo::AvgPool2dOp>};
}

} // namespace dlc
