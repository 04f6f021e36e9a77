//===- Elementwise.cpp - Constants, element-wise ops and activations -------===//
//
// dl.constant; the broadcasting binary ops (add sub mul div pow maximum minimum mod fmod prelu),
// cmp and select; the logical ops on booleans; the unary ops and activations; cast and one_hot.
// Every op here is one pointwise Func that the schedule inlines into its consumers.
//
// The numbers follow the reference interpreter (compiler/interpreter/Elementwise.cpp) and
// PyTorch's float32 (test/unit/codegen/EdgeValueKernelTest.cpp): every float function returns NaN
// for NaN (also maximum, minimum, relu and clamp; step, as torch.heaviside, gives 0), overflows to
// an infinity, underflows to subnormals and zero, keeps the sign of zero where PyTorch does;
// comparisons with NaN are false except !=, which is true. NaN tests are made on bits (MathFunctions.cpp says why). i32 add, sub,
// mul, neg and abs wrap to 32 bits (computed as uint32, whose overflow Halide defines); i32
// division truncates toward zero. The interpreter rejects an i32 division (or remainder) by zero; a
// kernel cannot stop, so it yields Halide's 0 there. Float fmod is exact, as C's; mod adds the
// divisor to an fmod of the other sign, as torch.remainder.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <cmath>
#include <limits>

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;

//===----------------------------------------------------------------------===//
// dl.constant
//===----------------------------------------------------------------------===//

/// A constant element as an Expr of `dtype`, converted as the interpreter stores it.
Expr constantElement(DType dtype, double value) {
  switch (dtype) {
  case DType::F32:
    return Expr(static_cast<float>(value));
  case DType::I32:
    return Expr(static_cast<int32_t>(value));
  case DType::I1:
    return Halide::cast(Halide::Bool(), value != 0 ? 1 : 0);
  }
  return Expr(static_cast<float>(value));
}

/// The elements of a non-splat constant, embedded in the pipeline as a Halide buffer.
template <typename T>
Halide::Buffer<T> constantBuffer(const TensorType &type, const std::vector<double> &values) {
  std::vector<int> sizes(type.shape.rbegin(), type.shape.rend());
  Halide::Buffer<T> buffer(sizes);
  T *data = buffer.data();
  for (size_t i = 0; i < values.size(); ++i)
    data[i] = static_cast<T>(type.dtype == DType::I1 ? (values[i] != 0) : values[i]);
  return buffer;
}

LoweredValue lowerConstant(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 0);
  const TensorType &type = node.type;
  int64_t n = type.numElements();
  if (node.splat || n == 1) {
    if (node.constant.empty())
      throw l.error(node, "has no elements");
    Expr value = constantElement(type.dtype, node.constant[0]);
    return l.pointwise(node, [&](const Index &) { return value; });
  }
  if (static_cast<int64_t>(node.constant.size()) != n)
    throw l.error(node, "holds " + std::to_string(node.constant.size()) + " elements for " +
                            std::to_string(n) + " in its type");
  Halide::Buffer<> buffer;
  switch (type.dtype) {
  case DType::F32:
    buffer = constantBuffer<float>(type, node.constant);
    break;
  case DType::I32:
    buffer = constantBuffer<int32_t>(type, node.constant);
    break;
  case DType::I1:
    buffer = constantBuffer<bool>(type, node.constant);
    break;
  }
  return l.pointwise(node, [&](const Index &index) {
    std::vector<Expr> args(index.rbegin(), index.rend());
    return buffer(args);
  });
}

//===----------------------------------------------------------------------===//
// Binary ops with NumPy broadcasting.
//===----------------------------------------------------------------------===//

using BinaryFn = std::function<Expr(const Expr &, const Expr &)>;

