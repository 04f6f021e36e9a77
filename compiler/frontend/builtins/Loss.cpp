//===- Loss.cpp - Losses --------------------------------------------------===//
//
// The builtins that emit ops of LossOps.td, each a scalar f32: the element-wise losses, whose
// prediction and target have one shape (mse, mae, huber, bce, bce_with_logits, hinge, kl_div),
// cross_entropy and nll against class ids (or, for cross_entropy, probabilities) with PyTorch's
// options (weight, ignore_index, reduction, label_smoothing; `axis` for the class axis), and
// kl_normal.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

#include <cstdio>

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// Losses whose prediction and target have one shape.
template <typename OpTy> Apply elementwiseLoss() {
  return [](Elaborator &E, const BuiltinCall &c) -> std::optional<Val> {
    std::optional<Value> p = E.requireTensor(c[0], c.locOf(0), "the prediction of '" + c.name + "'");
    std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the target of '" + c.name + "'");
    if (!p || !y)
      return std::nullopt;
    if (p->getType() != y->getType()) {
      E.error(c.loc, c.name + ": prediction " + describeType(p->getType()) + " and target " +
                         describeType(y->getType()) + " differ in shape");
      return std::nullopt;
    }
    auto scalar = E.tensorType({}, E.f32());
    if constexpr (std::is_same_v<OpTy, dlo::HuberOp>) {
      std::optional<double> delta = E.requireNumber(c[2], c.locOf(2), "'delta'");
      if (!delta)
        return std::nullopt;
      if (*delta <= 0) {
        E.error(c.locOf(2), "'delta' must be positive");
        return std::nullopt;
      }
      return Val::ofTensor(E.create<dlo::HuberOp>(c.loc, scalar, *p, *y, E.builder().getF64FloatAttr(*delta)));
    } else {
      return Val::ofTensor(E.create<OpTy>(c.loc, scalar, *p, *y));
    }
  };
}

std::string quoted(const Val &v) {
  return v.kind == Val::Kind::String ? "\"" + v.s + "\"" : v.describe();
}

/// The options cross_entropy and nll share with torch.nn.functional (parameters 2 to 5 of both):
/// weight, ignore_index, reduction and the class axis.
struct ClassLossOptions {
  std::optional<Value> weight;
  int64_t ignoreIndex = -100;
  std::string reduction = "mean";
  int64_t axis = -1;
};

std::optional<ClassLossOptions> classLossOptions(Elaborator &E, const BuiltinCall &c, Value scores) {
  ClassLossOptions o;
  int64_t rank = typeOf(scores).getRank();
  if (rank == 0) {
    E.error(c.locOf(0), c.name + " needs class scores with a class dimension, not " +
                            describeType(scores.getType()));
    return std::nullopt;
  }
  if (c.has(5)) {
    std::optional<int64_t> axis = E.requireInt(c[5], c.locOf(5), "'axis'");
    if (!axis)
      return std::nullopt;
    if (*axis < -rank || *axis >= rank) {
      E.error(c.locOf(5), c.name + ": class axis " + std::to_string(*axis) + " is outside the scores " +
                              describeType(scores.getType()));
      return std::nullopt;
    }
    o.axis = *axis < 0 ? *axis + rank : *axis;
  } else {
    o.axis = rank - 1;
  }
  int64_t classes = typeOf(scores).getDimSize(o.axis);
  if (c.has(2)) {
    o.weight = E.requireTensor(c[2], c.locOf(2), "the class weight of '" + c.name + "'");
    if (!o.weight)
      return std::nullopt;
    if (typeOf(*o.weight).getShape() != llvm::ArrayRef<int64_t>{classes} ||
        !typeOf(*o.weight).getElementType().isF32()) {
      E.error(c.locOf(2), c.name + ": the class weight " + describeType(o.weight->getType()) +
                              " must be f32[" + std::to_string(classes) + "], one per class of the scores " +
                              describeType(scores.getType()));
      return std::nullopt;
    }
  }
  std::optional<int64_t> ignore = E.requireInt(c[3], c.locOf(3), "'ignore_index'");
  if (!ignore)
    return std::nullopt;
  o.ignoreIndex = *ignore;
  if (c[4].kind != Val::Kind::String ||
      (c[4].s != "mean" && c[4].s != "sum" && c[4].s != "none")) {
    E.error(c.locOf(4), c.name + ": 'reduction' must be \"mean\", \"sum\" or \"none\", not " +
                            quoted(c[4]));
    return std::nullopt;
  }
  o.reduction = c[4].s;
  return o;
}

