//===- Initializers.cpp - Parameter initializers --------------------------===//
//
// `param W: [in, out] = he_normal`: an initializer is a value, optionally called with its own
// arguments (`normal(0.02)`, `uniform(-0.1, 0.1)`, `constant(0.5)`). Fan-in and fan-out follow
// PyTorch: a 2-D weight [in, out] has fan-in `in` and fan-out `out` (dlc stores dense weights
// transposed with respect to torch.nn.Linear); a weight of rank 3 or more is [out, in, k...] with the
// kernel's size multiplying both.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

namespace dlc {

namespace {
struct InitializerSpec {
  const char *name;
  std::vector<std::pair<const char *, double>> args;  ///< In positional order, with defaults.
  bool required;    ///< The first argument has no default.
  bool needsFans;
};

const std::vector<InitializerSpec> &initializers() {
  static const std::vector<InitializerSpec> table = {
      {"zeros", {}, false, false},
      {"ones", {}, false, false},
      {"constant", {{"value", 0}}, true, false},
      {"normal", {{"std", 1.0}, {"mean", 0.0}}, false, false},
      {"uniform", {{"lo", 0.0}, {"hi", 1.0}}, false, false},
      {"xavier_uniform", {{"gain", 1.0}}, false, true},
      {"xavier_normal", {{"gain", 1.0}}, false, true},
      {"he_normal", {}, false, true},
      {"he_uniform", {}, false, true},
      {"orthogonal", {{"gain", 1.0}}, false, true},
      {"sinusoidal", {}, false, false},
  };
  return table;
}

const InitializerSpec *findInitializer(const std::string &name) {
  for (const InitializerSpec &s : initializers())
    if (name == s.name)
      return &s;
  return nullptr;
}
} // namespace

bool isInitializer(const std::string &name) { return findInitializer(name) != nullptr; }

std::vector<std::string> initializerNames() {
  std::vector<std::string> names;
  for (const InitializerSpec &s : initializers())
    names.push_back(s.name);
  return names;
}

std::optional<Val> Elaborator::initializerCall(const std::string &name,
                                               const std::vector<CallArgument> &args, SourceLoc at) {
  const InitializerSpec &spec = *findInitializer(name);
  std::vector<std::string> params;
  for (auto &[arg, def] : spec.args)
    params.push_back(arg);
  std::optional<std::vector<CallArgument>> slots = bindArguments(name, params, args, at);
  if (!slots)
    return std::nullopt;
  std::vector<NamedVal> bound;
  for (const CallArgument &slot : *slots) {
    if (slot.value.kind == Val::Kind::None)
      continue;
    if (!requireNumber(slot.value, slot.loc, "initializer argument '" + slot.name + "'"))
      return std::nullopt;
    bound.push_back({slot.name, slot.value});
  }
  return Val::function(name, bound);
}

std::optional<std::pair<std::string, mlir::DictionaryAttr>>
Elaborator::resolveInitializer(const Val &init, const dl::shape::Shape &shape, SourceLoc at) {
  std::string name;
  std::vector<NamedVal> bound;
  if (init.isNumber()) {
    if (!requireNumber(init, at, "a constant initial value"))
      return std::nullopt;
    name = "constant";
    bound.push_back({"value", init});
  } else if (init.kind == Val::Kind::Function && isInitializer(init.s)) {
    name = init.s;
    bound = init.bound;
  } else {
    std::string names;
    for (const InitializerSpec &s : initializers())
      names += std::string(names.empty() ? "" : ", ") + s.name;
    error(at, "expected an initializer (" + names + "), found " + init.describe());
    return std::nullopt;
  }
  const InitializerSpec &spec = *findInitializer(name);
  llvm::SmallVector<mlir::NamedAttribute> attrs;
  for (size_t i = 0; i < spec.args.size(); ++i) {
    auto [arg, def] = spec.args[i];
    auto it = std::find_if(bound.begin(), bound.end(), [&](const NamedVal &b) { return b.first == arg; });
    if (it == bound.end() && i == 0 && spec.required) {
      error(at, "initializer '" + name + "' needs argument '" + arg + "'");
      return std::nullopt;
    }
    double value = it == bound.end() ? def : it->second.asDouble();
    attrs.push_back(builder_.getNamedAttr(arg, builder_.getF64FloatAttr(value)));
  }
  if (name == "uniform") {
    double lo = llvm::cast<mlir::FloatAttr>(attrs[0].getValue()).getValueAsDouble();
    double hi = llvm::cast<mlir::FloatAttr>(attrs[1].getValue()).getValueAsDouble();
    if (!(lo < hi)) {
      error(at, "uniform initializer needs lo < hi");
      return std::nullopt;
    }
  }
  if (spec.needsFans) {
    int64_t fanIn = 1, fanOut = 1;
    if (shape.size() == 1) {
      fanIn = fanOut = shape[0];
    } else if (shape.size() == 2) {
      fanIn = shape[0];
      fanOut = shape[1];
    } else if (shape.size() > 2) {
      int64_t receptive = 1;
      for (size_t d = 2; d < shape.size(); ++d)
        receptive *= shape[d];
      fanIn = shape[1] * receptive;
      fanOut = shape[0] * receptive;
    }
    attrs.push_back(builder_.getNamedAttr("fan_in", builder_.getI64IntegerAttr(fanIn)));
    attrs.push_back(builder_.getNamedAttr("fan_out", builder_.getI64IntegerAttr(fanOut)));
  }
  return std::make_pair(name, builder_.getDictionaryAttr(attrs));
}

} // namespace dlc