/// `f` on floats, `i` (on uint32, then wrapped) or `s` (on int32) on i32 operands.
OpLowering binaryOp(BinaryFn onFloat, BinaryFn onWrappedInt, BinaryFn onInt = nullptr) {
  return [=](Lowering &l, const KernelNode &node) {
    l.expectOperands(node, 2);
    const LoweredValue &a = l.operand(node, 0), &b = l.operand(node, 1);
    DType dtype = node.type.dtype;
    if (dtype == DType::I1 || (dtype == DType::I32 && !onWrappedInt && !onInt))
      throw l.error(node, std::string("is not defined on ") + codegen::dtypeName(dtype));
    return l.pointwise(node, [&](const Index &index) {
      Expr x = l.broadcastAt(a, node.type.shape, index);
      Expr y = l.broadcastAt(b, node.type.shape, index);
      if (dtype == DType::F32)
        return onFloat(x, y);
      if (onInt)
        return onInt(x, y);
      return wrapToInt32(onWrappedInt(Halide::cast<uint32_t>(x), Halide::cast<uint32_t>(y)));
    });
  };
}

/// torch.remainder on floats: fmod, plus the divisor where that is nonzero and of the other sign.
Expr floatMod(const Expr &a, const Expr &b) {
  Expr m = exactFmod(a, b);
  Expr nonzero = (Halide::reinterpret<uint32_t>(m) << Expr(uint32_t(1))) != Expr(uint32_t(0));
  return Halide::select(nonzero && !isNaN(m) && signBit(m) != signBit(b), m + b, m);
}

// i32 remainders from Halide's, which is Euclidean (in [0, |b|), and 0 for b = 0); neither
// correction can overflow.
/// The sign of the divisor (Python's %).
Expr intMod(const Expr &a, const Expr &b) {
  Expr r = a % b;
  return Halide::select(b < 0 && r != 0, r + b, r);
}
/// The sign of the dividend (C's %).
Expr intFmod(const Expr &a, const Expr &b) {
  Expr r = a % b;
  return Halide::select(a < 0 && r != 0, Halide::select(b < 0, r + b, r - b), r);
}

/// logical_and, logical_or, logical_xor: i1 operands broadcast to an i1 result.
OpLowering logicalOp(BinaryFn f) {
  return [=](Lowering &l, const KernelNode &node) {
    l.expectOperands(node, 2);
    const LoweredValue &a = l.operand(node, 0), &b = l.operand(node, 1);
    if (a.type.dtype != DType::I1 || b.type.dtype != DType::I1 || node.type.dtype != DType::I1)
      throw l.error(node, "takes and gives i1 tensors");
    return l.pointwise(node, [&](const Index &index) {
      return f(l.broadcastAt(a, node.type.shape, index), l.broadcastAt(b, node.type.shape, index));
    });
  };
}

LoweredValue lowerLogicalNot(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  if (x.type.dtype != DType::I1 || !(x.type == node.type))
    throw l.error(node, "takes an i1 tensor and keeps its type");
  return l.pointwise(node, [&](const Index &index) { return !Lowering::call(x.func, index); });
}

/// Booleans compare as 0/1 bytes.
Expr comparable(const Expr &e) { return e.type().is_bool() ? Halide::cast<uint8_t>(e) : e; }

LoweredValue lowerCmp(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &a = l.operand(node, 0), &b = l.operand(node, 1);
  const std::string &predicate = l.stringAttr(node, "predicate");
  std::function<Expr(Expr, Expr)> compare;
  if (predicate == "eq")
    compare = [](Expr x, Expr y) { return x == y; };
  else if (predicate == "ne")
    compare = [](Expr x, Expr y) { return x != y; };
  else if (predicate == "lt")
    compare = [](Expr x, Expr y) { return x < y; };
  else if (predicate == "le")
    compare = [](Expr x, Expr y) { return x <= y; };
  else if (predicate == "gt")
    compare = [](Expr x, Expr y) { return x > y; };
  else if (predicate == "ge")
    compare = [](Expr x, Expr y) { return x >= y; };
  else
    throw l.error(node, "has an unknown predicate '" + predicate + "'");
  if (a.type.dtype != b.type.dtype)
    throw l.error(node, "compares tensors of different element types");
  bool unordered = predicate == "ne"; // the one predicate that holds when either side is NaN
  return l.pointwise(node, [&](const Index &index) {
    Expr x = comparable(l.broadcastAt(a, node.type.shape, index));
    Expr y = comparable(l.broadcastAt(b, node.type.shape, index));
    if (!x.type().is_float())
      return compare(x, y);
    // The float comparison decides for ordered operands only (LLVM may assume there are no NaNs,
    // and turn x <= y into !(x > y)); the bits decide where either side is NaN.
    Expr eitherNaN = isNaN(x) || isNaN(y);
    return Halide::select(eitherNaN, Halide::cast<bool>(unordered),
                          Halide::strict_float(compare(x, y)));
  });
}

