//===- CompileModel.h - From a planned model to model.so and friends --*- C++ -*-===//
//
// The back half of dlc: takes a module after dl-plan-memory and produces what --emit asks for:
//   so        the shared library (kernels + glue + runtime + Halide's runtime, linked)
//   header    the typed C header
//   memplan   the memory plan as a table
//   halide    Halide's lowered statements of every kernel
//   ptx       the PTX of every kernel (target cuda)
//   llvm      the glue as LLVM IR
//   obj       the glue as an object file
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_COMPILEMODEL_H
#define DLC_CODEGEN_COMPILEMODEL_H

#include "compiler/codegen/PhaseTimes.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace dl::codegen {

struct BuildOptions {
  std::string emit = "so";    ///< so, header, memplan, halide, ptx, llvm, obj
  std::string target = "cpu"; ///< --target: where the kernels run, cpu, cuda or cpu,cuda
  std::string cpu = "native"; ///< --cpu: native, x86-64-v3, x86-64-v4 (cuda: the host part)
  std::string output;         ///< The file for so and obj (required for them).
  std::string sourceName;     ///< The .dl file, named in the header.
  std::string model;          ///< --model: which dl.model when the file has several.
  PhaseTimes *times = nullptr; ///< --time-phases: where the phases' seconds go (may be null).
};

/// Builds `options.emit` from `module`. Text kinds are returned in `text`; so and obj are written
/// to options.output (whole or not at all). False with `error` on failure.
bool buildArtifact(mlir::ModuleOp module, const BuildOptions &options, std::string &text,
                   std::string &error);

} // namespace dl::codegen

#endif // DLC_CODEGEN_COMPILEMODEL_H
