//===- OpKinds.cpp - How the code generator sees each dl op -----------------===//
#include "compiler/transforms/OpKinds.h"

#include "dl/DLOps.h"

namespace mlir::dl {

OpKind opKind(Operation *op) {
  if (isa<MatmulOp>(op))
    return OpKind::Matmul;
  if (isa<SumOp, MeanOp, ReduceMaxOp, ReduceMinOp, LogSumExpOp, ArgmaxOp, SoftmaxOp, LogSoftmaxOp,
          MseOp, MaeOp, HuberOp, BceOp, BceWithLogitsOp, HingeOp, KlDivOp, CrossEntropyOp, NllOp,
          KlNormalOp>(op))
    return OpKind::Reduction;
  if (isa<TransposeOp, ReshapeOp, BroadcastToOp, SliceOp, PadOp, ConcatOp, SplitOp>(op))
    return OpKind::Index;
  return OpKind::Pointwise;
}

bool isFusible(Operation *op) {
  if (!isa<DLDialect>(op->getDialect()))
    return false;
  return !isa<ModelOp, ParamOp, BufferOp, TrainOp, LoadOp, StoreOp, FusionOp, YieldOp>(op);
}

bool isRandom(Operation *op) { return isa<DropoutOp, RandomNormalOp, RandomUniformOp>(op); }

} // namespace mlir::dl
