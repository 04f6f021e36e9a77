//===- DLOps.h - The dl dialect and its operations ----------------*- C++ -*-===//
//
// Include this header to use the dl dialect: it declares the dialect, its enumerations, attributes,
// the model's contracts (DLModel.h) and every op.
//
//===----------------------------------------------------------------------===//
#ifndef DL_DLOPS_H
#define DL_DLOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dl/DLDialect.h.inc"
#include "dl/DLEnums.h.inc"
#include "dl/DLInterfaces.h.inc"
#include "dl/DLModel.h"
#include "dl/DLTraits.h"

#define GET_ATTRDEF_CLASSES
#include "dl/DLAttrs.h.inc"

#define GET_OP_CLASSES
#include "dl/DLOps.h.inc"

#endif // DL_DLOPS_H
