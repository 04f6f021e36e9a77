//===- Random.cpp - Randomness --------------------------------------------===//
//
// The builtins that emit ops of RandomOps.td: dropout(x, p), which draws in every mode so that
// the Philox streams of a model agree across its functions, but only drops in training; and
// normal(shape, mean, std) and uniform(shape, lo, hi), which sample tensors. Called without a
// shape, normal and uniform are initializers instead (Initializers.cpp).
//
// The data augmentations behave like dropout: a stream in every mode, an op in training mode only,
// nothing where they would change nothing. random_flip(x, axis = -1, p = 0.5) and
// gaussian_noise(x, std) are the identity in inference mode; random_crop(x, size, padding = 0)
// is the centre window of the padded input there (torchvision's CenterCrop; the identity when the
// size is the input's and the padding even on both sides, as always here); random_translate(x,
// max_shift) is random_crop to the input's own size with padding max_shift.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// dropout(x, p): p in [0, 1); x itself in inference mode or for p = 0.
std::optional<Val> dropout(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'dropout'");
  std::optional<double> p = E.requireNumber(c[1], c.locOf(1), "the drop probability");
  if (!x || !p)
    return std::nullopt;
  if (!(*p >= 0 && *p < 1)) {
    E.error(c.locOf(1), "the drop probability must be in [0, 1), not " + std::to_string(*p));
    return std::nullopt;
  }
  int64_t stream = E.nextStream();  // Drawn in every mode, so streams agree across functions.
  if (E.mode() == Mode::Inference || *p == 0)
    return c[0];
  return Val::ofTensor(E.create<dlo::DropoutOp>(c.loc, x->getType(), *x, E.builder().getF64FloatAttr(*p),
                                                E.builder().getI64IntegerAttr(stream)));
}

/// normal(shape, mean = 0, std = 1).
std::optional<Val> randomNormal(Elaborator &E, const BuiltinCall &c) {
  std::optional<std::vector<int64_t>> s = E.requireInts(c[0], c.locOf(0), "the shape");
  std::optional<double> mean = E.requireNumber(c[1], c.locOf(1), "'mean'");
  std::optional<double> std = E.requireNumber(c[2], c.locOf(2), "'std'");
  if (!s || !mean || !std)
    return std::nullopt;
  if (*std < 0 || std::any_of(s->begin(), s->end(), [](int64_t d) { return d <= 0; })) {
    E.error(c.loc, "normal needs positive dimensions and a non-negative std");
    return std::nullopt;
  }
  if (!E.checkSize(*s, E.f32(), c.locOf(0), "the shape"))
    return std::nullopt;
  return Val::ofTensor(E.create<dlo::RandomNormalOp>(c.loc, E.tensorType(*s, E.f32()), E.builder().getF64FloatAttr(*mean),
                                                     E.builder().getF64FloatAttr(*std), E.builder().getI64IntegerAttr(E.nextStream())));
}

/// uniform(shape, lo = 0, hi = 1), lo < hi.
std::optional<Val> randomUniform(Elaborator &E, const BuiltinCall &c) {
  std::optional<std::vector<int64_t>> s = E.requireInts(c[0], c.locOf(0), "the shape");
  std::optional<double> lo = E.requireNumber(c[1], c.locOf(1), "'lo'");
  std::optional<double> hi = E.requireNumber(c[2], c.locOf(2), "'hi'");
  if (!s || !lo || !hi)
    return std::nullopt;
  if (!(*lo < *hi) || std::any_of(s->begin(), s->end(), [](int64_t d) { return d <= 0; })) {
    E.error(c.loc, "uniform needs positive dimensions and lo < hi");
    return std::nullopt;
  }
  if (!E.checkSize(*s, E.f32(), c.locOf(0), "the shape"))
    return std::nullopt;
  return Val::ofTensor(E.create<dlo::RandomUniformOp>(c.loc, E.tensorType(*s, E.f32()), E.builder().getF64FloatAttr(*lo),
                                                      E.builder().getF64FloatAttr(*hi), E.builder().getI64IntegerAttr(E.nextStream())));
}

