//===- Loss.cpp - The loss ops --------------------------------------------===//
//
// Each loss exactly as its ODS description (dialects/dl/ops/LossOps.td) states it, reducing as
// PyTorch's default does. Where the description leaves a limit open, the interpreter takes the
// mathematical one and says so here:
//   - kl_div: y log y is 0 where y = 0 (PyTorch's xlogy);
//   - bce: each logarithm clamped at -100, as PyTorch's BCELoss does, so p = 0 or 1 against a
//     disagreeing target costs 100 and an agreeing one 0;
//   - bce_with_logits: PyTorch's form, which decides its results at infinite logits;
//   - hinge: NaN propagates through the max;
//   - cross_entropy / nll: a label outside [0, classes) that is not ignore_index is an error
//     (PyTorch raises too); the mean over no kept sample is 0 / 0 = NaN, as torch 1.13 gives.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// mean over all elements of `term(p, y)`: mse, mae, huber, bce, bce_with_logits, hinge.
template <typename Term> LogicalResult meanOf(OpContext &c, Term term) {
  const Tensor &p = c.operand(0), &y = c.operand(1);
  double sum = 0;
  for (size_t i = 0; i < p.data.size(); ++i)
    sum += term(p.data[i], y.data[i]);
  c.result().data[0] = sum / static_cast<double>(p.data.size());
  return success();
}

/// The batch a loss averages over: the first dimension (1 for a scalar).
double batchOf(const Tensor &t) { return t.rank() == 0 ? 1.0 : static_cast<double>(t.shape[0]); }

LogicalResult evalKlDiv(dlo::KlDivOp, OpContext &c) {
  const Tensor &logp = c.operand(0), &y = c.operand(1);
  double sum = 0;
  for (size_t i = 0; i < logp.data.size(); ++i) {
    double yi = y.data[i];
    double ylogy = yi == 0 ? 0.0 : yi * std::log(yi);
    sum += ylogy - yi * logp.data[i];
  }
  c.result().data[0] = sum / batchOf(logp);
  return success();
}

/// Stable log_softmax of one row of `classes` logits starting at `row`.
std::vector<double> logSoftmaxRow(const double *row, int64_t classes) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < classes; ++j)
    m = std::max(m, row[j]);
  double sum = 0;
  for (int64_t j = 0; j < classes; ++j)
    sum += std::exp(row[j] - m);
  double lse = m + std::log(sum);
  std::vector<double> out(classes);
  for (int64_t j = 0; j < classes; ++j)
    out[j] = row[j] - lse;
  return out;
}

/// A class label as an index, or failure when it is outside [0, classes).
LogicalResult labelOf(OpContext &c, double value, int64_t classes, int64_t &label) {
  label = static_cast<int64_t>(value);
  if (label < 0 || label >= classes)
    return c.fail("label " + std::to_string(label) + " is outside [0, " + std::to_string(classes) +
                  ")");
  return success();
}

/// The options of a class loss (cross_entropy or nll) as torch 1.13 applies them.
struct ClassLoss {
  bool logits;          ///< The scores are logits (cross_entropy), else log-probabilities (nll).
  std::string reduction;
  int64_t ignoreIndex;
  double smoothing;
};

