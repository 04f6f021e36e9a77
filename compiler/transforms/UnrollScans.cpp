//===- UnrollScans.cpp - Which dl.scan stays a loop, and the unrolling of the others ===//
//
// The dl-unroll-scans pass (see Passes.td). A scan stays a loop unless its body holds a scan or it
// is no longer than the pass's `max-steps`; the ops of a loop's body that read only captures move
// out of it, as new captures. An unrolled scan of an entry function becomes its T steps in
// order: the sequences are split into per-step slices once, each step is a copy of the body, and
// the stacked results are concatenations of the steps' values. The time loop then runs inside the
// compiled entry point as one kernel call sequence per step, with no call back to the host.
//
// Every op of a step is tagged with `dl.step` (unique per scan and step of the function); dl-fuse
// never merges ops of different steps (or a step with the code around the scan), so each step's
// kernels are alike, and the kernels of all steps are compiled once and shared (ModelLayout
// deduplicates identical kernels).
//
// Ops of the body that read only captures are loop-invariant: they run once, before the steps.
//
// A stacked result that another scan reads as a sequence (the forward scan's carry history, read
// by the reverse scan of the backward pass) is handed over step by step, without a concatenation
// and a split in between.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/OpKinds.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::dl {
#define GEN_PASS_DEF_UNROLLSCANS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

void tag(Operation *op, int64_t t) {
  op->walk([&](Operation *nested) {
    nested->setAttr(kStepAttr, IntegerAttr::get(IntegerType::get(op->getContext(), 64), t));
  });
}

class Unroller {
public:
  void unroll(ScanOp scan) {
    OpBuilder b(scan);
    Location loc = scan.getLoc();
    int64_t steps = scan.getLength();
    // Tags are unique per scan, so the steps of a scan and of its reverse scan never merge either.
    int64_t base = nextStep_;
    nextStep_ += steps;

    // Per-step slices of each sequence.
    SmallVector<SmallVector<Value>> slices;
    for (Value seq : scan.getSequences())
      slices.push_back(stepsOf(b, loc, seq, steps, base));

    SmallVector<Value> carries(scan.getInits().begin(), scan.getInits().end());
    unsigned numCarries = scan.getNumCarries(), numEmits = scan.getNumEmits();
    SmallVector<SmallVector<Value>> emitted(numEmits, SmallVector<Value>(steps));
    SmallVector<SmallVector<Value>> history(numCarries, SmallVector<Value>(steps));
    Block &body = scan.getBodyBlock();
    auto yield = cast<ScanYieldOp>(body.getTerminator());

    // Ops that read only captures (a weight transposed for the reverse pass) run once, before
    // the steps.
    IRMapping invariant;
    for (auto [arg, c] : llvm::zip(scan.getCaptureArgs(), scan.getCaptures()))
      invariant.map(arg, c);
    llvm::DenseSet<Operation *> hoisted;
    for (Operation &op : body.without_terminator()) {
      if (op.getNumRegions() != 0 || isRandom(&op) ||
          !llvm::all_of(op.getOperands(), [&](Value v) { return invariant.contains(v); }))
        continue;
      b.clone(op, invariant);
      hoisted.insert(&op);
    }

    for (int64_t i = 0; i < steps; ++i) {
      int64_t t = scan.getReverse() ? steps - 1 - i : i;
      IRMapping map = invariant;
      for (auto [arg, s] : llvm::zip(scan.getSliceArgs(), slices))
        map.map(arg, s[t]);
      for (auto [k, arg] : llvm::enumerate(scan.getCarryArgs())) {
        map.map(arg, carries[k]);
        history[k][t] = carries[k];
      }
      for (Operation &op : body.without_terminator()) {
        if (!hoisted.contains(&op)) {
          tag(b.clone(op, map), base + t);
          continue;
        }
        for (Value r : op.getResults())
          map.map(r, invariant.lookup(r));
      }
      for (unsigned k = 0; k < numCarries; ++k)
        carries[k] = map.lookupOrDefault(yield.getValues()[k]);
      for (unsigned e = 0; e < numEmits; ++e)
        emitted[e][t] = map.lookupOrDefault(yield.getValues()[numCarries + e]);
    }

    for (auto [final, value] : llvm::zip(scan.getFinals(), carries))
      final.replaceAllUsesWith(value);
    for (auto [stack, values] : llvm::zip(scan.getStacked(), emitted))
      replaceStack(b, loc, stack, values, base);
    for (auto [stack, values] : llvm::zip(scan.getHistories(), history))
      replaceStack(b, loc, stack, values, base);
    scan->erase();
  }

private:
  /// The T slices of `seq` [T, ...]: the steps themselves when `seq` is the stack of an unrolled
  /// scan, else the parts of one split.
  SmallVector<Value> stepsOf(OpBuilder &b, Location loc, Value seq, int64_t steps, int64_t base) {
    auto it = steps_.find(seq);
    if (it != steps_.end())
      return it->second;
    RankedTensorType sliceType = ScanOp::sliceType(seq.getType());
    SmallVector<Type> partTypes(steps, ScanOp::stackedType(1, sliceType));
    auto split = b.create<SplitOp>(loc, partTypes, seq, b.getI64IntegerAttr(steps),
                                   b.getI64IntegerAttr(0));
    SmallVector<Value> out;
    for (auto [t, part] : llvm::enumerate(split.getResults())) {
      auto reshape = b.create<ReshapeOp>(loc, sliceType, part);
      tag(reshape, base + t);
      out.push_back(reshape);
    }
    return out;
  }

