//===- Elementwise.cpp - Constants, elementwise ops and activations --------===//
//
// dl.constant; the broadcasting binary ops (add sub mul div pow maximum minimum mod fmod prelu),
// cmp and select; the logical ops on booleans; the unary ops and activations; softmax and
// log_softmax along an axis; cast and one_hot.
//
// Floats follow IEEE double arithmetic: NaN propagates through maximum, minimum, relu and clamp as
// it does in PyTorch. i32 add, sub, mul, div, neg and abs wrap to 32 bits; i32 division truncates
// toward zero, and division (or a remainder) by zero is an error rather than undefined behaviour.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

//===----------------------------------------------------------------------===//
// dl.constant
//===----------------------------------------------------------------------===//

LogicalResult evalConstant(dlo::ConstantOp op, OpContext &c) {
  auto dense = llvm::dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense)
    return c.fail("only dense constants (splat or not) are supported");
  Tensor &out = c.result();
  Type element = dense.getElementType();
  size_t i = 0;
  if (llvm::isa<FloatType>(element)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      out.data[i++] = v.convertToDouble();
  } else if (element.isSignlessInteger(1)) {
    for (bool v : dense.getValues<bool>())
      out.data[i++] = v ? 1.0 : 0.0;
  } else if (element.isSignlessInteger(32)) {
    for (const APInt &v : dense.getValues<APInt>())
      out.data[i++] = static_cast<double>(v.getSExtValue());
  } else {
    return c.fail("constants of this element type are not supported");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Binary ops with NumPy broadcasting.
//===----------------------------------------------------------------------===//

using FloatFn = double (*)(double, double);
using IntFn = int64_t (*)(int64_t, int64_t);

/// Applies `f` (floats) or `i` (i32, wrapped afterwards) to the broadcast operands.
LogicalResult binary(OpContext &c, FloatFn f, IntFn i) {
  Tensor &out = c.result();
  const Tensor &a = c.operand(0), &b = c.operand(1);
  if (out.kind != ElementKind::F32 && !i)
    return c.fail(std::string("is defined on floats only, not ") + kindName(out.kind));
  std::vector<int64_t> ia = broadcastIndices(a.shape, out.shape);
  std::vector<int64_t> ib = broadcastIndices(b.shape, out.shape);
  for (size_t k = 0; k < out.data.size(); ++k) {
    double x = a.data[ia[k]], y = b.data[ib[k]];
    if (out.kind == ElementKind::F32)
      out.data[k] = f(x, y);
    else
      out.data[k] = wrapI32(i(static_cast<int64_t>(x), static_cast<int64_t>(y)));
  }
  return success();
}

double fmaxNaN(double x, double y) { return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y); }
double fminNaN(double x, double y) { return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y); }

LogicalResult evalDiv(dlo::DivOp, OpContext &c) {
  if (c.result().kind == ElementKind::I32) {
    std::vector<int64_t> ib = broadcastIndices(c.operand(1).shape, c.result().shape);
    for (int64_t k : ib)
      if (c.operand(1).data[k] == 0)
        return c.fail("integer division by zero");
  }
  return binary(
      c, [](double x, double y) { return x / y; },
      [](int64_t x, int64_t y) { return x / y; }); // C++ truncates toward zero
}

/// The remainder with the divisor's sign (torch.remainder, Python's %), and with the dividend's
/// (C's fmod, torch.fmod). On floats fmod is exact and mod adds the divisor to an fmod of the
/// other sign, as PyTorch computes it: NaN for a zero divisor or an infinite dividend.
double remainderFloat(double x, double y) {
  double r = std::fmod(x, y);
  return r != 0 && (y < 0) != (r < 0) ? r + y : r;
}
int64_t remainderInt(int64_t x, int64_t y) {
  int64_t r = x % y; // int64: INT32_MIN % -1 is 0, no overflow
  return r != 0 && (y < 0) != (r < 0) ? r + y : r;
}

/// mod and fmod: an i32 divisor of zero is an error, as for div.
LogicalResult evalRemainder(OpContext &c, FloatFn f, IntFn i) {
  if (c.result().kind == ElementKind::I32) {
    std::vector<int64_t> ib = broadcastIndices(c.operand(1).shape, c.result().shape);
    for (int64_t k : ib)
      if (c.operand(1).data[k] == 0)
        return c.fail("integer remainder of a division by zero");
  }
  return binary(c, f, i);
}

