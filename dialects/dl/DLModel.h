//===- DLModel.h - What a model promises the stages after it ------*- C++ -*-===//
//
// The contracts of a dl.model with the passes and the code generator that consume it: its entry
// points, as the C ABI names them (ModelOp::getEntries), and the memory plan dl-plan-memory records
// (#dl.slot on each kernel output, byte offsets and counts on the state and the model), read and
// written through the accessors of ModelOp, ParamOp, BufferOp and FusionOp and the functions below.
// The dialect verifies the plan's attributes (ops/MemoryPlan.cpp); computing a plan is the pass's.
//
// Included by DLOps.h before the ops, whose accessors return these types; include DLOps.h.
//
//===----------------------------------------------------------------------===//
#ifndef DL_DLMODEL_H
#define DL_DLMODEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::dl {

class ScanOp;

//===----------------------------------------------------------------------===//
// Entries
//===----------------------------------------------------------------------===//

enum class EntryKind { Forward, Eval, Train, Grad, Apply };

/// A function a compiled model exports: `forward` and `eval` (when the model has them) and three
/// per training step: `<step>` running `@<step>.update` (gradient and update fused, for one
/// process), `<step>_grad` running `@<step>.accumulate` (adds the batch's gradient into the step's
/// gradient area) and `<step>_apply` running `@<step>.apply` (the update from the area's mean
/// gradient), the split data parallelism and gradient accumulation use. The other functions
/// (`<step>.loss`, `<step>.grad`) are stages of the training step that codegen does not compile.
/// A step expanded without `@<step>.update` (dl-expand-optimizers' split-steps) still has its
/// `<step>` entry, `split`: it runs `<step>_grad`, then `<step>_apply`.
struct Entry {
  std::string name; ///< "forward", "eval", "train_step", "train_step_grad", ...
  EntryKind kind;
  /// The function the entry runs; of a split entry, `@<step>.accumulate`, whose arguments and
  /// loss it shares (passes that transform entry functions skip split entries).
  func::FuncOp function;
  std::string step; ///< The training step of a Train, Grad or Apply entry ("train_step").
  bool split = false; ///< A Train entry with no function of its own (see above).
};

//===----------------------------------------------------------------------===//
// The roles of state
//===----------------------------------------------------------------------===//

/// What a dl.buffer dl-expand-optimizers declares holds (a discardable string attribute; the
/// program's own buffers have none): optimizer state (moments, the step count), saved in
/// checkpoints, or part of a training step's gradient area, which is not.
constexpr llvm::StringLiteral kStateRoleAttr = "dl.role";
constexpr llvm::StringLiteral kOptimizerRole = "optimizer";
constexpr llvm::StringLiteral kGradientRole = "gradient";

//===----------------------------------------------------------------------===//
// The memory plan
//===----------------------------------------------------------------------===//

/// The plan's discardable attributes. `dl.slots` (on dl.fusion) is an array of #dl.slot, one per
/// result; the others are i64 byte counts.
constexpr llvm::StringLiteral kSlotsAttr = "dl.slots";
constexpr llvm::StringLiteral kOffsetAttr = "dl.offset";                  ///< dl.param, dl.buffer
constexpr llvm::StringLiteral kParamBytesAttr = "dl.param_bytes";         ///< dl.model
constexpr llvm::StringLiteral kStateBytesAttr = "dl.state_bytes";         ///< dl.model
constexpr llvm::StringLiteral kWorkspaceBytesAttr = "dl.workspace_bytes"; ///< dl.model, entries
/// On a dl.scan kept as a loop: for each operand of its dl.scan_yield, the arena offset of the
/// storage its rows go to, or -1 for an emitted value stacked in the storage of the carry its value
/// also is (see ScanStorage below).
constexpr llvm::StringLiteral kScanStorageAttr = "dl.scan_storage";

/// Every offset and size of the plan is a multiple of this many bytes (the verifier checks it).
constexpr int64_t kPlanAlignment = 64;

inline int64_t alignTo64(int64_t bytes) {
  return (bytes + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment;
}

/// The byte counts of a planned model: its parameters, the rest of its state (buffers and
/// optimizer state, after the parameters in one block), and the largest arena of its entries.
struct PlanSizes {
  int64_t paramBytes = 0, stateBytes = 0, workspaceBytes = 0;
};

/// Where a dl.scan kept as a loop keeps its rows, as dl-plan-memory lays them out in the arena:
///   - carry k: one storage of T + 1 rows. The carry entering step t is row t (the history result,
///     rows 0..T-1, is a view of it); a forward scan writes the carry after step t to row t + 1 and
///     its final value is row T; a reverse scan writes it to row t - 1 and its final value is row
///     -1, which sits `alignTo64(row bytes)` into the storage, before row 0.
///   - emitted value e: its stack [T, ...], written row t at step t; or, when the body yields the
///     same kernel result as a carry, none of its own: the stack is the rows of that carry's
///     storage the steps wrote (rows 1..T, or -1..T-2 in reverse).
struct ScanStorage {
  /// Byte offset of row 0 of a carry's storage from the storage's start.
  static int64_t carryRowZero(int64_t rowBytes, bool reverse) {
    return reverse ? alignTo64(rowBytes) : 0;
  }
  /// Bytes of a carry's storage.
  static int64_t carryBytes(int64_t rowBytes, int64_t steps, bool reverse) {
    return alignTo64(carryRowZero(rowBytes, reverse) + (steps + (reverse ? 0 : 1)) * rowBytes);
  }
};

/// The planned storage of a scan (kScanStorageAttr), or nullopt before dl-plan-memory.
std::optional<llvm::SmallVector<int64_t>> getPlannedScanStorage(ScanOp scan);
void setPlannedScanStorage(ScanOp scan, llvm::ArrayRef<int64_t> offsets);

/// The arena an entry function needs; nullopt before dl-plan-memory.
std::optional<int64_t> getPlannedWorkspaceBytes(func::FuncOp entry);
void setPlannedWorkspaceBytes(func::FuncOp entry, int64_t bytes);

} // namespace mlir::dl

#endif // DL_DLMODEL_H
