//===- dl-opt.cpp - mlir-opt with the dl dialect and passes ---------------===//
//
// Parses, verifies, transforms and prints dl IR, like mlir-opt: `dl-opt in.mlir -dl-autodiff`.
// `--dl-pipeline=STAGE` runs dlc's own pipeline up to STAGE (compiler/transforms/Pipeline.h)
// before any pass named after it, so `dlc m.dl --emit=mlir | dl-opt --dl-pipeline=planned` prints
// what `dlc m.dl --emit=mlir --stage=planned` does.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "compiler/transforms/Pipeline.h"
#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace {

llvm::cl::opt<std::string> dlPipeline(
    "dl-pipeline",
    llvm::cl::desc("Run dlc's pipeline up to this stage first: parsed, autodiff, train, fused or "
                   "planned (what dlc --emit=mlir --stage=STAGE prints)"),
    llvm::cl::value_desc("stage"), llvm::cl::init(""));

} // namespace

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  mlir::dl::registerDLPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::dl::DLDialect, mlir::func::FuncDialect>();
  auto [inputFilename, outputFilename] =
      mlir::registerAndParseCLIOptions(argc, argv, "dl optimizer driver\n", registry);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  if (!dlPipeline.empty()) {
    std::optional<mlir::dl::Stage> stage = mlir::dl::parseStage(dlPipeline);
    if (!stage) {
      llvm::errs() << "dl-opt: error: unknown --dl-pipeline stage '" << dlPipeline << "' (expected "
                   << mlir::dl::stageNames() << ")\n";
      return 1;
    }
    // dlc's stages first, then whatever passes the command line names.
    mlir::MlirOptMainConfig named = config;
    config.setPassPipelineSetupFn([named, stage](mlir::PassManager &pm) {
      mlir::dl::buildPipeline(pm, *stage);
      return named.setupPassPipeline(pm);
    });
  }

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << "dl-opt: error: " << error << "\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "dl-opt: error: " << error << "\n";
    return 1;
  }
  if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
