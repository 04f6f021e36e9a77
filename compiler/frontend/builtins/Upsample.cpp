//===- Upsample.cpp - upsample (PyTorch's F.interpolate by scale factors) -===//
//
// upsample(x, scale, mode = "nearest", align_corners = false) on x [N, C, H, W] with whole scale
// factors (one integer for both axes or [height, width]) gives [N, C, H sh, W sw], as
// F.interpolate(x, scale_factor = scale, mode = mode, align_corners = ...) does:
//   "nearest"   output (i, j) copies input (i / sh, j / sw), written as a reshape to
//               [N, C, H, 1, W, 1], a broadcast to [N, C, H, sh, W, sw] and a reshape back (their
//               gradients sum each sh x sw block); PyTorch's float index arithmetic gives the same
//               indices for whole factors (checked in test/unit/interpreter).
//   "bilinear"  UpsampleOps.td's dl.upsample_bilinear2d.
// align_corners applies to "bilinear" only; PyTorch rejects it with "nearest", and so does this.
// The Upsample layer is written in .dl (prelude.dl).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// A string argument in quotes, anything else as Val::describe says it.
std::string quoted(const Val &v) {
  return v.kind == Val::Kind::String ? "\"" + v.s + "\"" : v.describe();
}

/// The nearest-neighbour upsampling of x [N, C, H, W] by `scale`, out being its shape.
Value nearest(Elaborator &E, SourceLoc at, Value x, const std::vector<int64_t> &scale,
              const shape::Shape &out) {
  shape::Shape in = shapeOf(x.getType());
  if (scale[0] == 1 && scale[1] == 1)
    return x;
  Value spread = E.create<dlo::ReshapeOp>(
      at, E.tensorType({in[0], in[1], in[2], 1, in[3], 1}, E.f32()), x);
  Value copies = E.create<dlo::BroadcastToOp>(
      at, E.tensorType({in[0], in[1], in[2], scale[0], in[3], scale[1]}, E.f32()), spread);
  return E.create<dlo::ReshapeOp>(at, E.tensorType(out, E.f32()), copies);
}

std::optional<Val> upsample(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'upsample'");
  std::optional<std::vector<int64_t>> scale = spatial(E, c, 1, "scale", 1);
  if (!x || !scale)
    return std::nullopt;
  if (c[2].kind != Val::Kind::String || (c[2].s != "nearest" && c[2].s != "bilinear")) {
    E.error(c.locOf(2), "'mode' of 'upsample' must be \"nearest\" or \"bilinear\", not " +
                            quoted(c[2]));
    return std::nullopt;
  }
  if (c[3].kind != Val::Kind::Bool) {
    E.error(c.locOf(3), "'align_corners' must be true or false, not " + c[3].describe());
    return std::nullopt;
  }
  bool bilinear = c[2].s == "bilinear", alignCorners = c[3].b;
  if (alignCorners && !bilinear) {
    E.error(c.locOf(3), "'align_corners' applies to mode \"bilinear\" only, as in PyTorch");
    return std::nullopt;
  }
  shape::Shape out;
  std::string why;
  if (!shape::upsample2d(shapeOf(x->getType()), *scale, out, why)) {
    E.error(c.loc, "upsample of " + describeType(x->getType()) + " by " +
                       shape::formatList(*scale) + ": " + why);
    return std::nullopt;
  }
  if (!E.checkSize(out, E.f32(), c.loc, "the result of 'upsample'"))
    return std::nullopt;
  if (!bilinear)
    return Val::ofTensor(nearest(E, c.loc, *x, *scale, out));
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<dlo::UpsampleBilinear2dOp>(
      c.loc, E.tensorType(out, E.f32()), *x, b.getDenseI64ArrayAttr(*scale),
      alignCorners ? b.getBoolAttr(true) : mlir::BoolAttr()));
}

} // namespace

void registerUpsampleBuiltins(BuiltinTable &t) {
  t["upsample"] = {{req("x"), req("scale"), opt("mode", Val::string("nearest")),
                    opt("align_corners", Val::boolean(false))},
                   upsample};
}

} // namespace dlc
