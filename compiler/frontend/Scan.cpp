//===- Scan.cpp - Elaborating `scan` into dl.scan ----------------------------===//
//
// `scan x_t in xs along A carry (h = init, ...) { ...; emit e, ... }` becomes one dl.scan over the
// sequence moved time-major (axis A first). The body is elaborated into a detached block whose
// arguments are the step's slice and the carries; a carry's next value is whatever its name is bound
// to when the body ends (statements may rebind it: `c = f * c + i * g`). Every value the body reads
// from outside (weights, constants) becomes an explicit capture, as the op is isolated from above.
// Each emitted value's stack comes back with the time dimension moved to A again: [B, T, H] for a
// [B, T, I] sequence scanned along 1. With `reverse = true` the steps run from the last to the
// first; the stacks are still indexed by step (ONNX's direction = "reverse").
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include "llvm/ADT/SetVector.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// `x` with its dimension `from` moved to position `to` (a no-op when they agree).
Value moveAxis(Elaborator &E, Value x, int64_t from, int64_t to, SourceLoc at) {
  if (from == to)
    return x;
  auto type = llvm::cast<mlir::RankedTensorType>(x.getType());
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != from)
      perm.push_back(d);
  perm.insert(perm.begin() + to, from);
  shape::Shape in = shapeOf(type), out;
  for (int64_t p : perm)
    out.push_back(in[p]);
  return E.create<dlo::TransposeOp>(at, E.tensorType(out, type.getElementType()), x,
                                    E.builder().getDenseI64ArrayAttr(perm));
}

/// Frees a body block that will not become a scan's region.
void discard(mlir::Block *block) {
  block->dropAllDefinedValueUses();
  block->dropAllReferences();
  delete block;
}

} // namespace

