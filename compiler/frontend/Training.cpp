//===- Training.cpp - train blocks ----------------------------------------===//
//
// A `train` block becomes a training-mode loss function (`<step>.loss`) and a `dl.train` op naming
// that function, the parameters it updates, the optimizer with every hyperparameter filled in, and
// the regularization, clipping and schedule settings. The optimizers and schedules, their
// hyperparameters and defaults are dl/TrainingCatalogue.h's; the rules that tie settings together
// (nesterov needs momentum, adamw's weight decay, cosine's warmup) are here. The update rules
// themselves are the optimizer expansion's business.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/ModelSymbols.h"
#include "compiler/frontend/ElaboratorImpl.h"
#include "dl/TrainingCatalogue.h"

#include <cmath>

namespace dlc {

namespace {
/// The names of a catalogue's entries (dl/TrainingCatalogue.h), sorted: the order suggestions and
/// examples are taken in.
template <typename Entry>
std::vector<std::string> sortedNames(const std::vector<Entry> &table) {
  std::vector<std::string> out;
  for (const Entry &e : table)
    out.emplace_back(e.name);
  std::sort(out.begin(), out.end());
  return out;
}
} // namespace

void Elaborator::emitTrain(const ast::TrainDecl &train, const ast::ModelDecl &model,
                           const std::vector<InputInfo> &inputs) {
  std::string step = dl::codegen::trainEntryName(train.step);
  if (mlir::SymbolTable::lookupSymbolIn(modelOp_, step)) {
    error(train.loc, "model '" + model.name + "' already has a train step '" + step + "'");
    return;
  }
  static const std::vector<std::string> known = {"loss", "params", "optimizer", "weight_decay",
                                                 "clip_grad_norm", "clip_grad_value", "schedule",
                                                 "accumulate"};
  std::map<std::string, const ast::TrainEntry *> entries;
  bool ok = true;
  for (const ast::TrainEntry &e : train.entries) {
    if (std::find(known.begin(), known.end(), e.key) == known.end()) {
      error(e.loc, "unknown train setting '" + e.key + "'" + didYouMean(e.key, known));
      ok = false;
    } else if (!entries.emplace(e.key, &e).second) {
      error(e.loc, "train setting '" + e.key + "' is given twice");
      ok = false;
    }
  }
  for (const char *required : {"loss", "optimizer"})
    if (!entries.count(required)) {
      error(train.loc, std::string("train block needs '") + required + " = ...'");
      ok = false;
    }
  if (!ok)
    return;

  // The loss function, in training mode.
  mlir::func::FuncOp func = beginFunction(step + ".loss", inputs, train.loc);
  std::optional<PassResult> pass = elaborateBody(model, func, inputs, Mode::Training);
  if (!pass)
    return;
  const ast::Expr *lossExpr = entries["loss"]->value.get();
  std::optional<Val> loss = eval(lossExpr, *pass->scope);
  std::optional<mlir::Value> lossTensor =
      loss ? requireTensor(*loss, lossExpr->loc, "the train loss") : std::nullopt;
  if (!lossTensor)
    return;
  auto lossType = llvm::cast<mlir::RankedTensorType>(lossTensor->getType());
  if (lossType.getRank() != 0 || !lossType.getElementType().isF32()) {
    error(lossExpr->loc, "the train loss must be a scalar f32[], not " + describeType(lossType));
    return;
  }

  // Which parameters this step updates.
  std::vector<mlir::Attribute> params;
  auto addParam = [&](const std::string &name) {
    params.push_back(mlir::FlatSymbolRefAttr::get(builder_.getStringAttr(name)));
  };
  auto paramsEntry = entries.find("params");
  const ast::Expr *paramsExpr = paramsEntry == entries.end() ? nullptr : paramsEntry->second->value.get();
  if (!paramsExpr || (paramsExpr->kind == ast::ExprKind::Name &&
                      static_cast<const ast::NameExpr *>(paramsExpr)->name == "all")) {
    for (const std::string &p : paramOrder_)
      addParam(p);
    if (params.empty()) {
      error(train.loc, "model '" + model.name + "' has no parameters to train");
      return;
    }
  } else if (paramsExpr->kind != ast::ExprKind::List) {
    error(paramsExpr->loc, "params must be 'all' or a list of layer instances and parameters");
    return;
  } else {
    for (const auto &element : static_cast<const ast::SequenceExpr *>(paramsExpr)->elements) {
      std::optional<Val> v = eval(element.get(), *pass->scope);
      if (!v)
        return;
      if (v->kind == Val::Kind::Instance) {
        size_t before = params.size();
        for (const std::string &p : paramOrder_)
          if (p.rfind(v->instance->path + ".", 0) == 0)
            addParam(p);
        if (params.size() == before) {
          error(element->loc, "layer instance '" + v->instance->path + "' has no parameters");
          return;
        }
        continue;
      }
      auto load = v->isTensor() ? v->tensor.getDefiningOp<mlir::dl::LoadOp>() : nullptr;
      if (load && std::find(paramOrder_.begin(), paramOrder_.end(), load.getName().str()) != paramOrder_.end()) {
        addParam(load.getName().str());
        continue;
      }
      error(element->loc, "params lists layer instances and parameters, not " + v->describe());
      return;
    }
    if (params.empty()) {
      error(paramsExpr->loc, "params lists nothing to train; name layer instances or parameters, "
                             "or write 'params = all'");
      return;
    }
    std::set<std::string> seen;
    for (mlir::Attribute a : params)
      if (!seen.insert(llvm::cast<mlir::FlatSymbolRefAttr>(a).getValue().str()).second) {
        error(paramsExpr->loc, "parameter '" + llvm::cast<mlir::FlatSymbolRefAttr>(a).getValue().str() +
                                   "' is listed twice");
        return;
      }
  }
  finishFunction(func, {*lossTensor}, {{"dl.loss", step}}, /*pruneUnusedInputs=*/false);

  // `name` or `name(args...)` against a catalogue of known settings, defaults filled in; the
  // catalogue's entry, or null after an error.
  auto configure = [&](const ast::Expr *e, const auto &table, const char *what,
                       llvm::SmallVector<mlir::NamedAttribute> &attrs,
                       std::vector<SourceLoc> &argLocs) -> decltype(&table[0]) {
    std::vector<std::string> choices = sortedNames(table);
    const ast::CallExpr *call = e->kind == ast::ExprKind::Call ? static_cast<const ast::CallExpr *>(e) : nullptr;
    const ast::Expr *head = call ? call->callee.get() : e;
    if (head->kind != ast::ExprKind::Name) {
      error(e->loc, std::string("expected ") + what + " name, such as " + choices.front());
      return nullptr;
    }
    std::string name = static_cast<const ast::NameExpr *>(head)->name;
    const auto *entry = dl::training::find(table, name);
    if (!entry) {
      error(head->loc, std::string("unknown ") + what + " '" + name + "'" + didYouMean(name, choices));
      return nullptr;
    }
    const std::vector<dl::training::Hyperparameter> &hypers = entry->hyperparameters;
    std::vector<std::string> names;
    for (const dl::training::Hyperparameter &h : hypers)
      names.emplace_back(h.name);
    std::vector<CallArgument> args;
    if (call) {
      std::optional<std::vector<CallArgument>> evaluated = evalArguments(*call, globals_);
      if (!evaluated)
        return nullptr;
      args = *evaluated;
    }
    std::optional<std::vector<CallArgument>> slots = bindArguments(name, names, args, e->loc);
    if (!slots)
      return nullptr;
    using dl::training::Kind, dl::training::Range;
    for (size_t i = 0; i < hypers.size(); ++i) {
      const dl::training::Hyperparameter &h = hypers[i];
      const std::string hName(h.name);
      const CallArgument &slot = (*slots)[i];
      argLocs.push_back(slot.loc);
      if (slot.value.kind == Val::Kind::None) {
        if (h.required()) {
          error(e->loc, std::string(what) + " '" + name + "' needs argument '" + hName + "'");
          return nullptr;
        }
        mlir::Attribute value = builder_.getF64FloatAttr(h.defaultValue);
        if (h.kind == Kind::Flag)
          value = builder_.getBoolAttr(h.defaultValue != 0);
        else if (h.kind == Kind::Count)
          value = builder_.getI64IntegerAttr(int64_t(h.defaultValue));
        attrs.push_back(builder_.getNamedAttr(hName, value));
        continue;
      }
      if (h.kind == Kind::Flag) {
        if (slot.value.kind != Val::Kind::Bool) {
          error(slot.loc, "'" + hName + "' must be true or false, not " + slot.value.describe());
          return nullptr;
        }
        attrs.push_back(builder_.getNamedAttr(hName, builder_.getBoolAttr(slot.value.b)));
        continue;
      }
      if (h.kind == Kind::Count) {
        std::optional<int64_t> n = requireInt(slot.value, slot.loc, "'" + hName + "'");
        if (!n)
          return nullptr;
        if (*n < 0 || (*n == 0 && h.range == Range::Positive)) {
          error(slot.loc, "'" + hName + "' must be positive");
          return nullptr;
        }
        attrs.push_back(builder_.getNamedAttr(hName, builder_.getI64IntegerAttr(*n)));
        continue;
      }
      std::optional<double> v = requireNumber(slot.value, slot.loc, "'" + hName + "'");
      if (!v)
        return nullptr;
      if (*v < 0 || (h.range == Range::Positive && *v <= 0)) {
        error(slot.loc, "'" + hName + "' must be positive");
        return nullptr;
      }
      if (h.range == Range::Fraction && *v >= 1) {
        error(slot.loc, "'" + hName + "' must be below 1");
        return nullptr;
      }
      attrs.push_back(builder_.getNamedAttr(hName, builder_.getF64FloatAttr(*v)));
    }
    return entry;
  };

  using dl::training::Optimizer, dl::training::Schedule;
  const ast::Expr *optimizerExpr = entries["optimizer"]->value.get();
  llvm::SmallVector<mlir::NamedAttribute> hyper;
  std::vector<SourceLoc> hyperLocs;
  const dl::training::OptimizerEntry *optimizer =
      configure(optimizerExpr, dl::training::optimizers(), "optimizer", hyper, hyperLocs);
  if (!optimizer)
    return;
  if (optimizer->id == Optimizer::Sgd) {
    auto dict = builder_.getDictionaryAttr(hyper);
    if (dict.getAs<mlir::BoolAttr>("nesterov").getValue() &&
        dict.getAs<mlir::FloatAttr>("momentum").getValueAsDouble() <= 0) {
      error(optimizerExpr->loc, "nesterov momentum needs momentum > 0");
      return;
    }
  }
  // dsl.md: `weight_decay = ...` is an L2 penalty, which adamw applies decoupled. For adamw the
  // train-level setting is therefore adamw's own weight_decay; giving both is ambiguous.
  if (optimizer->decoupledWeightDecay && entries.count("weight_decay")) {
    bool explicitDecay = false;
    if (optimizerExpr->kind == ast::ExprKind::Call) {
      auto *call = static_cast<const ast::CallExpr *>(optimizerExpr);
      size_t positional = 0, decayPosition = 0;
      while (optimizer->hyperparameters[decayPosition].name != "weight_decay")
        ++decayPosition;
      for (const ast::Argument &a : call->args) {
        explicitDecay |= a.name == "weight_decay";
        positional += a.name.empty();
      }
      explicitDecay |= positional > decayPosition;
    }
    if (explicitDecay) {
      error(entries["weight_decay"]->loc,
            "adamw's weight decay is given twice, here and in adamw(weight_decay = ...); keep one");
      return;
    }
  }
  const dl::training::ScheduleEntry *schedule = dl::training::findSchedule("constant");
  llvm::SmallVector<mlir::NamedAttribute> scheduleArgs;
  if (entries.count("schedule")) {
    const ast::Expr *scheduleExpr = entries["schedule"]->value.get();
    std::vector<SourceLoc> argLocs;
    schedule = configure(scheduleExpr, dl::training::schedules(), "schedule", scheduleArgs, argLocs);
    if (!schedule)
      return;
    // cosine's total counts the warmup steps too (the decay runs from warmup to total), so a
    // warmup past the total leaves no decay at all: the learning rate would climb and then drop
    // to zero.
    if (schedule->id == Schedule::Cosine) {
      auto dict = builder_.getDictionaryAttr(scheduleArgs);
      int64_t warmup = dict.getAs<mlir::IntegerAttr>("warmup").getInt();
      int64_t total = dict.getAs<mlir::IntegerAttr>("total").getInt();
      if (warmup > total) {
        error(argLocs[0].valid() ? argLocs[0] : scheduleExpr->loc,
              "cosine's warmup (" + std::to_string(warmup) + " steps) is longer than its total (" +
                  std::to_string(total) + " steps, the warmup included)");
        return;
      }
    }
  }

  auto number = [&](const char *key) -> std::optional<mlir::FloatAttr> {
    if (!entries.count(key))
      return mlir::FloatAttr();
    const ast::Expr *e = entries[key]->value.get();
    std::optional<Val> v = eval(e, globals_);
    std::optional<double> d = v ? requireNumber(*v, e->loc, std::string("'") + key + "'") : std::nullopt;
    if (!d)
      return std::nullopt;
    if (*d < 0 || (*d == 0 && std::string(key) != "weight_decay")) {
      error(e->loc, std::string("'") + key + "' must be positive");
      return std::nullopt;
    }
    return builder_.getF64FloatAttr(*d);
  };
  std::optional<mlir::FloatAttr> weightDecay = number("weight_decay");
  std::optional<mlir::FloatAttr> clipNorm = number("clip_grad_norm");
  std::optional<mlir::FloatAttr> clipValue = number("clip_grad_value");
  if (!weightDecay || !clipNorm || !clipValue)
    return;
  if (optimizer->decoupledWeightDecay && *weightDecay) {
    for (mlir::NamedAttribute &h : hyper)
      if (h.getName() == "weight_decay")
        h.setValue(*weightDecay);
    *weightDecay = mlir::FloatAttr();
  }
  if (*clipNorm && *clipValue) {
    error(entries["clip_grad_value"]->loc, "clip by norm or by value, not both");
    return;
  }
  int64_t accumulate = 1;
  if (entries.count("accumulate")) {
    const ast::Expr *e = entries["accumulate"]->value.get();
    std::optional<Val> v = eval(e, globals_);
    std::optional<double> d =
        v ? requireNumber(*v, e->loc, "'accumulate'") : std::nullopt;
    if (!d)
      return;
    if (!(*d >= 1 && *d <= 65536 && *d == std::floor(*d))) {
      error(e->loc, "'accumulate' is the number of batches per update: a whole number from 1 "
                    "to 65536");
      return;
    }
    accumulate = static_cast<int64_t>(*d);
  }
  builder_.setInsertionPointToEnd(&modelOp_.getBodyBlock());
  builder_.create<mlir::dl::TrainOp>(
      loc(train.loc), builder_.getStringAttr(step),
      mlir::FlatSymbolRefAttr::get(builder_.getStringAttr(step + ".loss")),
      builder_.getArrayAttr(params), builder_.getStringAttr(optimizer->name),
      builder_.getDictionaryAttr(hyper),
      *weightDecay ? *weightDecay : builder_.getF64FloatAttr(0.0), *clipNorm, *clipValue,
      builder_.getStringAttr(schedule->name), builder_.getDictionaryAttr(scheduleArgs),
      builder_.getI64IntegerAttr(accumulate));
  builder_.clearInsertionPoint();
}

} // namespace dlc
