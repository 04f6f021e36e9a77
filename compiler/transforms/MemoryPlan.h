//===- MemoryPlan.h - Reading the plan dl-plan-memory writes ----*- C++ -*-===//
//
// The attribute names of the memory plan (see PlanMemory.cpp) and a typed view of one slot, for
// the glue generator and `dlc --emit=memplan`.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRANSFORMS_MEMORYPLAN_H
#define DL_TRANSFORMS_MEMORYPLAN_H

#include "dl/DLOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cstdint>
#include <string>

namespace mlir::dl {

constexpr llvm::StringLiteral kSlotsAttr = "dl.slots";
constexpr llvm::StringLiteral kOffsetAttr = "dl.offset";
constexpr llvm::StringLiteral kParamBytesAttr = "dl.param_bytes";
constexpr llvm::StringLiteral kStateBytesAttr = "dl.state_bytes";
constexpr llvm::StringLiteral kWorkspaceBytesAttr = "dl.workspace_bytes";

/// Every offset and size of the plan is a multiple of 64 bytes.
inline int64_t alignTo64(int64_t bytes) { return (bytes + 63) / 64 * 64; }

/// Where one kernel output lives.
struct Slot {
  enum Kind { Arena, State, Output } kind = Arena;
  int64_t offset = 0;  ///< Arena: bytes into the workspace.
  std::string symbol;  ///< State: the parameter or buffer.
  int64_t index = 0;   ///< Output: the caller's output position.
};

/// The slot of result `i` of a planned fusion; false when the fusion has no plan.
inline bool slotOf(FusionOp fusion, unsigned i, Slot &slot) {
  auto slots = fusion->getAttrOfType<ArrayAttr>(kSlotsAttr);
  if (!slots || i >= slots.size())
    return false;
  auto dict = llvm::dyn_cast<DictionaryAttr>(slots[i]);
  if (!dict)
    return false;
  if (auto a = dict.getAs<IntegerAttr>("arena")) {
    slot.kind = Slot::Arena;
    slot.offset = a.getInt();
  } else if (auto s = dict.getAs<FlatSymbolRefAttr>("state")) {
    slot.kind = Slot::State;
    slot.symbol = s.getValue().str();
  } else if (auto o = dict.getAs<IntegerAttr>("output")) {
    slot.kind = Slot::Output;
    slot.index = o.getInt();
  } else {
    return false;
  }
  return true;
}

} // namespace mlir::dl

#endif // DL_TRANSFORMS_MEMORYPLAN_H
