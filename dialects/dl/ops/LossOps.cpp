//===- LossOps.cpp - Losses -----------------------------------------------===//
#include "GradBuilder.h"
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

static Type scalarF32(MLIRContext *context) {
  return RankedTensorType::get({}, Float32Type::get(context));
}

namespace mlir::dl {

LogicalResult inferElementwiseLoss(std::optional<Location> loc, Type prediction, Type target,
                                   SmallVectorImpl<Type> &inferred) {
  if (prediction != target)
    return inferenceError(loc, "prediction and target differ: " + typeString(prediction) +
                                   " and " + typeString(target));
  inferred.push_back(scalarF32(prediction.getContext()));
  return success();
}

} // namespace mlir::dl

LogicalResult KlNormalOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                           Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type mu = adaptor.getMu().getType(), logvar = adaptor.getLogvar().getType();
  if (mu != logvar)
    return inferenceError(location, "mu and logvar differ: " + typeString(mu) + " and " +
                                        typeString(logvar));
  if (llvm::cast<RankedTensorType>(mu).getRank() < 1)
    return inferenceError(location, "kl_normal needs a batch dimension");
  inferred.push_back(scalarF32(context));
  return success();
}

//===----------------------------------------------------------------------===//
// Gradients. `dy` is the scalar gradient of the loss; N counts the averaged elements.
//===----------------------------------------------------------------------===//

/// Elementwise losses: `rule` gives (dp, dt) before the factor dy / N.
template <typename Op>
static LogicalResult lossVJP(Op op, OpBuilder &b, Value dy, SmallVectorImpl<Value> &dx, double n,
                             function_ref<std::pair<Value, Value>(GradBuilder &, Value p, Value t)> rule) {
  GradBuilder g(b, op.getLoc());
  auto [dp, dt] = rule(g, op->getOperand(0), op->getOperand(1));
  Value factor = g.scale(dy, 1.0 / n);
  dx.push_back(dp ? g.mul(factor, dp) : Value());
  dx.push_back(dt ? g.mul(factor, dt) : Value());
  return success();
}

static double count(Value v) { return double(GradBuilder::numElements(v)); }
static double batch(Value v) { return double(llvm::cast<RankedTensorType>(v.getType()).getDimSize(0)); }

LogicalResult MseOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return lossVJP(*this, b, dy[0], dx, count(getPrediction()), [](GradBuilder &g, Value p, Value t) {
    Value d = g.scale(g.sub(p, t), 2.0);
    return std::pair(d, g.neg(d));
  });
}
LogicalResult MaeOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return lossVJP(*this, b, dy[0], dx, count(getPrediction()), [](GradBuilder &g, Value p, Value t) {
    Value d = g.sub(p, t), zero = g.scalar(0, d);
    Value sign = g.select(g.cmp(CmpPredicate::gt, d, zero), g.one(d),
                          g.select(g.cmp(CmpPredicate::lt, d, zero), g.scalar(-1, d), zero));
    return std::pair(sign, g.neg(sign));
  });
}
LogicalResult HuberOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  double delta = getDelta().convertToDouble();
  return lossVJP(*this, b, dy[0], dx, count(getPrediction()), [&](GradBuilder &g, Value p, Value t) {
    // The residual, clipped to [-delta, delta]: quadratic inside, linear outside.
    Value d = g.b.create<ClampOp>(g.loc, g.sub(p, t), g.b.getF64FloatAttr(-delta), g.b.getF64FloatAttr(delta));
    return std::pair(d, g.neg(d));
  });
}
LogicalResult BceOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return lossVJP(*this, b, dy[0], dx, count(getPrediction()), [](GradBuilder &g, Value p, Value t) {
    Value q = g.sub(g.one(p), p);
    Value dp = g.div(g.sub(p, t), g.mul(p, q));
    Value dt = g.sub(g.log(q), g.log(p));
    return std::pair(dp, dt);
  });
}
LogicalResult BceWithLogitsOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return lossVJP(*this, b, dy[0], dx, count(getPrediction()), [](GradBuilder &g, Value z, Value t) {
    return std::pair(g.sub(g.sigmoid(z), t), g.neg(z));
  });
}
LogicalResult HingeOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return lossVJP(*this, b, dy[0], dx, count(getPrediction()), [](GradBuilder &g, Value p, Value t) {
    Value active = g.cmp(CmpPredicate::gt, g.sub(g.one(p), g.mul(t, p)), g.scalar(0, p));
    return std::pair(g.where(active, g.neg(t)), g.where(active, g.neg(p)));
  });
}
LogicalResult KlDivOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  return lossVJP(*this, b, dy[0], dx, batch(getPrediction()), [](GradBuilder &g, Value logq, Value t) {
    return std::pair(g.neg(t), g.add(g.sub(g.log(t), logq), g.one(t)));
  });
}

LogicalResult KlNormalOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  GradBuilder g(b, getLoc());
  Value factor = g.scale(dy[0], 1.0 / batch(getMu()));
  dx.push_back(g.mul(factor, getMu()));
  dx.push_back(g.mul(factor, g.scale(g.sub(g.exp(getLogvar()), g.one(getLogvar())), 0.5)));
  return success();
}
