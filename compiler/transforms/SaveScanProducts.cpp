//===- SaveScanProducts.cpp - The reverse loop reads the products the forward loop made ===//
//
// The dl-save-scan-products pass (see Passes.td). Backpropagation through time recomputes each
// forward step in the reverse scan from the carry that entered it (ScanGradient.cpp): cheap in
// memory, but for a recurrent layer the step's product `h @ W_hh` is most of the step's work, done
// twice. This pass finds, in a reverse loop, the ops that recompute a forward loop's ops (the
// same op on the same values: a slice of the same sequence, the forward carry's history for the
// carry, the same captures) and, for each recomputed matrix product, has the forward loop emit
// its value (after the element-wise ops that only add to it, such as the input projection) and
// the reverse loop read it as a sequence. The stack costs T rows of the product; the forward
// kernel writes the row it computed anyway.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/OpKinds.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::dl {
#define GEN_PASS_DEF_SAVESCANPRODUCTS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

/// For each value of `reverse`'s body that recomputes a value of `forward`'s body, that value.
llvm::DenseMap<Value, Value> matchRecomputation(ScanOp forward, ScanOp reverse) {
  llvm::DenseMap<Value, Value> same;
  for (auto [seq, slice] : llvm::zip(reverse.getSequences(), reverse.getSliceArgs())) {
    for (auto [k, history] : llvm::enumerate(forward.getHistories()))
      if (seq == history)
        same[slice] = forward.getCarryArgs()[k];
    for (auto [i, other] : llvm::enumerate(forward.getSequences()))
      if (seq == other)
        same[slice] = forward.getSliceArgs()[i];
  }
  for (auto [capture, arg] : llvm::zip(reverse.getCaptures(), reverse.getCaptureArgs()))
    for (auto [i, other] : llvm::enumerate(forward.getCaptures()))
      if (capture == other)
        same[arg] = forward.getCaptureArgs()[i];
  if (same.empty())
    return same;
  for (Operation &op : reverse.getBodyBlock().without_terminator()) {
    if (op.getNumOperands() == 0 || op.getNumRegions() != 0 || isRandom(&op) ||
        !llvm::all_of(op.getOperands(), [&](Value v) { return same.count(v); }))
      continue;
    for (Operation *candidate : same[op.getOperand(0)].getUsers()) {
      if (candidate->getBlock() != &forward.getBodyBlock() ||
          candidate->getName() != op.getName() ||
          candidate->getAttrDictionary() != op.getAttrDictionary() ||
          candidate->getResultTypes() != op.getResultTypes() ||
          !llvm::equal(op.getOperands(), candidate->getOperands(),
                       [&](Value r, Value f) { return same.lookup(r) == f; }))
        continue;
      for (auto [r, f] : llvm::zip(op.getResults(), candidate->getResults()))
        same[r] = f;
      break;
    }
  }
  return same;
}

/// The values of the reverse body worth reading instead of recomputing: each recomputed product,
/// carried through the element-wise ops of its shape that are its one use and recomputed too.
SmallVector<Value> productsToSave(ScanOp reverse, const llvm::DenseMap<Value, Value> &same) {
  SmallVector<Value> saved;
  for (Operation &op : reverse.getBodyBlock().without_terminator()) {
    if (!isFusible(&op) || opKind(&op) != OpKind::Contraction || op.getNumResults() != 1 ||
        !same.count(op.getResult(0)))
      continue;
    Value v = op.getResult(0);
    while (v.hasOneUse()) {
      Operation *user = *v.getUsers().begin();
      if (!isFusible(user) || opKind(user) != OpKind::Pointwise || user->getNumResults() != 1 ||
          user->getResult(0).getType() != v.getType() || !same.count(user->getResult(0)))
        break;
      v = user->getResult(0);
    }
    if (!llvm::is_contained(saved, v))
      saved.push_back(v);
  }
  return saved;
}

