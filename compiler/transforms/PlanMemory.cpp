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
// A dl.scan kept as a loop gets storage in the arena for its carries and its stacked values
// (dl.scan_storage, laid out as ScanStorage in DLModel.h says); the kernels of its body write the
// values it yields to their rows (#dl.slot<step j>), and the other values of the body share the
// arena as the function's do.
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

/// Whether kernel `fusion`, at `position` among the function's kernels and loops, may write its
/// result `resultIndex` over the storage of `symbol`.
bool writableInPlace(ArrayRef<Operation *> steps, size_t position, unsigned resultIndex,
                     StringRef symbol, func::ReturnOp ret, ArrayRef<StoreOp> stores) {
  for (size_t j = position + 1; j < steps.size(); ++j)
    if (llvm::any_of(steps[j]->getOperands(), [&](Value v) { return isLoadOf(v, symbol); }))
      return false;
  if (llvm::any_of(ret.getOperands(), [&](Value v) { return isLoadOf(v, symbol); }))
    return false;
  for (StoreOp store : stores)
    if (isLoadOf(store.getValue(), symbol))
      return false;

  FusionOp fusion = cast<FusionOp>(steps[position]);
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

/// Bytes of one row of a scan's storage: a carry or an emitted value of one step, unpadded.
int64_t rowBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.getNumElements() * (tensor.getElementType().isInteger(1) ? 1 : 4);
}

/// First-fit placement of values with lifetimes over one function's timeline.
class Arena {
public:
  /// A block of `bytes` live from position `first` to `last`; returns its index.
  size_t add(size_t first, size_t last, int64_t bytes) {
    blocks_.push_back({first, std::max(first, last), bytes});
    return blocks_.size() - 1;
  }
  void extend(size_t block, size_t last) {
    blocks_[block].last = std::max(blocks_[block].last, last);
  }
  int64_t offset(size_t block) const { return blocks_[block].offset; }

