//===- Glue.h - The entry points of a model.so ------------------*- C++ -*-===//
//
// The glue calls a model's kernels at their memory-plan buffers and carries the typed entry points
// of the generated header; see Glue.cpp and runtime/include/dl/model_abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_GLUE_GLUE_H
#define DLC_CODEGEN_GLUE_GLUE_H

#include "compiler/codegen/ModelLayout.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace dl::codegen {

/// The glue as an MLIR module in the LLVM dialect (`dlc --emit=glue-mlir` would print it).
mlir::OwningOpRef<mlir::ModuleOp> buildGlueModule(mlir::MLIRContext &context,
                                                  const ModelLayout &layout);

/// The glue module as LLVM IR for the host (`dlc --emit=llvm`); null with `error` on failure.
std::unique_ptr<llvm::Module> translateGlue(mlir::ModuleOp glue, llvm::LLVMContext &llvmContext,
                                            std::string &error);

/// Writes `module` as a position-independent object file (`dlc --emit=obj`).
bool emitObject(llvm::Module &module, const std::string &path, std::string &error);

} // namespace dl::codegen

#endif // DLC_CODEGEN_GLUE_GLUE_H