/// `v` with axis `axis` moved last (PyTorch's [N, C, d1, ...] made dlc's [N, d1, ..., C]).
Value classesLast(Elaborator &E, const BuiltinCall &c, Value v, int64_t axis) {
  shape::Shape s = shapeOf(v.getType());
  if (axis == static_cast<int64_t>(s.size()) - 1)
    return v;
  std::vector<int64_t> perm;
  shape::Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d)
    if (d != axis) {
      perm.push_back(d);
      out.push_back(s[d]);
    }
  perm.push_back(axis);
  out.push_back(s[axis]);
  return E.create<dlo::TransposeOp>(c.loc, E.tensorType(out, typeOf(v).getElementType()), v,
                                    E.builder().getDenseI64ArrayAttr(perm));
}

/// Labels for class scores with the classes on `axis`: i32 of the scores' shape without it.
bool checkLabels(Elaborator &E, const BuiltinCall &c, Value scores, Value labels, int64_t axis) {
  shape::Shape s = shapeOf(scores.getType());
  shape::Shape expected = s;
  expected.erase(expected.begin() + axis);
  if (shapeOf(labels.getType()) == expected)
    return true;
  std::string hint;
  shape::Shape torchRows = s;
  if (s.size() > 2 && axis == static_cast<int64_t>(s.size()) - 1) {
    torchRows.erase(torchRows.begin() + 1);
    if (shapeOf(labels.getType()) == torchRows)
      hint = " (for PyTorch's layout [N, C, d1, ...], with the classes on axis 1, pass axis = 1)";
  }
  E.error(c.loc, c.name + ": labels " + describeType(labels.getType()) + " do not fit scores " +
                     describeType(scores.getType()) + "; expected " + shape::format(expected, "i32") + hint);
  return false;
}

/// The result type of a class loss over scores (classes last) with reduction `reduction`.
mlir::Type classLossType(Elaborator &E, Value scores, const std::string &reduction) {
  shape::Shape rows = shapeOf(scores.getType());
  rows.pop_back();
  return E.tensorType(reduction == "none" ? rows : shape::Shape{}, E.f32());
}

/// cross_entropy(logits, labels, weight, ignore_index = -100, reduction = "mean", axis = -1,
/// label_smoothing = 0.0): i32 class ids, or probabilities of the logits' shape.
std::optional<Val> crossEntropy(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> z = E.requireTensor(c[0], c.locOf(0), "the logits of 'cross_entropy'");
  std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the labels of 'cross_entropy'", false);
  if (!z || !y)
    return std::nullopt;
  std::optional<ClassLossOptions> o = classLossOptions(E, c, *z);
  std::optional<double> eps = E.requireNumber(c[6], c.locOf(6), "'label_smoothing'");
  if (!o || !eps)
    return std::nullopt;
  if (!(*eps >= 0.0 && *eps <= 1.0)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", *eps);
    E.error(c.locOf(6), std::string("cross_entropy: 'label_smoothing' must be in [0, 1], not ") + text);
    return std::nullopt;
  }
  if (typeOf(*y).getElementType().isInteger(32)) {
    if (!checkLabels(E, c, *z, *y, o->axis))
      return std::nullopt;
  } else if (y->getType() != z->getType()) {
    // The class ids' shape is the logits' without the class dimension.
    shape::Shape ids = shapeOf(z->getType());
    ids.erase(ids.begin() + o->axis);
    E.error(c.loc, "cross_entropy: targets " + describeType(y->getType()) + " must be i32 class ids of shape " +
                       shape::format(ids, "i32") + " or probabilities of the logits' shape " +
                       describeType(z->getType()));
    return std::nullopt;
  } else {
    *y = classesLast(E, c, *y, o->axis);
  }
  Value logits = classesLast(E, c, *z, o->axis);
  auto &b = E.builder();
  return Val::ofTensor(E.create<dlo::CrossEntropyOp>(
      c.loc, classLossType(E, logits, o->reduction), logits, *y, o->weight ? *o->weight : Value(),
      b.getStringAttr(o->reduction), b.getI64IntegerAttr(o->ignoreIndex), b.getF64FloatAttr(*eps)));
}

