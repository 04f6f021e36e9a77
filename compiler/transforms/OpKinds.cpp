//===- OpKinds.cpp - How the code generator sees each dl op -----------------===//
#include "compiler/transforms/OpKinds.h"

#include "dl/DLOps.h"

namespace mlir::dl {

OpKind opKind(Operation *op) {
  // Convolutions are contractions like matmul: one per kernel, with element-wise epilogues.
  if (isa<MatmulOp, Conv2dOp, Conv2dGradInputOp, Conv2dGradWeightOp>(op))
    return OpKind::Matmul;
  // Attention and its gradients compute a head's scores in a tile: their kernel holds them alone,
  // with the re-indexing of their operands.
  if (isa<AttentionOp, AttentionGradOp>(op))
    return OpKind::Attention;
  // Pooling (and its gradients) reduces over windows, with element-wise producers inlined.
  if (isa<MaxPool2dOp, MaxPool2dGradOp, AvgPool2dOp, AvgPool2dGradOp>(op))
    return OpKind::Reduction;
  if (isa<SumOp, MeanOp, ReduceMaxOp, ReduceMinOp, LogSumExpOp, ArgmaxOp, SoftmaxOp, LogSoftmaxOp,
          MseOp, MaeOp, HuberOp, BceOp, BceWithLogitsOp, HingeOp, KlDivOp, CrossEntropyOp, NllOp,
          KlNormalOp>(op))
    return OpKind::Reduction;
  if (isa<TransposeOp, ReshapeOp, BroadcastToOp, SliceOp, PadOp, ConcatOp, SplitOp>(op))
    return OpKind::Index;
  // The embedding lookup reads each result element from one table element, like a slice whose
  // rows the ids pick: it fuses into its consumers, a matmul's included, and is not element-wise
  // (dl-plan-memory writes a result over an operand only through element-wise ops, and a gathered
  // table has the table's shape when the ids are [V]). Its gradient adds rows at data-dependent
  // places: a reduction that absorbs its producers and is never another op's epilogue.
  if (isa<EmbeddingOp>(op))
    return OpKind::Index;
  if (isa<EmbeddingGradOp>(op))
    return OpKind::Reduction;
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