/// The [N, C, H, W] batch an augmentation `name` takes as its first argument.
std::optional<Value> imageBatch(Elaborator &E, const BuiltinCall &c, const std::string &name) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of '" + name + "'");
  if (!x)
    return std::nullopt;
  if (typeOf(*x).getRank() != 4) {
    E.error(c.locOf(0), "'" + name + "' needs a batch of images [N, C, H, W], not " +
                            describeType(x->getType()));
    return std::nullopt;
  }
  return x;
}

/// random_flip(x, axis = -1, p = 0.5): each sample reversed along `axis` with probability p.
std::optional<Val> randomFlip(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = imageBatch(E, c, "random_flip");
  std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
  std::optional<double> p = E.requireNumber(c[2], c.locOf(2), "the flip probability");
  if (!x || !axis || !p)
    return std::nullopt;
  int64_t normalized;
  std::string why;
  if (!shape::randomFlip(shapeOf(x->getType()), *axis, normalized, why)) {
    E.error(c.locOf(1), "'random_flip' of " + describeType(x->getType()) + ": " + why);
    return std::nullopt;
  }
  if (!(*p >= 0 && *p <= 1)) {
    E.error(c.locOf(2), "the flip probability must be in [0, 1], not " + std::to_string(*p));
    return std::nullopt;
  }
  int64_t stream = E.nextStream(); // Drawn in every mode, so streams agree across functions.
  if (E.mode() == Mode::Inference || *p == 0)
    return c[0];
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<dlo::RandomFlipOp>(c.loc, x->getType(), *x,
                                                   b.getI64IntegerAttr(normalized),
                                                   b.getF64FloatAttr(*p),
                                                   b.getI64IntegerAttr(stream)));
}

/// A random crop of `x` to `size` after zero-padding by `padding` (checked by the caller), or in
/// inference mode the centre window; `x` itself when either is the identity.
std::optional<Val> crop(Elaborator &E, const BuiltinCall &c, Value x,
                        const std::vector<int64_t> &size, const std::vector<int64_t> &padding,
                        const shape::Shape &out) {
  int64_t stream = E.nextStream(); // Drawn in every mode, so streams agree across functions.
  shape::Shape in = shapeOf(x.getType());
  mlir::OpBuilder &b = E.builder();
  if (E.mode() == Mode::Training) {
    // One position only: the window is the input.
    if (size[0] == in[2] && size[1] == in[3] && padding[0] == 0 && padding[1] == 0)
      return Val::ofTensor(x);
    return Val::ofTensor(E.create<dlo::RandomCropOp>(
        c.loc, E.tensorType(out, E.f32()), x, b.getDenseI64ArrayAttr(size),
        b.getDenseI64ArrayAttr(padding), b.getI64IntegerAttr(stream)));
  }
  // The centre window: (top, left) in the padded input, rounded down.
  int64_t top = (in[2] + 2 * padding[0] - size[0]) / 2, left = (in[3] + 2 * padding[1] - size[1]) / 2;
  int64_t row = top - padding[0], col = left - padding[1]; // in x
  Value source = x;
  if (row < 0 || col < 0 || row + size[0] > in[2] || col + size[1] > in[3]) {
    shape::Shape padded = {in[0], in[1], in[2] + 2 * padding[0], in[3] + 2 * padding[1]};
    std::vector<int64_t> low = {0, 0, padding[0], padding[1]};
    source = E.create<dlo::PadOp>(c.loc, E.tensorType(padded, E.f32()), x,
                                  b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(low),
                                  b.getF64FloatAttr(0.0));
    row = top;
    col = left;
  }
  if (source == x && row == 0 && col == 0 && size[0] == in[2] && size[1] == in[3])
    return Val::ofTensor(x);
  std::vector<int64_t> start = {0, 0, row, col}, limit = {in[0], in[1], row + size[0], col + size[1]};
  return Val::ofTensor(E.create<dlo::SliceOp>(c.loc, E.tensorType(out, E.f32()), source,
                                              b.getDenseI64ArrayAttr(start),
                                              b.getDenseI64ArrayAttr(limit),
                                              b.getDenseI64ArrayAttr({1, 1, 1, 1})));
}

