//===- Pipeline.h - dlc's pass pipeline, stage by stage -----------*- C++ -*-===//
//
// The passes that take a module as the frontend wrote it ("parsed") to each later stage:
//   autodiff  + dl-autodiff                 (the backward of every train block)
//   train     + dl-expand-optimizers        (the optimizer update: complete train steps)
//   fused     + dl-unroll-scans, cse, dl-fuse   (entries in kernels)
//   planned   + dl-plan-memory              (every buffer placed: what codegen reads)
// dlc runs it (`--emit=mlir --stage=S` prints the module at S); dl-opt runs it on a module read
// from a file with `--dl-pipeline=S`, so the two print the same IR.
//
// There is no canonicalization: the dialect's only folder is the constant's, and none of the
// stages leaves work for it.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRANSFORMS_PIPELINE_H
#define DL_TRANSFORMS_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir::dl {

enum class Stage { Parsed, Autodiff, Train, Fused, Planned };

/// The stage named `name` ("parsed", "autodiff", "train", "fused", "planned"), if any.
std::optional<Stage> parseStage(llvm::StringRef name);

/// The stage names, for messages: "parsed, autodiff, train, fused or planned".
const char *stageNames();

/// The choices the pipeline leaves to its user.
struct PipelineOptions {
  /// Scans of at most this many steps are unrolled (dl-unroll-scans' max-steps); 0: every scan
  /// stays a loop, unless it holds a scan.
  int64_t unrollMaxSteps = 0;
  /// Train steps without `@<step>.update` (dl-expand-optimizers' split-steps): each step's entry
  /// runs its grad entry, then its apply entry.
  bool splitTrainSteps = false;
};

/// Adds to `pm` the passes that take a parsed module to `stage`.
void buildPipeline(OpPassManager &pm, Stage stage, const PipelineOptions &options = {});

} // namespace mlir::dl

#endif // DL_TRANSFORMS_PIPELINE_H