  /// Replaces a stacked result [T, ...] by the concatenation of its steps' values.
  void replaceStack(OpBuilder &b, Location loc, Value stack, ArrayRef<Value> values,
                    int64_t base) {
    if (stack.use_empty())
      return;
    auto type = cast<RankedTensorType>(stack.getType());
    SmallVector<Value> rows;
    for (auto [t, v] : llvm::enumerate(values)) {
      auto rowType = cast<RankedTensorType>(v.getType());
      if (rowType.getRank() != 0) {
        rows.push_back(v);
        continue;
      }
      auto reshape = b.create<ReshapeOp>(loc, ScanOp::stackedType(1, rowType), v);
      tag(reshape, base + t);
      rows.push_back(reshape);
    }
    auto first = cast<RankedTensorType>(rows.front().getType());
    auto concat = b.create<ConcatOp>(
        loc, ScanOp::stackedType(first.getDimSize(0) * values.size(), ScanOp::sliceType(first)), rows,
        b.getI64IntegerAttr(0));
    Value result = concat;
    if (concat.getType() != type)
      result = b.create<ReshapeOp>(loc, type, concat);
    stack.replaceAllUsesWith(result);
    steps_[result] = SmallVector<Value>(values.begin(), values.end());
    stacks_.push_back(concat);
  }

public:
  /// Erases the concatenations that only later scans read (they took the steps instead).
  void eraseUnusedStacks() {
    for (ConcatOp concat : llvm::reverse(stacks_)) {
      Operation *top = concat;
      if (concat->hasOneUse() && isa<ReshapeOp>(*concat->user_begin()) &&
          concat->user_begin()->use_empty())
        top = *concat->user_begin();
      if (!top->use_empty())
        continue;
      if (top != concat)
        top->erase();
      concat->erase();
    }
  }

private:
  SmallVector<ConcatOp> stacks_;

  /// Stacks built here, by step.
  llvm::DenseMap<Value, SmallVector<Value>> steps_;
  /// The tag of the next scan's first step.
  int64_t nextStep_ = 0;
};

bool holdsScan(ScanOp scan) {
  bool found = false;
  scan.getBody().walk([&](ScanOp) { found = true; });
  return found;
}

