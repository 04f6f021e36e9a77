//===- ModelOps.cpp - dl.model, dl.param, dl.buffer, dl.load, dl.train ----===//
//
// Their verifiers, and the model's entries (DLModel.h). dl.param and dl.buffer are checked against
// the initializers' catalogue (runtime/rng/InitializerMath.h), dl.train against the optimizers' and
// schedules' (TrainingCatalogue.h). The memory plan's attributes are in MemoryPlan.cpp.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"
#include "dl/TrainingCatalogue.h"
#include "runtime/rng/InitializerMath.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

void ModelOp::build(OpBuilder &builder, OperationState &state, StringRef name) {
  state.addAttribute(mlir::SymbolTable::getSymbolAttrName(), builder.getStringAttr(name));
  state.addRegion()->emplaceBlock();
}

//===----------------------------------------------------------------------===//
// dl.param and dl.buffer
//===----------------------------------------------------------------------===//

/// Checks `init` against the initializers' catalogue (runtime/rng/InitializerMath.h).
static LogicalResult verifyInitializer(Operation *op, StringRef init, DictionaryAttr args) {
  const ::dl::initializers::Initializer *entry = ::dl::initializers::find(init);
  if (!entry)
    return op->emitOpError("has unknown initializer '") << init << "'";
  for (std::string_view required : entry->required)
    if (!args || !args.get(StringRef(required.data(), required.size())))
      return op->emitOpError("initializer '") << init << "' needs argument '" << required << "'";
  return success();
}

LogicalResult ParamOp::verify() {
  if (!getTensorType().getElementType().isF32())
    return emitOpError("parameters are f32 tensors, not ") << getType();
  return verifyInitializer(*this, getInit(), getInitArgsAttr());
}

LogicalResult BufferOp::verify() { return verifyInitializer(*this, getInit(), getInitArgsAttr()); }

//===----------------------------------------------------------------------===//
// dl.load
//===----------------------------------------------------------------------===//

/// Checks that `name` is a parameter or buffer holding `type`; `verb` says what the op does.
static LogicalResult verifyStateUse(Operation *op, FlatSymbolRefAttr name, Type type,
                                    StringRef verb, SymbolTableCollection &symbols) {
  Operation *target = symbols.lookupNearestSymbolFrom(op, name);
  if (!target)
    return op->emitOpError("refers to '") << name.getValue() << "', which the model does not define";
  Type stored;
  if (auto param = llvm::dyn_cast<ParamOp>(target))
    stored = param.getType();
  else if (auto buffer = llvm::dyn_cast<BufferOp>(target))
    stored = buffer.getType();
  else
    return op->emitOpError("refers to '") << name.getValue()
                                          << "', which is not a parameter or buffer";
  if (stored != type)
    return op->emitOpError() << verb << " " << type << " " << (verb == "reads" ? "from" : "to")
                             << " '" << name.getValue() << "', which holds " << stored;
  return success();
}

LogicalResult LoadOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateUse(*this, getNameAttr(), getType(), "reads", symbols);
}

LogicalResult StoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateUse(*this, getNameAttr(), getValue().getType(), "writes", symbols);
}

//===----------------------------------------------------------------------===//
// dl.train
//===----------------------------------------------------------------------===//

