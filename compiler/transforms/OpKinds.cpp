//===- OpKinds.cpp - How the code generator sees each dl op -----------------===//
//
// Reads the fusion class each op declares (dialects/dl/DLFusionClasses.td). There is no default:
// DL_Op refuses to build an op without exactly one class, and opKind refuses an op outside them.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/OpKinds.h"

#include "dl/DLOps.h"

#include "llvm/Support/ErrorHandling.h"

namespace mlir::dl {

OpKind opKind(Operation *op) {
  if (op->hasTrait<fusion::Pointwise>())
    return OpKind::Pointwise;
  if (op->hasTrait<fusion::Reindex>())
    return OpKind::Reindex;
  if (op->hasTrait<fusion::Reduction>())
    return OpKind::Reduction;
  if (op->hasTrait<fusion::Contraction>())
    return OpKind::Contraction;
  if (op->hasTrait<fusion::Attention>())
    return OpKind::Attention;
  // Treating such an op as element-wise would let dl-plan-memory write over an operand it may
  // still read; a kernel cannot hold it at all.
  op->emitOpError("has no fusion class a kernel can hold (dialects/dl/DLFusionClasses.td)");
  llvm::report_fatal_error("opKind: '" + op->getName().getStringRef() + "' is not fusible");
}

bool isFusible(Operation *op) {
  if (!isa<DLDialect>(op->getDialect()))
    return false;
  return !op->hasTrait<fusion::NotFusible>();
}

int64_t scanStep(Operation *op) {
  auto step = op->getAttrOfType<IntegerAttr>(kStepAttr);
  return step ? step.getInt() : -1;
}

bool isRandom(Operation *op) { return op->hasTrait<Random>(); }

} // namespace mlir::dl
