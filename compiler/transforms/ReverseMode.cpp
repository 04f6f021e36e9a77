//===- ReverseMode.cpp - Reverse-mode differentiation of a list of ops -------===//
#include "compiler/transforms/ReverseMode.h"

namespace mlir::dl {

bool isFloatTensor(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && llvm::isa<FloatType>(t.getElementType());
}

Value zerosOf(OpBuilder &b, Location loc, Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), 0.0)));
}

void ReverseMode::propagateActivity(ArrayRef<Operation *> ops,
                                    function_ref<bool(Operation *)> isSource) {
  for (Operation *op : ops) {
    bool isActive = isSource(op) ||
                    llvm::any_of(op->getOperands(), [&](Value v) { return active_.contains(v); });
    if (isActive)
      active_.insert(op->result_begin(), op->result_end());
  }
}

void ReverseMode::accumulate(Value v, Value g) {
  auto [it, inserted] = adjoint_.try_emplace(v, g);
  if (!inserted)
    it->second = b_.create<AddOp>(g.getLoc(), it->second, g);
}

LogicalResult ReverseMode::reverse(ArrayRef<Operation *> ops) {
  for (Operation *op : llvm::reverse(ops))
    if (failed(reverseOp(op)))
      return failure();
  return success();
}

GradientRule gradientRule(OperationName name) {
  if (name.hasTrait<GradientSource>())
    return GradientRule::Source;
  if (name.hasTrait<NonDifferentiable>())
    return GradientRule::NonDifferentiable;
  if (name.getTypeID() == TypeID::get<ScanOp>())
    return GradientRule::Scan;
  if (name.hasInterface<VJPOpInterface>())
    return GradientRule::VJP;
  if (name.hasTrait<OpTrait::ZeroResults>())
    return GradientRule::NoResults;
  return GradientRule::None;
}

LogicalResult ReverseMode::reverseOp(Operation *op) {
  if (llvm::none_of(op->getResults(), [&](Value r) { return adjoint_.count(r); }))
    return success(); // The loss does not depend on this op (nor on any op without results).
  GradientRule rule = gradientRule(op->getName());
  if (rule == GradientRule::Source ||
      llvm::none_of(op->getOperands(), [&](Value v) { return active_.contains(v); }))
    return success();
  if (rule == GradientRule::NonDifferentiable) {
    if (llvm::any_of(op->getOperands(), [&](Value v) { return active_.contains(v) && isFloatTensor(v); }))
      return op->emitError() << "the loss depends on '" << op->getName()
                             << "' here, which has no gradient; training cannot flow through it";
    return success();
  }
  SmallVector<Value> resultGrads;
  for (Value r : op->getResults())
    resultGrads.push_back(adjoint_.lookup(r));
  SmallVector<Value> operandGrads;
  if (rule == GradientRule::Scan) {
    if (failed(buildScanVJP(*this, llvm::cast<ScanOp>(op), resultGrads, operandGrads)))
      return failure();
  } else {
    auto vjp = llvm::dyn_cast<VJPOpInterface>(op);
    if (rule != GradientRule::VJP || !vjp)
      return op->emitError() << "'" << op->getName() << "' has no gradient rule";
    for (auto [r, g] : llvm::zip(op->getResults(), resultGrads))
      if (!g)
        g = zerosOf(b_, op->getLoc(), r.getType());
    if (failed(vjp.buildVJP(b_, resultGrads, operandGrads)))
      return failure();
  }
  if (operandGrads.size() != op->getNumOperands())
    return op->emitError() << "gradient rule of '" << op->getName() << "' returned "
                           << operandGrads.size() << " gradients for " << op->getNumOperands()
                           << " operands";
  for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads)) {
    if (!g || !active_.contains(operand))
      continue;
    if (g.getType() != operand.getType())
      return op->emitError() << "gradient rule of '" << op->getName() << "' made " << g.getType()
                             << " for an operand of type " << operand.getType();
    accumulate(operand, g);
  }
  return success();
}

} // namespace mlir::dl
