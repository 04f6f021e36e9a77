//===- SumScanAccumulators.cpp - A loop's running sums, summed once after it ===//
//
// The dl-sum-scan-accumulators pass (see Passes.td). Backpropagation through time accumulates the
// gradient of every weight a scan's body reads in a carry of the reverse scan: `dW = dW + hᵀ dg`
// at each step. Kept as a loop, that is T thin products (K = the batch) each reading and writing
// the whole accumulator, and a carry whose T + 1 rows the memory plan must hold. A carry whose only
// use is such a sum, and whose history nobody reads, leaves the loop instead: the step's operands
// are stacked (a slice of a sequence is already stacked: the sequence itself) and, after the loop,
// one tall product over all steps, `Hᵀ DG` with K = T x batch, gives the sum; any other summand
// is stacked and summed over the steps.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::dl {
#define GEN_PASS_DEF_SUMSCANACCUMULATORS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

/// What a carry k adds at each step: `lhsᵀ rhs` (a product of two matrices, lhs transposed), or
/// `term` itself.
struct Accumulation {
  unsigned carry;
  Value lhs, rhs; ///< The product's operands, per step (lhs before its transpose), or null.
  Value term;     ///< Otherwise, the summand.
};

bool isMatrix(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 2;
}

/// Whether carry k of `scan` is a running sum that may leave the loop: its yield is `carry + x`
/// (x of the carry's type) and the carry has no other use, nor its history.
std::optional<Accumulation> accumulationOf(ScanOp scan, unsigned k) {
  BlockArgument carry = scan.getCarryArgs()[k];
  if (!carry.hasOneUse() || !scan.getHistories()[k].use_empty())
    return std::nullopt;
  auto yield = cast<ScanYieldOp>(scan.getBodyBlock().getTerminator());
  auto add = yield.getValues()[k].getDefiningOp<AddOp>();
  if (!add || *carry.getUsers().begin() != add || !add->hasOneUse() ||
      add.getResult().getType() != carry.getType())
    return std::nullopt;
  Value term = add.getLhs() == carry ? add.getRhs() : add.getLhs();
  if (term.getType() != carry.getType() || term == carry)
    return std::nullopt;
  // A summand read only by the sum cannot depend on the carry (whose one use is the sum).
  Accumulation a{k, {}, {}, term};
  if (auto product = term.getDefiningOp<MatmulOp>(); product && term.hasOneUse()) {
    auto transpose = product.getLhs().getDefiningOp<TransposeOp>();
    if (transpose && transpose.getPerm() == ArrayRef<int64_t>{1, 0} &&
        isMatrix(transpose.getInput()) && isMatrix(product.getRhs())) {
      a.lhs = transpose.getInput();
      a.rhs = product.getRhs();
    }
  }
  // A capture is the same at every step: leave such sums alone (rare, and not a tall product).
  auto isCapture = [&](Value v) {
    return llvm::is_contained(scan.getCaptureArgs(), v);
  };
  if (a.lhs ? isCapture(a.lhs) || isCapture(a.rhs) : isCapture(a.term))
    return std::nullopt;
  return a;
}

