//===- OpKinds.h - How the code generator sees each dl op -------*- C++ -*-===//
//
// The classification dl-fuse groups by and dl-plan-memory reasons with (see Fuse.cpp). Each op
// declares it in its .td definition (dialects/dl/DLFusionClasses.td); this file only reads it.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRANSFORMS_OPKINDS_H
#define DL_TRANSFORMS_OPKINDS_H

#include "mlir/IR/Operation.h"

#include <cstdint>

namespace mlir::dl {

/// The fusion classes of DLFusionClasses.td that a kernel can hold (all but NotFusible).
enum class OpKind { Pointwise, Reindex, Reduction, Contraction, Attention };

/// The fusion class of a fusible op (see isFusible). Any other op is a caller's bug: reported at
/// the op, then fatal.
OpKind opKind(Operation *op);

/// Whether `op` computes a tensor a kernel can compute: a dl op whose class is not NotFusible
/// (the model structure, load, store, fusion, yield and the scan ops are).
bool isFusible(Operation *op);

/// The step of an unrolled scan an op belongs to (dl-unroll-scans); dl-fuse groups no two steps.
constexpr llvm::StringLiteral kStepAttr = "dl.step";

/// The `dl.step` of `op`, or -1 for an op outside every unrolled scan.
int64_t scanStep(Operation *op);

/// Whether `op` draws random numbers (DL_Random: dropout, random_normal, random_uniform and the
/// augmentations).
bool isRandom(Operation *op);

} // namespace mlir::dl

#endif // DL_TRANSFORMS_OPKINDS_H