  /// Places every block (largest first, at the lowest offset free during its lifetime); returns
  /// the arena's size.
  int64_t place() {
    std::vector<Block *> bySize;
    for (Block &b : blocks_)
      bySize.push_back(&b);
    llvm::stable_sort(bySize, [](Block *a, Block *b) { return a->bytes > b->bytes; });
    int64_t size = 0;
    std::vector<Block *> placed;
    for (Block *b : bySize) {
      // Occupied ranges of the blocks alive at the same time, by offset.
      std::vector<std::pair<int64_t, int64_t>> busy;
      for (Block *p : placed)
        if (p->first <= b->last && b->first <= p->last)
          busy.push_back({p->offset, p->offset + p->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [begin, end] : busy) {
        if (offset + b->bytes <= begin)
          break;
        offset = std::max(offset, end);
      }
      b->offset = offset;
      size = std::max(size, offset + b->bytes);
      placed.push_back(b);
    }
    return size;
  }

private:
  struct Block {
    size_t first, last;
    int64_t bytes, offset = -1;
  };
  std::vector<Block> blocks_;
};

/// Plans one entry function; returns its arena size.
///
/// The timeline numbers the function's kernels in the order they run: a loop (a dl.scan kept as
/// one) takes a position of its own, where its storage is filled with the initial carries, then
/// one per kernel of its body. A value read by a loop lives until the loop's last position; a
/// value of the body lives within the body's positions, which every step reuses.
int64_t planFunction(func::FuncOp func) {
  Block &block = func.getBody().front();
  SmallVector<Operation *> steps;
  for (Operation &op : block)
    if (isa<FusionOp, ScanOp>(op))
      steps.push_back(&op);
  SmallVector<StoreOp> stores(block.getOps<StoreOp>());
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  MLIRContext *ctx = func.getContext();

  llvm::DenseMap<Value, SlotAttr> slot;
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    if (v.getDefiningOp<FusionOp>() && !slot.count(v))
      slot[v] = SlotAttr::getOutput(ctx, i);
  llvm::DenseMap<Operation *, size_t> stepIndex;
  for (auto [i, op] : llvm::enumerate(steps))
    stepIndex[op] = i;
  for (StoreOp store : stores) {
    Value v = store.getValue();
    auto fusion = v.getDefiningOp<FusionOp>();
    if (!fusion || slot.count(v))
      continue;
    if (writableInPlace(steps, stepIndex[fusion], cast<OpResult>(v).getResultNumber(),
                        store.getName(), ret, stores))
      slot[v] = SlotAttr::getState(ctx, FlatSymbolRefAttr::get(ctx, store.getName()));
  }

  // The timeline.
  llvm::DenseMap<Operation *, size_t> position, lastPosition;
  SmallVector<FusionOp> kernels;
  size_t next = 0;
  for (Operation *op : steps) {
    position[op] = next++;
    if (auto scan = dyn_cast<ScanOp>(op))
      for (FusionOp k : scan.getBodyBlock().getOps<FusionOp>()) {
        position[k] = next++;
        kernels.push_back(k);
      }
    else
      kernels.push_back(cast<FusionOp>(op));
    lastPosition[op] = next - 1;
  }
  size_t endOfFunction = next;
  auto lastUse = [&](Value v, size_t first) {
    size_t last = first;
    for (Operation *user : v.getUsers())
      last = std::max(last, isa<FusionOp>(user)  ? position.lookup(user)
                            : isa<ScanOp>(user) ? lastPosition.lookup(user)
                                                : endOfFunction);
    return last;
  };

  Arena arena;
  llvm::DenseMap<Value, size_t> blockOf;
  // Each loop's kernel results the body yields go to the rows of its storage.
  for (Operation *op : steps) {
    auto scan = dyn_cast<ScanOp>(op);
    if (!scan)
      continue;
    auto yield = cast<ScanYieldOp>(scan.getBodyBlock().getTerminator());
    for (auto [j, v] : llvm::enumerate(yield.getValues()))
      if (v.getDefiningOp<FusionOp>() && !slot.count(v))
        slot[v] = SlotAttr::getStep(ctx, j);
  }
  for (FusionOp k : kernels)
    for (Value r : k.getResults())
      if (!slot.count(r))
        blockOf[r] = arena.add(position[k], lastUse(r, position[k]), bytesOf(r.getType()));

  // Each loop's storage: one per carry, and one per emitted value not stacked in a carry's.
  llvm::DenseMap<Operation *, SmallVector<std::optional<size_t>>> storageOf;
  for (Operation *op : steps) {
    auto scan = dyn_cast<ScanOp>(op);
    if (!scan)
      continue;
    auto yield = cast<ScanYieldOp>(scan.getBodyBlock().getTerminator());
    unsigned carries = scan.getNumCarries();
    int64_t length = scan.getLength();
    SmallVector<std::optional<size_t>> &storage = storageOf[scan];
    for (auto [j, v] : llvm::enumerate(yield.getValues())) {
      size_t first = position[scan], last = lastPosition[scan];
      if (j < carries) {
        int64_t bytes = ScanStorage::carryBytes(rowBytes(v.getType()), length, scan.getReverse());
        last = std::max({last, lastUse(scan.getFinals()[j], first),
                         lastUse(scan.getHistories()[j], first)});
        storage.push_back(arena.add(first, last, bytes));
        continue;
      }
      Value stacked = scan.getStacked()[j - carries];
      SlotAttr s = slot.lookup(v);
      if (s && s.getKind() == SlotKind::step && s.getValue() < carries) {
        arena.extend(*storage[s.getValue()], lastUse(stacked, first));
        storage.push_back(std::nullopt);
        continue;
      }
      storage.push_back(arena.add(first, std::max(last, lastUse(stacked, first)),
                                  alignTo64(length * rowBytes(v.getType()))));
    }
  }

  int64_t size = arena.place();
  for (auto [v, b] : blockOf)
    slot[v] = SlotAttr::getArena(ctx, arena.offset(b));
  for (FusionOp k : kernels) {
    SmallVector<SlotAttr> slots;
    for (Value r : k.getResults())
      slots.push_back(slot.lookup(r));
    k.setSlots(slots);
  }
  for (auto &[op, storage] : storageOf) {
    SmallVector<int64_t> offsets;
    for (std::optional<size_t> b : storage)
      offsets.push_back(b ? arena.offset(*b) : -1);
    setPlannedScanStorage(cast<ScanOp>(op), offsets);
  }
  setPlannedWorkspaceBytes(func, size);
  return size;
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
        if (!entry.split) // A split entry's function is its grad entry's, planned as that.
          workspace = std::max(workspace, planFunction(entry.function));
      model.setPlanSizes({paramBytes, offset - paramBytes, workspace});
    });
  }
};

} // namespace