/// random_crop(x, size, padding = 0): torchvision's RandomCrop(size, padding).
std::optional<Val> randomCrop(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = imageBatch(E, c, "random_crop");
  std::optional<std::vector<int64_t>> size = spatial(E, c, 1, "size", 1);
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 2, "padding", 0);
  if (!x || !size || !padding)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::randomCrop(shapeOf(x->getType()), *size, *padding, out, why)) {
    E.error(c.locOf(1), "'random_crop' of " + describeType(x->getType()) + " to size " +
                            shape::formatList(*size) + " with padding " +
                            shape::formatList(*padding) + ": " + why);
    return std::nullopt;
  }
  return crop(E, c, *x, *size, *padding, out);
}

/// random_translate(x, max_shift): each sample shifted by whole pixels in [-max_shift, max_shift]
/// along H and W, zeros filling in; random_crop to the input's size with padding max_shift.
std::optional<Val> randomTranslate(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = imageBatch(E, c, "random_translate");
  std::optional<std::vector<int64_t>> shift = spatial(E, c, 1, "max_shift", 0);
  if (!x || !shift)
    return std::nullopt;
  shape::Shape in = shapeOf(x->getType()), out;
  std::vector<int64_t> size = {in[2], in[3]};
  std::string why;
  if (!shape::randomCrop(in, size, *shift, out, why)) {
    E.error(c.locOf(1), "'random_translate' of " + describeType(x->getType()) + " by up to " +
                            shape::formatList(*shift) + ": " + why);
    return std::nullopt;
  }
  return crop(E, c, *x, size, *shift, out);
}

/// gaussian_noise(x, std): x + std * N(0, 1) per element.
std::optional<Val> gaussianNoise(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'gaussian_noise'");
  std::optional<double> std = E.requireNumber(c[1], c.locOf(1), "'std'");
  if (!x || !std)
    return std::nullopt;
  if (!(*std >= 0)) {
    E.error(c.locOf(1), "the standard deviation of 'gaussian_noise' must not be negative, not " +
                            std::to_string(*std));
    return std::nullopt;
  }
  int64_t stream = E.nextStream(); // Drawn in every mode, so streams agree across functions.
  if (E.mode() == Mode::Inference || *std == 0)
    return c[0];
  return Val::ofTensor(E.create<dlo::GaussianNoiseOp>(c.loc, x->getType(), *x,
                                                      E.builder().getF64FloatAttr(*std),
                                                      E.builder().getI64IntegerAttr(stream)));
}

} // namespace

void registerRandomBuiltins(BuiltinTable &t) {
  t["dropout"] = {{req("x"), req("p")}, dropout};
  t["normal"] = {{req("shape"), opt("mean", Val::number(0.0)), opt("std", Val::number(1.0))},
                 randomNormal};
  t["uniform"] = {{req("shape"), opt("lo", Val::number(0.0)), opt("hi", Val::number(1.0))},
                  randomUniform};
  t["random_flip"] = {{req("x"), opt("axis", Val::integer(-1)), opt("p", Val::number(0.5))},
                      randomFlip};
  t["random_crop"] = {{req("x"), req("size"), opt("padding", Val::integer(0))}, randomCrop};
  t["random_translate"] = {{req("x"), req("max_shift")}, randomTranslate};
  t["gaussian_noise"] = {{req("x"), req("std")}, gaussianNoise};
}

} // namespace dlc
