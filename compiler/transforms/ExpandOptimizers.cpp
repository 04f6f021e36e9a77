//===- ExpandOptimizers.cpp - Training steps with explicit optimizer state ===//
//
// The dl-expand-optimizers pass (see Passes.td). The step function inlines the gradient function,
// then applies clipping, weight decay, the schedule and the update rule with ordinary dl ops, so
// later passes (fusion, codegen) see one graph and the interpreter runs it as it is. Which
// optimizer and schedule a dl.train names, and their hyperparameters, come from the catalogue
// (dialects/dl/TrainingCatalogue.h, which the verifier checked the op against); their formulas
// are here.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dl/TrainingCatalogue.h"

#include "mlir/IR/IRMapping.h"

#include <cmath>

namespace mlir::dl {
#define GEN_PASS_DEF_EXPANDOPTIMIZERS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;
namespace training = ::dl::training;

namespace {

/// Builds the arithmetic of an update in f32, with scalars as rank-0 constants.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Value scalar(double v) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, b.getF32FloatAttr(float(v))));
  }
  Value add(Value x, Value y) { return b.create<AddOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<SubOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<MulOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<DivOp>(loc, x, y); }
  Value mul(Value x, double v) { return mul(x, scalar(v)); }
  Value sqrt(Value x) { return b.create<SqrtOp>(loc, x); }
  Value square(Value x) { return mul(x, x); }
  Value sum(Value x) {
    return b.create<SumOp>(loc, x, b.getDenseI64ArrayAttr({}), b.getBoolAttr(false));
  }
  Value load(StringRef name, Type type) {
    return b.create<LoadOp>(loc, type, FlatSymbolRefAttr::get(b.getStringAttr(name)));
  }
  void store(Value v, StringRef name) {
    b.create<StoreOp>(loc, v, FlatSymbolRefAttr::get(b.getStringAttr(name)));
  }
};

double hyper(TrainOp train, StringRef name) {
  return train.getHyperparams().getAs<FloatAttr>(name).getValueAsDouble();
}

/// The learning rate at step count `k` (an f32 scalar) under the train op's schedule.
Value scheduledLr(Emitter &e, TrainOp train, Value k) {
  double lr = hyper(train, "lr");
  auto arg = [&](StringRef name) {
    Attribute a = train.getScheduleArgs().get(name);
    if (auto i = llvm::dyn_cast<IntegerAttr>(a))
      return double(i.getInt());
    return llvm::cast<FloatAttr>(a).getValueAsDouble();
  };
  switch (training::findSchedule(train.getSchedule())->id) {
  case training::Schedule::Constant:
    return e.scalar(lr);
  case training::Schedule::Step: {
    // lr * gamma^floor(k / every); floor through a round trip to i32.
    Value periods = e.div(k, e.scalar(arg("every")));
    auto i32 = RankedTensorType::get({}, e.b.getI32Type());
    auto f32 = RankedTensorType::get({}, e.b.getF32Type());
    Value floored = e.b.create<CastOp>(e.loc, f32, e.b.create<CastOp>(e.loc, i32, periods));
    return e.mul(e.b.create<PowOp>(e.loc, e.scalar(arg("gamma")), floored), lr);
  }
  case training::Schedule::Cosine: {
    double warmup = arg("warmup"), total = arg("total");
    Value warm = e.div(e.mul(e.add(k, e.scalar(1)), lr), e.scalar(std::max(warmup, 1.0)));
    Value progress = e.b.create<ClampOp>(e.loc, e.div(e.sub(k, e.scalar(warmup)),
                                                      e.scalar(std::max(total - warmup, 1.0))),
                                         e.b.getF64FloatAttr(0), e.b.getF64FloatAttr(1));
    Value cosine = e.b.create<CosOp>(e.loc, e.mul(progress, M_PI));
    Value decayed = e.mul(e.add(cosine, e.scalar(1)), lr / 2);
    if (warmup <= 0)
      return decayed;
    Value warming = e.b.create<CmpOp>(e.loc, CmpPredicateAttr::get(e.b.getContext(), CmpPredicate::lt),
                                      k, e.scalar(warmup));
    return e.b.create<SelectOp>(e.loc, warming, warm, decayed);
  }
  }
  llvm_unreachable("a schedule the catalogue lists has no formula");
}

