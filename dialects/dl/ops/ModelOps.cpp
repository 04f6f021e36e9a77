//===- ModelOps.cpp - dl.model, dl.param, dl.buffer, dl.load, dl.train ----===//
//
// Their verifiers, and the model's entries (DLModel.h). The memory plan's attributes are in
// MemoryPlan.cpp.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"
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

/// Optimizers and the hyperparameters each carries (defaults already filled in by the frontend).
static const llvm::StringMap<std::vector<StringRef>> &optimizerHyperparams() {
  static const llvm::StringMap<std::vector<StringRef>> table = {
      {"sgd", {"lr", "momentum", "nesterov"}},
      {"rmsprop", {"lr", "alpha", "eps"}},
      {"adagrad", {"lr", "eps"}},
      {"adam", {"lr", "beta1", "beta2", "eps"}},
      {"adamw", {"lr", "beta1", "beta2", "eps", "weight_decay"}},
  };
  return table;
}

/// Schedules and the arguments each carries.
static const llvm::StringMap<std::vector<StringRef>> &scheduleArguments() {
  static const llvm::StringMap<std::vector<StringRef>> table = {
      {"constant", {}},
      {"step", {"every", "gamma"}},
      {"cosine", {"warmup", "total"}},
  };
  return table;
}

LogicalResult TrainOp::verify() {
  const auto &table = optimizerHyperparams();
  auto it = table.find(getOptimizer());
  if (it == table.end())
    return emitOpError("has unknown optimizer '") << getOptimizer() << "'";
  for (StringRef required : it->second)
    if (!getHyperparams().get(required))
      return emitOpError("optimizer '") << getOptimizer() << "' needs hyperparameter '" << required
                                        << "'";
  for (NamedAttribute h : getHyperparams()) {
    StringRef name = h.getName().getValue();
    if (name == "nesterov") {
      if (!llvm::isa<BoolAttr>(h.getValue()))
        return emitOpError("hyperparameter 'nesterov' must be a bool");
      continue;
    }
    auto value = llvm::dyn_cast<FloatAttr>(h.getValue());
    if (!value)
      return emitOpError("hyperparameter '") << name << "' must be a float";
    double v = value.getValueAsDouble();
    bool positive = name == "lr" || name == "eps";
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
  auto sched = scheduleArguments().find(schedule);
  if (sched == scheduleArguments().end())
    return emitOpError("has unknown schedule '") << schedule << "'";
  for (StringRef required : sched->second)
    if (!getScheduleArgs().get(required))
      return emitOpError("schedule '") << schedule << "' needs argument '" << required << "'";
  if (getClipGradNorm() && getClipGradValue())
    return emitOpError("clips by norm and by value at once; choose one");
  if (getParams().empty())
    return emitOpError("trains no parameters");
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
  for (auto train : getBodyBlock().getOps<TrainOp>())
    if (auto f = lookup((train.getSymName() + ".update").str()))
      entries.push_back({train.getSymName().str(), EntryKind::Train, f});
  return entries;
}
