//===- ClassLoss.cpp - cross_entropy and nll ------------------------------===//
//
// The class losses of dialects/dl/ops/LossOps.td as compiler/interpreter/Loss.cpp computes them,
// with PyTorch's options: one loss per sample (the scores' shape without the last, class,
// dimension), loss_i = w[y_i] (-logp_i[y_i]) for class ids (0 for an ignored sample, whose scores
// are not read), plus label_smoothing / C * sum_c w_c (-logp_ic) when smoothing, or
// sum_c w_c t'_ic (-logp_ic) for probabilities. "none" returns them; "sum" sums them; "mean"
// divides the sum by the sum of w[y_i] over the kept samples (class ids) or by their number.
//
// Row statistics of cross_entropy (the maximum and the sum of exponentials along the classes), the
// smoothing sum of each row, the total and the mean's denominator are reductions of their own, so
// the schedule computes each once. Where the interpreter fails, so does a kernel: a class label
// outside [0, classes) that is not ignore_index stops it with a message (Halide's require, checked
// once per label before any score is read; the read is clamped too, so bounds inference never
// reaches outside the scores).
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <cstdint>

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::Tuple;

struct ClassLossNode {
  const LoweredValue *scores = nullptr, *target = nullptr, *weight = nullptr;
  Shape shape, rows;
  int64_t classes = 0;
  bool classIds = false;
  std::string reduction = "mean";
  int64_t ignoreIndex = -100;
  double smoothing = 0;
};

ClassLossNode readNode(Lowering &l, const KernelNode &node, bool logits) {
  if (node.operands.size() != 2 && node.operands.size() != 3)
    throw l.error(node, "takes scores, a target and an optional class weight");
  ClassLossNode n;
  n.scores = &l.operand(node, 0);
  n.target = &l.operand(node, 1);
  n.shape = n.scores->type.shape;
  if (n.shape.empty() || n.scores->type.dtype != DType::F32)
    throw l.error(node, "needs f32 scores of rank 1 or more");
  n.classes = n.shape.back();
  n.rows.assign(n.shape.begin(), n.shape.end() - 1);
  n.classIds = n.target->type.dtype == DType::I32;
  if (n.classIds ? n.target->type.shape != n.rows
                 : (!logits || n.target->type.shape != n.shape || n.target->type.dtype != DType::F32))
    throw l.error(node, logits ? "needs i32 class ids or f32 targets of the logits' shape"
                               : "needs i32 labels of the scores' shape without its last dimension");
  if (node.operands.size() == 3) {
    n.weight = &l.operand(node, 2);
    if (n.weight->type.shape != Shape{n.classes} || n.weight->type.dtype != DType::F32)
      throw l.error(node, "needs an f32 class weight of one element per class");
  }
  auto r = node.strings.find("reduction");
  n.reduction = r == node.strings.end() ? "mean" : r->second;
  if (n.reduction != "mean" && n.reduction != "sum" && n.reduction != "none")
    throw l.error(node, "has an unknown reduction '" + n.reduction + "'");
  n.ignoreIndex = l.intAttr(node, "ignore_index", -100);
  n.smoothing = logits ? l.floatAttr(node, "label_smoothing", 0.0) : 0.0;
  Shape result = n.reduction == "none" ? n.rows : Shape{};
  if (node.type.shape != result || node.type.dtype != DType::F32)
    throw l.error(node, "returns f32 of the shape its reduction gives");
  return n;
}