LoweredValue lowerSelect(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 3);
  const LoweredValue &c = l.operand(node, 0), &t = l.operand(node, 1), &f = l.operand(node, 2);
  if (c.type.dtype != DType::I1)
    throw l.error(node, "needs an i1 condition");
  return l.pointwise(node, [&](const Index &index) {
    return Halide::select(l.broadcastAt(c, node.type.shape, index),
                          l.broadcastAt(t, node.type.shape, index),
                          l.broadcastAt(f, node.type.shape, index));
  });
}

//===----------------------------------------------------------------------===//
// Unary ops and activations.
//===----------------------------------------------------------------------===//

using UnaryFn = std::function<Expr(const Expr &)>;

/// `onFloat` on f32 operands; `onInt` (if any) on i32 ones. Each float function returns NaN for
/// NaN itself: arithmetic does so in hardware, the functions that select or convert say so with
/// withNaN (a select on every op, sqrt's in an Adam update among them, was seen to change a tiled
/// kernel's results, so it is not added where the hardware already propagates NaN).
OpLowering unaryOp(UnaryFn onFloat, UnaryFn onInt = nullptr) {
  return [=](Lowering &l, const KernelNode &node) {
    l.expectOperands(node, 1);
    const LoweredValue &x = l.operand(node, 0);
    if (!(x.type == node.type))
      throw l.error(node, "must keep its operand's type");
    if (node.type.dtype != DType::F32 && !(node.type.dtype == DType::I32 && onInt))
      throw l.error(node, std::string("is not defined on ") + codegen::dtypeName(node.type.dtype));
    return l.pointwise(node, [&](const Index &index) {
      Expr e = Lowering::call(x.func, index);
      return node.type.dtype == DType::F32 ? onFloat(e) : onInt(e);
    });
  };
}

/// A unary op whose function reads float attributes of the node.
OpLowering unaryWithAttrs(std::function<Expr(const Expr &, Lowering &, const KernelNode &)> fn) {
  return [=](Lowering &l, const KernelNode &node) {
    return unaryOp([&](const Expr &x) { return fn(x, l, node); })(l, node);
  };
}

/// 0 for x < 0, else x: NaN and -0 pass through (PyTorch's relu(-0) is -0). The test is on bits:
/// a set sign bit above that of -0 is a negative number or a negative NaN.
Expr relu(const Expr &x) {
  Expr negative = Halide::reinterpret<uint32_t>(x) > Expr(uint32_t(0x80000000u)) && !isNaN(x);
  return Halide::select(negative, 0.0f, x);
}

Expr gelu(const Expr &x) { return x * gaussianCdf(x); }

Expr softplus(const Expr &x) {
  return withNaN(x, Halide::max(x, 0.0f) + log1p(ieeeExp(-Halide::abs(x))));
}

