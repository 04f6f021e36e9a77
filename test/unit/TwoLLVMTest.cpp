//===- TwoLLVMTest.cpp - MLIR/LLVM 19 and Halide/LLVM 14 in one process ---===//
//
// dlc needs two LLVMs at once: MLIR 19 (dl dialect, glue lowering to LLVM IR) and Halide 14 (kernels),
// which is built on LLVM 14. This test links both into one executable and uses both, in turn and
// interleaved, so that a packaging change that breaks their coexistence (unversioned symbols, a static
// LLVM archive, Halide headers meeting LLVM headers) fails here first rather than deep inside dlc.
//
// It does not test the dialect's rules (test/lit/dialect does) or Halide's code generation
// (test/unit/codegen does); it only shows that each side still works with the other loaded.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/HalideProbe.h"
#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace {

using ::testing::HasSubstr;

/// A model with a parameter, an entry function and a training step: enough for the dl dialect's
/// parser, type inference and symbol verifiers to run.
constexpr const char *kDlModule = R"mlir(
dl.model @xor {
  dl.param @hidden.W : tensor<2x8xf32> = "xavier_normal" {fan_in = 2 : i64, fan_out = 8 : i64}
  func.func @forward(%x: tensor<4x2xf32>) -> tensor<4x8xf32> {
    %w = dl.load @hidden.W : tensor<2x8xf32>
    %h = dl.matmul %x, %w : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
    %r = dl.relu %h : tensor<4x8xf32>
    return %r : tensor<4x8xf32>
  }
  func.func @loss(%x: tensor<4x2xf32>, %y: tensor<4x8xf32>) -> tensor<f32> {
    %p = func.call @forward(%x) : (tensor<4x2xf32>) -> tensor<4x8xf32>
    %l = dl.mse %p, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @train_step loss @loss params [@hidden.W]
      optimizer "sgd" {lr = 0.5 : f64, momentum = 0.0 : f64, nesterov = false}
      weight_decay 0.0 schedule "constant" {}
}
)mlir";

/// A function in MLIR's LLVM dialect, the form dlc's glue takes before it becomes LLVM IR.
constexpr const char *kLlvmDialectModule = R"mlir(
llvm.func @axpy(%a: f32, %x: f32, %y: f32) -> f32 {
  %0 = llvm.fmul %a, %x : f32
  %1 = llvm.fadd %0, %y : f32
  llvm.return %1 : f32
}
)mlir";

/// Parses and verifies the dl model; returns the number of dl ops in it, or -1 on failure.
int parseDlModel(std::string &diagnostics) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::dl::DLDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::raw_string_ostream os(diagnostics);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    os << d << "\n";
    return mlir::success();
  });

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kDlModule, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return -1;
  int dlOps = 0;
  module->walk([&](mlir::Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "dl")
      ++dlOps;
  });
  return dlOps;
}

/// Translates the LLVM-dialect function to LLVM 19 IR and verifies it; returns the IR text, or an
/// empty string on failure.
std::string translateToLlvmIr() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::LLVM::LLVMDialect>();
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kLlvmDialectModule, &context);
  if (!module)
    return "";
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> ir = mlir::translateModuleToLLVMIR(*module, llvmContext);
  if (!ir || llvm::verifyModule(*ir, &llvm::errs()))
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  ir->print(os, nullptr);
  return text;
}

/// Runs the Halide JIT on 0, 1, ..., n-1 and checks every result; returns Halide's error, if any.
::testing::AssertionResult halideAddsOne(int n) {
  std::vector<float> in(n), out(n, -1.0f);
  for (int i = 0; i < n; ++i)
    in[i] = 0.5f * i;
  std::string error;
  if (!dl::halide::jitAddOne(in.data(), out.data(), n, error))
    return ::testing::AssertionFailure() << "Halide failed: " << error;
  for (int i = 0; i < n; ++i)
    if (out[i] != in[i] + 1.0f)
      return ::testing::AssertionFailure() << "out[" << i << "] = " << out[i] << ", expected "
                                           << in[i] + 1.0f;
  return ::testing::AssertionSuccess();
}

/// The shared objects mapped into this process whose file name contains `part`.
std::vector<std::string> mappedLibraries(const std::string &part) {
  std::ifstream maps("/proc/self/maps");
  std::vector<std::string> found;
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos)
      continue;
    std::string path = line.substr(slash);
    std::string name = path.substr(path.rfind('/') + 1);
    if (name.find(part) != std::string::npos &&
        std::find(found.begin(), found.end(), path) == found.end())
      found.push_back(path);
  }
  return found;
}

TEST(TwoLLVM, MlirParsesAndVerifiesTheDlDialect) {
  std::string diagnostics;
  // param, load, matmul, relu, mse, train and the model itself.
  EXPECT_EQ(parseDlModel(diagnostics), 7) << diagnostics;
}

TEST(TwoLLVM, MlirTranslatesToLlvm19Ir) {
  static_assert(LLVM_VERSION_MAJOR == 19, "MLIR's side must be LLVM 19");
  std::string ir = translateToLlvmIr();
  EXPECT_THAT(ir, HasSubstr("define float @axpy(float %0, float %1, float %2)"));
  EXPECT_THAT(ir, HasSubstr("fadd float"));
}

TEST(TwoLLVM, HalideJitRunsOnTheHost) {
  EXPECT_THAT(dl::halide::hostTargetName(), HasSubstr("x86-64-linux"));
  // 37 is not a multiple of the vector width, so the tail is exercised too.
  EXPECT_TRUE(halideAddsOne(37));
  EXPECT_TRUE(halideAddsOne(1));
}

TEST(TwoLLVM, HalideReportsErrorsWithoutThrowing) {
  std::string error;
  float x = 0;
  EXPECT_FALSE(dl::halide::jitAddOne(&x, &x, 0, error));
  EXPECT_THAT(error, HasSubstr("at least one element"));
}

TEST(TwoLLVM, BothWorkInterleavedInOneProcess) {
  std::string diagnostics;
  ASSERT_EQ(parseDlModel(diagnostics), 7) << diagnostics;
  ASSERT_TRUE(halideAddsOne(1000));
  ASSERT_THAT(translateToLlvmIr(), HasSubstr("@axpy"));
  ASSERT_TRUE(halideAddsOne(17));
  ASSERT_EQ(parseDlModel(diagnostics), 7) << diagnostics;

  // Both LLVMs really are loaded: Halide's libLLVM-14 and MLIR's libLLVM 19.
  std::vector<std::string> llvms = mappedLibraries("libLLVM");
  std::string all;
  for (const std::string &l : llvms)
    all += l + "\n";
  EXPECT_THAT(all, HasSubstr("libLLVM-14")) << all;
  EXPECT_THAT(all, HasSubstr("libLLVM.so.19")) << all;
}

} // namespace