LogicalResult TrainOp::verify() {
  namespace training = ::dl::training;
  const training::OptimizerEntry *optimizer = training::findOptimizer(getOptimizer());
  if (!optimizer)
    return emitOpError("has unknown optimizer '") << getOptimizer() << "'";
  for (const training::Hyperparameter &required : optimizer->hyperparameters)
    if (!getHyperparams().get(StringRef(required.name)))
      return emitOpError("optimizer '") << getOptimizer() << "' needs hyperparameter '"
                                        << StringRef(required.name) << "'";
  // Each hyperparameter as its name means in the catalogue, whichever optimizer carries it.
  for (NamedAttribute h : getHyperparams()) {
    StringRef name = h.getName().getValue();
    const training::Hyperparameter *meaning = training::findOptimizerHyperparameter(name);
    if (meaning && meaning->kind == training::Kind::Flag) {
      if (!llvm::isa<BoolAttr>(h.getValue()))
        return emitOpError("hyperparameter '") << name << "' must be a bool";
      continue;
    }
    auto value = llvm::dyn_cast<FloatAttr>(h.getValue());
    if (!value)
      return emitOpError("hyperparameter '") << name << "' must be a float";
    double v = value.getValueAsDouble();
    bool positive = meaning && meaning->range == training::Range::Positive;
    if (!(positive ? v > 0 : v >= 0))
      return emitOpError("hyperparameter '") << name << "' must be "
                                             << (positive ? "positive" : "non-negative") << ", not "
                                             << v;
  }
  if (!(getWeightDecay().convertToDouble() >= 0))
    return emitOpError("weight_decay must be non-negative");
  if (getClipGradNorm() && !(getClipGradNorm()->convertToDouble() > 0))
    return emitOpError("clip_grad_norm must be positive");
  if (getClipGradValue() && !(getClipGradValue()->convertToDouble() > 0))
    return emitOpError("clip_grad_value must be positive");
  StringRef schedule = getSchedule();
  const training::ScheduleEntry *sched = training::findSchedule(schedule);
  if (!sched)
    return emitOpError("has unknown schedule '") << schedule << "'";
  for (const training::Hyperparameter &required : sched->hyperparameters)
    if (!getScheduleArgs().get(StringRef(required.name)))
      return emitOpError("schedule '") << schedule << "' needs argument '"
                                       << StringRef(required.name) << "'";
  if (getClipGradNorm() && getClipGradValue())
    return emitOpError("clips by norm and by value at once; choose one");
  if (getParams().empty())
    return emitOpError("trains no parameters");
  if (getAccumulate() < 1)
    return emitOpError("accumulate must be 1 or more, not ") << getAccumulate();
  return success();
}

LogicalResult TrainOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto loss = symbols.lookupNearestSymbolFrom<func::FuncOp>(*this, getLossAttr());
  if (!loss)
    return emitOpError("names loss function '") << getLoss() << "', which the model does not define";
  auto resultTypes = loss.getFunctionType().getResults();
  if (resultTypes.empty() || resultTypes[0] != RankedTensorType::get({}, Float32Type::get(getContext())))
    return emitOpError("loss function '") << getLoss() << "' must return a scalar tensor<f32> first";
  llvm::StringSet<> seen;
  for (Attribute a : getParams()) {
    auto ref = llvm::cast<FlatSymbolRefAttr>(a);
    if (!symbols.lookupNearestSymbolFrom<ParamOp>(*this, ref))
      return emitOpError("trains '") << ref.getValue() << "', which is not a parameter of the model";
    if (!seen.insert(ref.getValue()).second)
      return emitOpError("names parameter '") << ref.getValue() << "' twice";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// dl.model's entries
//===----------------------------------------------------------------------===//

std::vector<Entry> ModelOp::getEntries() {
  std::vector<Entry> entries;
  auto lookup = [&](StringRef name) {
    return llvm::dyn_cast_or_null<func::FuncOp>(lookupSymbol(name));
  };
  if (auto f = lookup("forward"))
    entries.push_back({"forward", EntryKind::Forward, f});
  if (auto f = lookup("eval"))
    entries.push_back({"eval", EntryKind::Eval, f});
  for (auto train : getBodyBlock().getOps<TrainOp>()) {
    std::string step = train.getSymName().str();
    if (auto f = lookup(step + ".update"))
      entries.push_back({step, EntryKind::Train, f, step});
    else if (lookup(step + ".accumulate") && lookup(step + ".apply"))
      entries.push_back({step, EntryKind::Train, lookup(step + ".accumulate"), step, true});
    if (auto f = lookup(step + ".accumulate"))
      entries.push_back({step + "_grad", EntryKind::Grad, f, step});
    if (auto f = lookup(step + ".apply"))
      entries.push_back({step + "_apply", EntryKind::Apply, f, step});
  }
  return entries;
}
