//===- Entries.h - The functions a compiled model exports -------*- C++ -*-===//
//
// A model's entry points, as the C ABI names them: `forward` and `eval` (when the model has them)
// and one per training step, `<step>` running the function `@<step>.update`. The other functions
// (`<step>.loss`, `<step>.grad`) are stages of the training step that codegen does not compile.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRANSFORMS_ENTRIES_H
#define DL_TRANSFORMS_ENTRIES_H

#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::dl {

enum class EntryKind { Forward, Eval, Train };

struct Entry {
  std::string name; ///< "forward", "eval", "train_step", ...
  EntryKind kind;
  func::FuncOp function;
};

/// The entries of `model` in the order forward, eval, then the train steps in model order. A train
/// step whose update function does not exist yet (before dl-expand-optimizers) is left out.
inline std::vector<Entry> modelEntries(ModelOp model) {
  std::vector<Entry> entries;
  auto lookup = [&](llvm::StringRef name) {
    return llvm::dyn_cast_or_null<func::FuncOp>(model.lookupSymbol(name));
  };
  if (auto f = lookup("forward"))
    entries.push_back({"forward", EntryKind::Forward, f});
  if (auto f = lookup("eval"))
    entries.push_back({"eval", EntryKind::Eval, f});
  for (auto train : model.getBodyBlock().getOps<TrainOp>())
    if (auto f = lookup((train.getSymName() + ".update").str()))
      entries.push_back({train.getSymName().str(), EntryKind::Train, f});
  return entries;
}

} // namespace mlir::dl

#endif // DL_TRANSFORMS_ENTRIES_H
