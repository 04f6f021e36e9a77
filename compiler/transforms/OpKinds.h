//===- OpKinds.h - How the code generator sees each dl op -------*- C++ -*-===//
//
// The classification dl-fuse groups by and dl-plan-memory reasons with (see Fuse.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DL_TRANSFORMS_OPKINDS_H
#define DL_TRANSFORMS_OPKINDS_H

#include "mlir/IR/Operation.h"

#include <cstdint>

namespace mlir::dl {

enum class OpKind { Pointwise, Index, Reduction, Matmul, Attention };

/// The kind of a fusible op (see isFusible).
OpKind opKind(Operation *op);

/// Whether `op` computes a tensor a kernel can compute: every dl op but the model structure
/// (model, param, buffer, train), load, store, fusion and yield.
bool isFusible(Operation *op);

/// The step of an unrolled scan an op belongs to (dl-unroll-scans); dl-fuse groups no two steps.
constexpr llvm::StringLiteral kStepAttr = "dl.step";

/// The `dl.step` of `op`, or -1 for an op outside every unrolled scan.
int64_t scanStep(Operation *op);

/// dropout, random_normal, random_uniform.
bool isRandom(Operation *op);

} // namespace mlir::dl

#endif // DL_TRANSFORMS_OPKINDS_H