Expr tanhAccurate(const Expr &x) {
  // Below 0.55, tanh(a) = a + a^3 P(a^2), P fitted to tanh's relative error on [0, 0.55] (1.5
  // ulps evaluated in f32; a^2 underflows to 0 for tiny a, leaving a itself). From 0.55 on,
  // 1 - 2 / (e^2a + 1): the quotient is at most 0.5, so the subtraction loses under a bit (2 ulps),
  // and e^2a = inf past 44.4 gives 1. One exp and one division, where -expm1(-2a) / (2 +
  // expm1(-2a)) took an exp, a log and three divisions (an LSTM's cell computes two tanh a step).
  Expr a = Halide::abs(x);
  Expr z = a * a;
  const double c[] = {-0.33333332842938174,  0.13333300185041774,   -0.05396074972946262,
                      0.021790827486032577, -0.008440094402074683, 0.0024273090265801473};
  Expr p = Halide::Internal::make_const(x.type(), c[5]);
  for (int i = 4; i >= 0; --i)
    p = p * z + Halide::Internal::make_const(x.type(), c[i]);
  Expr small = a + a * z * p;
  Expr large = 1.0f - 2.0f / (ieeeExp(2.0f * a) + 1.0f);
  Expr t = Halide::select(a < 0.55f, small, large);
  return withNaN(x, Halide::select(signBit(x), -t, t)); // tanh(-0) = -0
}

/// Where x is -inf: NaN (-inf * 0 in PyTorch's formulas for silu, mish and hardswish), else r.
Expr nanAtMinusInfinity(const Expr &x, const Expr &r) {
  return withNaN(x, Halide::select(isInfinite(x) && signBit(x), nanOf(x.type()), r));
}

/// x sigmoid(x). Below -20, sigmoid(x) is e^x to a relative 2e-9, and x e^x is computed in double
/// (timesExp), which keeps the digits of the subnormal results below -87.
Expr silu(const Expr &x) {
  return nanAtMinusInfinity(x, Halide::select(x < -20.0f, timesExp(x), x * sigmoid(x)));
}

/// x tanh(softplus(x)); below -20, tanh(softplus(x)) is e^x to a relative 1e-9, as for silu.
Expr mish(const Expr &x) {
  return nanAtMinusInfinity(
      x, Halide::select(x < -20.0f, timesExp(x), x * tanhAccurate(softplus(x))));
}

/// x relu6(x + 3) / 6, in PyTorch's order of operations and roundings: strict, since fast math
/// would divide by 6 as a multiplication by 1/6, which rounds 3 x / 6 of the smallest subnormal
/// x up to x instead of to even (0).
Expr hardswish(const Expr &x) {
  return nanAtMinusInfinity(
      x, Halide::strict_float(x * Halide::min(Halide::max(x + 3.0f, 0.0f), 6.0f) / 6.0f));
}

/// x^y as C's powf and PyTorch compute it: exp(y log|x|) for the ordinary cases (accurate to about
/// |y log x| / 2^24 relatively, which is a few ulps unless the result is huge or tiny; products for
/// y in {1, 2, 3, -1, -2}); a negative base only with an integer exponent (its sign from the
/// exponent's parity, NaN otherwise); pow(x, 0) and pow(1, y) are 1 even for NaN; pow(-1, +-inf)
/// is 1; zeros and infinities as C99 F.9.4.4.
Expr ieeePow(const Expr &x, const Expr &y) {
  Expr ax = Halide::abs(x), ay = Halide::abs(y);
  Expr magnitude = ieeeExp(y * ieeeLog(ax));
  // |y| >= 2^24 is an even integer; below, y is an integer when it has no fraction.
  Expr integer = ay >= 16777216.0f || Halide::floor(y) == y;
  Expr odd = ay < 16777216.0f && integer &&
             (Halide::cast<int32_t>(Halide::min(ay, 16777216.0f)) & 1) == 1;
  Expr signedMagnitude = Halide::select(odd, -magnitude, magnitude);
  Expr r = Halide::select(signBit(x) && !isNaN(x),
                          Halide::select(integer, signedMagnitude, nanOf(x.type())), magnitude);
  // Zeros: pow(+-0, y) is +-0 (odd y > 0), +0 (other y > 0), +-inf (odd y < 0), +inf (other y < 0).
  Expr zero = ax == 0.0f;
  Expr zeroResult = Halide::select(y > 0.0f, Halide::select(odd, x, 0.0f),
                                   Halide::select(odd, 1.0f / x, infinityOf(x.type())));
  // |x| = 1 with an infinite y: 1.
  Expr unitBase = ax == 1.0f && isInfinite(y);
  // Infinite bases: pow(+-inf, y > 0) is +-inf (odd y) or +inf; pow(+-inf, y < 0) is +-0 or +0.
  Expr infiniteResult = Halide::select(y > 0.0f, Halide::select(odd, x, infinityOf(x.type())),
                                       Halide::select(odd, 1.0f / x, 0.0f));
  // Small integer exponents by products, exact where exp(y log x) is not (pow(3e38, 1)).
  Expr small = Halide::select(y == 1.0f, x, y == 2.0f, x * x, y == 3.0f, x * x * x, y == -1.0f,
                              1.0f / x, 1.0f / (x * x));
  Expr smallInteger = y == 1.0f || y == 2.0f || y == 3.0f || y == -1.0f || y == -2.0f;
  r = Halide::select(zero && !isNaN(y), zeroResult, unitBase, 1.0f, isInfinite(x) && !isNaN(y),
                     infiniteResult, smallInteger && !isNaN(x), small, r);
  r = Halide::select(isNaN(x) || isNaN(y), nanOf(x.type()), r);
  Expr yIsZero = (Halide::reinterpret<uint32_t>(y) << Expr(uint32_t(1))) == Expr(uint32_t(0));
  return Halide::select(yIsZero || Halide::reinterpret<uint32_t>(x) == Expr(uint32_t(0x3f800000u)), 1.0f,
                        r);
}