/// The optimizer half of a training step, shared by `@<step>.update` and `@<step>.apply`: the
/// step counter, clipping, weight decay, the schedule and the update rule of every parameter of
/// `train` from its gradient in `grads`. clip_grad_norm's global norm is that of `normOf` divided
/// by `normDivisor` when there is one: `@<step>.apply` passes the area's sums and their count, so
/// that the kernels summing squares read the area itself and the division by the count stays in
/// each update's kernel (with a count of 1, the norm of the gradients, bit for bit). Declares the
/// optimizer state on first use (`declareState` returns an existing buffer as it is).
void emitUpdate(Emitter &e, TrainOp train, SmallVector<Value> grads, ArrayRef<Value> normOf,
                Value normDivisor, llvm::function_ref<void(StringRef, Type)> declareState) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  StringRef step = train.getSymName();
  auto i32 = RankedTensorType::get({}, b.getI32Type());
  SmallVector<StringRef> params;
  for (Attribute a : train.getParams())
    params.push_back(llvm::cast<FlatSymbolRefAttr>(a).getValue());

  // The step count k before this step, and k + 1 after it.
  std::string countName = (step + ".count").str();
  declareState(countName, i32);
  Value countI = e.load(countName, i32);
  Value k = b.create<CastOp>(loc, RankedTensorType::get({}, b.getF32Type()), countI);
  Value kNext = e.add(k, e.scalar(1));

  // Clipping, on the raw gradients, as torch.nn.utils does before optimizer.step().
  if (auto maxNorm = train.getClipGradNorm()) {
    Value total = e.scalar(0);
    for (Value g : normOf)
      total = e.add(total, e.sum(e.square(g)));
    Value norm = e.sqrt(total);
    if (normDivisor)
      norm = e.div(norm, normDivisor);
    Value coef = e.div(e.scalar(maxNorm->convertToDouble()), e.add(norm, e.scalar(1e-6)));
    coef = b.create<MinimumOp>(loc, coef, e.scalar(1.0));
    for (Value &g : grads)
      g = e.mul(g, coef);
  } else if (auto maxValue = train.getClipGradValue()) {
    double v = maxValue->convertToDouble();
    for (Value &g : grads)
      g = b.create<ClampOp>(loc, g, b.getF64FloatAttr(-v), b.getF64FloatAttr(v));
  }

  const training::OptimizerEntry &optimizer = *training::findOptimizer(train.getOptimizer());
  double wd = train.getWeightDecay().convertToDouble();
  Value lr = scheduledLr(e, train, k);
  for (auto [name, g0] : llvm::zip(params, grads)) {
    Type type = g0.getType();
    Value p = e.load(name, type);
    Value g = g0;
    if (wd != 0 && !optimizer.decoupledWeightDecay)
      g = e.add(g, e.mul(p, wd));
    auto moment = [&](StringRef kind) {
      std::string stateName = (step + "." + kind + "." + name).str();
      declareState(stateName, type);
      return std::make_pair(stateName, e.load(stateName, type));
    };
    Value next;
    switch (optimizer.id) {
    case training::Optimizer::Sgd: {
      double mu = hyper(train, "momentum");
      bool nesterov = train.getHyperparams().getAs<BoolAttr>("nesterov").getValue();
      Value direction = g;
      if (mu != 0) {
        auto [vName, v] = moment("velocity");
        Value vNext = e.add(e.mul(v, mu), g);
        e.store(vNext, vName);
        direction = nesterov ? e.add(g, e.mul(vNext, mu)) : vNext;
      }
      next = e.sub(p, e.mul(direction, lr));
      break;
    }
    case training::Optimizer::RmsProp: {
      double alpha = hyper(train, "alpha"), eps = hyper(train, "eps");
      auto [sName, s] = moment("square_avg");
      Value sNext = e.add(e.mul(s, alpha), e.mul(e.square(g), 1 - alpha));
      e.store(sNext, sName);
      next = e.sub(p, e.div(e.mul(g, lr), e.add(e.sqrt(sNext), e.scalar(eps))));
      break;
    }
    case training::Optimizer::Adagrad: {
      double eps = hyper(train, "eps");
      auto [sName, s] = moment("sum");
      Value sNext = e.add(s, e.square(g));
      e.store(sNext, sName);
      next = e.sub(p, e.div(e.mul(g, lr), e.add(e.sqrt(sNext), e.scalar(eps))));
      break;
    }
    case training::Optimizer::Adam:
    case training::Optimizer::AdamW: {
      double beta1 = hyper(train, "beta1"), beta2 = hyper(train, "beta2"), eps = hyper(train, "eps");
      Value base = p;
      if (optimizer.decoupledWeightDecay)
        base = e.mul(p, e.sub(e.scalar(1), e.mul(lr, hyper(train, "weight_decay"))));
      auto [mName, m] = moment("exp_avg");
      auto [vName, v] = moment("exp_avg_sq");
      Value mNext = e.add(e.mul(m, beta1), e.mul(g, 1 - beta1));
      Value vNext = e.add(e.mul(v, beta2), e.mul(e.square(g), 1 - beta2));
      e.store(mNext, mName);
      e.store(vNext, vName);
      // Bias corrections 1 - beta^(k+1), as torch.optim.Adam computes them.
      Value c1 = e.sub(e.scalar(1), b.create<PowOp>(loc, e.scalar(beta1), kNext));
      Value c2 = e.sub(e.scalar(1), b.create<PowOp>(loc, e.scalar(beta2), kNext));
      Value denom = e.add(e.div(e.sqrt(vNext), e.sqrt(c2)), e.scalar(eps));
      next = e.sub(base, e.div(e.mul(e.div(lr, c1), mNext), denom));
      break;
    }
    }
    e.store(next, name);
  }
  Value one = b.create<ConstantOp>(loc, DenseElementsAttr::get(i32, b.getI32IntegerAttr(1)));
  e.store(b.create<AddOp>(loc, countI, one), countName);
}

