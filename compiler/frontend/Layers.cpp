//===- Layers.cpp - Layer instances and their application -----------------===//
//
// Instantiating a layer (`h = Dense(4, 8)`: its parameters bound, its body elaborated under the
// instance's path) and applying an instance (`h(x)`: its apply block with the arguments bound).
// Nesting depth and the number of instances and calls per function are bounded, and an error
// inside nested layers names the outermost few instances in notes.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

namespace dlc {


/// Bounds layer nesting, so a layer that instantiates itself is an error rather than a crash.
static constexpr int kMaxLayerDepth = 32;
/// Bounds the layer instances and calls of one function. A transformer with dozens of blocks makes
/// a few thousand; this stops programs whose layers double at every level, which 1.5 KB of .dl can
/// make into millions.
static constexpr int64_t kMaxExpansions = 20000;

bool Elaborator::expand(SourceLoc at) {
  if (++expansions_ <= kMaxExpansions)
    return true;
  if (!expansionLimitReported_)
    error(at, "layers expand to more than " + std::to_string(kMaxExpansions) +
                  " instances and calls in one function; does each level of layers instantiate or "
                  "call the one below it several times?");
  expansionLimitReported_ = true;
  return false;
}

/// How many of the outermost instances and calls an error inside nested layers names in notes,
/// so an error 32 layers deep is not followed by 32 notes (clang's template backtrace limit).
static constexpr int kMaxContextNotes = 3;

std::optional<Val> Elaborator::instantiate(const ast::LayerDecl &layer, const ast::CallExpr &call,
                                           Scope &scope, const std::string &path) {
  if (!expand(call.loc))
    return std::nullopt;
  if (depth_ >= kMaxLayerDepth) {
    error(call.loc, "layers nest more than " + std::to_string(kMaxLayerDepth) +
                               " deep; does '" + layer.name + "' contain itself?");
    return std::nullopt;
  }
  std::optional<std::vector<CallArgument>> args = evalArguments(call, scope);
  if (!args)
    return std::nullopt;
  std::vector<std::string> names;
  for (const ast::LayerParam &p : layer.params)
    names.push_back(p.name);
  std::optional<std::vector<CallArgument>> bound = bindArguments(layer.name, names, *args, call.loc);
  if (!bound)
    return std::nullopt;
  auto inst = std::make_shared<LayerInstance>(path, &layer, &globals_);
  ++depth_;
  callSites_.push_back(call.loc);
  bool ok = true;
  for (size_t i = 0; i < layer.params.size() && ok; ++i) {
    const ast::LayerParam &p = layer.params[i];
    if ((*bound)[i].value.kind != Val::Kind::None) {
      // A parameter whose default is true or false is an option: anything else is the caller's
      // mistake, reported at the argument rather than where the body first reads it.
      const Val &value = (*bound)[i].value;
      if (p.defaultValue && p.defaultValue->kind == ast::ExprKind::Bool &&
          value.kind != Val::Kind::Bool) {
        error((*bound)[i].loc, "layer '" + layer.name + "' takes true or false for '" + p.name +
                                   "', not " + value.describe());
        ok = false;
        break;
      }
      inst->scope.define(p.name, value, p.loc);
      continue;
    }
    if (!p.defaultValue) {
      error(call.loc, "layer '" + layer.name + "' needs argument '" + p.name + "'");
      ok = false;
      break;
    }
    std::optional<Val> v = eval(p.defaultValue.get(), inst->scope);
    if (!v)
      ok = false;
    else
      inst->scope.define(p.name, *v, p.loc);
  }
  if (ok) {
    unsigned before = diags_.errorCount();
    elaborateStatements(layer.body, inst->scope, path + ".", nullptr);
    if (diags_.errorCount() != before) {
      ok = false;
      if (layer.loc.file != preludeFile_ && depth_ <= kMaxContextNotes)
        diags_.note(call.loc, "in instance '" + path + "' of layer '" + layer.name + "'");
    }
  }
  --depth_;
  callSites_.pop_back();
  if (!ok)
    return std::nullopt;
  return Val::ofInstance(inst);
}

std::optional<Val> Elaborator::applyInstance(LayerInstance &inst,
                                             const std::vector<CallArgument> &args, SourceLoc at) {
  const ast::LayerDecl &layer = *inst.decl;
  if (!layer.apply) {
    error(at, "layer '" + layer.name + "' has no apply(...), so '" + inst.path +
                         "' cannot be called");
    return std::nullopt;
  }
  if (!expand(at))
    return std::nullopt;
  if (depth_ >= kMaxLayerDepth) {
    error(at, "layer applications nest more than " + std::to_string(kMaxLayerDepth) +
                         " deep");
    return std::nullopt;
  }
  std::optional<std::vector<CallArgument>> bound =
      bindArguments(inst.path, layer.apply->args, args, at);
  if (!bound)
    return std::nullopt;
  Scope local(&inst.scope);
  for (size_t i = 0; i < layer.apply->args.size(); ++i) {
    Val value = (*bound)[i].value;
    if (value.kind == Val::Kind::None && layer.apply->argDefaults[i]) {
      // A default is evaluated in the call's scope, so it may read the arguments before it.
      std::optional<Val> v = eval(layer.apply->argDefaults[i].get(), local);
      if (!v)
        return std::nullopt;
      value = *v;
    }
    if (value.kind == Val::Kind::None) {
      error(at, "'" + inst.path + "' needs argument '" + layer.apply->args[i] + "'");
      return std::nullopt;
    }
    local.define(layer.apply->args[i], value, layer.apply->argLocs[i]);
  }
  ++depth_;
  callSites_.push_back(at);
  unsigned before = diags_.errorCount();
  std::optional<Val> result;
  if (elaborateStatements(layer.apply->body, local, inst.path + ".", nullptr) &&
      layer.apply->result)
    result = eval(layer.apply->result.get(), local);
  --depth_;
  callSites_.pop_back();
  if (diags_.errorCount() != before && layer.loc.file != preludeFile_ &&
      depth_ < kMaxContextNotes)
    diags_.note(at, "in a call of '" + inst.path + "' (layer '" + layer.name + "')");
  return result;
}

} // namespace dlc
