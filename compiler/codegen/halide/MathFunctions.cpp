//===- MathFunctions.cpp - Numerics the op families share ------------------===//
//
// Functions Halide lacks or gives with less accuracy than the reference interpreter asks of f32
// kernels: erf (to about one ulp), log1p and expm1 (accurate near zero), an overflow-free sigmoid,
// NaN-propagating max/min (the interpreter's and PyTorch's maximum), and the integer helpers for
// 32-bit wrapping and row-major flat indices.
//
// Halide compiles float code with fast-math flags (no NaNs, no infinities, reassociation) and its
// simplifier treats float arithmetic as real arithmetic, so (1 + x) - 1 becomes x. Expressions
// whose meaning depends on rounding or on NaN are therefore wrapped in strict_float, which keeps
// both the simplifier and LLVM to IEEE semantics for that expression only.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

namespace dl::halide {

using Halide::Expr;

namespace {

/// Horner evaluation of sum c[i] x^i.
Expr polynomial(const Expr &x, const std::vector<double> &c) {
  Expr r = Halide::Internal::make_const(x.type(), c.back());
  for (size_t i = c.size() - 1; i-- > 0;)
    r = r * x + Halide::Internal::make_const(x.type(), c[i]);
  return r;
}

// Least-squares fits on Chebyshev nodes (numpy), checked against libm in double:
//   erf(a) / a             as a polynomial in a^2 on [0, 1], relative error 1e-12;
//   erfc(a) exp(a^2)       as a polynomial in 1/a on [1, 26], relative error 9e-12.
// Beyond a = 26, erfc(a) underflows in double.
const std::vector<double> kErfSmall = {
    1.1283791670947743,     -0.37612638889887334,    0.1128379131392109,
    -0.026866133662611605,  0.0052237851662103362,   -0.00085426742450747271,
    0.00011956993617732652, -1.3912009597665444e-05, 1.0596098133091873e-06};
const std::vector<double> kErfcLarge = {
    -4.5636217027578141e-10, 0.5641896372882913,  -2.7490524695701624e-06, -0.28201360410208315,
    -0.0015548284428271372,  0.44371935875359486, -0.19569854708506157,    0.31198634721900231,
    -7.1379181686481363,     31.320867689536865,  -77.544556104963164,     131.71347863919763,
    -163.75181424315957,     151.95680623897886,  -104.73655891322107,     52.248295578071861,
    -17.869737192844891,     3.7534136716171211,  -0.36531923253241383};

/// exp(x) for a double x in [-708, 0], vectorizable (Halide calls libm's scalar exp for doubles):
/// x = k ln 2 + r with |r| <= ln(2) / 2, exp(r) by its Taylor polynomial to r^13 (relative error
/// below 1e-16), scaled by 2^k built in the exponent bits.
Expr expOfNonPositive(const Expr &x) {
  Expr k = Halide::floor(x * Expr(1.4426950408889634) + Expr(0.5));
  Expr r = x - k * Expr(0.6931471803691238) - k * Expr(1.9082149292705877e-10);
  std::vector<double> taylor{1.0};
  for (int i = 1; i <= 13; ++i)
    taylor.push_back(taylor.back() / i);
  Expr scale = Halide::reinterpret<double>(
      (Halide::cast<int64_t>(k) + Halide::Expr(int64_t(1023))) << Halide::Expr(uint64_t(52)));
  return polynomial(r, taylor) * scale;
}

/// erf(a) for a double `a` in [0, 1).
Expr erfBelowOne(const Expr &a) { return a * polynomial(a * a, kErfSmall); }

/// erfc(a) for a double `a` >= 0, without the cancellation of 1 - erf(a) where erf(a) is near 1.
Expr erfcOfNonNegative(const Expr &a) {
  Expr one = Expr(1.0);
  Expr clamped = Halide::min(a, Expr(26.0)); // erfc underflows in double beyond 26 anyway
  Expr tail = expOfNonPositive(-(clamped * clamped)) *
              polynomial(one / Halide::max(a, one), kErfcLarge);
  return Halide::select(a < one, one - erfBelowOne(a), tail);
}

} // namespace

Expr accurateErf(const Expr &x) {
  // Evaluated in double, so the f32 result is within about half an ulp of the exact value.
  Expr a = Halide::cast<double>(Halide::abs(x));
  Expr one = Expr(1.0);
  Expr magnitude = Halide::select(a < one, erfBelowOne(a), one - erfcOfNonNegative(a));
  Expr r = Halide::cast(x.type(), magnitude);
  return Halide::select(Halide::is_nan(x), x, x < 0, -r, r);
}

Expr gaussianCdf(const Expr &x) {
  // Phi(x) = erfc(-x / sqrt 2) / 2; for x < 0 that is the tail itself, with no 1 + erf
  // cancellation.
  Expr a = Halide::cast<double>(Halide::abs(x)) * Expr(0.70710678118654752440);
  Expr half = Expr(0.5) * erfcOfNonNegative(a);
  Expr phi = Halide::select(Halide::cast<double>(x) <= Expr(0.0), half, Expr(1.0) - half);
  return Halide::select(Halide::is_nan(x), x, Halide::cast(x.type(), phi));
}

Expr log1p(const Expr &x) {
  // u - 1 is exact for the u = fl(1 + x) actually used, so log(u) x / (u - 1) corrects the rounding
  // of 1 + x (Goldberg, "What every computer scientist should know about floating-point", 1991).
  Expr u = 1 + x;
  Expr corrected = Halide::log(u) * x / (u - 1);
  return Halide::strict_float(Halide::select(u == 1, x, Halide::is_inf(u), u, corrected));
}

Expr expm1(const Expr &x) {
  // Kahan's form: (u - 1) x / log(u) with u = fl(exp(x)).
  Expr u = Halide::exp(x);
  Expr um1 = u - 1;
  Expr corrected = um1 * x / Halide::log(u);
  return Halide::strict_float(
      Halide::select(u == 1, x, um1 == -1, um1, Halide::is_inf(u), u, corrected));
}

Expr sigmoid(const Expr &x) {
  Expr e = Halide::exp(-Halide::abs(x)); // in (0, 1]: never overflows
  Expr r = 1 / (1 + e);
  return Halide::select(x >= 0, r, e * r);
}

Expr nanOf(Halide::Type t) {
  // Built from bits: a NaN literal could be folded away by simplifications that assume no NaNs.
  if (t.bits() == 64)
    return Halide::reinterpret(t, Expr(uint64_t(0x7ff8000000000000ull)));
  return Halide::reinterpret(Halide::Float(32), Expr(uint32_t(0x7fc00000u)));
}

Expr maxPropagatingNaN(const Expr &a, const Expr &b) {
  if (!a.type().is_float())
    return Halide::max(a, b);
  return Halide::strict_float(
      Halide::select(Halide::is_nan(a) || Halide::is_nan(b), nanOf(a.type()), Halide::max(a, b)));
}

Expr minPropagatingNaN(const Expr &a, const Expr &b) {
  if (!a.type().is_float())
    return Halide::min(a, b);
  return Halide::strict_float(
      Halide::select(Halide::is_nan(a) || Halide::is_nan(b), nanOf(a.type()), Halide::min(a, b)));
}

Expr wrapToInt32(const Expr &unsignedResult) {
  return Halide::reinterpret(Halide::Int(32), unsignedResult);
}

Expr flatIndex(const Index &index, const Shape &shape) {
  Expr flat = 0;
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    flat = flat + index[d] * static_cast<int32_t>(stride);
    stride *= shape[d];
  }
  return flat;
}

} // namespace dl::halide