/// A new function of the model, after `after`, with the given arguments (their attributes too)
/// and one result: the step's loss.
func::FuncOp createStepFunction(OpBuilder &b, Operation *after, StringRef name, TrainOp train,
                                func::FuncOp argumentsOf) {
  b.setInsertionPointAfter(after);
  auto f32 = RankedTensorType::get({}, b.getF32Type());
  TypeRange arguments = argumentsOf ? argumentsOf.getArgumentTypes() : TypeRange();
  auto func = b.create<func::FuncOp>(train.getLoc(), name, b.getFunctionType(arguments, {f32}));
  if (argumentsOf)
    func.setAllArgAttrs(argumentsOf.getAllArgAttrs());
  func.setResultAttr(0, "dl.loss", train.getSymNameAttr());
  b.setInsertionPointToEnd(func.addEntryBlock());
  return func;
}

/// Clones the body of `grad` into `func` (whose arguments match); returns its loss and gradients.
Value cloneGradient(OpBuilder &b, func::FuncOp grad, func::FuncOp func, SmallVector<Value> &grads) {
  IRMapping mapping;
  for (auto [from, to] : llvm::zip(grad.getArguments(), func.getArguments()))
    mapping.map(from, to);
  for (Operation &op : grad.getBody().front().without_terminator())
    b.clone(op, mapping);
  auto gradReturn = llvm::cast<func::ReturnOp>(grad.getBody().front().getTerminator());
  for (Value g : gradReturn.getOperands().drop_front())
    grads.push_back(mapping.lookup(g));
  return mapping.lookup(gradReturn.getOperand(0));
}

