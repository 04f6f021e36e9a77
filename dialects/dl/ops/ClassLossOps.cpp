//===- ClassLossOps.cpp - cross_entropy and nll ---------------------------===//
//
// Shape inference and gradients of the class losses of LossOps.td, with PyTorch's options:
// reduction ("mean", "sum", "none"), ignore_index, a class weight and (cross_entropy) label
// smoothing. Both losses are written as one form, loss_i = -sum_c w_c T_ic logp_ic, with T the
// effective target of each sample (the smoothed one-hot of its label, 0 for an ignored sample, or
// the smoothed probabilities), so one gradient rule serves every case:
//   d logits = G_i (p_i sum_c w_c T_ic - w T_i),   d logp (nll) = -G_i w T_i,
//   d t (probabilities) = -(1 - eps) G_i w logp_i,
//   d w_c = sum_i G_i T_ic (-logp_ic)   [- dy L / D * sum_i T_ic for "mean" over class ids],
// where G_i is the gradient of sample i's loss (dy, dy / D or dy_i) and D the mean's denominator.
//
//===----------------------------------------------------------------------===//
#include "GradBuilder.h"
#include "OpHelpers.h"

#include <cstdint>

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace {

/// The checks both class losses share; `smoothing` < 0 for nll, which has none.
LogicalResult inferClassLoss(std::optional<Location> loc, StringRef op, Type scores, Type target,
                             Value weight, StringRef reduction, double smoothing, bool soft,
                             SmallVectorImpl<Type> &inferred) {
  shape::Shape s = shapeOf(scores);
  if (s.empty())
    return inferenceError(loc, "class scores " + typeString(scores) + " need a class dimension");
  shape::Shape rows(s.begin(), s.end() - 1);
  if (soft) {
    if (target != scores)
      return inferenceError(loc, "soft targets " + typeString(target) +
                                     " must have the logits' type " + typeString(scores));
  } else if (shapeOf(target) != rows) {
    return inferenceError(loc, "labels " + typeString(target) + " do not fit class scores " +
                                   typeString(scores) + ": expected labels of shape " +
                                   shape::format(rows, "i32"));
  }
  if (weight && shapeOf(weight.getType()) != shape::Shape{s.back()})
    return inferenceError(loc, "the class weight " + typeString(weight.getType()) +
                                   " must have one element per class of " + typeString(scores));
  if (reduction != "mean" && reduction != "sum" && reduction != "none")
    return inferenceError(loc, "reduction \"" + reduction +
                                   "\" is not one of \"mean\", \"sum\", \"none\"");
  if (smoothing > 1.0 || smoothing != smoothing)
    return inferenceError(loc, "label_smoothing " + std::to_string(smoothing) +
                                   " is outside [0, 1]");
  Type element = llvm::cast<RankedTensorType>(scores).getElementType();
  shape::Shape result = reduction == "none" ? rows : shape::Shape{};
  inferred.push_back(RankedTensorType::get(result, element));
  return success();
}

/// Where the pieces of the common gradient rule come from.
struct ClassLossGrad {
  Value scores;   ///< The logits, or nll's log-probabilities.
  Value target;   ///< i32 labels or f32 probabilities.
  Value weight;   ///< Null without a class weight.
  Value result;   ///< The loss (for the weight's gradient under "mean").
  StringRef reduction;
  int64_t ignoreIndex;
  double smoothing;
  bool logits; ///< cross_entropy (scores are logits) rather than nll.
};

LogicalResult buildClassLossVJP(OpBuilder &b, Location loc, const ClassLossGrad &op, Value dy,
                                SmallVectorImpl<Value> &dx) {
  GradBuilder g(b, loc);
  auto scoresType = llvm::cast<RankedTensorType>(op.scores.getType());
  shape::Shape s = shapeOf(scoresType);
  int64_t classes = s.back(), rank = s.size();
  shape::Shape rows(s.begin(), s.end() - 1), column = rows;
  column.push_back(1);
  Type f32 = scoresType.getElementType();
  auto typeOf = [&](const shape::Shape &sh) { return RankedTensorType::get(sh, f32); };
  SmallVector<int64_t> allAxes, rowAxes;
  for (int64_t d = 0; d < rank; ++d)
    allAxes.push_back(d);
  for (int64_t d = 0; d + 1 < rank; ++d)
    rowAxes.push_back(d);
  double eps = op.smoothing;
  bool soft = GradBuilder::isFloat(op.target);

  // The effective targets T; for class ids also the mask of kept samples ([rows..., 1]; null when
  // ignore_index, outside i32, matches no label) and the masked one-hot, which counts D.
  Value t, picked, mask;
  if (soft) {
    t = eps == 0 ? op.target : g.add(g.scale(op.target, 1.0 - eps), g.scalar(eps / classes, op.target));
  } else {
    Value onehot = b.create<OneHotOp>(loc, op.target, b.getI64IntegerAttr(classes));
    if (op.ignoreIndex >= INT32_MIN && op.ignoreIndex <= INT32_MAX) {
      Value kept = g.cmp(CmpPredicate::ne, op.target, g.scalar(double(op.ignoreIndex), op.target));
      mask = g.reshape(g.cast(kept, typeOf(rows)), typeOf(column));
    }
    picked = mask ? g.mul(mask, onehot) : onehot;
    t = picked;
    if (eps != 0) {
      t = g.add(g.scale(onehot, 1.0 - eps), g.scalar(eps / classes, onehot));
      t = mask ? g.mul(mask, t) : t;
    }
  }
  Value wt = op.weight ? g.mul(t, op.weight) : t;

  // G, the gradient of each sample's loss, shaped to broadcast over the classes.
  Value rowGrad = dy, denominator;
  if (op.reduction == "none") {
    rowGrad = g.reshape(dy, typeOf(column));
  } else if (op.reduction == "mean") {
    if (soft || (!mask && !op.weight)) {
      rowGrad = g.scale(dy, 1.0 / double(shape::numElements(rows)));
    } else {
      // D: the kept samples' weights, or their count.
      Value counted = op.weight ? g.mul(picked, op.weight) : mask;
      denominator = g.sum(counted, allAxes, /*keepdims=*/false);
      rowGrad = g.div(dy, denominator);
      // An ignored sample's gradient is 0 even when D is 0 (every sample ignored: torch gives
      // zeros, not inf * 0).
      if (mask)
        rowGrad = g.where(g.cmp(CmpPredicate::ne, mask, g.scalar(0, mask)), rowGrad);
    }
  }

  if (op.logits) {
    // sum_c w_c T_c: without a weight, a class id's T sums to its mask (1 - eps + eps).
    Value p = g.softmax(op.scores, -1);
    Value pMass = p;
    if (soft || op.weight)
      pMass = g.mul(p, g.sum(wt, {-1}, /*keepdims=*/true));
    else if (mask)
      pMass = g.mul(p, mask);
    dx.push_back(g.mul(rowGrad, g.sub(pMass, wt)));
  } else {
    dx.push_back(g.neg(g.mul(rowGrad, wt)));
  }
  Value logp;
  if (soft || op.weight)
    logp = op.logits ? g.logSoftmax(op.scores, -1) : op.scores;
  if (soft) {
    Value d = g.mul(rowGrad, g.neg(logp));
    if (op.weight)
      d = g.mul(d, op.weight);
    dx.push_back(g.scale(d, 1.0 - eps));
  } else {
    dx.push_back(Value());
  }
  if (op.weight) {
    // T (-logp), 0 where T is 0 (nll's log-probabilities may be -inf at the other classes).
    Value zero = g.scalar(0, t);
    Value term = g.where(g.cmp(CmpPredicate::ne, t, zero), g.mul(t, g.neg(logp)));
    Value dw = g.mul(rowGrad, term);
    dw = rowAxes.empty() ? dw : g.sum(dw, rowAxes, /*keepdims=*/false);
    if (denominator) {
      // D depends on the weight too: dL/dw_c gains -L / D * (the count of kept samples of class c).
      Value counts = rowAxes.empty() ? picked : g.sum(picked, rowAxes, /*keepdims=*/false);
      Value share = g.div(g.mul(dy, op.result), denominator);
      dw = g.sub(dw, g.mul(share, counts));
    }
    dx.push_back(g.reshape(dw, op.weight.getType()));
  }
  return success();
}

} // namespace

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                               Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type target = adaptor.getTarget().getType();
  bool soft = !llvm::cast<RankedTensorType>(target).getElementType().isInteger(32);
  double eps = adaptor.getLabelSmoothing().convertToDouble();
  if (eps < 0)
    return inferenceError(location, "label_smoothing " + std::to_string(eps) + " is outside [0, 1]");
  return inferClassLoss(location, "cross_entropy", adaptor.getLogits().getType(), target,
                        adaptor.getWeight(), adaptor.getReduction(), eps, soft, inferred);
}

LogicalResult NllOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  return inferClassLoss(location, "nll", adaptor.getLogProbs().getType(),
                        adaptor.getLabels().getType(), adaptor.getWeight(), adaptor.getReduction(),
                        0.0, /*soft=*/false, inferred);
}

LogicalResult CrossEntropyOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  ClassLossGrad g{getLogits(), getTarget(), getWeight(), getResult(), getReduction(),
                  static_cast<int64_t>(getIgnoreIndex()), getLabelSmoothing().convertToDouble(), /*logits=*/true};
  return buildClassLossVJP(b, getLoc(), g, dy[0], dx);
}

LogicalResult NllOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  ClassLossGrad g{getLogProbs(), getLabels(), getWeight(), getResult(), getReduction(),
                  static_cast<int64_t>(getIgnoreIndex()), 0.0, /*logits=*/false};
  return buildClassLossVJP(b, getLoc(), g, dy[0], dx);
}
