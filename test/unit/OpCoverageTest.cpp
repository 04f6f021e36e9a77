//===- OpCoverageTest.cpp - Every dl op is covered by every layer ---------===//
//
// Walks the ops the dl dialect registers in an MLIRContext and asks each layer of dlc about each
// op, the way that layer dispatches:
//   - autodiff: a gradient rule, or a declaration that there is none (gradientRule, ReverseMode.h);
//   - dl-fuse and dl-plan-memory: exactly one fusion class (dialects/dl/DLFusionClasses.td);
//   - the interpreter: a kernel, or the driver's own handling (runsOp, Interpreter.h);
//   - the Halide translation, for every op a kernel can hold: an entry of its op table, compared
//     by name (halideLoweredOps, HalideCodegen.h), or a rewrite by the kernel extraction;
//   - the frontend: a builtin or a form of the language, or the reason there is none (OpSurface.h).
// A new op that misses one fails here, with the op and the file to edit in the message.
//
// It does not check that the rules are right: the gradient tests, the interpreter's tests and the
// codegen-versus-interpreter tests do.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/KernelExtraction.h"
#include "compiler/codegen/halide/HalideCodegen.h"
#include "compiler/frontend/OpSurface.h"
#include "compiler/interpreter/Interpreter.h"
#include "compiler/transforms/ReverseMode.h"
#include "dl/DLOps.h"

#include "mlir/IR/MLIRContext.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace mlir;
namespace mdl = mlir::dl;
using ::testing::IsEmpty;

namespace {

/// Ops the interpreter never meets in a function body it runs, and why that is right.
const std::map<std::string, std::string> kNotInterpreted = {
    {"dl.model", "the interpreter is made for one model and runs its functions"},
    {"dl.param", "a declaration: initialize() draws the value, dl.load and dl.store use it"},
    {"dl.buffer", "a declaration: initialize() draws the value, dl.load and dl.store use it"},
    {"dl.train", "configuration: dl-expand-optimizers turns it into the function the "
                 "interpreter runs"},
    {"dl.fusion", "dl-fuse makes kernels for the code generator; the interpreter runs the IR "
                  "before it, the oracle the kernels are compared with"},
    {"dl.yield", "the end of a dl.fusion (see dl.fusion)"},
};

class OpCoverage : public ::testing::Test {
protected:
  OpCoverage() {
    context_.loadDialect<mdl::DLDialect>();
    for (RegisteredOperationName name : context_.getRegisteredOperations())
      if (name.getDialectNamespace() == mdl::DLDialect::getDialectNamespace())
        ops_.push_back(name);
  }

  /// Whether a kernel can hold ops named `name` (all fusion classes but NotFusible).
  static bool fusible(RegisteredOperationName name) {
    return !name.hasTrait<mdl::fusion::NotFusible>();
  }

  /// `name` without "dl.", as a codegen::KernelNode names its op.
  static std::string nodeName(RegisteredOperationName name) {
    return name.getStringRef().drop_front(name.getDialectNamespace().size() + 1).str();
  }

  bool registered(const std::string &name) const {
    return llvm::any_of(ops_, [&](RegisteredOperationName op) { return op.getStringRef() == name; });
  }