/// logical_and, logical_or, logical_xor on broadcast booleans (stored as 0 and 1).
LogicalResult logical(OpContext &c, bool (*f)(bool, bool)) {
  Tensor &out = c.result();
  const Tensor &a = c.operand(0), &b = c.operand(1);
  std::vector<int64_t> ia = broadcastIndices(a.shape, out.shape);
  std::vector<int64_t> ib = broadcastIndices(b.shape, out.shape);
  for (size_t k = 0; k < out.data.size(); ++k)
    out.data[k] = f(a.data[ia[k]] != 0, b.data[ib[k]] != 0) ? 1.0 : 0.0;
  return success();
}

bool compare(dlo::CmpPredicate predicate, double x, double y) {
  switch (predicate) {
  case dlo::CmpPredicate::eq:
    return x == y;
  case dlo::CmpPredicate::ne:
    return x != y;
  case dlo::CmpPredicate::lt:
    return x < y;
  case dlo::CmpPredicate::le:
    return x <= y;
  case dlo::CmpPredicate::gt:
    return x > y;
  case dlo::CmpPredicate::ge:
    return x >= y;
  }
  return false;
}

LogicalResult evalCmp(dlo::CmpOp op, OpContext &c) {
  Tensor &out = c.result();
  const Tensor &a = c.operand(0), &b = c.operand(1);
  std::vector<int64_t> ia = broadcastIndices(a.shape, out.shape);
  std::vector<int64_t> ib = broadcastIndices(b.shape, out.shape);
  for (size_t k = 0; k < out.data.size(); ++k)
    out.data[k] = compare(op.getPredicate(), a.data[ia[k]], b.data[ib[k]]) ? 1.0 : 0.0;
  return success();
}

LogicalResult evalSelect(dlo::SelectOp, OpContext &c) {
  Tensor &out = c.result();
  const Tensor &cond = c.operand(0), &t = c.operand(1), &f = c.operand(2);
  std::vector<int64_t> ic = broadcastIndices(cond.shape, out.shape);
  std::vector<int64_t> it = broadcastIndices(t.shape, out.shape);
  std::vector<int64_t> iff = broadcastIndices(f.shape, out.shape);
  for (size_t k = 0; k < out.data.size(); ++k)
    out.data[k] = cond.data[ic[k]] != 0 ? t.data[it[k]] : f.data[iff[k]];
  return success();
}

//===----------------------------------------------------------------------===//
// Unary ops and activations.
//===----------------------------------------------------------------------===//

/// Applies `f` to every element; i32 operands (neg, abs) go through `i` and wrap.
LogicalResult unary(OpContext &c, const std::function<double(double)> &f, IntFn i = nullptr) {
  Tensor &out = c.result();
  const Tensor &x = c.operand(0);
  for (size_t k = 0; k < out.data.size(); ++k) {
    if (out.kind == ElementKind::I32 && i)
      out.data[k] = wrapI32(i(static_cast<int64_t>(x.data[k]), 0));
    else
      out.data[k] = f(x.data[k]);
  }
  return success();
}

double sigmoid(double x) {
  // Two branches so that exp never overflows.
  if (x >= 0)
    return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

double relu(double x) { return std::isnan(x) ? x : std::max(x, 0.0); }

// The activations of torch.nn.functional, in its formulas: silu(-inf) and mish(-inf) are NaN
// (-inf * 0), hardswish(-inf) too; NaN gives NaN.
double silu(double x) { return x / (1.0 + std::exp(-x)); }

double hardswish(double x) {
  return std::isnan(x) ? x : x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
}

double mish(double x) { return x * std::tanh(softplus(x)); }

//===----------------------------------------------------------------------===//
// softmax and log_softmax.
//===----------------------------------------------------------------------===//

/// Stable (log-)softmax along `axis`: subtract the maximum before exponentiating.
LogicalResult softmaxLike(OpContext &c, int64_t axisAttr, bool log) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  AxisView v = viewAround(x.shape, normalizeAxis(axisAttr, x.rank()));
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t in = 0; in < v.inner; ++in) {
      auto at = [&](int64_t j) { return (o * v.size + j) * v.inner + in; };
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < v.size; ++j)
        m = std::max(m, x.data[at(j)]);
      double sum = 0;
      for (int64_t j = 0; j < v.size; ++j)
        sum += std::exp(x.data[at(j)] - m);
      for (int64_t j = 0; j < v.size; ++j) {
        double shifted = x.data[at(j)] - m;
        out.data[at(j)] = log ? shifted - std::log(sum) : std::exp(shifted) / sum;
      }
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// dl.cast
//===----------------------------------------------------------------------===//

/// Float to i32 truncates toward zero; NaN becomes 0 and values beyond the i32 range saturate.
double toI32(double x) {
  if (std::isnan(x))
    return 0;
  return std::clamp(std::trunc(x), static_cast<double>(INT32_MIN), static_cast<double>(INT32_MAX));
}