LoweredValue lowerClassLoss(Lowering &l, const KernelNode &node, bool logits) {
  ClassLossNode n = readNode(l, node, logits);
  const LoweredValue &z = *n.scores, &t = *n.target;
  const Shape &shape = n.shape, &rows = n.rows;
  std::vector<ReductionFunc> reductions;
  std::vector<bool> lastAxis(shape.size(), false), allRows(rows.size(), true);
  lastAxis.back() = true;
  auto weightAt = [&](Expr c) -> Expr {
    return n.weight ? Lowering::call(n.weight->func, {c}) : Expr(1.0f);
  };

  // -logp at `at` (of row `row`). For logits, -log_softmax(z)[c] = (max - z[c]) + log(sum), in
  // this order (strict): as (max + log(sum)) - z[c] large logits lose the digits of log(sum).
  std::function<Expr(const Index &, const Index &)> negativeLogp;
  if (logits) {
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
    reductions = {m, s};
    Func mf = m.func, sf = s.func;
    negativeLogp = [&z, mf, sf](const Index &row, const Index &at) {
      return Halide::strict_float((Lowering::call(mf, row) - Lowering::call(z.func, at)) +
                                  ieeeLog(Lowering::call(sf, row)));
    };
  } else {
    negativeLogp = [&z](const Index &, const Index &at) { return -Lowering::call(z.func, at); };
  }

  // Per row: sum_c w_c t'_c (-logp_c) for probabilities, sum_c w_c (-logp_c) for smoothing.
  float eps = static_cast<float>(n.smoothing), perClass = static_cast<float>(n.smoothing / n.classes);
  Func rowSum;
  if (!n.classIds || n.smoothing > 0) {
    ReductionFunc r = reduceOver(
        l.funcName(node, "_rowsum"), shape, lastAxis, Tuple(0.0f),
        [&](const Tuple &acc, const Index &e) {
          Index row = keptIndex(e, lastAxis);
          if (n.classIds)
            return Tuple(acc[0] + weightAt(e.back()) * negativeLogp(row, e));
          Expr target = Lowering::call(t.func, e);
          if (n.smoothing > 0)
            target = target * (1.0f - eps) + perClass;
          // torch's order, -(logp * t * w): 0 * inf is NaN there too.
          return Tuple(acc[0] + negativeLogp(row, e) * target * weightAt(e.back()));
        },
        /*isSum=*/true);
    reductions.push_back(r);
    rowSum = r.func;
  }

  // Each row's loss and, for class ids, its share of the mean's denominator.
  Func checked;
  std::function<Expr(const Index &)> rowLoss, rowWeight;
  if (n.classIds) {
    // An ignore_index outside i32 matches no label.
    bool ignorable = n.ignoreIndex >= INT32_MIN && n.ignoreIndex <= INT32_MAX;
    // Checked when computed, before any score is read: "<label> at row <r> of the labels
    // i32[shape] is not a class label in [0, C) of dl.<op> at <location> (nor its ignore_index k)".
    std::string nor = " (nor its ignore_index " + std::to_string(n.ignoreIndex) + ")";
    checked = l.checkedIndices(node, t, n.classes, "_labels", "labels", "is not a class label in",
                               ignorable ? std::optional<int64_t>(n.ignoreIndex) : std::nullopt,
                               ignorable ? nor : "");
    int32_t last = static_cast<int32_t>(std::max<int64_t>(n.classes - 1, 0));
    auto kept = [checked, ignorable, ignoreIndex = n.ignoreIndex](const Index &row) -> Expr {
      return ignorable ? Lowering::call(checked, row) != static_cast<int32_t>(ignoreIndex)
                       : Expr(true);
    };
    auto label = [checked, last](const Index &row) {
      return Halide::clamp(Lowering::call(checked, row), 0, last);
    };
    rowLoss = [&, kept, label](const Index &row) {
      Index at = row;
      at.push_back(label(row));
      Expr loss = weightAt(at.back()) * negativeLogp(row, at);
      if (n.smoothing > 0)
        loss = (1.0f - eps) * loss + perClass * Lowering::call(rowSum, row);
      return Halide::select(kept(row), loss, 0.0f); // an ignored row's scores are not read
    };
    rowWeight = [&, kept, label](const Index &row) {
      return Halide::select(kept(row), weightAt(label(row)), 0.0f);
    };
  } else {
    rowLoss = [&](const Index &row) { return Lowering::call(rowSum, row); };
  }

  LoweredValue v;
  if (n.reduction == "none") {
    v = l.pointwise(node, rowLoss);
  } else {
    ReductionFunc total = reduceOver(
        l.funcName(node, "_total"), rows, allRows, Tuple(0.0f),
        [&](const Tuple &acc, const Index &row) { return Tuple(acc[0] + rowLoss(row)); },
        /*isSum=*/true);
    reductions.push_back(total);
    Expr sum = unsignedZero(Lowering::call(total.func, {}));
    if (n.reduction == "sum") {
      v = l.pointwise(node, [&](const Index &) { return sum; });
    } else if (n.classIds) {
      ReductionFunc denominator = reduceOver(
          l.funcName(node, "_denominator"), rows, allRows, Tuple(0.0f),
          [&](const Tuple &acc, const Index &row) { return Tuple(acc[0] + rowWeight(row)); },
          /*isSum=*/true);
      reductions.push_back(denominator);
      // No kept sample: 0 / 0 = NaN, as torch 1.13 gives.
      v = l.pointwise(node, [&](const Index &) {
        return Halide::strict_float(sum / Lowering::call(denominator.func, {}));
      });
    } else {
      double count = 1;
      for (int64_t d : rows)
        count *= static_cast<double>(d);
      v = l.pointwise(node, [&](const Index &) {
        return count == 0 ? sum / 0.0f : sum * static_cast<float>(1.0 / count);
      });
    }
  }
  v.kind = ValueKind::Reduction;
  v.reductions = std::move(reductions);
  if (n.classIds)
    v.checks.emplace_back(checked, t.type.shape);
  return v;
}

} // namespace

void registerClassLossLowerings(OpTable &t) {
  t["cross_entropy"] = [](Lowering &l, const KernelNode &node) {
    return lowerClassLoss(l, node, /*logits=*/true);
  };
  t["nll"] = [](Lowering &l, const KernelNode &node) {
    return lowerClassLoss(l, node, /*logits=*/false);
  };
}

} // namespace dl::halide
