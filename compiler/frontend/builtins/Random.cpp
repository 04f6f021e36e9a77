//===- Random.cpp - Randomness --------------------------------------------===//
//
// The builtins that emit ops of RandomOps.td: dropout(x, p), which draws in every mode so that
// the Philox streams of a model agree across its functions, but only drops in training; and
// normal(shape, mean, std) and uniform(shape, lo, hi), which sample tensors. Called without a
// shape, normal and uniform are initializers instead (Initializers.cpp).
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

} // namespace

void registerRandomBuiltins(BuiltinTable &t) {
  t["dropout"] = {{req("x"), req("p")}, dropout};
  t["normal"] = {{req("shape"), opt("mean", Val::number(0.0)), opt("std", Val::number(1.0))},
                 randomNormal};
  t["uniform"] = {{req("shape"), opt("lo", Val::number(0.0)), opt("hi", Val::number(1.0))},
                  randomUniform};
}

} // namespace dlc