LogicalResult evalCast(dlo::CastOp, OpContext &c) {
  ElementKind to = c.result().kind;
  return unary(c, [to](double x) -> double {
    switch (to) {
    case ElementKind::F32:
      return x;
    case ElementKind::I32:
      return toI32(x);
    case ElementKind::I1:
      return x != 0 ? 1.0 : 0.0;
    }
    return x;
  });
}

//===----------------------------------------------------------------------===//
// dl.one_hot
//===----------------------------------------------------------------------===//

/// 1 at each id along a new last axis of `classes`; an id outside [0, classes) gives a zero row.
LogicalResult evalOneHot(dlo::OneHotOp op, OpContext &c) {
  const Tensor &ids = c.operand(0);
  Tensor &out = c.result();
  int64_t classes = op.getClasses();
  for (int64_t i = 0; i < ids.numElements(); ++i) {
    double id = ids.data[i];
    if (id >= 0 && id < static_cast<double>(classes))
      out.data[i * classes + static_cast<int64_t>(id)] = 1.0;
  }
  return success();
}

} // namespace

void registerElementwiseKernels(KernelTable &t) {
  addKernel<dlo::ConstantOp>(t, evalConstant);

  addKernel<dlo::AddOp>(t, [](dlo::AddOp, OpContext &c) {
    return binary(
        c, [](double x, double y) { return x + y; }, [](int64_t x, int64_t y) { return x + y; });
  });
  addKernel<dlo::SubOp>(t, [](dlo::SubOp, OpContext &c) {
    return binary(
        c, [](double x, double y) { return x - y; }, [](int64_t x, int64_t y) { return x - y; });
  });
  addKernel<dlo::MulOp>(t, [](dlo::MulOp, OpContext &c) {
    return binary(
        c, [](double x, double y) { return x * y; }, [](int64_t x, int64_t y) { return x * y; });
  });
  addKernel<dlo::DivOp>(t, evalDiv);
  addKernel<dlo::PowOp>(t, [](dlo::PowOp, OpContext &c) {
    return binary(c, [](double x, double y) { return std::pow(x, y); }, nullptr);
  });
  addKernel<dlo::MaximumOp>(t, [](dlo::MaximumOp, OpContext &c) {
    return binary(c, fmaxNaN, [](int64_t x, int64_t y) { return std::max(x, y); });
  });
  addKernel<dlo::MinimumOp>(t, [](dlo::MinimumOp, OpContext &c) {
    return binary(c, fminNaN, [](int64_t x, int64_t y) { return std::min(x, y); });
  });
  // prelu: the slopes (rhs) broadcast into the shape of x (lhs), which is the result's shape.
  addKernel<dlo::PReluOp>(t, [](dlo::PReluOp, OpContext &c) {
    return binary(c, [](double x, double alpha) { return x > 0 ? x : alpha * x; }, nullptr);
  });
  addKernel<dlo::ModOp>(t, [](dlo::ModOp, OpContext &c) {
    return evalRemainder(c, remainderFloat, remainderInt);
  });
  addKernel<dlo::FmodOp>(t, [](dlo::FmodOp, OpContext &c) {
    return evalRemainder(
        c, [](double x, double y) { return std::fmod(x, y); },
        [](int64_t x, int64_t y) { return x % y; }); // C++ truncates toward zero, as C's fmod
  });
  addKernel<dlo::LogicalAndOp>(t, [](dlo::LogicalAndOp, OpContext &c) {
    return logical(c, [](bool x, bool y) { return x && y; });
  });
  addKernel<dlo::LogicalOrOp>(t, [](dlo::LogicalOrOp, OpContext &c) {
    return logical(c, [](bool x, bool y) { return x || y; });
  });
  addKernel<dlo::LogicalXorOp>(t, [](dlo::LogicalXorOp, OpContext &c) {
    return logical(c, [](bool x, bool y) { return x != y; });
  });
  addKernel<dlo::CmpOp>(t, evalCmp);
  addKernel<dlo::SelectOp>(t, evalSelect);

  addKernel<dlo::NegOp>(t, [](dlo::NegOp, OpContext &c) {
    return unary(c, [](double x) { return -x; }, [](int64_t x, int64_t) { return -x; });
  });
  addKernel<dlo::AbsOp>(t, [](dlo::AbsOp, OpContext &c) {
    return unary(
        c, [](double x) { return std::fabs(x); },
        [](int64_t x, int64_t) { return x < 0 ? -x : x; });
  });
  addKernel<dlo::ExpOp>(t, [](dlo::ExpOp, OpContext &c) {
    return unary(c, [](double x) { return std::exp(x); });
  });
  addKernel<dlo::LogOp>(t, [](dlo::LogOp, OpContext &c) {
    return unary(c, [](double x) { return std::log(x); });
  });
  addKernel<dlo::SqrtOp>(t, [](dlo::SqrtOp, OpContext &c) {
    return unary(c, [](double x) { return std::sqrt(x); });
  });
  addKernel<dlo::RsqrtOp>(t, [](dlo::RsqrtOp, OpContext &c) {
    return unary(c, [](double x) { return 1.0 / std::sqrt(x); });
  });
  addKernel<dlo::ErfOp>(t, [](dlo::ErfOp, OpContext &c) {
    return unary(c, [](double x) { return std::erf(x); });
  });
  addKernel<dlo::CosOp>(t, [](dlo::CosOp, OpContext &c) {
    return unary(c, [](double x) { return std::cos(x); });
  });
  addKernel<dlo::SinOp>(t, [](dlo::SinOp, OpContext &c) {
    return unary(c, [](double x) { return std::sin(x); });
  });
  addKernel<dlo::FloorOp>(t, [](dlo::FloorOp, OpContext &c) {
    return unary(c, [](double x) { return std::floor(x); });
  });
  addKernel<dlo::CeilOp>(t, [](dlo::CeilOp, OpContext &c) {
    return unary(c, [](double x) { return std::ceil(x); });
  });
  // torch.round: halves to even (nearbyint in the default rounding mode), -0.4 to -0.
  addKernel<dlo::RoundOp>(t, [](dlo::RoundOp, OpContext &c) {
    return unary(c, [](double x) { return std::nearbyint(x); });
  });
  addKernel<dlo::LogicalNotOp>(t, [](dlo::LogicalNotOp, OpContext &c) {
    return unary(c, [](double x) { return x != 0 ? 0.0 : 1.0; });
  });
  addKernel<dlo::SiluOp>(t, [](dlo::SiluOp, OpContext &c) { return unary(c, silu); });
  addKernel<dlo::HardswishOp>(t,
                              [](dlo::HardswishOp, OpContext &c) { return unary(c, hardswish); });
  addKernel<dlo::MishOp>(t, [](dlo::MishOp, OpContext &c) { return unary(c, mish); });
  addKernel<dlo::SigmoidOp>(t, [](dlo::SigmoidOp, OpContext &c) { return unary(c, sigmoid); });
  addKernel<dlo::TanhOp>(t, [](dlo::TanhOp, OpContext &c) {
    return unary(c, [](double x) { return std::tanh(x); });
  });
  addKernel<dlo::ReluOp>(t, [](dlo::ReluOp, OpContext &c) { return unary(c, relu); });
  addKernel<dlo::GeluOp>(t, [](dlo::GeluOp, OpContext &c) { return unary(c, gelu); });
  addKernel<dlo::SoftplusOp>(t, [](dlo::SoftplusOp, OpContext &c) { return unary(c, softplus); });
  addKernel<dlo::StepOp>(t, [](dlo::StepOp, OpContext &c) {
    return unary(c, [](double x) { return x > 0 ? 1.0 : 0.0; });
  });
  addKernel<dlo::LeakyReluOp>(t, [](dlo::LeakyReluOp op, OpContext &c) {
    double alpha = op.getAlpha().convertToDouble();
    return unary(c, [alpha](double x) { return x > 0 ? x : alpha * x; });
  });
  addKernel<dlo::EluOp>(t, [](dlo::EluOp op, OpContext &c) {
    double alpha = op.getAlpha().convertToDouble();
    return unary(c, [alpha](double x) { return x > 0 ? x : alpha * std::expm1(x); });
  });
  addKernel<dlo::ClampOp>(t, [](dlo::ClampOp op, OpContext &c) {
    double lo = op.getMin().convertToDouble(), hi = op.getMax().convertToDouble();
    return unary(c, [lo, hi](double x) { return std::isnan(x) ? x : std::min(std::max(x, lo), hi); });
  });
  addKernel<dlo::SoftmaxOp>(t, [](dlo::SoftmaxOp op, OpContext &c) {
    return softmaxLike(c, op.getAxis(), /*log=*/false);
  });
  addKernel<dlo::LogSoftmaxOp>(t, [](dlo::LogSoftmaxOp op, OpContext &c) {
    return softmaxLike(c, op.getAxis(), /*log=*/true);
  });
  addKernel<dlo::CastOp>(t, evalCast);
  addKernel<dlo::OneHotOp>(t, evalOneHot);
}

} // namespace dl::interp
