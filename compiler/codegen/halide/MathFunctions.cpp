//===- MathFunctions.cpp - Numerics the op families share ------------------===//
//
// Functions Halide lacks or gives with less accuracy than the reference interpreter asks of f32
// kernels: erf (to about one ulp), log1p and expm1 (accurate near zero), an overflow-free sigmoid,
// x e^x with subnormal results kept exact, round half to even on every backend, an exact fmod,
// NaN-propagating max/min (the interpreter's and PyTorch's maximum), and the integer helpers for
// 32-bit wrapping and row-major flat indices.
//
// Halide compiles float code with fast-math flags (no NaNs, no infinities, reassociation) and its
// simplifier treats float arithmetic as real arithmetic, so (1 + x) - 1 becomes x. Expressions
// whose meaning depends on rounding are therefore wrapped in strict_float, which keeps both the
// simplifier and LLVM to IEEE semantics for that expression only. That is not enough for NaN and
// the infinities: LLVM takes any value a fast-math instruction produced to be finite, so it folds
// is_nan(a + b) to false even inside strict_float. Tests for NaN and infinities are therefore
// made on the float's bits (isNaN, isInfinite, signBit), which no float assumption can fold, and
// the special values are built from bits too. ieeeExp and ieeeLog are Halide's exp and log with
// the cases those leave wrong (NaN, the infinities, overflow, subnormal results and arguments).
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

/// The bits of a float as an unsigned integer of its width.
Expr bitsOf(const Expr &x) {
  return Halide::reinterpret(Halide::UInt(x.type().bits(), x.type().lanes()), x);
}

/// The bits of +infinity, as an unsigned integer of `t`'s width.
Expr infinityBits(const Halide::Type &t) {
  return t.bits() == 64 ? Expr(uint64_t(0x7ff0000000000000ull)) : Expr(uint32_t(0x7f800000u));
}

/// The bits of |x|: the sign bit cleared.
Expr magnitudeBits(const Expr &x) {
  Expr mask = x.type().bits() == 64 ? Expr(uint64_t(0x7fffffffffffffffull))
                                    : Expr(uint32_t(0x7fffffffu));
  return bitsOf(x) & mask;
}

/// The unbiased binary exponent of a finite positive double (its exponent field minus 1023).
Expr exponentOf(const Expr &d) {
  Expr field = (Halide::reinterpret<uint64_t>(d) >> Expr(uint64_t(52))) & Expr(uint64_t(0x7ff));
  return Halide::cast<int32_t>(field) - 1023;
}

/// 2^k as a double, for an integer k in [-1022, 1023], built in the exponent bits.
Expr powerOfTwo(const Expr &k) {
  return Halide::reinterpret<double>(Halide::cast<uint64_t>(k + 1023) << Expr(uint64_t(52)));
}

/// r mod d for doubles r >= 0 and d > 0 that hold finite f32 values: exact. Each step divides r by
/// d 2^k, with k chosen so that the quotient n stays below 2^29; then n d 2^k has at most
/// 29 + 24 = 53 significant bits and r - n d 2^k is exact in double. A quotient rounded to the
/// integer above or below is corrected by one d 2^k. A step removes 28 of the at most 276 binary
/// orders of magnitude between r and d (2^127 over 2^-149), so ten steps reach r < d.
Expr exactRemainder(Expr r, const Expr &d) {
  Expr dExponent = exponentOf(d);
  for (int step = 0; step < 10; ++step) {
    Expr k = Halide::clamp(exponentOf(r) - dExponent - 28, 0, 300);
    Expr scaled = d * powerOfTwo(k);
    Expr n = Halide::floor(r / scaled);
    r = r - n * scaled;
    r = Halide::select(r < Expr(0.0), r + scaled, r >= scaled, r - scaled, r);
  }
  return r;
}

} // namespace

Expr isNaN(const Expr &x) { return magnitudeBits(x) > infinityBits(x.type()); }

Expr isInfinite(const Expr &x) { return magnitudeBits(x) == infinityBits(x.type()); }

Expr signBit(const Expr &x) {
  return Halide::reinterpret(Halide::Int(x.type().bits(), x.type().lanes()), x) < 0;
}