/// loss_i = -sum_c w_c T_ic logp_ic per sample, T the (smoothed) one-hot of its label or the
/// (smoothed) probabilities; an ignored sample is 0 without reading its scores, as PyTorch skips
/// it. "mean" divides by the sum of w[y] over the samples kept (class ids; NaN when none is kept) or
/// by the number of samples (probabilities). Label smoothing is added only when positive, since
/// torch's plain path never forms eps / C * (-sum logp) (0 * inf).
LogicalResult evalClassLoss(const ClassLoss &o, OpContext &c) {
  const Tensor &scores = c.operand(0), &target = c.operand(1);
  const Tensor *weight = c.operands.size() > 2 ? &c.operand(2) : nullptr;
  int64_t classes = scores.shape.back();
  int64_t samples = classes == 0 ? 0 : scores.numElements() / classes;
  double eps = o.smoothing, total = 0, denominator = 0;
  auto w = [&](int64_t j) { return weight ? weight->data[j] : 1.0; };
  Tensor &out = c.result();
  for (int64_t s = 0; s < samples; ++s) {
    const double *row = scores.data.data() + s * classes;
    double loss = 0;
    if (target.kind == ElementKind::I32) {
      if (static_cast<int64_t>(target.data[s]) == o.ignoreIndex) {
        if (o.reduction == "none")
          out.data[s] = 0;
        continue;
      }
      int64_t label;
      if (failed(labelOf(c, target.data[s], classes, label)))
        return failure();
      std::vector<double> logp = o.logits ? logSoftmaxRow(row, classes)
                                          : std::vector<double>(row, row + classes);
      loss = -w(label) * logp[label];
      if (eps > 0) {
        double smooth = 0;
        for (int64_t j = 0; j < classes; ++j)
          smooth -= w(j) * logp[j];
        loss = (1 - eps) * loss + eps / static_cast<double>(classes) * smooth;
      }
      denominator += w(label);
    } else {
      std::vector<double> logp = logSoftmaxRow(row, classes);
      for (int64_t j = 0; j < classes; ++j) {
        double t = target.data[s * classes + j];
        if (eps > 0)
          t = t * (1 - eps) + eps / static_cast<double>(classes);
        loss -= logp[j] * t * w(j);
      }
      denominator += 1;
    }
    if (o.reduction == "none")
      out.data[s] = loss;
    total += loss;
  }
  if (o.reduction == "sum")
    out.data[0] = total;
  else if (o.reduction == "mean")
    out.data[0] = total / denominator;
  return success();
}

LogicalResult evalKlNormal(dlo::KlNormalOp, OpContext &c) {
  const Tensor &mu = c.operand(0), &logvar = c.operand(1);
  double sum = 0;
  for (size_t i = 0; i < mu.data.size(); ++i)
    sum += 1 + logvar.data[i] - mu.data[i] * mu.data[i] - std::exp(logvar.data[i]);
  c.result().data[0] = -0.5 * sum / batchOf(mu);
  return success();
}

} // namespace

void registerLossKernels(KernelTable &t) {
  addKernel<dlo::MseOp>(t, [](dlo::MseOp, OpContext &c) {
    return meanOf(c, [](double p, double y) { return (p - y) * (p - y); });
  });
  addKernel<dlo::MaeOp>(t, [](dlo::MaeOp, OpContext &c) {
    return meanOf(c, [](double p, double y) { return std::fabs(p - y); });
  });
  addKernel<dlo::HuberOp>(t, [](dlo::HuberOp op, OpContext &c) {
    double delta = op.getDelta().convertToDouble();
    return meanOf(c, [delta](double p, double y) {
      double d = std::fabs(p - y);
      return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
    });
  });
  addKernel<dlo::BceOp>(t, [](dlo::BceOp, OpContext &c) {
    return meanOf(c, [](double p, double y) {
      if (std::isnan(p))
        return p;
      return -(y * std::max(std::log(p), -100.0) + (1 - y) * std::max(std::log(1 - p), -100.0));
    });
  });
  // m = max(-z, 0): (1 - y) z + m + log(exp(-m) + exp(-z - m)), which never overflows.
  addKernel<dlo::BceWithLogitsOp>(t, [](dlo::BceWithLogitsOp, OpContext &c) {
    return meanOf(c, [](double z, double y) {
      if (std::isnan(z))
        return z;
      double m = std::max(-z, 0.0);
      return (1 - y) * z + m + std::log(std::exp(-m) + std::exp(-z - m));
    });
  });
  addKernel<dlo::HingeOp>(t, [](dlo::HingeOp, OpContext &c) {
    return meanOf(c, [](double p, double y) {
      double margin = 1 - y * p;
      return std::isnan(margin) ? margin : std::max(0.0, margin);
    });
  });
  addKernel<dlo::KlDivOp>(t, evalKlDiv);
  addKernel<dlo::CrossEntropyOp>(t, [](dlo::CrossEntropyOp op, OpContext &c) {
    return evalClassLoss({true, op.getReduction().str(), static_cast<int64_t>(op.getIgnoreIndex()),
                          op.getLabelSmoothing().convertToDouble()},
                         c);
  });
  addKernel<dlo::NllOp>(t, [](dlo::NllOp op, OpContext &c) {
    return evalClassLoss({false, op.getReduction().str(), static_cast<int64_t>(op.getIgnoreIndex()), 0.0}, c);
  });
  addKernel<dlo::KlNormalOp>(t, evalKlNormal);
}

} // namespace dl::interp
