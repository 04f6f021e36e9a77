//===- Fuse.cpp - Kernel regions ---------------------------------------------===//
//
// The dl-fuse pass (see Passes.td): groups the ops of every entry function of a model
// (ModelOp::getEntries) into dl.fusion regions, each of which becomes one kernel.
//
// Ops fall into five kinds, the fusion class each declares (dialects/dl/DLFusionClasses.td, read
// through OpKinds.h):
//   contraction matmul, conv2d and its gradients: at most one per kernel; its element-wise
//               consumers become its epilogue
//   attention   attention and attention_grad: a kernel of their own, where the three gradients of
//               one attention (same operands) join first, so they compute the weights once
//   reduction   sum, mean, max, min, logsumexp, argmax, argmin, cumsum, topk, softmax, log_softmax, the
//               losses, pooling and its gradients, and embedding_grad (a scatter-add)
//   reindex     transpose, reshape, broadcast_to, slice, pad, concat, split, embedding (a gather):
//               re-indexing, fused into their consumers only (so a transpose feeding a matmul is
//               an access pattern of that matmul, not a copy)
//   pointwise   element-wise math, cmp, select, cast, one_hot, constants, random draws
// Visiting ops in order, a producer's group merges into its consumer's group when
//   - the consumer is pointwise or a reduction, and the union holds at most one contraction; or
//   - the consumer is a contraction or an attention op and the producer's group is all reindex ops;
// and a one-element value that a group with a whole-tensor reduction computed (gradient clipping's
// factor) is not what joins it to a many-element consumer (the factor goes to each update as an
// input);
// and the merge creates no cycle between groups (a group never both feeds and waits for another),
// and both ops belong to the same step of an unrolled scan (dl.step, dl-unroll-scans) or to none:
// the steps' kernels stay alike, so one compiled kernel serves every step; and both ops lie between
// the same two scans kept as loops (a loop is a barrier: its kernels run between the kernels before
// it and after it); and the union holds at most kMaxKernelOps ops.
// The body of a scan kept as a loop is grouped the same way, on its own: its kernels run once per
// step and read the step's slices, the carries and the captures as their inputs.
// Then reductions of the same value (softmax and cross-entropy of one set of logits) join, when
// neither waits for the other.
// A value computed in a group and used outside it becomes an output of the kernel: this is how
// values kept for the backward pass (a ReLU's mask, a dropout's output) leave the forward kernels.
//
// Before grouping, constants and one-element element-wise or reindex ops computed from constants,
// loads and arguments (an optimizer's bias corrections, a learning rate, a loss's gradient seed;
// not a scalar computed from a reduction) are cloned for each user and join any
// consumer, so every kernel recomputes its own scalars instead of
// waiting for a scalar kernel; loads that follow a store of the same symbol read the stored value,
// and every store moves to the end of its function (the memory planner relies on both).
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/OpKinds.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::dl {
#define GEN_PASS_DEF_FUSE
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

/// A load after a store of the same symbol reads the stored value; then stores move to the end.
void forwardStoresAndSink(func::FuncOp func) {
  Block &block = func.getBody().front();
  llvm::StringMap<Value> stored;
  llvm::StringMap<StoreOp> lastStore;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto store = dyn_cast<StoreOp>(op)) {
      StringRef name = store.getName();
      if (StoreOp previous = lastStore.lookup(name))
        previous->erase(); // Overwritten before the function ends.
      stored[name] = store.getValue();
      lastStore[name] = store;
    } else if (auto load = dyn_cast<LoadOp>(op)) {
      if (Value v = stored.lookup(load.getName())) {
        load.getResult().replaceAllUsesWith(v);
        load->erase();
      }
    }
  }
  Operation *terminator = block.getTerminator();
  for (StoreOp store : llvm::to_vector(block.getOps<StoreOp>()))
    store->moveBefore(terminator);
}

/// Erases computations nobody reads (an optimizer's step count that its update does not use).
void eraseDeadOps(Block &block) {
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if ((isFusible(op) || isa<LoadOp>(op)) && op->use_empty())
      op->erase();
}

/// The most ops (cheap copies aside) one kernel holds. Without a bound, element-wise chains that
/// share one scalar join into one kernel: with gradient clipping, every parameter's optimizer
/// update reads the clipping factor, and a Transformer's update became a single pipeline of 87
/// outputs whose Halide lowering alone took 20 seconds, on one core.
constexpr size_t kMaxKernelOps = 48;

