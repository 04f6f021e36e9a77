//===- dl-opt.cpp - mlir-opt with the dl dialect and passes ---------------===//
//
// Parses, verifies, transforms and prints dl IR, like mlir-opt: `dl-opt in.mlir -dl-autodiff`.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  mlir::dl::registerDLPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::dl::DLDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dl optimizer driver\n", registry));
}