LogicalResult expand(TrainOp train, bool splitSteps) {
  auto model = train->getParentOfType<ModelOp>();
  StringRef step = train.getSymName();
  std::string updateName = (step + ".update").str(), accumulateName = (step + ".accumulate").str();
  if (SymbolTable::lookupSymbolIn(model, updateName) ||
      SymbolTable::lookupSymbolIn(model, accumulateName))
    return success();  // Already expanded.
  auto grad = llvm::dyn_cast_or_null<func::FuncOp>(
      SymbolTable::lookupSymbolIn(model, (step + ".grad").str()));
  if (!grad)
    return train.emitOpError("has no gradient function '") << step << ".grad'; run dl-autodiff first";

  OpBuilder b(grad);
  Location loc = train.getLoc();
  auto f32 = RankedTensorType::get({}, b.getF32Type());

  // New state lives beside the model's buffers, each declared once, with its role (DLModel.h).
  OpBuilder stateBuilder(train);
  auto declare = [&](StringRef name, Type type, StringRef role) {
    if (SymbolTable::lookupSymbolIn(model, name))
      return;
    auto buffer = stateBuilder.create<BufferOp>(loc, stateBuilder.getStringAttr(name),
                                                TypeAttr::get(type),
                                                stateBuilder.getStringAttr("zeros"), DictionaryAttr());
    buffer->setAttr(kStateRoleAttr, stateBuilder.getStringAttr(role));
  };
  auto declareOptimizerState = [&](StringRef name, Type type) {
    declare(name, type, kOptimizerRole);
  };

  // The gradient area, declared in one run so that the memory plan keeps it contiguous: the count
  // of batches accumulated, the sum of their losses, the sum of each parameter's gradient.
  SmallVector<std::pair<std::string, Type>> area;
  area.push_back({(step + ".grad.count").str(), f32});
  area.push_back({(step + ".grad.loss").str(), f32});
  for (auto [param, g] : llvm::zip(train.getParams(), grad.getResultTypes().drop_front()))
    area.push_back({(step + ".grad." + llvm::cast<FlatSymbolRefAttr>(param).getValue()).str(), g});
  for (auto &[name, type] : area)
    declare(name, type, kGradientRole);

  // @<step>.update: the fused step (gradient, then update), for one process; none when split.
  Operation *previous = grad;
  if (!splitSteps) {
    func::FuncOp func = createStepFunction(b, grad, updateName, train, grad);
    Emitter e{b, loc};
    SmallVector<Value> grads;
    Value loss = cloneGradient(b, grad, func, grads);
    emitUpdate(e, train, grads, grads, Value(), declareOptimizerState);
    b.create<func::ReturnOp>(loc, loss);
    previous = func;
  }
  // @<step>.accumulate: adds the batch's count, loss and gradients into the area.
  func::FuncOp accumulate;
  {
    accumulate = createStepFunction(b, previous, accumulateName, train, grad);
    Emitter e{b, loc};
    SmallVector<Value> grads;
    Value loss = cloneGradient(b, grad, accumulate, grads);
    e.store(e.add(e.load(area[0].first, f32), e.scalar(1)), area[0].first);
    e.store(e.add(e.load(area[1].first, f32), loss), area[1].first);
    for (auto [slot, g] : llvm::zip(llvm::ArrayRef(area).drop_front(2), grads))
      e.store(e.add(e.load(slot.first, slot.second), g), slot.first);
    b.create<func::ReturnOp>(loc, loss);
  }
  // @<step>.apply: the update from the mean gradient in the area. The runtime clears the area after
  // it (one memset of the run, where stores of zeros would be a kernel per tensor).
  {
    func::FuncOp func = createStepFunction(b, accumulate, (step + ".apply").str(), train, {});
    Emitter e{b, loc};
    Value count = e.load(area[0].first, f32);
    Value loss = e.div(e.load(area[1].first, f32), count);
    SmallVector<Value> sums, grads;
    for (auto &[name, type] : llvm::ArrayRef(area).drop_front(2)) {
      sums.push_back(e.load(name, type));
      grads.push_back(e.div(sums.back(), count));
    }
    emitUpdate(e, train, grads, sums, count, declareOptimizerState);
    b.create<func::ReturnOp>(loc, loss);
  }
  return success();
}

struct ExpandOptimizersPass : mlir::dl::impl::ExpandOptimizersBase<ExpandOptimizersPass> {
  using ExpandOptimizersBase::ExpandOptimizersBase;
  void runOnOperation() override {
    SmallVector<TrainOp> trains;
    getOperation().walk([&](TrainOp t) { trains.push_back(t); });
    for (TrainOp t : trains)
      if (failed(expand(t, splitSteps)))
        return signalPassFailure();
  }
};

} // namespace