  MLIRContext context_;
  std::vector<RegisteredOperationName> ops_;
};

// The walk itself: if the dialect's ops were not found, every other test would pass vacuously.
TEST_F(OpCoverage, FindsTheDialectsOps) {
  EXPECT_GT(ops_.size(), 70u);
  EXPECT_TRUE(registered("dl.add"));
  EXPECT_TRUE(registered("dl.attention_grad"));
}

TEST_F(OpCoverage, EveryOpHasAGradientRuleOrDeclaresItHasNone) {
  std::vector<std::string> missing, contradictory;
  for (RegisteredOperationName name : ops_) {
    if (mdl::gradientRule(name) == mdl::GradientRule::None)
      missing.push_back(name.getStringRef().str());
    // Reverse mode takes the first that applies; two would mean the op says two things.
    int declared = name.hasTrait<mdl::GradientSource>() + name.hasTrait<mdl::NonDifferentiable>() +
                   name.hasInterface<mdl::VJPOpInterface>();
    if (declared > 1)
      contradictory.push_back(name.getStringRef().str());
  }
  EXPECT_THAT(missing, IsEmpty())
      << "give these ops a VJP (DeclareOpInterfaceMethods<DL_VJPOpInterface> and buildVJP in "
         "their ops/*.cpp) or declare DL_NonDifferentiable or DL_GradientSource";
  EXPECT_THAT(contradictory, IsEmpty())
      << "these ops declare more than one of DL_GradientSource, DL_NonDifferentiable and a VJP";
}

// DL_Op refuses such an op at build time; this catches one defined around DL_Op (as
// Op<DL_Dialect, ...> directly) or a build-time check that was lost.
TEST_F(OpCoverage, EveryOpDeclaresExactlyOneFusionClass) {
  std::vector<std::string> wrong;
  for (RegisteredOperationName name : ops_) {
    int classes = name.hasTrait<mdl::fusion::Pointwise>() + name.hasTrait<mdl::fusion::Reindex>() +
                  name.hasTrait<mdl::fusion::Reduction>() +
                  name.hasTrait<mdl::fusion::Contraction>() +
                  name.hasTrait<mdl::fusion::Attention>() + name.hasTrait<mdl::fusion::NotFusible>();
    if (classes != 1)
      wrong.push_back(name.getStringRef().str());
  }
  EXPECT_THAT(wrong, IsEmpty()) << "declare exactly one class of dialects/dl/DLFusionClasses.td";
}

TEST_F(OpCoverage, EveryOpRunsInTheInterpreter) {
  std::vector<std::string> missing, stale;
  for (RegisteredOperationName name : ops_) {
    bool exempt = kNotInterpreted.count(name.getStringRef().str());
    if (!::dl::interp::runsOp(name) && !exempt)
      missing.push_back(name.getStringRef().str());
    if (::dl::interp::runsOp(name) && exempt)
      stale.push_back(name.getStringRef().str());
  }
  for (const auto &[name, why] : kNotInterpreted)
    if (!registered(name))
      stale.push_back(name);
  EXPECT_THAT(missing, IsEmpty())
      << "add a kernel to the family's file in compiler/interpreter/ (Kernels.h)";
  EXPECT_THAT(stale, IsEmpty()) << "kNotInterpreted lists ops that are run, or are not dl ops";
}

TEST_F(OpCoverage, EveryOpAKernelHoldsHasAHalideLowering) {
  std::vector<std::string> lowered = ::dl::codegen::halideLoweredOps();
  const std::vector<std::string> &rewritten = ::dl::codegen::opsRewrittenByExtraction();
  std::set<std::string> known(lowered.begin(), lowered.end());
  known.insert(rewritten.begin(), rewritten.end());

  std::vector<std::string> missing, notFusible;
  std::set<std::string> fusibleNodes;
  for (RegisteredOperationName name : ops_) {
    std::string node = nodeName(name);
    if (!fusible(name)) {
      if (known.count(node))
        notFusible.push_back(name.getStringRef().str());
      continue;
    }
    fusibleNodes.insert(node);
    if (!known.count(node))
      missing.push_back(name.getStringRef().str());
  }
  // A name the translation knows but no kernel can hold is a typo or a removed op.
  std::vector<std::string> unknown;
  for (const std::string &node : known)
    if (!fusibleNodes.count(node))
      unknown.push_back(node);
  EXPECT_THAT(missing, IsEmpty())
      << "add a lowering to the family's file in compiler/codegen/halide/ops/ (Lowering.h)";
  EXPECT_THAT(notFusible, IsEmpty()) << "the Halide side lowers ops no kernel holds (NotFusible)";
  EXPECT_THAT(unknown, IsEmpty()) << "the Halide side lowers ops the dialect has no fusible op of";
}

TEST_F(OpCoverage, EveryOpIsReachedFromTheLanguageOrSaysWhyNot) {
  const std::map<std::string, dlc::OpSurface> &surfaces = dlc::opSurfaces();
  std::vector<std::string> missing, stale, badBuiltin, noWords;
  for (RegisteredOperationName name : ops_)
    if (!surfaces.count(name.getStringRef().str()))
      missing.push_back(name.getStringRef().str());
  for (const auto &[name, surface] : surfaces) {
    if (!registered(name))
      stale.push_back(name);
    if (surface.kind == dlc::OpSurface::Kind::Builtin && !dlc::isBuiltin(surface.how))
      badBuiltin.push_back(name + " (" + surface.how + ")");
    if (std::string(surface.how).empty())
      noWords.push_back(name);
  }
  EXPECT_THAT(missing, IsEmpty())
      << "add each op to compiler/frontend/OpSurface.cpp: its builtin, the syntax that emits it, "
         "or why no program writes it";
  EXPECT_THAT(stale, IsEmpty()) << "OpSurface.cpp lists ops the dialect does not have";
  EXPECT_THAT(badBuiltin, IsEmpty()) << "OpSurface.cpp names builtins that do not exist";
  EXPECT_THAT(noWords, IsEmpty()) << "OpSurface.cpp rows must say how, or why not";
}

} // namespace
