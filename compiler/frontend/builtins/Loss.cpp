//===- Loss.cpp - Losses --------------------------------------------------===//
//
// The builtins that emit ops of LossOps.td, each a scalar f32: the element-wise losses, whose
// prediction and target have one shape (mse, mae, huber, bce, bce_with_logits, hinge, kl_div),
// cross_entropy and nll against class ids (or, for cross_entropy, probabilities), and kl_normal.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

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

/// Labels for class scores [..., C]: i32 of shape [...].
bool checkLabels(Elaborator &E, const BuiltinCall &c, Value scores, Value labels) {
  shape::Shape s = shapeOf(scores.getType());
  if (s.empty()) {
    E.error(c.locOf(0), c.name + " needs class scores with a class dimension, not " +
                            describeType(scores.getType()));
    return false;
  }
  shape::Shape expected(s.begin(), s.end() - 1);
  if (shapeOf(labels.getType()) != expected) {
    E.error(c.loc, c.name + ": labels " + describeType(labels.getType()) + " do not fit scores " +
                       describeType(scores.getType()) + "; expected " + shape::format(expected, "i32"));
    return false;
  }
  return true;
}

/// cross_entropy(logits, labels): i32 class ids, or probabilities of the logits' shape.
std::optional<Val> crossEntropy(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> z = E.requireTensor(c[0], c.locOf(0), "the logits of 'cross_entropy'");
  std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the labels of 'cross_entropy'", false);
  if (!z || !y)
    return std::nullopt;
  if (typeOf(*y).getElementType().isInteger(32)) {
    if (!checkLabels(E, c, *z, *y))
      return std::nullopt;
  } else if (y->getType() != z->getType()) {
    // The class ids' shape is the logits' without the class dimension. (Both iterators must come
    // from one vector: a shapeOf() temporary each made an invalid range.)
    shape::Shape ids = shapeOf(z->getType());
    if (!ids.empty())
      ids.pop_back();
    E.error(c.loc, "cross_entropy: targets " + describeType(y->getType()) + " must be i32 class ids of shape " +
                       shape::format(ids, "i32") + " or probabilities of the logits' shape " +
                       describeType(z->getType()));
    return std::nullopt;
  }
  return Val::ofTensor(E.create<dlo::CrossEntropyOp>(c.loc, E.tensorType({}, E.f32()), *z, *y));
}

/// nll(logp, labels): log-probabilities against i32 class ids.
std::optional<Val> nll(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> z = E.requireTensor(c[0], c.locOf(0), "the log-probabilities of 'nll'");
  std::optional<Value> y = E.requireTensor(c[1], c.locOf(1), "the labels of 'nll'", false);
  if (!z || !y)
    return std::nullopt;
  if (!typeOf(*y).getElementType().isInteger(32)) {
    E.error(c.locOf(1), "nll takes i32 class ids, not " + describeType(y->getType()));
    return std::nullopt;
  }
  if (!checkLabels(E, c, *z, *y))
    return std::nullopt;
  return Val::ofTensor(E.create<dlo::NllOp>(c.loc, E.tensorType({}, E.f32()), *z, *y));
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
  t["cross_entropy"] = {{req("logits"), req("labels")}, crossEntropy};
  t["nll"] = {{req("logp"), req("labels")}, nll};
  t["kl_normal"] = {{req("mu"), req("logvar")}, klNormal};
}

} // namespace dlc
