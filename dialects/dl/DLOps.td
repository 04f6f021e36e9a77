//===- DLOps.td - Operations of the dl dialect -------------*- tablegen -*-===//
//
// One file per op family; this file only gathers them for a single generation.
//
//===----------------------------------------------------------------------===//
#ifndef DL_OPS_TD
#define DL_OPS_TD

include "DLDialect.td"
include "DLEnums.td"
include "DLAttrs.td"
include "DLInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

include "ops/ModelOps.td"
include "ops/ElementwiseOps.td"
include "ops/LinalgOps.td"
include "ops/ConvOps.td"
include "ops/PoolingOps.td"
include "ops/UpsampleOps.td"
include "ops/EmbeddingOps.td"
include "ops/ReductionOps.td"
include "ops/ShapeOps.td"
include "ops/RandomOps.td"
include "ops/LossOps.td"
include "ops/FusionOps.td"
include "ops/ScanOps.td"
include "ops/AttentionOps.td"

#endif // DL_OPS_TD
