//===- Autodiff.cpp - Reverse-mode differentiation of training steps ------===//
//
// The dl-autodiff pass (see Passes.td). It knows no op: every rule comes from VJPOpInterface, next
// to the op's definition. It does not touch the loss function it differentiates; it adds a copy
// followed by the reverse pass.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "compiler/transforms/ReverseMode.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::dl {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

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
  ReverseMode reverse(b);
  reverse.propagateActivity(forward, [&](Operation *op) {
    auto load = llvm::dyn_cast<LoadOp>(op);
    return load && trained.contains(load.getNameAttr().getAttr());
  });
  reverse.accumulate(lossValue, b.create<ConstantOp>(loss.getLoc(), DenseElementsAttr::get(
                                    llvm::cast<RankedTensorType>(lossValue.getType()),
                                    b.getF32FloatAttr(1.0f))));
  if (failed(reverse.reverse(forward)))
    return failure();

  // A parameter's gradient is the sum over every load of it; zero when the loss does not use it.
  llvm::MapVector<StringAttr, Value> paramGrads;
  for (Attribute a : train.getParams())
    paramGrads[llvm::cast<FlatSymbolRefAttr>(a).getAttr()] = Value();
  for (Operation *op : forward) {
    auto load = llvm::dyn_cast<LoadOp>(op);
    if (!load || !paramGrads.count(load.getNameAttr().getAttr()))
      continue;
    Value g = reverse.adjoint(load.getResult());
    if (!g)
      continue;
    Value &sum = paramGrads[load.getNameAttr().getAttr()];
    sum = sum ? b.create<AddOp>(load.getLoc(), sum, g).getResult() : g;
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
