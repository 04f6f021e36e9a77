//===- Loss.cpp - The loss ops --------------------------------------------===//
//
// Each loss as dialects/dl/ops/LossOps.td states it and compiler/interpreter/Loss.cpp computes
// it: a scalar f32 from a sum over all elements (reduceOver), divided as PyTorch's default
// reduction does (by the element count or the batch). cross_entropy and nll are in ClassLoss.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::Tuple;

/// The loss value: `total` (a rank-0 Func) divided by `divisor`.
LoweredValue lossValue(Lowering &l, const KernelNode &node, std::vector<ReductionFunc> reductions,
                       const ReductionFunc &total, double divisor) {
  if (!node.type.shape.empty() || node.type.dtype != DType::F32)
    throw l.error(node, "returns a scalar f32");
  float inverse = static_cast<float>(1.0 / divisor);
  LoweredValue v = l.pointwise(node, [&](const Index &) {
    Expr sum = Lowering::call(total.func, {});
    return unsignedZero(divisor == 0 ? sum / 0.0f : sum * inverse); // a loss of 0 is +0
  });
  v.kind = ValueKind::Reduction;
  reductions.push_back(total);
  v.reductions = std::move(reductions);
  return v;
}

/// The sum over all elements of term(prediction, target) (both of one shape).
ReductionFunc sumOfTerms(Lowering &l, const KernelNode &node, const LoweredValue &p,
                         const LoweredValue &y, const std::function<Expr(Expr, Expr)> &term) {
  return reduceOver(
      l.funcName(node, "_total"), p.type.shape, std::vector<bool>(p.type.shape.size(), true),
      Tuple(0.0f),
      [&](const Tuple &acc, const Index &element) {
        return Tuple(acc[0] +
                     term(Lowering::call(p.func, element), Lowering::call(y.func, element)));
      },
      /*isSum=*/true);
}

/// The two f32 operands of an element-wise loss, checked to have one shape.
std::pair<const LoweredValue *, const LoweredValue *> sameShapeOperands(Lowering &l,
                                                                        const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &p = l.operand(node, 0), &y = l.operand(node, 1);
  if (p.type.shape != y.type.shape || p.type.dtype != DType::F32 || y.type.dtype != DType::F32)
    throw l.error(node, "needs two f32 operands of one shape");
  return {&p, &y};
}

/// mean over all elements of `term`: mse, mae, huber, bce, bce_with_logits, hinge.
/// The mean of term(p, y) over all elements, or with `negated`, of -term(p, y): the sign goes into
/// the divisor, because Halide cannot prove `acc - term` associative and a long sum must be split
/// across vector lanes (rfactor).
OpLowering meanLoss(std::function<Expr(Expr, Expr, Lowering &, const KernelNode &)> term,
                    bool negated = false) {
  return [=](Lowering &l, const KernelNode &node) {
    auto [p, y] = sameShapeOperands(l, node);
    ReductionFunc total =
        sumOfTerms(l, node, *p, *y, [&](Expr pe, Expr ye) { return term(pe, ye, l, node); });
    double count = static_cast<double>(p->type.numElements());
    return lossValue(l, node, {}, total, negated ? -count : count);
  };
}

/// The batch a loss averages over: the first dimension (1 for a scalar).
double batchOf(const TensorType &t) {
  return t.shape.empty() ? 1.0 : static_cast<double>(t.shape[0]);
}

LoweredValue lowerKlDiv(Lowering &l, const KernelNode &node) {
  auto [logp, y] = sameShapeOperands(l, node);
  ReductionFunc total = sumOfTerms(l, node, *logp, *y, [](Expr lp, Expr ye) {
    Expr ylogy = Halide::select(ye == 0.0f, 0.0f, ye * ieeeLog(ye)); // PyTorch's xlogy
    return ylogy - ye * lp;
  });
  return lossValue(l, node, {}, total, batchOf(logp->type));
}

LoweredValue lowerKlNormal(Lowering &l, const KernelNode &node) {
  auto [mu, logvar] = sameShapeOperands(l, node);
  ReductionFunc total = sumOfTerms(
      l, node, *mu, *logvar, [](Expr m, Expr lv) { return 1.0f + lv - m * m - ieeeExp(lv); });
  return lossValue(l, node, {}, total, -2.0 * batchOf(mu->type));
}

} // namespace

// cross_entropy and nll (ClassLoss.cpp).
void registerClassLossLowerings(OpTable &t);

void registerLossLowerings(OpTable &t) {
  t["mse"] =
      meanLoss([](Expr p, Expr y, Lowering &, const KernelNode &) { return (p - y) * (p - y); });
  t["mae"] =
      meanLoss([](Expr p, Expr y, Lowering &, const KernelNode &) { return Halide::abs(p - y); });
  t["huber"] = meanLoss([](Expr p, Expr y, Lowering &l, const KernelNode &node) {
    float delta = static_cast<float>(l.floatAttr(node, "delta", 1.0));
    Expr d = Halide::abs(p - y);
    return Halide::select(d < delta, 0.5f * d * d, delta * (d - 0.5f * delta));
  });
  // PyTorch's BCELoss clamps each logarithm at -100, so a confident wrong answer costs 100.
  t["bce"] = meanLoss(
      [](Expr p, Expr y, Lowering &, const KernelNode &) {
        Expr logP = Halide::max(ieeeLog(p), -100.0f), logQ = Halide::max(ieeeLog(1.0f - p), -100.0f);
        return withNaN(p, y * logP + (1.0f - y) * logQ);
      },
      /*negated=*/true);
  // PyTorch's form, m = max(-z, 0): (1 - y) z + m + log(exp(-m) + exp(-z - m)); it never overflows,
  // and gives PyTorch's results at infinite logits.
  t["bce_with_logits"] = meanLoss([](Expr z, Expr y, Lowering &, const KernelNode &) {
    Expr m = Halide::max(-z, 0.0f);
    return withNaN(z, (1.0f - y) * z + m + ieeeLog(ieeeExp(-m) + ieeeExp(-z - m)));
  });
  t["hinge"] = meanLoss([](Expr p, Expr y, Lowering &, const KernelNode &) {
    return maxPropagatingNaN(Expr(0.0f), 1.0f - y * p);
  });
  t["kl_div"] = lowerKlDiv;
  t["kl_normal"] = lowerKlNormal;
  registerClassLossLowerings(t);
}

} // namespace dl::halide
