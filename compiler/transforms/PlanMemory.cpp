//===- PlanMemory.cpp - The static memory plan ------------------------------===//
//
// The dl-plan-memory pass (see Passes.td). Runs after dl-fuse, when each entry function is loads,
// kernels (dl.fusion) in order, stores and a return. A kernel output goes, in this order of
// preference:
//   - to the caller's output buffer, when the function returns it;
//   - into the parameter or buffer a store writes it to, when that is safe in place: no later
//     kernel reads the old value, nothing copied at the end reads it, and within the kernel the old
//     value only reaches this output through same-shape element-wise ops (so each element is read
//     before the same element is written, and only there);
//   - to the arena, at an offset chosen by first fit over lifetimes (largest values first).
// The glue copies what is left: stored values that stay in the arena and returned values that are
// not kernel outputs (an input or a load returned as it is).
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/OpKinds.h"
#include "compiler/transforms/Passes.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir::dl {
#define GEN_PASS_DEF_PLANMEMORY
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

bool isLoadOf(Value v, StringRef symbol) {
  auto load = v.getDefiningOp<LoadOp>();
  return load && load.getName() == symbol;
}

/// Whether kernel `fusion` may write its result `resultIndex` over the storage of `symbol`.
bool writableInPlace(ArrayRef<FusionOp> kernels, size_t position, unsigned resultIndex,
                     StringRef symbol, func::ReturnOp ret, ArrayRef<StoreOp> stores) {
  for (size_t j = position + 1; j < kernels.size(); ++j)
    if (llvm::any_of(FusionOp(kernels[j]).getInputs(), [&](Value v) { return isLoadOf(v, symbol); }))
      return false;
  if (llvm::any_of(ret.getOperands(), [&](Value v) { return isLoadOf(v, symbol); }))
    return false;
  for (StoreOp store : stores)
    if (isLoadOf(store.getValue(), symbol))
      return false;

  FusionOp fusion = FusionOp(kernels[position]);
  Block &body = fusion.getBodyBlock();
  // Later uses of the output itself read the output buffer (the new value), so the walk stops there.
  Value written = body.getTerminator()->getOperand(resultIndex);
  for (auto [input, arg] : llvm::zip(fusion.getInputs(), body.getArguments())) {
    if (!isLoadOf(input, symbol))
      continue;
    auto shape = cast<RankedTensorType>(arg.getType()).getShape();
    SmallVector<Value> work{arg};
    llvm::DenseSet<Value> seen{arg};
    while (!work.empty()) {
      Value v = work.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (isa<YieldOp>(user)) {
          if (use.getOperandNumber() != resultIndex)
            return false;
          continue;
        }
        // Element-wise only as the op declares it (DL_Pointwise): no op is by default.
        if (opKind(user) != OpKind::Pointwise || user->getNumResults() != 1)
          return false;
        Value result = user->getResult(0);
        if (cast<RankedTensorType>(result.getType()).getShape() != shape)
          return false;
        if (result != written && seen.insert(result).second)
          work.push_back(result);
      }
    }
  }
  return true;
}

int64_t bytesOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  int64_t element = tensor.getElementType().isInteger(1) ? 1 : 4;
  return alignTo64(tensor.getNumElements() * element);
}

/// Plans one entry function; returns its arena size.
int64_t planFunction(func::FuncOp func) {
  Block &block = func.getBody().front();
  SmallVector<FusionOp> kernels(block.getOps<FusionOp>());
  SmallVector<StoreOp> stores(block.getOps<StoreOp>());
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  MLIRContext *ctx = func.getContext();

  llvm::DenseMap<Value, SlotAttr> slot;
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    if (v.getDefiningOp<FusionOp>() && !slot.count(v))
      slot[v] = SlotAttr::getOutput(ctx, i);
  llvm::DenseMap<Operation *, size_t> position;
  for (auto [i, k] : llvm::enumerate(kernels))
    position[k] = i;
  for (StoreOp store : stores) {
    Value v = store.getValue();
    auto fusion = v.getDefiningOp<FusionOp>();
    if (!fusion || slot.count(v))
      continue;
    if (writableInPlace(kernels, position[fusion], cast<OpResult>(v).getResultNumber(),
                        store.getName(), ret, stores))
      slot[v] = SlotAttr::getState(ctx, FlatSymbolRefAttr::get(ctx, store.getName()));
  }

  // Lifetimes of the values left for the arena, in kernel positions; the copies at the end of the
  // function read at position kernels.size().
  struct Interval {
    Value value;
    size_t first, last;
    int64_t bytes, offset = -1;
  };
  std::vector<Interval> intervals;
  for (auto [i, k] : llvm::enumerate(kernels))
    for (Value r : k.getResults()) {
      if (slot.count(r))
        continue;
      size_t last = i;
      for (Operation *user : r.getUsers())
        last = std::max(last, isa<FusionOp>(user) ? position[user] : kernels.size());
      intervals.push_back({r, i, last, bytesOf(r.getType())});
    }
  std::vector<Interval *> bySize;
  for (Interval &iv : intervals)
    bySize.push_back(&iv);
  llvm::stable_sort(bySize, [](Interval *a, Interval *b) { return a->bytes > b->bytes; });
  int64_t arena = 0;
  std::vector<Interval *> placed;
  for (Interval *iv : bySize) {
    // Occupied ranges of the values alive at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (Interval *p : placed)
      if (p->first <= iv->last && iv->first <= p->last)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [begin, end] : busy) {
      if (offset + iv->bytes <= begin)
        break;
      offset = std::max(offset, end);
    }
    iv->offset = offset;
    arena = std::max(arena, offset + iv->bytes);
    placed.push_back(iv);
  }
  for (Interval &iv : intervals)
    slot[iv.value] = SlotAttr::getArena(ctx, iv.offset);

  for (FusionOp k : kernels) {
    SmallVector<SlotAttr> slots;
    for (Value r : k.getResults())
      slots.push_back(slot.lookup(r));
    k.setSlots(slots);
  }
  setPlannedWorkspaceBytes(func, arena);
  return arena;
}

struct PlanMemoryPass : mlir::dl::impl::PlanMemoryBase<PlanMemoryPass> {
  void runOnOperation() override {
    getOperation().walk([&](ModelOp model) {
      int64_t offset = 0;
      for (auto param : model.getBodyBlock().getOps<ParamOp>()) {
        param.setPlannedOffset(offset);
        offset += bytesOf(param.getTensorType());
      }
      int64_t paramBytes = offset;
      for (auto buffer : model.getBodyBlock().getOps<BufferOp>()) {
        buffer.setPlannedOffset(offset);
        offset += bytesOf(buffer.getTensorType());
      }
      int64_t workspace = 0;
      for (const Entry &entry : model.getEntries())
        workspace = std::max(workspace, planFunction(entry.function));
      model.setPlanSizes({paramBytes, offset - paramBytes, workspace});
    });
  }
};

} // namespace
