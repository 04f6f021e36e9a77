//===- Autodiff.cpp - Reverse-mode differentiation of training steps ------===//
//
// The dl-autodiff pass (see Passes.td). It knows no op: every rule comes from VJPOpInterface, next
// to the op's definition. It does not touch the loss function it differentiates; it adds a copy
// followed by the reverse pass.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::dl {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

bool isFloatTensor(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && llvm::isa<FloatType>(t.getElementType());
}

Value zerosOf(OpBuilder &b, Location loc, Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), 0.0)));
}

/// Builds `<step>.grad` for one train op; fails after reporting an error.
LogicalResult differentiate(TrainOp train) {
  auto model = train->getParentOfType<ModelOp>();
  auto loss = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(train, train.getLossAttr());
  std::string name = (train.getSymName() + ".grad").str();
  if (SymbolTable::lookupSymbolIn(model, name))
    return success();  // Already differentiated.

  OpBuilder b(loss);
  b.setInsertionPointAfter(loss);
  auto grad = llvm::cast<func::FuncOp>(b.clone(*loss));
  grad.setSymName(name);
  Block &block = grad.getBody().front();
  auto ret = llvm::cast<func::ReturnOp>(block.getTerminator());
  Value lossValue = ret.getOperand(0);
  SmallVector<Operation *> forward;
  for (Operation &op : block.without_terminator())
    forward.push_back(&op);
  b.setInsertionPoint(ret);

  // Activity: only values computed from a trained parameter need a gradient. An op none of whose
  // operands is active (data preprocessing, a step on the inputs) is left alone.
  DenseSet<StringAttr> trained;
  for (Attribute a : train.getParams())
    trained.insert(llvm::cast<FlatSymbolRefAttr>(a).getAttr());
  DenseSet<Value> active;
  for (Operation *op : forward) {
    auto load = llvm::dyn_cast<LoadOp>(op);
    bool isActive = load ? trained.contains(load.getNameAttr().getAttr())
                         : llvm::any_of(op->getOperands(), [&](Value v) { return active.contains(v); });
    if (isActive)
      active.insert(op->result_begin(), op->result_end());
  }

  // adjoint[v] is d(loss)/d(v), summed over every use of v seen so far.
  DenseMap<Value, Value> adjoint;
  auto accumulate = [&](Value v, Value g) {
    auto [it, inserted] = adjoint.try_emplace(v, g);
    if (!inserted)
      it->second = b.create<AddOp>(g.getLoc(), it->second, g);
  };
  accumulate(lossValue, b.create<ConstantOp>(loss.getLoc(), DenseElementsAttr::get(
                            llvm::cast<RankedTensorType>(lossValue.getType()), b.getF32FloatAttr(1.0f))));

  for (Operation *op : llvm::reverse(forward)) {
    if (llvm::none_of(op->getResults(), [&](Value r) { return adjoint.count(r); }))
      continue;  // The loss does not depend on this op.
    if (op->hasTrait<GradientSource>() ||
        llvm::none_of(op->getOperands(), [&](Value v) { return active.contains(v); }))
      continue;
    if (op->hasTrait<NonDifferentiable>()) {
      if (llvm::any_of(op->getOperands(), [&](Value v) { return active.contains(v) && isFloatTensor(v); }))
        return op->emitError() << "the loss depends on '" << op->getName()
                               << "' here, which has no gradient; training cannot flow through it";
      continue;
    }
    auto vjp = llvm::dyn_cast<VJPOpInterface>(op);
    if (!vjp)
      return op->emitError() << "'" << op->getName() << "' has no gradient rule";
    SmallVector<Value> resultGrads;
    for (Value r : op->getResults()) {
      auto it = adjoint.find(r);
      resultGrads.push_back(it != adjoint.end() ? it->second : zerosOf(b, op->getLoc(), r.getType()));
    }
    SmallVector<Value> operandGrads;
    if (failed(vjp.buildVJP(b, resultGrads, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitError() << "gradient rule of '" << op->getName() << "' returned "
                             << operandGrads.size() << " gradients for " << op->getNumOperands()
                             << " operands";
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!g || !active.contains(operand))
        continue;
      if (g.getType() != operand.getType())
        return op->emitError() << "gradient rule of '" << op->getName() << "' made " << g.getType()
                               << " for an operand of type " << operand.getType();
      accumulate(operand, g);
    }
  }

  // A parameter's gradient is the sum over every load of it; zero when the loss does not use it.
  llvm::MapVector<StringAttr, Value> paramGrads;
  for (Attribute a : train.getParams())
    paramGrads[llvm::cast<FlatSymbolRefAttr>(a).getAttr()] = Value();
  for (Operation *op : forward) {
    auto load = llvm::dyn_cast<LoadOp>(op);
    if (!load || !paramGrads.count(load.getNameAttr().getAttr()))
      continue;
    auto it = adjoint.find(load.getResult());
    if (it == adjoint.end())
      continue;
    Value &sum = paramGrads[load.getNameAttr().getAttr()];
    sum = sum ? b.create<AddOp>(load.getLoc(), sum, it->second).getResult() : it->second;
  }
  SmallVector<Value> results{lossValue};
  for (auto &[param, g] : paramGrads) {
    if (!g) {
      auto decl = SymbolTable::lookupNearestSymbolFrom<ParamOp>(train, param);
      g = zerosOf(b, train.getLoc(), decl.getType());
    }
    results.push_back(g);
  }
  b.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();

  // Rules build every operand's gradient; those of inputs and constants are dead. Drop them.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (isOpTriviallyDead(&op))
      op.erase();

  SmallVector<Type> types;
  for (Value v : results)
    types.push_back(v.getType());
  grad.setType(b.getFunctionType(block.getArgumentTypes(), types));
  grad.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
  grad.setResultAttr(0, "dl.loss", train.getSymNameAttr());
  unsigned i = 1;
  for (auto &[param, g] : paramGrads)
    grad.setResultAttr(i++, "dl.grad", param);
  return success();
}

struct AutodiffPass : mlir::dl::impl::AutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    SmallVector<TrainOp> trains;
    getOperation().walk([&](TrainOp t) { trains.push_back(t); });
    for (TrainOp t : trains)
      if (failed(differentiate(t)))
        return signalPassFailure();
  }
};

} // namespace
