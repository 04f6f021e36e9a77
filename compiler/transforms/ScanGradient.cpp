//===- ScanGradient.cpp - Backpropagation through time for dl.scan -----------===//
//
// The gradient of a scan is a scan running the other way. Step t of the reverse scan recomputes
// step t of the forward one from the carry that entered it (the forward scan's history result,
// kept by the memory plan like any other value) and the same slices and captures, then runs the
// reverse of that step with the seeds d(next carry) (the reverse scan's carry) and d(emitted)
// (a slice of the stacked results' gradient). It carries d(carry) back to the step before, sums
// every capture's gradient in a carry of its own, and emits each sequence slice's gradient:
//
//   forward  sequences xs        carries c         captures p
//   reverse  sequences xs, hist, d(stacks) [, d(hist)]   carries d(c), d(p) sums   captures p
//
// Recomputing one step keeps the saved state to the carries instead of every intermediate value
// of every step (for an LSTM: h and c rather than all four gates). When both scans are compiled
// as loops, dl-save-scan-products then trades memory for time where it pays: the recomputed
// matrix products are stored by the forward loop instead.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/ReverseMode.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::dl {

LogicalResult buildScanVJP(ReverseMode &outer, ScanOp scan, ArrayRef<Value> resultGrads,
                           SmallVectorImpl<Value> &operandGrads) {
  OpBuilder &b = outer.builder();
  Location loc = scan.getLoc();
  unsigned numCarries = scan.getNumCarries(), numEmits = scan.getNumEmits();
  for (Value init : scan.getInits())
    if (!isFloatTensor(init))
      return scan.emitError() << "cannot differentiate a scan with a carry of type "
                              << init.getType() << "; carries must be float tensors";

  SmallVector<unsigned> activeSeqs, activeCaps, floatEmits;
  for (auto [i, s] : llvm::enumerate(scan.getSequences()))
    if (outer.isActive(s) && isFloatTensor(s))
      activeSeqs.push_back(i);
  for (auto [i, c] : llvm::enumerate(scan.getCaptures()))
    if (outer.isActive(c) && isFloatTensor(c))
      activeCaps.push_back(i);
  for (unsigned e = 0; e < numEmits; ++e)
    if (isFloatTensor(scan.getStacked()[e]))
      floatEmits.push_back(e);

  // The reverse scan's operands.
  SmallVector<Value> sequences(scan.getSequences().begin(), scan.getSequences().end());
  for (Value h : scan.getHistories())
    sequences.push_back(h);
  for (unsigned e : floatEmits) {
    Value g = resultGrads[numCarries + e];
    sequences.push_back(g ? g : zerosOf(b, loc, scan.getStacked()[e].getType()));
  }
  // A history's gradient (hand-written IR may read one) adds to d(carry) where the carry entered.
  SmallVector<unsigned> readHistories;
  for (unsigned k = 0; k < numCarries; ++k)
    if (Value g = resultGrads[numCarries + numEmits + k]) {
      readHistories.push_back(k);
      sequences.push_back(g);
    }
  SmallVector<Value> inits;
  for (unsigned k = 0; k < numCarries; ++k)
    inits.push_back(resultGrads[k] ? resultGrads[k] : zerosOf(b, loc, scan.getInits()[k].getType()));
  for (unsigned p : activeCaps)
    inits.push_back(zerosOf(b, loc, scan.getCaptures()[p].getType()));
  SmallVector<Value> captures(scan.getCaptures().begin(), scan.getCaptures().end());

  auto *block = new Block();
  for (Value s : sequences)
    block->addArgument(ScanOp::sliceType(s.getType()), loc);
  for (Value v : inits)
    block->addArgument(v.getType(), loc);
  for (Value v : captures)
    block->addArgument(v.getType(), loc);
  unsigned numSeqs = scan.getSequences().size();
  auto xArg = [&](unsigned i) { return block->getArgument(i); };
  auto histArg = [&](unsigned k) { return block->getArgument(numSeqs + k); };
  auto dEmitArg = [&](unsigned j) { return block->getArgument(numSeqs + numCarries + j); };
  auto dHistoryArg = [&](unsigned j) {
    return block->getArgument(numSeqs + numCarries + floatEmits.size() + j);
  };
  unsigned firstCarry = sequences.size();
  auto dCarryArg = [&](unsigned k) { return block->getArgument(firstCarry + k); };
  auto sumArg = [&](unsigned a) { return block->getArgument(firstCarry + numCarries + a); };
  auto capArg = [&](unsigned p) { return block->getArgument(firstCarry + inits.size() + p); };

  OpBuilder::InsertPoint outside = b.saveInsertionPoint();
  b.setInsertionPointToEnd(block);
  // Step t of the forward scan, recomputed.
  IRMapping map;
  Block &forward = scan.getBodyBlock();
  for (auto [i, arg] : llvm::enumerate(scan.getSliceArgs()))
    map.map(arg, xArg(i));
  for (auto [k, arg] : llvm::enumerate(scan.getCarryArgs()))
    map.map(arg, histArg(k));
  for (auto [p, arg] : llvm::enumerate(scan.getCaptureArgs()))
    map.map(arg, capArg(p));
  SmallVector<Operation *> step;
  for (Operation &op : forward.without_terminator())
    step.push_back(b.clone(op, map));

  ReverseMode inner(b);
  for (unsigned i : activeSeqs)
    inner.markActive(xArg(i));
  for (unsigned k = 0; k < numCarries; ++k)
    inner.markActive(histArg(k));
  for (unsigned p : activeCaps)
    inner.markActive(capArg(p));
  inner.propagateActivity(step, [](Operation *) { return false; });
  auto yield = llvm::cast<ScanYieldOp>(forward.getTerminator());
  for (unsigned k = 0; k < numCarries; ++k)
    inner.accumulate(map.lookupOrDefault(yield.getValues()[k]), dCarryArg(k));
  for (auto [j, e] : llvm::enumerate(floatEmits))
    inner.accumulate(map.lookupOrDefault(yield.getValues()[numCarries + e]), dEmitArg(j));
  for (auto [j, k] : llvm::enumerate(readHistories))
    inner.accumulate(histArg(k), dHistoryArg(j));
  if (failed(inner.reverse(step))) {
    b.restoreInsertionPoint(outside);
    block->dropAllDefinedValueUses();
    block->dropAllReferences();
    delete block;
    return failure();
  }

  SmallVector<Value> yielded;
  for (unsigned k = 0; k < numCarries; ++k) {
    Value g = inner.adjoint(histArg(k));
    yielded.push_back(g ? g : zerosOf(b, loc, histArg(k).getType()));
  }
  for (auto [a, p] : llvm::enumerate(activeCaps)) {
    Value g = inner.adjoint(capArg(p));
    yielded.push_back(g ? b.create<AddOp>(loc, sumArg(a), g).getResult() : Value(sumArg(a)));
  }
  for (unsigned i : activeSeqs) {
    Value g = inner.adjoint(xArg(i));
    yielded.push_back(g ? g : zerosOf(b, loc, xArg(i).getType()));
  }
  b.create<ScanYieldOp>(loc, yielded);
  b.restoreInsertionPoint(outside);

  SmallVector<Type> emitTypes;
  for (unsigned i : activeSeqs)
    emitTypes.push_back(ScanOp::sliceType(scan.getSequences()[i].getType()));
  auto reverse = b.create<ScanOp>(loc, sequences, inits, captures, emitTypes, !scan.getReverse());
  reverse.getBody().push_back(block);

  operandGrads.assign(scan->getNumOperands(), Value());
  for (auto [j, i] : llvm::enumerate(activeSeqs))
    operandGrads[i] = reverse.getStacked()[j];
  for (unsigned k = 0; k < numCarries; ++k)
    operandGrads[numSeqs + k] = reverse.getFinals()[k];
  for (auto [a, p] : llvm::enumerate(activeCaps))
    operandGrads[numSeqs + numCarries + p] = reverse.getFinals()[numCarries + a];
  return success();
}

} // namespace mlir::dl
