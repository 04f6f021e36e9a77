//===- Conv.cpp - 2-D convolution -----------------------------------------===//
//
// conv2d(x, W, stride = 1, padding = 0, dilation = 1) and conv_transpose2d(x, W, stride = 1,
// padding = 0, output_padding = 0, dilation = 1), which emit ConvOps.td's dl.conv2d and
// dl.conv_transpose2d, and the reading of a spatial argument (stride, padding, dilation, kernel
// size) as one integer for both dimensions or as [height, width], which pooling shares. The Conv2d and ConvTranspose2d
// layers, with their biases, are written in .dl (prelude.dl).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

std::optional<std::vector<int64_t>> spatial(Elaborator &E, const BuiltinCall &c, size_t i,
                                            const std::string &what, int64_t minimum) {
  std::optional<std::vector<int64_t>> v = E.requireInts(c[i], c.locOf(i), "'" + what + "'");
  if (!v)
    return std::nullopt;
  if (v->size() == 1)
    v->push_back(v->front());
  if (v->size() != 2) {
    E.error(c.locOf(i), "'" + what + "' must be an integer or a list [height, width], not " +
                            c[i].describe());
    return std::nullopt;
  }
  for (int64_t d : *v)
    if (d < minimum || d > (int64_t(1) << 30)) {
      E.error(c.locOf(i), "'" + what + "' must be at least " + std::to_string(minimum) +
                              ", not " + std::to_string(d));
      return std::nullopt;
    }
  return v;
}

namespace {

/// conv2d(x, W, stride = 1, padding = 0, dilation = 1): x [N, C, H, W], W [O, C, KH, KW].
std::optional<Val> conv2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'conv2d'");
  std::optional<Value> w = E.requireTensor(c[1], c.locOf(1), "the weight of 'conv2d'");
  std::optional<std::vector<int64_t>> stride = spatial(E, c, 2, "stride", 1);
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 3, "padding", 0);
  std::optional<std::vector<int64_t>> dilation = spatial(E, c, 4, "dilation", 1);
  if (!x || !w || !stride || !padding || !dilation)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::conv2d(shapeOf(x->getType()), shapeOf(w->getType()), *stride, *padding, *dilation,
                     out, why)) {
    E.error(c.loc, "conv2d of " + describeType(x->getType()) + " with weight " +
                       describeType(w->getType()) + ": " + why);
    return std::nullopt;
  }
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<dlo::Conv2dOp>(c.loc, E.tensorType(out, E.f32()), *x, *w,
                                               b.getDenseI64ArrayAttr(*stride),
                                               b.getDenseI64ArrayAttr(*padding),
                                               b.getDenseI64ArrayAttr(*dilation)));
}

/// conv_transpose2d(x, W, stride = 1, padding = 0, output_padding = 0, dilation = 1): x [N, C, H,
/// W], W [C, O, KH, KW] (PyTorch's layout, input channels first).
std::optional<Val> convTranspose2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'conv_transpose2d'");
  std::optional<Value> w = E.requireTensor(c[1], c.locOf(1), "the weight of 'conv_transpose2d'");
  std::optional<std::vector<int64_t>> stride = spatial(E, c, 2, "stride", 1);
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 3, "padding", 0);
  std::optional<std::vector<int64_t>> outputPadding = spatial(E, c, 4, "output_padding", 0);
  std::optional<std::vector<int64_t>> dilation = spatial(E, c, 5, "dilation", 1);
  if (!x || !w || !stride || !padding || !outputPadding || !dilation)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::convTranspose2d(shapeOf(x->getType()), shapeOf(w->getType()), *stride, *padding,
                              *outputPadding, *dilation, out, why)) {
    E.error(c.loc, "conv_transpose2d of " + describeType(x->getType()) + " with weight " +
                       describeType(w->getType()) + ": " + why);
    return std::nullopt;
  }
  if (!E.checkSize(out, E.f32(), c.loc, "the result of 'conv_transpose2d'"))
    return std::nullopt;
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<dlo::ConvTranspose2dOp>(
      c.loc, E.tensorType(out, E.f32()), *x, *w, b.getDenseI64ArrayAttr(*stride),
      b.getDenseI64ArrayAttr(*padding), b.getDenseI64ArrayAttr(*outputPadding),
      b.getDenseI64ArrayAttr(*dilation)));
}

} // namespace

void registerConvBuiltins(BuiltinTable &t) {
  Val one = Val::integer(1), zero = Val::integer(0);
  t["conv2d"] = {{req("x"), req("W"), opt("stride", one), opt("padding", zero),
                  opt("dilation", one)},
                 conv2d};
  t["conv_transpose2d"] = {{req("x"), req("W"), opt("stride", one), opt("padding", zero),
                            opt("output_padding", zero), opt("dilation", one)},
                           convTranspose2d};
}

} // namespace dlc