/// `scan` rebuilt with the yield and result types of its body as they now are, and `sequences`.
ScanOp rebuild(ScanOp scan, ArrayRef<Value> sequences, ArrayRef<Type> extraStacks) {
  OpBuilder b(scan);
  unsigned numCarries = scan.getNumCarries();
  SmallVector<Type> types;
  for (unsigned i = 0; i < numCarries + scan.getNumEmits(); ++i)
    types.push_back(scan.getResult(i).getType());
  types.append(extraStacks.begin(), extraStacks.end());
  for (Value h : scan.getHistories())
    types.push_back(h.getType());
  auto loop = b.create<ScanOp>(scan.getLoc(), types, sequences, scan.getInits(),
                               scan.getCaptures(), scan.getReverse());
  loop->setDiscardableAttrs(scan->getDiscardableAttrDictionary());
  loop.getBody().takeBody(scan.getBody());
  for (unsigned i = 0; i < numCarries + scan.getNumEmits(); ++i)
    scan.getResult(i).replaceAllUsesWith(loop.getResult(i));
  for (auto [old, now] : llvm::zip(scan.getHistories(), loop.getHistories()))
    old.replaceAllUsesWith(now);
  scan->erase();
  return loop;
}

/// Has `forward` emit the values `same` maps `saved` to, and `reverse` read their stacks.
void saveProducts(ScanOp forward, ScanOp reverse, ArrayRef<Value> saved,
                  const llvm::DenseMap<Value, Value> &same) {
  int64_t steps = forward.getLength();
  // Forward: emit each saved value (or find its emit).
  auto yield = cast<ScanYieldOp>(forward.getBodyBlock().getTerminator());
  SmallVector<Value> yielded(yield.getValues().begin(), yield.getValues().end());
  SmallVector<std::optional<unsigned>> existing;
  SmallVector<Type> extraStacks;
  SmallVector<Value> newEmits;
  for (Value v : saved) {
    Value f = same.lookup(v);
    std::optional<unsigned> found;
    for (unsigned e = 0; e < forward.getNumEmits(); ++e)
      if (yielded[forward.getNumCarries() + e] == f)
        found = e;
    existing.push_back(found);
    if (!found) {
      newEmits.push_back(f);
      extraStacks.push_back(ScanOp::stackedType(steps, f.getType()));
    }
  }
  unsigned firstNew = forward.getNumEmits();
  if (!newEmits.empty()) {
    yielded.append(newEmits);
    OpBuilder::atBlockTerminator(&forward.getBodyBlock())
        .create<ScanYieldOp>(yield.getLoc(), yielded);
    yield->erase();
    forward = rebuild(forward, SmallVector<Value>(forward.getSequences()), extraStacks);
  }
  // Reverse: one more sequence per saved value, its slice replacing the recomputation.
  SmallVector<Value> sequences(reverse.getSequences());
  Block &body = reverse.getBodyBlock();
  unsigned next = 0;
  for (auto [saved, found] : llvm::zip(saved, existing)) {
    Value v = saved;
    Value stack = forward.getStacked()[found ? *found : firstNew + next++];
    BlockArgument slice = body.insertArgument(sequences.size(), v.getType(), v.getLoc());
    sequences.push_back(stack);
    v.replaceAllUsesWith(slice);
  }
  // The recomputation nobody reads any more goes.
  bool erased = true;
  while (erased) {
    erased = false;
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (op->use_empty() && isFusible(op) && !isRandom(op)) {
        op->erase();
        erased = true;
      }
  }
  rebuild(reverse, sequences, {});
}

struct SaveScanProductsPass : mlir::dl::impl::SaveScanProductsBase<SaveScanProductsPass> {
  void runOnOperation() override {
    getOperation().walk([&](ModelOp model) {
      for (const Entry &entry : model.getEntries()) {
        if (entry.split)
          continue; // Its grad entry's function, visited as that entry.
        func::FuncOp function = entry.function;
        Block &block = function.getBody().front();
        // Rebuilt scans take their predecessors' places, so positions stay valid.
        for (size_t index = 0;; ++index) {
          SmallVector<ScanOp> scans = llvm::to_vector(block.getOps<ScanOp>());
          if (index >= scans.size())
            break;
          ScanOp reverse = scans[index];
          if (!reverse.getReverse())
            continue;
          for (ScanOp forward : scans) {
            if (forward == reverse)
              break;
            if (forward.getReverse() || forward.getLength() != reverse.getLength())
              continue;
            llvm::DenseMap<Value, Value> same = matchRecomputation(forward, reverse);
            SmallVector<Value> saved = productsToSave(reverse, same);
            if (saved.empty())
              continue;
            saveProducts(forward, reverse, saved, same);
            break;
          }
        }
      }
    });
  }
};

} // namespace