std::optional<Val> Elaborator::evalScan(const ast::ScanExpr &s, Scope &scope) {
  if (!inFunction()) {
    error(s.loc, "scan runs only inside a model");
    return std::nullopt;
  }
  std::optional<Val> seqVal = eval(s.sequence.get(), scope);
  std::optional<Val> axisVal = eval(s.axis.get(), scope);
  std::optional<Value> seq =
      seqVal ? requireTensor(*seqVal, s.sequence->loc, "the sequence of 'scan'", false) : std::nullopt;
  std::optional<int64_t> axis = axisVal ? requireInt(*axisVal, s.axis->loc, "the scan axis") : std::nullopt;
  if (!seq || !axis)
    return std::nullopt;
  auto seqType = llvm::cast<mlir::RankedTensorType>(seq->getType());
  int64_t rank = seqType.getRank();
  if (*axis < -rank || *axis >= rank) {
    error(s.axis->loc, "scan axis " + std::to_string(*axis) + " is out of range for the sequence " +
                           describeType(seqType));
    return std::nullopt;
  }
  int64_t timeAxis = *axis < 0 ? *axis + rank : *axis;
  bool reverse = false;
  if (s.reverse) {
    std::optional<Val> r = eval(s.reverse.get(), scope);
    if (!r)
      return std::nullopt;
    if (r->kind != Val::Kind::Bool) {
      error(s.reverse->loc, "scan's reverse needs true or false, not " + r->describe());
      return std::nullopt;
    }
    reverse = r->b;
  }

  // The carries' initial values, evaluated outside the body.
  std::vector<Value> inits;
  for (const ast::Carry &c : s.carries) {
    std::optional<Val> v = eval(c.init.get(), scope);
    std::optional<Value> t =
        v ? requireTensor(*v, c.init->loc, "the initial value of carry '" + c.name + "'", false)
          : std::nullopt;
    if (!t)
      return std::nullopt;
    inits.push_back(*t);
  }
  Value timeMajor = moveAxis(*this, *seq, timeAxis, 0, s.loc);

  // The body, in a block of its own: the slice, then the carries.
  auto *block = new mlir::Block();
  shape::Shape sliceShape = shapeOf(seqType);
  sliceShape.erase(sliceShape.begin() + timeAxis);
  Value slice = block->addArgument(tensorType(sliceShape, seqType.getElementType()), loc(s.loc));
  Scope stepScope(&scope);
  stepScope.define(s.element, Val::ofTensor(slice), s.loc);
  std::vector<Value> carryArgs;
  for (auto [c, init] : llvm::zip(s.carries, inits)) {
    if (c.name == s.element || stepScope.definedHere(c.name)) {
      error(c.loc, "'" + c.name + "' is already defined in this scan");
      discard(block);
      return std::nullopt;
    }
    carryArgs.push_back(block->addArgument(init.getType(), loc(c.loc)));
    stepScope.define(c.name, Val::ofTensor(carryArgs.back()), c.loc);
  }

  mlir::OpBuilder::InsertionGuard guard(builder_);
  mlir::OpBuilder::InsertPoint outside = builder_.saveInsertionPoint();
  builder_.setInsertionPointToEnd(block);
  Scope bodyScope(&stepScope);
  const auto &emit = static_cast<const ast::EmitStmt &>(*s.body.back());
  bool ok = true;
  for (size_t i = 0; i + 1 < s.body.size(); ++i)
    ok &= elaborateStatement(*s.body[i], bodyScope, statementPrefix_, nullptr);
  std::vector<Value> yields;
  for (auto [c, carry] : llvm::zip(s.carries, carryArgs)) {
    const Val *v = bodyScope.lookup(c.name);
    if (!v || !v->isTensor()) {
      if (v && v->kind != Val::Kind::None)
        error(c.loc, "carry '" + c.name + "' must stay a tensor, but the body makes it " +
                         v->describe());
      ok = false;
      continue;
    }
    if (v->tensor.getType() != carry.getType()) {
      error(c.loc, "carry '" + c.name + "' enters each step as " + describeType(carry.getType()) +
                       " but the step leaves it " + describeType(v->tensor.getType()));
      ok = false;
      continue;
    }
    yields.push_back(v->tensor);
  }
  std::vector<Value> emitted;
  for (const auto &e : emit.values) {
    std::optional<Val> v = ok ? eval(e.get(), bodyScope) : std::nullopt;
    std::optional<Value> t = v ? requireTensor(*v, e->loc, "an emitted value", false) : std::nullopt;
    if (!t) {
      ok = false;
      continue;
    }
    int64_t emitRank = llvm::cast<mlir::RankedTensorType>(t->getType()).getRank();
    if (timeAxis > emitRank) {
      error(e->loc, "cannot stack the emitted " + describeType(t->getType()) + " along axis " +
                        std::to_string(timeAxis));
      ok = false;
      continue;
    }
    emitted.push_back(*t);
  }
  if (!ok) {
    builder_.restoreInsertionPoint(outside);
    discard(block);
    return std::nullopt;
  }

  // Parameters read inside the body (a layer instantiated there) are loaded once, before the scan,
  // so that autodiff sums their gradients with the function's other loads.
  for (mlir::Operation &op : llvm::make_early_inc_range(*block))
    if (llvm::isa<dlo::LoadOp>(op))
      op.moveBefore(outside.getBlock(), outside.getPoint());

  // What the body reads from outside becomes a capture.
  llvm::DenseSet<Value> inside(block->args_begin(), block->args_end());
  llvm::SetVector<Value> captures;
  block->walk([&](mlir::Operation *op) {
    for (Value r : op->getResults())
      inside.insert(r);
    for (mlir::Region &region : op->getRegions())
      for (mlir::Block &b : region)
        inside.insert(b.args_begin(), b.args_end());
  });
  block->walk([&](mlir::Operation *op) {
    for (Value v : op->getOperands())
      if (!inside.contains(v))
        captures.insert(v);
  });
  for (Value v : emitted)
    if (!inside.contains(v))
      captures.insert(v);
  for (Value v : yields)
    if (!inside.contains(v))
      captures.insert(v);
  llvm::DenseMap<Value, Value> captureArg;
  for (Value c : captures)
    captureArg[c] = block->addArgument(c.getType(), c.getLoc());
  block->walk([&](mlir::Operation *op) {
    for (mlir::OpOperand &use : op->getOpOperands())
      if (Value arg = captureArg.lookup(use.get()))
        use.set(arg);
  });
  auto inBody = [&](Value v) { return captureArg.count(v) ? captureArg[v] : v; };
  std::vector<Value> yielded;
  for (Value v : yields)
    yielded.push_back(inBody(v));
  for (Value v : emitted)
    yielded.push_back(inBody(v));
  builder_.create<dlo::ScanYieldOp>(loc(s.loc), yielded);

  builder_.restoreInsertionPoint(outside);
  std::vector<mlir::Type> emitTypes;
  for (Value v : emitted)
    emitTypes.push_back(v.getType());
  auto scan = builder_.create<dlo::ScanOp>(loc(s.loc), mlir::ValueRange{timeMajor}, inits,
                                           captures.getArrayRef(), emitTypes, reverse);
  scan.getBody().push_back(block);

  std::vector<Val> out;
  for (Value stack : scan.getStacked())
    out.push_back(Val::ofTensor(moveAxis(*this, stack, 0, timeAxis, s.loc)));
  if (out.size() == 1)
    return out.front();
  return Val::ofList(std::move(out));
}

} // namespace dlc