Expr infinityOf(Halide::Type t, bool negative) {
  if (t.bits() == 64)
    return Halide::reinterpret(
        t, Expr(uint64_t(negative ? 0xfff0000000000000ull : 0x7ff0000000000000ull)));
  return Halide::reinterpret(t, Expr(uint32_t(negative ? 0xff800000u : 0x7f800000u)));
}

Expr withNaN(const Expr &x, const Expr &value) { return Halide::select(isNaN(x), x, value); }

Expr ieeeExp(const Expr &x) {
  // Halide's exp splits x = k ln 2 + r with k converted to an integer: right on [-87.3, 88.72],
  // 0 or garbage beyond, where the integer overflows. Results below 2^-126 (x < -87.33) are
  // subnormal, which 2^k cannot express: there exp(x / 2)^2 is computed instead, one rounding
  // more. The argument is clamped so that the integer never overflows.
  Halide::Type t = x.type();
  Expr low = x < -87.0f;
  Expr argument = Halide::select(low, Halide::max(x, -104.0f) * 0.5f, Halide::min(x, 88.75f));
  Expr e = Halide::exp(argument);
  Expr r = Halide::select(low, e * e, e);
  r = Halide::select(x > 88.72283935546875f, infinityOf(t), x < -103.98f,
                     Halide::Internal::make_zero(t), r);
  return withNaN(x, r);
}

Expr ieeeLog(const Expr &x) {
  // Halide's log reads the exponent field, which is 0 for every subnormal: those are scaled by
  // 2^23 first. log(0) = -inf (either zero), log(x < 0) = NaN, log(inf) = inf, log(NaN) = NaN.
  Halide::Type t = x.type();
  Expr tiny = x < 1.17549435e-38f;
  Expr scaled = Halide::select(tiny, x * 8388608.0f, x);
  Expr r = Halide::log(scaled) - Halide::select(tiny, 15.942385152878742f, 0.0f);
  Expr zero = (bitsOf(x) << Halide::cast(bitsOf(x).type(), 1)) == Halide::Internal::make_zero(bitsOf(x).type());
  r = Halide::select(zero, infinityOf(t, /*negative=*/true), signBit(x), nanOf(t),
                     isInfinite(x), x, r);
  return withNaN(x, r);
}

Expr accurateErf(const Expr &x) {
  // Evaluated in double, so the f32 result is within about half an ulp of the exact value.
  Expr a = Halide::cast<double>(Halide::abs(x));
  Expr one = Expr(1.0);
  Expr magnitude = Halide::select(a < one, erfBelowOne(a), one - erfcOfNonNegative(a));
  Expr r = Halide::cast(x.type(), magnitude);
  return withNaN(x, Halide::select(signBit(x), -r, r)); // erf(-0) = -0
}

Expr gaussianCdf(const Expr &x) {
  // Phi(x) = erfc(-x / sqrt 2) / 2; for x < 0 that is the tail itself, with no 1 + erf
  // cancellation.
  Expr a = Halide::cast<double>(Halide::abs(x)) * Expr(0.70710678118654752440);
  Expr half = Expr(0.5) * erfcOfNonNegative(a);
  Expr phi = Halide::select(Halide::cast<double>(x) <= Expr(0.0), half, Expr(1.0) - half);
  return withNaN(x, Halide::cast(x.type(), phi));
}

Expr log1p(const Expr &x) {
  // u - 1 is exact for the u = fl(1 + x) actually used, so log(u) x / (u - 1) corrects the rounding
  // of 1 + x (Goldberg, "What every computer scientist should know about floating-point", 1991).
  Expr u = 1 + x;
  Expr corrected = ieeeLog(u) * x / (u - 1);
  return withNaN(x, Halide::strict_float(Halide::select(u == 1, x, isInfinite(u), u, corrected)));
}

Expr expm1(const Expr &x) {
  // Kahan's form: (u - 1) x / log(u) with u = fl(exp(x)).
  Expr u = ieeeExp(x);
  Expr um1 = u - 1;
  Expr corrected = um1 * x / ieeeLog(u);
  return withNaN(x, Halide::strict_float(
                        Halide::select(u == 1, x, um1 == -1, um1, isInfinite(u), u, corrected)));
}

