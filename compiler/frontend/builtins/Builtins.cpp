//===- Builtins.cpp - The table of .dl's builtin functions ----------------===//
//
// Gathers every family's builtins (Builtins.h) into one table, built once, in which the
// elaborator looks names up (findBuiltin) and finds suggestions for misspelt ones (builtinNames).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace {

BuiltinTable makeTable() {
  BuiltinTable t;
  registerElementwiseBuiltins(t);
  registerReductionBuiltins(t);
  registerShapeBuiltins(t);
  registerPadBuiltins(t);
  registerConvBuiltins(t);
  registerPoolingBuiltins(t);
  registerUpsampleBuiltins(t);
  registerBatchNormBuiltins(t);
  registerEmbeddingBuiltins(t);
  registerAttentionBuiltins(t);
  registerLossBuiltins(t);
  registerRandomBuiltins(t);
  return t;
}

const BuiltinTable &table() {
  static const BuiltinTable t = makeTable();
  return t;
}

} // namespace

const Builtin *findBuiltin(const std::string &name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

const std::vector<std::string> &builtinNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto &[name, b] : table())
      n.push_back(name);
    return n;
  }();
  return names;
}

} // namespace dlc
