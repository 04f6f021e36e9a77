//===- ReverseMode.h - Reverse-mode differentiation of a list of ops -*- C++ -*-===//
//
// The core of dl-autodiff, shared by a function body and a dl.scan body: given ops in execution
// order, which of their values are active (depend on something differentiated) and seed adjoints
// d(loss)/d(value), emits the vector-Jacobian products of the ops in reverse at the builder's
// insertion point, accumulating adjoints over every use. The rules come from VJPOpInterface, except
// dl.scan's, which is built here: a reverse scan (ScanGradient.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRANSFORMS_REVERSEMODE_H
#define DL_TRANSFORMS_REVERSEMODE_H

#include "dl/DLOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::dl {

class ReverseMode {
public:
  explicit ReverseMode(OpBuilder &builder) : b_(builder) {}

  /// Marks as active the results of every op in `ops` (in order) that reads an active value.
  /// `isSource(op)` says whether an op with no active operand is active by itself (a load of a
  /// trained parameter).
  void propagateActivity(ArrayRef<Operation *> ops, function_ref<bool(Operation *)> isSource);

  void markActive(Value v) { active_.insert(v); }
  bool isActive(Value v) const { return active_.contains(v); }

  /// Adds `g` to the adjoint of `v`.
  void accumulate(Value v, Value g);
  /// The adjoint of `v`, or null when nothing flowed into it.
  Value adjoint(Value v) const { return adjoint_.lookup(v); }

  /// Emits the reverse of `ops` (in execution order); fails after reporting at the op.
  LogicalResult reverse(ArrayRef<Operation *> ops);

  OpBuilder &builder() { return b_; }

private:
  LogicalResult reverseOp(Operation *op);

  OpBuilder &b_;
  llvm::DenseSet<Value> active_;
  llvm::DenseMap<Value, Value> adjoint_;
};

/// How reverse mode treats an op, by the declaration next to its definition (DLInterfaces.td).
enum class GradientRule {
  None,              ///< No declaration: differentiating through it is an error at the op.
  Source,            ///< DL_GradientSource: a computation starts here; nothing flows past it.
  NonDifferentiable, ///< DL_NonDifferentiable: an error where the loss depends on it.
  Scan,              ///< dl.scan: a reverse scan, built here (ScanGradient.cpp), which needs to
                     ///< know which operands are active.
  VJP,               ///< VJPOpInterface: the op's own rule.
  NoResults,         ///< Nothing to differentiate: it defines no value (store, the terminators,
                     ///< the model's structure).
};

/// The rule reverse mode applies to ops named `name`, in the order it asks (the op-coverage test
/// asks it of every dl op).
GradientRule gradientRule(OperationName name);

/// A zero tensor of `type`.
Value zerosOf(OpBuilder &b, Location loc, Type type);

/// Whether `v` is a tensor of floats (only those carry gradients).
bool isFloatTensor(Value v);

/// Builds the vector-Jacobian product of `scan` as a reverse scan (ScanGradient.cpp):
/// `resultGrads` holds one gradient per result (null: none), `operandGrads` receives one per
/// operand (null where the operand is inactive or not a float tensor).
LogicalResult buildScanVJP(ReverseMode &outer, ScanOp scan, ArrayRef<Value> resultGrads,
                           SmallVectorImpl<Value> &operandGrads);

} // namespace mlir::dl

#endif // DL_TRANSFORMS_REVERSEMODE_H
