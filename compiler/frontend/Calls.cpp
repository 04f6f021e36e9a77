//===- Calls.cpp - Calls of builtins, initializers and layer instances ----===//
//
// A call evaluates its arguments, binds them to the callee's parameters (positional, then
// keyword, with arity and name errors reported) and dispatches on what is called: a builtin
// (keyword arguments alone make a partial application, `leaky_relu(alpha = 0.2)`), an
// initializer, or a layer instance (`h(x)`, Layers.cpp). A layer itself cannot be called.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <algorithm>

namespace dlc {

namespace shape = dl::shape;
using mlir::Value;

std::optional<std::vector<CallArgument>> Elaborator::evalArguments(const ast::CallExpr &c,
                                                                   Scope &scope) {
  std::vector<CallArgument> args;
  bool ok = true;
  for (const ast::Argument &a : c.args) {
    std::optional<Val> v = eval(a.value.get(), scope);
    if (!v) {
      ok = false;
      continue;
    }
    args.push_back({a.name, *v, a.loc});
  }
  if (!ok)
    return std::nullopt;
  return args;
}

std::optional<std::vector<CallArgument>>
Elaborator::bindArguments(const std::string &callee, const std::vector<std::string> &params,
                          const std::vector<CallArgument> &args, SourceLoc at) {
  std::vector<CallArgument> slots(params.size());
  size_t positional = 0;
  for (const CallArgument &a : args) {
    if (!a.name.empty())
      continue;
    if (positional >= params.size()) {
      std::string list;
      for (size_t i = 0; i < params.size(); ++i)
        list += (i ? ", " : "") + params[i];
      error(a.loc, "'" + callee + "' takes " + std::to_string(params.size()) + " argument" +
                       (params.size() == 1 ? "" : "s") + (list.empty() ? "" : " (" + list + ")") +
                       ", but more were given");
      return std::nullopt;
    }
    slots[positional] = a;
    slots[positional].name = params[positional];
    ++positional;
  }
  for (const CallArgument &a : args) {
    if (a.name.empty())
      continue;
    auto it = std::find(params.begin(), params.end(), a.name);
    if (it == params.end()) {
      error(a.loc, "'" + callee + "' has no argument '" + a.name + "'" + didYouMean(a.name, params));
      return std::nullopt;
    }
    CallArgument &slot = slots[it - params.begin()];
    if (slot.value.kind != Val::Kind::None) {
      error(a.loc, "argument '" + a.name + "' of '" + callee + "' is given twice");
      return std::nullopt;
    }
    slot = a;
  }
  return slots;
}

std::optional<Val> Elaborator::evalCall(const ast::CallExpr &c, Scope &scope) {
  std::optional<Val> callee = eval(c.callee.get(), scope);
  if (!callee)
    return std::nullopt;
  std::optional<std::vector<CallArgument>> args = evalArguments(c, scope);
  if (!args)
    return std::nullopt;
  switch (callee->kind) {
  case Val::Kind::Function: {
    const std::string &name = callee->s;
    bool sampling = (name == "normal" || name == "uniform") && !args->empty() &&
                    (*args)[0].name.empty() && (*args)[0].value.kind == Val::Kind::List;
    if (isInitializer(name) && !sampling)
      return initializerCall(name, *args, c.loc);
    const Builtin *builtin = findBuiltin(name);
    if (!builtin) {
      error(c.loc, "'" + name + "' cannot be called");
      return std::nullopt;
    }
    return callBuiltin(name, *builtin, callee->bound, *args, c.loc);
  }
  case Val::Kind::Layer:
    error(c.loc, "name each layer instance, so its parameters have names: write 'h = " +
                     callee->layer->name + "(...)' and then call 'h(x)'");
    return std::nullopt;
  case Val::Kind::Instance:
    if (!inFunction()) {
      error(c.loc, "layers cannot be applied outside a model");
      return std::nullopt;
    }
    return applyInstance(*callee->instance, *args, c.loc);
  default:
    error(c.callee->loc, "this is " + callee->describe() + ", which cannot be called");
    return std::nullopt;
  }
}

std::optional<Val> Elaborator::callBuiltin(const std::string &name, const Builtin &builtin,
                                           const std::vector<NamedVal> &bound,
                                           const std::vector<CallArgument> &args, SourceLoc at) {
  std::vector<std::string> params;
  for (const BuiltinParam &p : builtin.params)
    params.push_back(p.name);
  // Keyword arguments bound earlier (`act = leaky_relu(alpha = 0.2)`) count as given, unless the
  // call gives them again.
  std::vector<CallArgument> all = args;
  for (const auto &[key, value] : bound) {
    bool given = std::any_of(args.begin(), args.end(), [&](const CallArgument &a) { return a.name == key; });
    if (!given)
      all.push_back({key, value, at});
  }
  std::optional<std::vector<CallArgument>> slots = bindArguments(name, params, all, at);
  if (!slots)
    return std::nullopt;
  bool anyPositional = std::any_of(args.begin(), args.end(), [](const CallArgument &a) { return a.name.empty(); });
  if (builtin.partial && !anyPositional && !args.empty()) {
    std::vector<NamedVal> merged;
    for (const CallArgument &a : all)
      merged.push_back({a.name, a.value});
    return Val::function(name, merged);
  }
  if (!inFunction()) {
    error(at, "'" + name + "' makes a tensor, and tensors exist only inside a model");
    return std::nullopt;
  }
  BuiltinCall call{name, at, {}, {}};
  for (size_t i = 0; i < params.size(); ++i) {
    const CallArgument &slot = (*slots)[i];
    if (slot.value.kind == Val::Kind::None) {
      if (builtin.params[i].required) {
        error(at, "'" + name + "' needs argument '" + params[i] + "'");
        return std::nullopt;
      }
      call.args.push_back(builtin.params[i].defaultValue);
      call.locs.push_back({});
    } else {
      call.args.push_back(slot.value);
      call.locs.push_back(slot.loc);
    }
  }
  return builtin.apply(*this, call);
}

} // namespace dlc