/// Cheap ops worth recomputing in each kernel that uses them: small constants, and element-wise
/// or reindex ops with at most one element (scalars an optimizer or a loss gradient computes)
/// from constants, loads and arguments only. One-element loads (an optimizer's step count) are
/// copied too, so that each kernel reads the symbol through a load of its own; a load computes
/// nothing, so a copy costs nothing. A scalar computed from a reduction (gradient clipping's
/// factor, from the sums of squares of every gradient) is computed once and read by its users: a
/// copy in each user's kernel would take the reductions along, or, where the copies met in one
/// kernel, make one output of each (a Transformer's clipping kernel had 29 copies of its factor).
bool isDuplicable(Operation *op) {
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    auto value = constant.getValue();
    return value.isSplat() || value.getNumElements() <= 64;
  }
  if (!isa<LoadOp>(op)) {
    if (!isFusible(op))
      return false;
    OpKind kind = opKind(op);
    if (kind == OpKind::Contraction || kind == OpKind::Reduction || kind == OpKind::Attention ||
        isRandom(op))
      return false;
  }
  if (op->getNumResults() != 1)
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || type.getNumElements() > 1)
    return false;
  for (Value operand : op->getOperands())
    if (Operation *definer = operand.getDefiningOp(); definer && !isDuplicable(definer))
      return false;
  return true;
}