//===----------------------------------------------------------------------===//
// dl.cast and dl.one_hot
//===----------------------------------------------------------------------===//

/// Float to i32 truncates toward zero; NaN becomes 0 and values beyond the i32 range saturate.
Expr floatToI32(const Expr &x) {
  return Halide::select(isNaN(x), 0, x >= 2147483648.0f, std::numeric_limits<int32_t>::max(),
                        x <= -2147483648.0f, std::numeric_limits<int32_t>::min(),
                        Halide::cast<int32_t>(x));
}

LoweredValue lowerCast(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &x = l.operand(node, 0);
  if (x.type.shape != node.type.shape)
    throw l.error(node, "must keep its operand's shape");
  DType from = x.type.dtype, to = node.type.dtype;
  return l.pointwise(node, [&](const Index &index) -> Expr {
    Expr e = Lowering::call(x.func, index);
    if (from == to)
      return e;
    switch (to) {
    case DType::F32:
      return from == DType::I1 ? Halide::select(e, 1.0f, 0.0f) : Halide::cast<float>(e);
    case DType::I32:
      return from == DType::I1 ? Halide::select(e, 1, 0) : floatToI32(e);
    case DType::I1:
      return e != Halide::Internal::make_zero(e.type());
    }
    return e;
  });
}

LoweredValue lowerOneHot(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 1);
  const LoweredValue &ids = l.operand(node, 0);
  int64_t classes = l.intAttr(node, "classes");
  Shape expected = ids.type.shape;
  expected.push_back(classes);
  if (ids.type.dtype != DType::I32 || node.type.shape != expected)
    throw l.error(node, "maps i32 ids of shape [...] to [..., classes]");
  return l.pointwise(node, [&](const Index &index) {
    Index idIndex(index.begin(), index.end() - 1);
    return Halide::select(Lowering::call(ids.func, idIndex) == index.back(), 1.0f, 0.0f);
  });
}

} // namespace

