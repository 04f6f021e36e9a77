//===- OpKinds.cpp - How the code generator sees each dl op -----------------===//
#include "compiler/transforms/OpKinds.h"

#include "dl/DLOps.h"

namespace mlir::dl {

OpKind opKind(Operation *op) {
  // Convolutions are contractions like matmul: one per kernel, with element-wise epilogues.
  if (isa<MatmulOp, Conv2dOp, Conv2dGradInputOp, Conv2dGradWeightOp>(op))
    return OpKind::Matmul;
  // Pooling (and its gradients) reduces over windows, with element-wise producers inlined.
  if (isa<MaxPool2dOp, MaxPool2dGradOp, AvgPool2dOp, AvgPool2dGradOp>(op))
    return OpKind::Reduction;
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
  return !isa<ModelOp, ParamOp, BufferOp, TrainOp, LoadOp, StoreOp, FusionOp, YieldOp, ScanOp,
                  ScanYieldOp>(op);
}

int64_t scanStep(Operation *op) {
  auto step = op->getAttrOfType<IntegerAttr>(kStepAttr);
  return step ? step.getInt() : -1;
}

bool isRandom(Operation *op) { return isa<DropoutOp, RandomNormalOp, RandomUniformOp>(op); }

} // namespace mlir::dl