Expr sigmoid(const Expr &x) {
  Expr e = ieeeExp(-Halide::abs(x)); // in [0, 1]: never overflows
  Expr r = 1 / (1 + e);
  return withNaN(x, Halide::select(signBit(x), e * r, r));
}

Expr timesExp(const Expr &x) {
  // In double: e^x by expOfNonPositive, then one rounding to f32. Below -708, e^x is below
  // double's normal range, and x e^x is far below f32's smallest subnormal: 0 with x's sign.
  Expr xd = Halide::cast<double>(x);
  Expr product = Halide::cast(x.type(), xd * expOfNonPositive(Halide::max(xd, Expr(-708.0))));
  Expr minusZero = Halide::reinterpret(x.type(), Expr(uint32_t(0x80000000u)));
  return Halide::select(x < -708.0f, minusZero, product);
}

Expr roundHalfToEven(const Expr &x) {
  // Below 2^23, x - floor(x) is exact, and so are f + 1 and f / 2; an odd f goes up at a half.
  Expr f = Halide::floor(x);
  Expr d = x - f;
  Expr odd = Halide::floor(f * 0.5f) * 2.0f != f;
  Expr r = Halide::strict_float(Halide::select(d > 0.5f || (d == 0.5f && odd), f + 1.0f, f));
  // r is zero or has x's sign: set x's sign bit, so that -0.4 and -0.5 give -0.
  Expr sign = Halide::reinterpret<uint32_t>(x) & Expr(uint32_t(0x80000000u));
  Expr signedR = Halide::reinterpret<float>(Halide::reinterpret<uint32_t>(r) | sign);
  Expr large = magnitudeBits(x) >= magnitudeBits(Expr(8388608.0f)); // also NaN and the infinities
  return Halide::select(large, x, signedR);
}

Expr exactFmod(const Expr &a, const Expr &b) {
  // |a| mod |b| in double, exact, so the cast back to f32 is exact too; the sign is a's, set on
  // the bits (fmod(-4, 2) is -0).
  Expr magnitude = Halide::cast<float>(Halide::strict_float(
      exactRemainder(Halide::cast<double>(Halide::abs(a)), Halide::cast<double>(Halide::abs(b)))));
  Expr sign = Halide::reinterpret<uint32_t>(a) & Expr(uint32_t(0x80000000u));
  Expr r = Halide::reinterpret<float>(Halide::reinterpret<uint32_t>(magnitude) | sign);
  Expr zeroDivisor = (Halide::reinterpret<uint32_t>(b) << Expr(uint32_t(1))) == Expr(uint32_t(0));
  // C99 F.9.7.1: NaN for a NaN, an infinite dividend or a zero divisor; a for an infinite divisor.
  return Halide::select(isNaN(a) || isNaN(b) || isInfinite(a) || zeroDivisor, nanOf(a.type()),
                        isInfinite(b), a, r);
}

Expr nanOf(Halide::Type t) {
  // Built from bits: a NaN literal could be folded away by simplifications that assume no NaNs.
  if (t.bits() == 64)
    return Halide::reinterpret(t, Expr(uint64_t(0x7ff8000000000000ull)));
  return Halide::reinterpret(Halide::Float(32), Expr(uint32_t(0x7fc00000u)));
}

// a > b ? a : b, as PyTorch's maximum: of two equal values (0 and -0) it returns b. That is also
// what x86's maxps computes, so the select stays one instruction.
Expr maxPropagatingNaN(const Expr &a, const Expr &b) {
  if (!a.type().is_float())
    return Halide::max(a, b);
  return Halide::select(isNaN(a) || isNaN(b), nanOf(a.type()), Halide::select(a > b, a, b));
}

Expr minPropagatingNaN(const Expr &a, const Expr &b) {
  if (!a.type().is_float())
    return Halide::min(a, b);
  return Halide::select(isNaN(a) || isNaN(b), nanOf(a.type()), Halide::select(a < b, a, b));
}

Expr unsignedZero(const Expr &x) {
  Expr bits = bitsOf(x);
  return Halide::select((bits << Halide::cast(bits.type(), 1)) == Halide::Internal::make_zero(bits.type()),
                        Halide::Internal::make_zero(x.type()), x);
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