/// The elements of `op`'s first result (1 for a scalar; 0 when it has no ranked result).
int64_t elementsOf(Operation *op) {
  if (op->getNumResults() == 0)
    return 0;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

/// Gives every user of a duplicable op its own copy (users first, so chains copy whole).
void cloneCheapOpsPerUser(Block &block) {
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    ops.push_back(&op);
  OpBuilder builder(block.getParentOp()->getContext());
  for (Operation *op : llvm::reverse(ops)) {
    if (!isDuplicable(op))
      continue;
    llvm::MapVector<Operation *, SmallVector<OpOperand *>> usesByUser;
    for (OpOperand &use : op->getResult(0).getUses())
      usesByUser[use.getOwner()].push_back(&use);
    if (usesByUser.size() < 2)
      continue;
    builder.setInsertionPointAfter(op);
    // The first user keeps the original; each other user gets a copy.
    for (auto &entry : llvm::drop_begin(usesByUser)) {
      Operation *copy = builder.clone(*op);
      for (OpOperand *use : entry.second)
        use->set(copy->getResult(0));
    }
  }
}

/// Groups of ops (by position in the block) and the kernel-level graph between them.
class Grouping {
public:
  explicit Grouping(Block &block) {
    unsigned segment = 0;
    for (Operation &op : block) {
      if (isa<ScanOp>(op))
        ++segment;
      if (isFusible(&op)) {
        index_[&op] = ops_.size();
        ops_.push_back(&op);
        segment_[&op] = segment;
        classes_.insert(&op);
      }
    }
    for (Operation *op : ops_)
      for (Operation *user : op->getUsers())
        if (index_.count(user))
          users_[op].push_back(user);
  }

  void run() {
    joinAttentionGradients();
    for (Operation *consumer : ops_)
      for (Value operand : consumer->getOperands()) {
        Operation *producer = operand.getDefiningOp();
        if (!producer || !index_.count(producer) || same(producer, consumer))
          continue;
        if (mayMerge(producer, consumer))
          merge(producer, consumer);
      }
    // Siblings: reductions of one value (softmax and cross-entropy of the same logits) read it once.
    for (Operation *op : ops_) {
      if (opKind(op) != OpKind::Reduction)
        continue;
      for (Value operand : op->getOperands())
        for (Operation *other : operand.getUsers())
          if (other != op && index_.count(other) && opKind(other) == OpKind::Reduction &&
              sameStage(op, other) &&
              sizeOf(leader(op)) + sizeOf(leader(other)) <= kMaxKernelOps &&
              !same(op, other) && contractionsIn(leader(op)) + contractionsIn(leader(other)) <= 1 &&
              !reaches(leader(op), leader(other)) && !reaches(leader(other), leader(op)))
            merge(op, other);
    }
  }

  /// The groups in an order that respects their dependences; among ready groups, the one whose
  /// first op comes first (copies of cheap ops aside: they sit next to their originals).
  std::vector<std::vector<Operation *>> orderedGroups() {
    llvm::MapVector<Operation *, std::vector<Operation *>> members;
    for (Operation *op : ops_)
      if (!isDuplicable(op))
        members[leader(op)].push_back(op);
    for (Operation *op : ops_)
      if (isDuplicable(op))
        members[leader(op)].push_back(op);
    llvm::DenseMap<Operation *, unsigned> pending;
    llvm::DenseMap<Operation *, llvm::SmallDenseSet<Operation *>> successors;
    for (auto &[lead, list] : members) {
      pending[lead];
      for (Operation *succ : successorLeaders(lead))
        if (successors[lead].insert(succ).second)
          ++pending[succ];
    }
    std::vector<std::vector<Operation *>> order;
    llvm::DenseSet<Operation *> done;
    while (order.size() < members.size()) {
      Operation *next = nullptr;
      for (auto &[lead, list] : members)
        if (!done.count(lead) && pending[lead] == 0) {
          next = lead;
          break;
        }
      assert(next && "kernel groups form a cycle");
      done.insert(next);
      order.push_back(members[next]);
      for (Operation *succ : successors[next])
        --pending[succ];
    }
    return order;
  }

private:
  /// The gradients of one attention with respect to q, k and v read the same operands: one group.
  void joinAttentionGradients() {
    for (Operation *op : ops_) {
      auto grad = dyn_cast<AttentionGradOp>(op);
      if (!grad)
        continue;
      for (Operation *other : grad.getQ().getUsers()) {
        auto sibling = dyn_cast<AttentionGradOp>(other);
        if (sibling && sibling != grad && index_.count(other) && !same(op, other) &&
            llvm::equal(sibling->getOperands(), grad->getOperands()) &&
            sibling.getCausal() == grad.getCausal() && sibling.getScale() == grad.getScale() &&
            sameStage(op, other))
          merge(op, other);
      }
    }
  }

  Operation *leader(Operation *op) { return classes_.getLeaderValue(op); }

  /// Whether two ops may share a kernel at all: the same step of an unrolled scan (or none), and
  /// no loop between them.
  bool sameStage(Operation *a, Operation *b) {
    return scanStep(a) == scanStep(b) && segment_.lookup(a) == segment_.lookup(b);
  }

public:
  /// The ops between the same two loops share a segment: 0 before the first scan, 1 after it...
  unsigned segmentOf(Operation *op) { return segment_.lookup(op); }

private:
  bool same(Operation *a, Operation *b) { return leader(a) == leader(b); }

  std::vector<Operation *> membersOf(Operation *lead) {
    std::vector<Operation *> list;
    for (auto it = classes_.member_begin(classes_.findValue(lead)); it != classes_.member_end(); ++it)
      list.push_back(*it);
    return list;
  }

  /// The ops of kind `kind` in group `lead`.
  int countIn(Operation *lead, OpKind kind) {
    int n = 0;
    for (Operation *op : membersOf(lead))
      n += opKind(op) == kind;
    return n;
  }
  int contractionsIn(Operation *lead) { return countIn(lead, OpKind::Contraction); }
  int attentionsIn(Operation *lead) { return countIn(lead, OpKind::Attention); }

  bool allReindex(Operation *lead) {
    for (Operation *op : membersOf(lead))
      if (opKind(op) != OpKind::Reindex)
        return false;
    return true;
  }

  bool containsConcat(Operation *lead) {
    return llvm::any_of(membersOf(lead), [](Operation *op) { return isa<ConcatOp>(op); });
  }

  bool allDuplicable(Operation *lead) {
    for (Operation *op : membersOf(lead))
      if (!isDuplicable(op))
        return false;
    return true;
  }

  /// The ops of group `lead` that are not cheap copies (isDuplicable).
  size_t sizeOf(Operation *lead) {
    size_t n = 0;
    for (Operation *op : membersOf(lead))
      n += !isDuplicable(op);
    return n;
  }

  /// Whether group `lead` holds a reduction to one element (a sum of squares of a whole tensor).
  bool holdsFullReduction(Operation *lead) {
    return llvm::any_of(membersOf(lead), [](Operation *op) {
      return opKind(op) == OpKind::Reduction && elementsOf(op) == 1;
    });
  }

  bool mayMerge(Operation *producer, Operation *consumer) {
    Operation *p = leader(producer), *c = leader(consumer);
    if (allDuplicable(p))
      return !reachesThroughOther(p, c);
    if (sizeOf(p) + sizeOf(c) > kMaxKernelOps)
      return false;
    // A scalar computed from whole-tensor reductions (gradient clipping's factor, from the sums of
    // squares of every gradient) reaches its many-element users as a kernel input: merged into
    // them, the reductions and all they read would join the first user's kernel, as they did a
    // Transformer's: 16 sums of squares, 16 gradients as outputs and the factor in one kernel of
    // 84 nodes, 3 CPU s to compile, where each update can scale its own gradient.
    if (elementsOf(producer) == 1 && elementsOf(consumer) > 1 && holdsFullReduction(p))
      return false;
    // The steps of an unrolled scan stay apart, so that their kernels are alike; a loop keeps the
    // kernels before it and after it apart.
    if (!sameStage(producer, consumer))
      return false;
    switch (opKind(consumer)) {
    case OpKind::Reindex:
      // A chain of reshapes and transposes joins, so that its consumer takes the whole chain as
      // its access pattern instead of reading a copy of all but the last link. Only a link with
      // one user (joining a fan-out, a split's parts, would hand every part to whichever consumer
      // comes first), and never a concatenation: read through, the 64 steps an unrolled scan
      // stacks become a 64-way select per element of the product that reads them.
      if (!isa<ReshapeOp, TransposeOp>(consumer) || !allReindex(p) || !allReindex(c) ||
          containsConcat(p) || !llvm::hasSingleElement(producer->getUsers()))
        return false;
      break;
    case OpKind::Contraction:
      if (!allReindex(p) || attentionsIn(c) > 0)
        return false;
      break;
    case OpKind::Attention:
      if (!allReindex(p))
        return false;
      break;
    case OpKind::Pointwise:
    case OpKind::Reduction:
      if (contractionsIn(p) + contractionsIn(c) > 1 || attentionsIn(p) + attentionsIn(c) > 0)
        return false;
      break;
    }
    return !reachesThroughOther(p, c);
  }

  void merge(Operation *a, Operation *b) {
    Operation *la = leader(a), *lb = leader(b);
    classes_.unionSets(a, b);
    Operation *merged = leader(a);
    // The users of the merged group, kept by leader (the reachability walks read them often);
    // users now inside the group drop out.
    SmallVector<Operation *> users;
    for (Operation *lead : {la, lb}) {
      for (Operation *user : users_[lead])
        if (!same(user, merged))
          users.push_back(user);
      if (lead != merged)
        users_.erase(lead);
    }
    users_[merged] = std::move(users);
  }

  /// Leaders of the groups that use a value of group `lead`.
  llvm::SmallVector<Operation *> successorLeaders(Operation *lead) {
    llvm::SmallVector<Operation *> out;
    llvm::SmallDenseSet<Operation *> seen;
    for (Operation *user : users_.lookup(lead))
      if (!same(user, lead) && seen.insert(leader(user)).second)
        out.push_back(leader(user));
    return out;
  }

  /// Whether group `from` reaches group `to` at all.
  bool reaches(Operation *from, Operation *to) {
    SmallVector<Operation *> stack{from};
    llvm::DenseSet<Operation *> visited{from};
    while (!stack.empty())
      for (Operation *succ : successorLeaders(stack.pop_back_val())) {
        if (succ == to)
          return true;
        if (visited.insert(succ).second)
          stack.push_back(succ);
      }
    return false;
  }

  /// Whether group `from` reaches group `to` through at least one other group.
  bool reachesThroughOther(Operation *from, Operation *to) {
    SmallVector<Operation *> stack;
    llvm::DenseSet<Operation *> visited;
    for (Operation *succ : successorLeaders(from))
      if (succ != to && visited.insert(succ).second)
        stack.push_back(succ);
    while (!stack.empty()) {
      Operation *g = stack.pop_back_val();
      for (Operation *succ : successorLeaders(g)) {
        if (succ == to)
          return true;
        if (visited.insert(succ).second)
          stack.push_back(succ);
      }
    }
    return false;
  }

  std::vector<Operation *> ops_;
  llvm::DenseMap<Operation *, size_t> index_;
  llvm::DenseMap<Operation *, unsigned> segment_;
  llvm::EquivalenceClasses<Operation *> classes_;
  /// For each group's leader, the ops outside it that use a value of its members (repeats allowed).
  llvm::DenseMap<Operation *, SmallVector<Operation *>> users_;
};

std::string cName(StringRef s) {
  std::string out;
  for (char c : s)
    out += (isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

/// Replaces the ops of `group` (in block order) with one dl.fusion before `insertBefore`.
void outline(std::vector<Operation *> group, Operation *insertBefore, StringRef kernelName) {
  llvm::sort(group, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  llvm::DenseSet<Operation *> members(group.begin(), group.end());

  llvm::SetVector<Value> inputs;
  SmallVector<Value> outputs;
  for (Operation *op : group) {
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || !members.count(def))
        inputs.insert(operand);
    }
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *u) { return !members.count(u); }))
        outputs.push_back(result);
  }

  OpBuilder builder(insertBefore);
  Location loc = group.front()->getLoc();
  auto fusion = builder.create<FusionOp>(loc, ValueRange(outputs).getTypes(),
                                         builder.getStringAttr(kernelName), inputs.getArrayRef());
  Block *body = builder.createBlock(&fusion.getBody());
  IRMapping map;
  for (Value input : inputs)
    map.map(input, body->addArgument(input.getType(), input.getLoc()));
  for (Operation *op : group)
    builder.clone(*op, map)->removeAttr(kStepAttr);
  SmallVector<Value> yielded;
  for (Value v : outputs)
    yielded.push_back(map.lookup(v));
  builder.create<YieldOp>(loc, yielded);

  for (auto [original, result] : llvm::zip(outputs, fusion.getResults()))
    original.replaceUsesWithIf(result, [&](OpOperand &use) { return !members.count(use.getOwner()); });
  for (Operation *op : llvm::reverse(group))
    op->erase();
}

