//===- Training.cpp - train blocks ----------------------------------------===//
//
// A `train` block becomes a training-mode loss function (`<step>.loss`) and a `dl.train` op naming
// that function, the parameters it updates, the optimizer with every hyperparameter filled in, and
// the regularization, clipping and schedule settings. The update rules themselves are the optimizer
// expansion's business.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/ModelSymbols.h"
#include "compiler/frontend/ElaboratorImpl.h"

namespace dlc {

namespace {
/// A hyperparameter: its name, its default (NaN: required), and whether it is a flag.
struct Hyper {
  const char *name;
  double defaultValue;
  bool isBool = false;
  bool isCount = false;  ///< A number of steps, stored as an integer.
};
const double kRequired = std::numeric_limits<double>::quiet_NaN();

/// The optimizers of dsl.md, with torch.optim's defaults.
const std::map<std::string, std::vector<Hyper>> &optimizers() {
  static const std::map<std::string, std::vector<Hyper>> table = {
      {"sgd", {{"lr", kRequired}, {"momentum", 0.0}, {"nesterov", 0.0, true}}},
      {"rmsprop", {{"lr", 0.01}, {"alpha", 0.99}, {"eps", 1e-8}}},
      {"adagrad", {{"lr", 0.01}, {"eps", 1e-10}}},
      {"adam", {{"lr", 1e-3}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}}},
      {"adamw", {{"lr", 1e-3}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", 0.01}}},
  };
  return table;
}

const std::map<std::string, std::vector<Hyper>> &schedules() {
  static const std::map<std::string, std::vector<Hyper>> table = {
      {"constant", {}},
      {"step", {{"every", kRequired, false, true}, {"gamma", 0.1}}},
      {"cosine", {{"warmup", 0.0, false, true}, {"total", kRequired, false, true}}},
  };
  return table;
}

std::vector<std::string> keys(const std::map<std::string, std::vector<Hyper>> &table) {
  std::vector<std::string> out;
  for (const auto &[k, v] : table)
    out.push_back(k);
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
                                                 "clip_grad_norm", "clip_grad_value", "schedule"};
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

  // `name` or `name(args...)` against a table of known settings, defaults filled in.
  auto configure = [&](const ast::Expr *e, const std::map<std::string, std::vector<Hyper>> &table,
                       const char *what, std::string &name,
                       llvm::SmallVector<mlir::NamedAttribute> &attrs) -> bool {
    const ast::CallExpr *call = e->kind == ast::ExprKind::Call ? static_cast<const ast::CallExpr *>(e) : nullptr;
    const ast::Expr *head = call ? call->callee.get() : e;
    if (head->kind != ast::ExprKind::Name) {
      error(e->loc, std::string("expected ") + what + " name, such as " + table.begin()->first);
      return false;
    }
    name = static_cast<const ast::NameExpr *>(head)->name;
    auto it = table.find(name);
    if (it == table.end()) {
      error(head->loc, std::string("unknown ") + what + " '" + name + "'" + didYouMean(name, keys(table)));
      return false;
    }
    std::vector<std::string> names;
    for (const Hyper &h : it->second)
      names.push_back(h.name);
    std::vector<CallArgument> args;
    if (call) {
      std::optional<std::vector<CallArgument>> evaluated = evalArguments(*call, globals_);
      if (!evaluated)
        return false;
      args = *evaluated;
    }
    std::optional<std::vector<CallArgument>> slots = bindArguments(name, names, args, e->loc);
    if (!slots)
      return false;
    for (size_t i = 0; i < it->second.size(); ++i) {
      const Hyper &h = it->second[i];
      const CallArgument &slot = (*slots)[i];
      if (slot.value.kind == Val::Kind::None) {
        if (std::isnan(h.defaultValue)) {
          error(e->loc, std::string(what) + " '" + name + "' needs argument '" + h.name + "'");
          return false;
        }
        attrs.push_back(h.isBool    ? builder_.getNamedAttr(h.name, builder_.getBoolAttr(h.defaultValue != 0))
                        : h.isCount ? builder_.getNamedAttr(h.name, builder_.getI64IntegerAttr(int64_t(h.defaultValue)))
                                    : builder_.getNamedAttr(h.name, builder_.getF64FloatAttr(h.defaultValue)));
        continue;
      }
      if (h.isBool) {
        if (slot.value.kind != Val::Kind::Bool) {
          error(slot.loc, "'" + std::string(h.name) + "' must be true or false, not " + slot.value.describe());
          return false;
        }
        attrs.push_back(builder_.getNamedAttr(h.name, builder_.getBoolAttr(slot.value.b)));
        continue;
      }
      if (h.isCount) {
        std::optional<int64_t> n = requireInt(slot.value, slot.loc, "'" + std::string(h.name) + "'");
        if (!n)
          return false;
        if (*n < 0 || (*n == 0 && std::string(h.name) != "warmup")) {
          error(slot.loc, "'" + std::string(h.name) + "' must be positive");
          return false;
        }
        attrs.push_back(builder_.getNamedAttr(h.name, builder_.getI64IntegerAttr(*n)));
        continue;
      }
      std::optional<double> v = requireNumber(slot.value, slot.loc, "'" + std::string(h.name) + "'");
      if (!v)
        return false;
      if (*v < 0 || ((std::string(h.name) == "lr" || std::string(h.name) == "eps") && *v <= 0)) {
        error(slot.loc, "'" + std::string(h.name) + "' must be positive");
        return false;
      }
      if ((std::string(h.name) == "beta1" || std::string(h.name) == "beta2" ||
           std::string(h.name) == "alpha") && *v >= 1) {
        error(slot.loc, "'" + std::string(h.name) + "' must be below 1");
        return false;
      }
      attrs.push_back(builder_.getNamedAttr(h.name, builder_.getF64FloatAttr(*v)));
    }
    // cosine's total counts the warmup steps too (the decay runs from warmup to total), so a warmup
    // past the total leaves no decay at all: the learning rate would climb and then drop to zero.
    if (name == "cosine") {
      auto dict = builder_.getDictionaryAttr(attrs);
      int64_t warmup = dict.getAs<mlir::IntegerAttr>("warmup").getInt();
      int64_t total = dict.getAs<mlir::IntegerAttr>("total").getInt();
      if (warmup > total) {
        error((*slots)[0].loc.valid() ? (*slots)[0].loc : e->loc,
              "cosine's warmup (" + std::to_string(warmup) + " steps) is longer than its total (" +
                  std::to_string(total) + " steps, the warmup included)");
        return false;
      }
    }
    return true;
  };

  std::string optimizer;
  llvm::SmallVector<mlir::NamedAttribute> hyper;
  if (!configure(entries["optimizer"]->value.get(), optimizers(), "optimizer", optimizer, hyper))
    return;
  if (optimizer == "sgd") {
    auto dict = builder_.getDictionaryAttr(hyper);
    if (dict.getAs<mlir::BoolAttr>("nesterov").getValue() &&
        dict.getAs<mlir::FloatAttr>("momentum").getValueAsDouble() <= 0) {
      error(entries["optimizer"]->value->loc, "nesterov momentum needs momentum > 0");
      return;
    }
  }
  // dsl.md: `weight_decay = ...` is an L2 penalty, which adamw applies decoupled. For adamw the
  // train-level setting is therefore adamw's own weight_decay; giving both is ambiguous.
  if (optimizer == "adamw" && entries.count("weight_decay")) {
    const ast::Expr *opt = entries["optimizer"]->value.get();
    bool explicitDecay = false;
    if (opt->kind == ast::ExprKind::Call) {
      auto *call = static_cast<const ast::CallExpr *>(opt);
      size_t positional = 0;
      for (const ast::Argument &a : call->args) {
        explicitDecay |= a.name == "weight_decay";
        positional += a.name.empty();
      }
      explicitDecay |= positional >= 5;
    }
    if (explicitDecay) {
      error(entries["weight_decay"]->loc,
            "adamw's weight decay is given twice, here and in adamw(weight_decay = ...); keep one");
      return;
    }
  }
  std::string schedule = "constant";
  llvm::SmallVector<mlir::NamedAttribute> scheduleArgs;
  if (entries.count("schedule") &&
      !configure(entries["schedule"]->value.get(), schedules(), "schedule", schedule, scheduleArgs))
    return;

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
  if (optimizer == "adamw" && *weightDecay) {
    for (mlir::NamedAttribute &h : hyper)
      if (h.getName() == "weight_decay")
        h.setValue(*weightDecay);
    *weightDecay = mlir::FloatAttr();
  }
  if (*clipNorm && *clipValue) {
    error(entries["clip_grad_value"]->loc, "clip by norm or by value, not both");
    return;
  }
  builder_.setInsertionPointToEnd(&modelOp_.getBodyBlock());
  builder_.create<mlir::dl::TrainOp>(
      loc(train.loc), builder_.getStringAttr(step),
      mlir::FlatSymbolRefAttr::get(builder_.getStringAttr(step + ".loss")),
      builder_.getArrayAttr(params), builder_.getStringAttr(optimizer),
      builder_.getDictionaryAttr(hyper),
      *weightDecay ? *weightDecay : builder_.getF64FloatAttr(0.0), *clipNorm, *clipValue,
      builder_.getStringAttr(schedule), builder_.getDictionaryAttr(scheduleArgs));
  builder_.clearInsertionPoint();
}

} // namespace dlc