void registerElementwiseLowerings(OpTable &t) {
  t["constant"] = lowerConstant;

  t["add"] = binaryOp([](Expr x, Expr y) { return x + y; }, [](Expr x, Expr y) { return x + y; });
  t["sub"] = binaryOp([](Expr x, Expr y) { return x - y; }, [](Expr x, Expr y) { return x - y; });
  t["mul"] = binaryOp([](Expr x, Expr y) { return x * y; }, [](Expr x, Expr y) { return x * y; });
  t["div"] = binaryOp([](Expr x, Expr y) { return x / y; }, nullptr,
                      [](Expr x, Expr y) { return Halide::div_round_to_zero(x, y); });
  t["pow"] = binaryOp(ieeePow, nullptr);
  t["maximum"] =
      binaryOp(maxPropagatingNaN, nullptr, [](Expr x, Expr y) { return Halide::max(x, y); });
  t["minimum"] =
      binaryOp(minPropagatingNaN, nullptr, [](Expr x, Expr y) { return Halide::min(x, y); });
  // prelu: the slopes (rhs) broadcast into the shape of x (lhs), which is the result's shape.
  t["mod"] = binaryOp(floatMod, nullptr, intMod);
  t["fmod"] = binaryOp(exactFmod, nullptr, intFmod);
  t["logical_and"] = logicalOp([](Expr x, Expr y) { return x && y; });
  t["logical_or"] = logicalOp([](Expr x, Expr y) { return x || y; });
  t["logical_xor"] = logicalOp([](Expr x, Expr y) { return x != y; });
  t["logical_not"] = lowerLogicalNot;
  t["prelu"] =
      binaryOp([](Expr x, Expr alpha) { return Halide::select(x > 0, x, alpha * x); }, nullptr);
  t["cmp"] = lowerCmp;
  t["select"] = lowerSelect;

  t["neg"] =
      unaryOp([](Expr x) { return -x; },
              [](Expr x) { return wrapToInt32(Expr(uint32_t(0)) - Halide::cast<uint32_t>(x)); });
  t["abs"] = unaryOp([](Expr x) { return Halide::abs(x); },
                     [](Expr x) { return wrapToInt32(Halide::abs(x)); });
  t["exp"] = unaryOp(ieeeExp);
  t["log"] = unaryOp(ieeeLog);
  t["sqrt"] = unaryOp([](Expr x) { return Halide::sqrt(x); });
  t["rsqrt"] = unaryOp([](Expr x) { return 1.0f / Halide::sqrt(x); });
  t["sigmoid"] = unaryOp(sigmoid);
  t["tanh"] = unaryOp(tanhAccurate);
  t["relu"] = unaryOp(relu);
  t["gelu"] = unaryOp(gelu);
  t["softplus"] = unaryOp(softplus);
  // torch.heaviside(x, 0): 1 for x > 0, else 0 (NaN too).
  t["step"] = unaryOp([](Expr x) { return Halide::select(x > 0 && !isNaN(x), 1.0f, 0.0f); });
  t["erf"] = unaryOp(accurateErf);
  t["cos"] = unaryOp([](Expr x) { return Halide::cos(x); });
  t["sin"] = unaryOp([](Expr x) { return Halide::sin(x); });
  t["floor"] = unaryOp([](Expr x) { return Halide::floor(x); });
  t["ceil"] = unaryOp([](Expr x) { return Halide::ceil(x); });
  t["round"] = unaryOp(roundHalfToEven);
  t["silu"] = unaryOp(silu);
  t["hardswish"] = unaryOp(hardswish);
  t["mish"] = unaryOp(mish);
  t["leaky_relu"] = unaryWithAttrs([](const Expr &x, Lowering &l, const KernelNode &node) {
    float alpha = static_cast<float>(l.floatAttr(node, "alpha", 0.01));
    return Halide::select(x > 0, x, alpha * x);
  });
  t["elu"] = unaryWithAttrs([](const Expr &x, Lowering &l, const KernelNode &node) {
    float alpha = static_cast<float>(l.floatAttr(node, "alpha", 1.0));
    // As PyTorch computes it, alpha (exp(x) - 1) is +0 at x = -0.
    return Halide::select(x > 0, x, Halide::reinterpret<uint32_t>(x) == Expr(uint32_t(0x80000000u)), 0.0f,
                          alpha * expm1(x));
  });
  t["clamp"] = unaryWithAttrs([](const Expr &x, Lowering &l, const KernelNode &node) {
    float lo = static_cast<float>(l.floatAttr(node, "min"));
    float hi = static_cast<float>(l.floatAttr(node, "max"));
    return withNaN(x, Halide::min(Halide::max(x, lo), hi));
  });

  t["cast"] = lowerCast;
  t["one_hot"] = lowerOneHot;
}

} // namespace dl::halide
