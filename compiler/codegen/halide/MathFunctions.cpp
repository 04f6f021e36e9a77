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

// erf and erfc in f32, fitted by least squares of the relative error on Chebyshev nodes (numpy)
// and checked against libm's double erf and erfc on dense sweeps (ElementwiseKernelTest):
//   erf(a) = a + a q(a^2) on [0, 1], q of degree 7 (erf(a) / a - 1, in [-0.16, 0.13], so the last
//     addition dominates the rounding: about an ulp);
//   erfc(a) = exp(-a^2) R(a) from a = 0.75 on, R(a) = erfc(a) e^(a^2) a polynomial in a - 1.375 of
//     degree 9 on [0.75, 2], and S(1 / a^2) / a with S of degree 8 on [2, 10.1] (R is smooth and
//     about 1 / (a sqrt pi)), each under 2.5 ulps evaluated in f32.
// exp(-a^2) needs a^2 to more than f32's precision where a^2 is large (an ulp of a^2 = 64 is an
// error of 2^-18 in e^-64): a is split into a head of 12 significant bits, whose square is exact,
// and the rest (expOfMinusSquare).
const std::vector<double> kErfSmall = {
    0.12837916708010644,   -0.37612638552826705,  0.1128378344387298,     -0.026865475514285225,
    0.005221138694241387,  -0.000848543888682371, 0.00011274737700001092, -9.689740346360831e-06};
constexpr double kErfcMiddleCentre = 1.375;
const std::vector<double> kErfcMiddle = {
    0.3432958904965186,     -0.1843154679065191,   0.0898620353850735,   -0.0405034234807196,
    0.017086719825565793,   -0.006804415424277004, 0.002563785538873573, -0.0009307026566667564,
    0.0003596782341730837,  -0.00011662472436124835};
const std::vector<double> kErfcTail = {
    0.5641895474632669, -0.28208746344074925, 0.42259478175482107, -1.037347615105071,
    3.2534030857009437, -10.26060505784824,   25.839163716208148,  -41.79855651149173,
    31.087928731149937};
/// Where erfc(a) = exp(-a^2) R(a) is computed by its tail polynomial (fitted up to 10.1).
constexpr float kErfcTailFrom = 2.0f;
/// Below x = -13, Phi(x) is under 6.1e-39, a subnormal, and gelu(x) = x Phi(x) under 1e-37: both
/// are given as 0 (PyTorch's gelu is 0 from -8.3 on), which keeps exp(-x^2 / 2) normal.
constexpr float kGaussianZeroFrom = 13.0f;

/// erf(a) for an f32 `a` in [0, 1].
Expr erfBelowOne(const Expr &a) {
  // Strict, so that a + a q is not rewritten a (1 + q): 1 + q rounds q's last bits away.
  return Halide::strict_float(a + a * polynomial(a * a, kErfSmall));
}

/// e^-h for an f32 h in [0, 87] (a normal result): h = k ln 2 + r with |r| <= ln(2) / 2, k ln 2 in
/// two parts (Cody and Waite: the first has 9 trailing zero bits, so k times it is exact; strict,
/// so that the parts are not added back together), e^-r its Taylor polynomial to the seventh power
/// (error 5e-9), scaled by 2^-k built in the exponent bits. Halide's exp loses about twice as much
/// at h = 50.
Expr expOfMinus(const Expr &h) {
  Expr k = Halide::floor(h * 1.44269504088896341f + 0.5f);
  Expr r = Halide::strict_float(h - k * 0.693145751953125f - k * 1.4286068203094172e-06f);
  std::vector<double> taylor{1.0};
  for (int i = 1; i <= 7; ++i)
    taylor.push_back(taylor.back() / i);
  Expr scale = Halide::reinterpret<float>((127 - Halide::cast<int32_t>(k)) << 23);
  return polynomial(-r, taylor) * scale;
}

/// exp(-scale v^2) for an f32 v >= 0 and scale 1 or 1/2 (exact in binary) where scale v^2 <= 87:
/// v = head + rest with head's 12 significant bits, so that head^2 is exact and v^2 = head^2 + d,
/// d = rest (v + head) < v^2 2^-10. exp(-scale d), at most 0.085, is its Taylor polynomial to the
/// fifth power (error below 1e-9).
Expr expOfMinusSquare(const Expr &v, float scale) {
  Expr head = Halide::reinterpret<float>(Halide::reinterpret<uint32_t>(v) & Expr(uint32_t(0xfffff000u)));
  Expr d = (v - head) * (v + head) * scale;
  Expr small = polynomial(-d, {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120});
  return expOfMinus(head * head * scale) * small;
}

/// R(a) = erfc(a) exp(a^2) for an f32 a in [0.75, 10.1].
Expr erfcOverGaussian(const Expr &a) {
  Expr middle = polynomial(a - float(kErfcMiddleCentre), kErfcMiddle);
  Expr inverse = 1.0f / a;
  Expr tail = polynomial(inverse * inverse, kErfcTail) * inverse;
  return Halide::select(a < kErfcTailFrom, middle, tail);
}

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
  // In f32 (kErfSmall above): below 1, a + a q(a^2); from 1 on, 1 - erfc(a). erfc(4) = 1.5e-8 is
  // below half an ulp of 1, so a is clamped there and +-inf gives +-1.
  Expr a = Halide::abs(x);
  Expr clamped = Halide::min(a, 4.0f);
  Expr large = 1.0f - expOfMinusSquare(clamped, 1.0f) * erfcOverGaussian(Halide::max(clamped, 1.0f));
  Expr r = Halide::select(a < 1.0f, erfBelowOne(Halide::min(a, 1.0f)), large);
  return withNaN(x, Halide::select(signBit(x), -r, r)); // erf(-0) = -0
}

Expr gaussianCdf(const Expr &x) {
  // Phi(x) = erfc(-x / sqrt 2) / 2. With a = |x| / sqrt 2: below a = 0.75, (1 +- erf(a)) / 2 (for
  // x < 0, 1 - erf(a) >= 0.29 keeps the cancellation under 2 bits); from 0.75 on, the tail
  // erfc(a) / 2 for x < 0, with no 1 + erf cancellation, and 1 - erfc(a) / 2 for x > 0. The
  // Gaussian factor is exp(-x^2 / 2) of x itself: a's rounding would cost 2^-24 a^2 of relative
  // accuracy.
  Expr v = Halide::abs(x);
  Expr a = v * 0.70710678118654752f;
  Expr clamped = Halide::min(v, kGaussianZeroFrom);
  Expr halfTail = 0.5f * expOfMinusSquare(clamped, 0.5f) *
                  erfcOverGaussian(Halide::max(clamped * 0.70710678118654752f, 0.75f));
  halfTail = Halide::select(v > kGaussianZeroFrom, 0.0f, halfTail);
  Expr halfErf = 0.5f * erfBelowOne(Halide::min(a, 1.0f));
  Expr small = a < 0.75f;
  Expr below = Halide::select(small, 0.5f - halfErf, halfTail);
  Expr above = Halide::select(small, 0.5f + halfErf, 1.0f - halfTail);
  return withNaN(x, Halide::select(signBit(x), below, above));
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
