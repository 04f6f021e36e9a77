//===- Loss.cpp - The loss ops --------------------------------------------===//
//
// Each loss as dialects/dl/ops/LossOps.td states it and compiler/interpreter/Loss.cpp computes
// it: a scalar f32 from a sum over all elements (reduceOver), divided as PyTorch's default
// reduction does (by the element count, the batch, or the number of samples). Row statistics of
// cross_entropy (the maximum and the sum of exponentials along the classes) are reductions of their
// own, so the schedule computes them once.
//
// Where the interpreter fails, so does a kernel: a class label outside [0, classes) stops it with a
// message (Halide's require, checked once per label before any logit is read; the read is clamped
// too, so bounds inference never reaches outside the logits).
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

/// The labels of `node`, checked to lie in [0, classes) when the helper is computed (before any
/// logit is read): a label outside fails the kernel with a message, as an embedding id does (a NaN
/// loss would read as divergence).
Halide::Func checkedLabels(Lowering &l, const KernelNode &node, const LoweredValue &labels,
                           int64_t classes) {
  return l.checkedIndices(node, labels, classes, "_labels", "labels", "is not a class label in");
}

/// The checked label of `row`, clamped for the read (bounds inference sizes the logits' reads by
/// it).
Expr labelAt(const Halide::Func &checked, const Index &row, int64_t classes) {
  int32_t last = static_cast<int32_t>(std::max<int64_t>(classes - 1, 0));
  return Halide::clamp(Lowering::call(checked, row), 0, last);
}

/// Checks the [..., classes] scores and [...] i32 labels of nll and cross_entropy.
void checkLabels(Lowering &l, const KernelNode &node, const LoweredValue &scores,
                 const LoweredValue &labels) {
  Shape rows(scores.type.shape.begin(), scores.type.shape.end() - 1);
  if (labels.type.dtype != DType::I32 || labels.type.shape != rows)
    throw l.error(node, "needs i32 labels of the scores' shape without its last dimension");
}

LoweredValue lowerCrossEntropy(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &z = l.operand(node, 0), &t = l.operand(node, 1);
  const Shape &shape = z.type.shape;
  if (shape.empty() || z.type.dtype != DType::F32)
    throw l.error(node, "needs f32 logits of rank 1 or more");
  int64_t classes = shape.back();
  double samples = classes == 0 ? 0.0 : static_cast<double>(z.type.numElements() / classes);
  bool classIds = t.type.dtype == DType::I32;
  if (classIds)
    checkLabels(l, node, z, t);
  else if (t.type.shape != shape || t.type.dtype != DType::F32)
    throw l.error(node, "needs i32 class ids or f32 targets of the logits' shape");

  // Row statistics: lse(row) = max + log(sum exp(z - max)).
  std::vector<bool> lastAxis(shape.size(), false);
  lastAxis.back() = true;
  ReductionFunc m = reduceOver(l.funcName(node, "_max"), shape, lastAxis,
                               Tuple(infinityOf(Halide::Float(32), /*negative=*/true)),
                               [&](const Tuple &acc, const Index &e) {
                                 return Tuple(maxPropagatingNaN(acc[0], Lowering::call(z.func, e)));
                               });
  ReductionFunc s = reduceOver(
      l.funcName(node, "_sumexp"), shape, lastAxis, Tuple(0.0f),
      [&](const Tuple &acc, const Index &e) {
        Expr shifted = Lowering::call(z.func, e) - Lowering::call(m.func, keptIndex(e, lastAxis));
        return Tuple(acc[0] + ieeeExp(shifted));
      },
      /*isSum=*/true);
  // -log_softmax(z)[c] = (max - z[c]) + log(sum), in this order (strict): as (max + log(sum)) - z[c]
  // large logits lose the digits of log(sum).
  auto negativeLogSoftmax = [&](const Index &row, const Index &at) {
    return Halide::strict_float((Lowering::call(m.func, row) - Lowering::call(z.func, at)) +
                                ieeeLog(Lowering::call(s.func, row)));
  };

  ReductionFunc total;
  Halide::Func checked;
  if (classIds) {
    checked = checkedLabels(l, node, t, classes);
    Shape rows(shape.begin(), shape.end() - 1);
    total = reduceOver(
        l.funcName(node, "_total"), rows, std::vector<bool>(rows.size(), true), Tuple(0.0f),
        [&](const Tuple &acc, const Index &row) {
          Index at = row;
          at.push_back(labelAt(checked, row, classes));
          return Tuple(acc[0] + negativeLogSoftmax(row, at));
        },
        /*isSum=*/true);
  } else {
    total = reduceOver(
        l.funcName(node, "_total"), shape, std::vector<bool>(shape.size(), true), Tuple(0.0f),
        [&](const Tuple &acc, const Index &e) {
          Index row(e.begin(), e.end() - 1);
          Expr negativeLogp = negativeLogSoftmax(row, e);
          return Tuple(acc[0] + Lowering::call(t.func, e) * negativeLogp);
        },
        /*isSum=*/true);
  }
  LoweredValue v = lossValue(l, node, {m, s}, total, samples);
  if (classIds)
    v.checks.emplace_back(checked, t.type.shape);
  return v;
}

LoweredValue lowerNll(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &logp = l.operand(node, 0), &labels = l.operand(node, 1);
  const Shape &shape = logp.type.shape;
  if (shape.empty() || logp.type.dtype != DType::F32)
    throw l.error(node, "needs f32 log-probabilities of rank 1 or more");
  checkLabels(l, node, logp, labels);
  int64_t classes = shape.back();
  Shape rows(shape.begin(), shape.end() - 1);
  Halide::Func checked = checkedLabels(l, node, labels, classes);
  ReductionFunc total = reduceOver(
      l.funcName(node, "_total"), rows, std::vector<bool>(rows.size(), true), Tuple(0.0f),
      [&](const Tuple &acc, const Index &row) {
        Index at = row;
        at.push_back(labelAt(checked, row, classes));
        return Tuple(acc[0] + Lowering::call(logp.func, at));
      },
      /*isSum=*/true);
  // The sum is of log-probabilities; the loss is its negated mean.
  LoweredValue v =
      lossValue(l, node, {}, total, -static_cast<double>(labels.type.numElements()));
  v.checks.emplace_back(checked, labels.type.shape);
  return v;
}

} // namespace

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
  t["cross_entropy"] = lowerCrossEntropy;
  t["nll"] = lowerNll;
  t["kl_normal"] = lowerKlNormal;
}

} // namespace dl::halide