/// Groups the fusible ops of `block` into kernels. A group goes before the first scan that follows
/// its ops (or before `end`), in dependence order.
void fuseBlock(Block &block, Operation *end, StringRef prefix, unsigned &kernelCounter) {
  eraseDeadOps(block);
  cloneCheapOpsPerUser(block);
  Grouping grouping(block);
  grouping.run();
  std::vector<std::vector<Operation *>> groups = grouping.orderedGroups();
  SmallVector<Operation *> barriers(block.getOps<ScanOp>());
  barriers.push_back(end);
  for (auto &group : groups) {
    // A cheap copy (a constant, a step count) may join a kernel of a later segment: the group runs
    // in the segment of its latest op.
    unsigned segment = 0;
    for (Operation *op : group)
      segment = std::max(segment, grouping.segmentOf(op));
    outline(group, barriers[segment], (prefix + "_k" + std::to_string(kernelCounter++)).str());
  }
}

LogicalResult fuseFunction(func::FuncOp func, StringRef modelName, unsigned &kernelCounter) {
  if (func.getBody().empty())
    return success();
  Block &block = func.getBody().front();
  auto compilable = [](Operation &op) {
    if (isFusible(&op))
      return true;
    if (isa<LoadOp, StoreOp, func::ReturnOp>(op))
      return true;
    auto scan = dyn_cast<ScanOp>(op);
    return scan && llvm::all_of(scan.getBodyBlock(), [](Operation &inner) {
             return isFusible(&inner) || isa<ScanYieldOp>(inner);
           });
  };
  for (Operation &op : block)
    if (!compilable(op))
      return op.emitError() << "'" << op.getName() << "' cannot be compiled into a kernel";
  forwardStoresAndSink(func);
  std::string prefix = cName(modelName) + "_" + cName(func.getSymName());
  // Kernels go after the loads and before the stores, in dependence order.
  Operation *end = block.getTerminator();
  for (Operation &op : block)
    if (isa<StoreOp>(op)) {
      end = &op;
      break;
    }
  fuseBlock(block, end, prefix, kernelCounter);
  for (ScanOp scan : block.getOps<ScanOp>())
    fuseBlock(scan.getBodyBlock(), scan.getBodyBlock().getTerminator(), prefix, kernelCounter);
  return success();
}

struct FusePass : mlir::dl::impl::FuseBase<FusePass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation().walk([&](ModelOp model) {
      unsigned counter = 0;
      for (const Entry &entry : model.getEntries())
        if (!entry.split && // A split entry's function is its grad entry's, fused as that.
            mlir::failed(fuseFunction(entry.function, model.getSymName(), counter)))
          failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