/// nll(logp, labels, weight, ignore_index = -100, reduction = "mean", axis = -1):
/// log-probabilities against i32 class ids.
std::optional<Val> nll(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> z = E.requireTensor(c[0], c.locOf(0), "the log-probabilities of 'nll'");
  std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the labels of 'nll'", false);
  if (!z || !y)
    return std::nullopt;
  if (!typeOf(*y).getElementType().isInteger(32)) {
    E.error(c.locOf(1), "nll takes i32 class ids, not " + describeType(y->getType()));
    return std::nullopt;
  }
  std::optional<ClassLossOptions> o = classLossOptions(E, c, *z);
  if (!o || !checkLabels(E, c, *z, *y, o->axis))
    return std::nullopt;
  Value logp = classesLast(E, c, *z, o->axis);
  auto &b = E.builder();
  return Val::ofTensor(E.create<dlo::NllOp>(c.loc, classLossType(E, logp, o->reduction), logp, *y,
                                            o->weight ? *o->weight : Value(),
                                            b.getStringAttr(o->reduction),
                                            b.getI64IntegerAttr(o->ignoreIndex)));
}

/// kl_normal(mu, logvar): the KL divergence of N(mu, exp(logvar)) from N(0, 1).
std::optional<Val> klNormal(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> mu = E.requireTensor(c[0], c.locOf(0), "mu");
  std::optional<Value> lv = E.requireTensor(c[1], c.locOf(1), "logvar");
  if (!mu || !lv)
    return std::nullopt;
  if (mu->getType() != lv->getType() || typeOf(*mu).getRank() < 1) {
    E.error(c.loc, "kl_normal: mu " + describeType(mu->getType()) + " and logvar " +
                       describeType(lv->getType()) + " must have one shape with a batch dimension");
    return std::nullopt;
  }
  return Val::ofTensor(E.create<dlo::KlNormalOp>(c.loc, E.tensorType({}, E.f32()), *mu, *lv));
}

} // namespace

void registerLossBuiltins(BuiltinTable &t) {
  t["mse"] = {{req("p"), req("y")}, elementwiseLoss<dlo::MseOp>()};
  t["mae"] = {{req("p"), req("y")}, elementwiseLoss<dlo::MaeOp>()};
  t["huber"] = {{req("p"), req("y"), opt("delta", Val::number(1.0))}, elementwiseLoss<dlo::HuberOp>()};
  t["bce"] = {{req("p"), req("y")}, elementwiseLoss<dlo::BceOp>()};
  t["bce_with_logits"] = {{req("logits"), req("y")}, elementwiseLoss<dlo::BceWithLogitsOp>()};
  t["hinge"] = {{req("p"), req("y")}, elementwiseLoss<dlo::HingeOp>()};
  t["kl_div"] = {{req("logp"), req("q")}, elementwiseLoss<dlo::KlDivOp>()};
  // PyTorch's keyword names; `axis` is the class axis (dlc's convention is the last one; 1 is
  // PyTorch's for [N, C, d1, ...]).
  t["cross_entropy"] = {{req("logits"), req("labels"), opt("weight"),
                         opt("ignore_index", Val::integer(-100)), opt("reduction", Val::string("mean")),
                         opt("axis"), opt("label_smoothing", Val::number(0.0))},
                        crossEntropy};
  t["nll"] = {{req("logp"), req("labels"), opt("weight"), opt("ignore_index", Val::integer(-100)),
               opt("reduction", Val::string("mean")), opt("axis")},
              nll};
  t["kl_normal"] = {{req("mu"), req("logvar")}, klNormal};
}

} // namespace dlc