/// Moves the ops of a loop's body that read only captures (and not random draws or constants,
/// which a kernel computes more cheaply than it reads) out of the body; the values the body still
/// reads become captures.
void hoistInvariants(ScanOp scan) {
  Block &body = scan.getBodyBlock();
  OpBuilder b(scan);
  IRMapping invariant;
  for (auto [arg, c] : llvm::zip(scan.getCaptureArgs(), scan.getCaptures()))
    invariant.map(arg, c);
  SmallVector<Operation *> hoisted;
  llvm::DenseSet<Operation *> isHoisted;
  for (Operation &op : body.without_terminator()) {
    if (op.getNumRegions() != 0 || op.getNumOperands() == 0 || isRandom(&op) ||
        !llvm::all_of(op.getOperands(), [&](Value v) { return invariant.contains(v); }))
      continue;
    b.clone(op, invariant);
    hoisted.push_back(&op);
    isHoisted.insert(&op);
  }
  if (hoisted.empty())
    return;
  // The hoisted values the body still reads become captures, after those it still reads.
  SmallVector<Value> oldCaptures(scan.getCaptures().begin(), scan.getCaptures().end());
  unsigned firstCapture = body.getNumArguments() - oldCaptures.size();
  SmallVector<Value> hoistedCaptures;
  for (Operation *op : hoisted)
    for (Value r : op->getResults()) {
      if (llvm::all_of(r.getUsers(), [&](Operation *u) { return isHoisted.contains(u); }))
        continue;
      hoistedCaptures.push_back(invariant.lookup(r));
      r.replaceAllUsesWith(body.addArgument(r.getType(), r.getLoc()));
    }
  for (Operation *op : llvm::reverse(hoisted))
    op->erase();
  SmallVector<Value> captures;
  for (auto [k, c] : llvm::enumerate(oldCaptures))
    if (!body.getArgument(firstCapture + k).use_empty())
      captures.push_back(c);
  for (unsigned k = oldCaptures.size(); k-- > 0;)
    if (body.getArgument(firstCapture + k).use_empty())
      body.eraseArgument(firstCapture + k);
  captures.append(hoistedCaptures);
  auto loop = b.create<ScanOp>(scan.getLoc(), scan.getResultTypes(), scan.getSequences(),
                               scan.getInits(), captures, scan.getReverse());
  loop->setDiscardableAttrs(scan->getDiscardableAttrDictionary());
  loop.getBody().takeBody(scan.getBody());
  scan.replaceAllUsesWith(loop.getResults());
  scan->erase();
}

struct UnrollScansPass : mlir::dl::impl::UnrollScansBase<UnrollScansPass> {
  using UnrollScansBase::UnrollScansBase;

  bool staysLoop(ScanOp scan) {
    return !holdsScan(scan) && (maxSteps <= 0 || scan.getLength() > maxSteps);
  }

  void runOnOperation() override {
    getOperation().walk([&](ModelOp model) {
      for (const Entry &entry : model.getEntries()) {
        if (entry.split)
          continue; // Its grad entry's function, visited as that entry.
        func::FuncOp function = entry.function;
        Unroller unroller;
        // Outermost first; a scan nested in a body is copied into the steps and found next round.
        llvm::DenseSet<Operation *> loops;
        while (true) {
          ScanOp next;
          for (Operation &op : function.getBody().front()) {
            auto scan = dyn_cast<ScanOp>(op);
            if (scan && !loops.contains(scan)) {
              if (!staysLoop(scan)) {
                next = scan;
                break;
              }
              loops.insert(scan);
            }
          }
          if (!next)
            break;
          unroller.unroll(next);
        }
        unroller.eraseUnusedStacks();
        for (ScanOp scan : llvm::to_vector(function.getBody().front().getOps<ScanOp>()))
          hoistInvariants(scan);
      }
    });
  }
};

} // namespace
