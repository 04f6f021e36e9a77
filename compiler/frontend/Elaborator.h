//===- Elaborator.h - From syntax tree to dl IR -------------------*- C++ -*-===//
//
// The frontend's semantic half. It loads the prelude, the main file and its imports; evaluates
// constants (with -D overrides); instantiates layers; checks names, arities, keyword arguments and
// shapes, reporting each error at its source location with both shapes; and emits one `dl.model` per
// model with these functions:
//   forward        inference mode; the inputs the outputs need; returns the outputs
//   eval           inference mode; every input; returns the losses, then the outputs
//   <step>.loss    training mode, one per train block; returns the loss that step minimizes
// and one `dl.train` per train block. Dropout and batch norm behave by mode: the model's
// body is elaborated once per function, in that function's mode.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_ELABORATOR_H
#define DLC_FRONTEND_ELABORATOR_H

#include "compiler/frontend/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <utility>
#include <vector>

namespace dlc {

struct FrontendOptions {
  /// `-D NAME=VALUE` overrides of constants, in command-line order.
  std::vector<std::pair<std::string, std::string>> defines;
  /// Load the built-in layers (Dense, LayerNorm, ...). Tests of the bare language turn this off.
  bool prelude = true;
  /// Build attention() as one dl.attention op where it can (see builtins/Attention.cpp); false:
  /// always in matmul and softmax (dlc --attention=composed).
  bool fuseAttention = true;
};

/// The name the embedded prelude has in the SourceManager (and in messages); it names no file.
inline constexpr const char *kPreludeName = "<prelude>";

/// Reads `path`, then compiles it to dl IR. Returns null after reporting errors through `diags`.
/// `context` must have the dl and func dialects loaded (see loadFrontendDialects).
mlir::OwningOpRef<mlir::ModuleOp> compileFile(mlir::MLIRContext &context, SourceManager &sources,
                                              DiagnosticEngine &diags, const std::string &path,
                                              const FrontendOptions &options);

/// Compiles source text held in memory, named `name` in messages (tests, the fuzzer).
mlir::OwningOpRef<mlir::ModuleOp> compileSource(mlir::MLIRContext &context, SourceManager &sources,
                                                DiagnosticEngine &diags, const std::string &name,
                                                const std::string &text,
                                                const FrontendOptions &options);

/// Loads the dialects the frontend emits into `context`.
void loadFrontendDialects(mlir::MLIRContext &context);

/// Reads a whole regular file of at most 16 MiB; false (and `error` set) when it cannot be read,
/// is larger, or is no regular file (a FIFO, a device, a directory: refused without reading).
bool readFile(const std::string &path, std::string &contents, std::string &error);

} // namespace dlc

#endif // DLC_FRONTEND_ELABORATOR_H