/// Rewrites `scan` without the carries of `sums`; returns the new scan.
void sumOutsideTheLoop(ScanOp scan, ArrayRef<Accumulation> sums) {
  Block &body = scan.getBodyBlock();
  auto yield = cast<ScanYieldOp>(body.getTerminator());
  unsigned numCarries = scan.getNumCarries();
  int64_t steps = scan.getLength();
  llvm::SmallDenseSet<unsigned> removed;
  for (const Accumulation &a : sums)
    removed.insert(a.carry);

  // The values each sum needs stacked, and where their stacks come from: a slice's sequence, an
  // emit that already stacks the value, or a new emit.
  SmallVector<Value> yielded(yield.getValues().begin(), yield.getValues().end());
  SmallVector<Value> newEmits;
  auto stackOf = [&](Value v) -> std::function<Value(ScanOp)> {
    if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == &body) {
      unsigned n = arg.getArgNumber(), numSequences = scan.getSequences().size();
      if (n < numSequences) {
        Value sequence = scan.getSequences()[n];
        return [sequence](ScanOp) { return sequence; };
      }
      // Another carry, as it enters each step: its history, at its place among the kept carries.
      unsigned k = n - numSequences, before = 0;
      for (unsigned j = 0; j < k; ++j)
        before += !removed.contains(j);
      return [before](ScanOp loop) { return loop.getHistories()[before]; };
    }
    for (unsigned e = 0; e < scan.getNumEmits(); ++e)
      if (yielded[numCarries + e] == v)
        return [e](ScanOp loop) { return loop.getStacked()[e]; };
    unsigned e = scan.getNumEmits() + newEmits.size();
    newEmits.push_back(v);
    return [e](ScanOp loop) { return loop.getStacked()[e]; };
  };
  struct Pending {
    unsigned carry;
    std::function<Value(ScanOp)> lhs, rhs, term;
  };
  SmallVector<Pending> pending;
  for (const Accumulation &a : sums) {
    if (a.lhs)
      pending.push_back({a.carry, stackOf(a.lhs), stackOf(a.rhs), {}});
    else
      pending.push_back({a.carry, {}, {}, stackOf(a.term)});
  }

  // The new scan: the other carries, the old emits and the new ones.
  OpBuilder b(scan);
  Location loc = scan.getLoc();
  SmallVector<Value> inits;
  SmallVector<Type> finals, histories, stacks;
  for (unsigned k = 0; k < numCarries; ++k)
    if (!removed.contains(k)) {
      inits.push_back(scan.getInits()[k]);
      finals.push_back(scan.getFinals()[k].getType());
      histories.push_back(scan.getHistories()[k].getType());
    }
  for (Value stacked : scan.getStacked())
    stacks.push_back(stacked.getType());
  for (Value v : newEmits)
    stacks.push_back(ScanOp::stackedType(steps, v.getType()));
  SmallVector<Type> resultTypes(finals);
  resultTypes.append(stacks);
  resultTypes.append(histories);
  auto loop = b.create<ScanOp>(loc, resultTypes, scan.getSequences(), inits, scan.getCaptures(),
                               scan.getReverse());
  loop->setDiscardableAttrs(scan->getDiscardableAttrDictionary());

  // The body: the removed carries' sums go, then their arguments; the yield loses their operands
  // and gains the new emits.
  SmallVector<Value> newYield;
  for (unsigned k = 0; k < numCarries; ++k)
    if (!removed.contains(k))
      newYield.push_back(yielded[k]);
  newYield.append(yielded.begin() + numCarries, yielded.end());
  newYield.append(newEmits);
  OpBuilder::atBlockTerminator(&body).create<ScanYieldOp>(yield.getLoc(), newYield);
  yield->erase();
  for (const Accumulation &a : sums) {
    Operation *add = yielded[a.carry].getDefiningOp();
    add->erase();
    if (a.lhs) {
      Operation *product = a.term.getDefiningOp();
      Operation *transpose = product->getOperand(0).getDefiningOp();
      product->erase();
      if (transpose->use_empty())
        transpose->erase();
    }
  }
  unsigned firstCarry = scan.getSequences().size();
  for (unsigned k = numCarries; k-- > 0;)
    if (removed.contains(k))
      body.eraseArgument(firstCarry + k);
  loop.getBody().takeBody(scan.getBody());

  // After the loop: each sum from the stacks, added to the carry's initial value.
  b.setInsertionPointAfter(loop);
  for (const Pending &p : pending) {
    Value init = scan.getInits()[p.carry];
    Value total;
    if (p.lhs) {
      // [T, m, p] and [T, m, q] as [T m, p] and [T m, q]: Σ_t lhs_tᵀ rhs_t = lhsᵀ rhs.
      auto flat = [&](Value stack) {
        auto type = cast<RankedTensorType>(stack.getType());
        auto rows = RankedTensorType::get({type.getDimSize(0) * type.getDimSize(1),
                                           type.getDimSize(2)},
                                          type.getElementType());
        return b.create<ReshapeOp>(loc, rows, stack).getResult();
      };
      Value lhs = b.create<TransposeOp>(loc, flat(p.lhs(loop)), b.getDenseI64ArrayAttr({1, 0}));
      total = b.create<MatmulOp>(loc, lhs, flat(p.rhs(loop)));
    } else {
      total = b.create<SumOp>(loc, p.term(loop), b.getDenseI64ArrayAttr({0}), b.getBoolAttr(false));
    }
    scan.getFinals()[p.carry].replaceAllUsesWith(b.create<AddOp>(loc, init, total).getResult());
  }

  // The old scan's other results map onto the new one's.
  unsigned kept = 0;
  for (unsigned k = 0; k < numCarries; ++k)
    if (!removed.contains(k)) {
      scan.getFinals()[k].replaceAllUsesWith(loop.getFinals()[kept]);
      scan.getHistories()[k].replaceAllUsesWith(loop.getHistories()[kept]);
      ++kept;
    }
  for (auto [old, stacked] : llvm::zip(scan.getStacked(), loop.getStacked()))
    old.replaceAllUsesWith(stacked);
  scan->erase();
}

struct SumScanAccumulatorsPass
    : mlir::dl::impl::SumScanAccumulatorsBase<SumScanAccumulatorsPass> {
  void runOnOperation() override {
    getOperation().walk([&](ModelOp model) {
      for (const Entry &entry : model.getEntries()) {
        if (entry.split)
          continue; // Its grad entry's function, visited as that entry.
        func::FuncOp function = entry.function;
        Block &block = function.getBody().front();
        for (ScanOp scan : llvm::to_vector(block.getOps<ScanOp>())) {
          SmallVector<Accumulation> sums;
          for (unsigned k = 0; k < scan.getNumCarries(); ++k)
            if (std::optional<Accumulation> a = accumulationOf(scan, k))
              sums.push_back(*a);
          if (!sums.empty())
            sumOutsideTheLoop(scan, sums);
        }
      }
    });
  }
};

} // namespace
