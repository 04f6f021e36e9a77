//===- OptimizerTest.cpp - dl-expand-optimizers against torch.optim -------===//
//
// For each optimizer configuration, compiles the same tiny model (W [3, 2], b [2],
// loss = mse(x @ W + b, y)) with the matching train block, runs dl-autodiff and
// dl-expand-optimizers, sets W and b to the golden initial values, and calls `train_step.update`
// 5 times in the reference interpreter. After each step the parameters, and the loss it returned,
// must match the trajectory torch.optim took in float64 (golden.inc, written by
// generate_golden.py with PyTorch 1.13; regenerate with /usr/bin/python3 generate_golden.py).
//
// Tolerance: |got - want| <= 1e-7 + 1e-5 * |want|. The interpreter computes in double, but the
// update function holds its hyperparameters as f32 constants (lr = 0.1 is 0.100000001490116...,
// beta2 = 0.999 is 0.999000012874603..., so Adam's 1 - beta2^1 is off by 1.3e-5 relative), which
// moves the trajectories apart by about 1e-6 relative; the inputs and initial values are multiples
// of 1/16, exact in f32. A last test runs every optimizer and schedule of the catalogue
// (dialects/dl/TrainingCatalogue.h) through the same steps, checking only that each expands and runs.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Diagnostics.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/interpreter/Interpreter.h"
#include "compiler/transforms/Passes.h"
#include "dl/TrainingCatalogue.h"

#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using dl::interp::ElementKind;
using dl::interp::Interpreter;
using dl::interp::Tensor;

#include "golden.inc"

struct Golden {
  const char *name;
  double losses[5];
  double W[5][6];
  double b[5][2];
};

const Golden kGolden[] = {
#define GOLDEN(name, ...) {#name, __VA_ARGS__},
#include "golden.inc"
#undef GOLDEN
};

/// ctest names the tests by this (rather than by the bytes of the struct).
void PrintTo(const Golden &g, std::ostream *os) { *os << g.name; }

constexpr double kRelTol = 1e-5;
constexpr double kAbsTol = 1e-7;

/// The train block settings of each configuration of generate_golden.py, by its name there.
const std::map<std::string, std::string> &trainSettings() {
  static const std::map<std::string, std::string> table = {
      {"Sgd", "optimizer = sgd(lr = 0.1)"},
      {"SgdMomentum", "optimizer = sgd(lr = 0.1, momentum = 0.9)"},
      {"SgdNesterov", "optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true)"},
      {"SgdWeightDecay", "optimizer = sgd(lr = 0.1)\n  weight_decay = 0.01"},
      {"RmsProp", "optimizer = rmsprop(lr = 0.01, alpha = 0.99, eps = 1e-8)"},
      {"Adagrad", "optimizer = adagrad(lr = 0.1, eps = 1e-10)"},
      {"Adam", "optimizer = adam(lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)"},
      {"AdamWeightDecay",
       "optimizer = adam(lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)\n  weight_decay = 0.01"},
      {"AdamW", "optimizer = adamw(lr = 0.01, weight_decay = 0.01)"},
      {"AdamClipGradNorm",
       "optimizer = adam(lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)\n  clip_grad_norm = 0.5"},
      {"SgdClipGradValue", "optimizer = sgd(lr = 0.1)\n  clip_grad_value = 0.05"},
      {"SgdStepLR", "optimizer = sgd(lr = 0.1)\n  schedule = step(every = 2, gamma = 0.5)"},
  };
  return table;
}

std::string program(const std::string &settings) {
  return "model m {\n"
         "  input x: f32[4, 3]\n"
         "  input y: f32[4, 2]\n"
         "  param W: [3, 2] = zeros\n"
         "  param b: [2] = zeros\n"
         "  loss l = mse(x @ W + b, y)\n"
         "}\n"
         "train m {\n"
         "  loss = l\n"
         "  " + settings + "\n"
         "}\n";
}

/// |got - want| in units of the tolerance: at most 1 passes.
double deviation(double got, double want) {
  return std::fabs(got - want) / (kAbsTol + kRelTol * std::fabs(want));
}

/// A program compiled by the frontend, then differentiated and expanded into `train_step.update`.
struct ExpandedModel {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::dl::ModelOp model;
  std::string errors;
};

/// Compiles `text` into `out`; false (with out.errors) when the frontend or a pass fails.
bool expand(const std::string &text, ExpandedModel &out) {
  dlc::loadFrontendDialects(out.context);
  dlc::SourceManager sources;
  std::ostringstream errors;
  dlc::DiagnosticEngine diags(sources, errors);
  out.module = dlc::compileSource(out.context, sources, diags, "t.dl", text, dlc::FrontendOptions());
  out.errors = errors.str();
  if (!out.module)
    return false;
  mlir::PassManager pm(&out.context);
  pm.addPass(mlir::dl::createAutodiff());
  pm.addPass(mlir::dl::createExpandOptimizers());
  if (mlir::failed(pm.run(*out.module)))
    return false;
  out.module->walk([&](mlir::dl::ModelOp m) { out.model = m; });
  return bool(out.model);
}

class OptimizerTest : public ::testing::TestWithParam<Golden> {};

TEST_P(OptimizerTest, MatchesTorchOptim) {
  const Golden &golden = GetParam();
  auto settings = trainSettings().find(golden.name);
  ASSERT_NE(settings, trainSettings().end()) << "no train block for " << golden.name;
  std::string text = program(settings->second);

  ExpandedModel expanded;
  ASSERT_TRUE(expand(text, expanded)) << expanded.errors << "\n" << text;
  mlir::dl::ModelOp model = expanded.model;
  Interpreter interp(model, /*seed=*/0);
  std::string error;
  ASSERT_TRUE(interp.initialize(&error)) << error;
  ASSERT_TRUE(interp.setState("W", Tensor({3, 2}, ElementKind::F32, {std::begin(kW0), std::end(kW0)})));
  ASSERT_TRUE(interp.setState("b", Tensor({2}, ElementKind::F32, {std::begin(kB0), std::end(kB0)})));
  Tensor x({4, 3}, ElementKind::F32, {std::begin(kX), std::end(kX)});
  Tensor y({4, 2}, ElementKind::F32, {std::begin(kY), std::end(kY)});

  double worst = 0;  // The largest deviation, reported to show the margin.
  for (int k = 0; k < kSteps; ++k) {
    interp.step = k;
    auto result = interp.call("train_step.update", {x, y}, error);
    ASSERT_TRUE(mlir::succeeded(result)) << error;
    ASSERT_EQ(result->size(), 1u);
    double loss = (*result)[0].data.at(0);
    worst = std::max(worst, deviation(loss, golden.losses[k]));
    EXPECT_LE(deviation(loss, golden.losses[k]), 1.0)
        << std::setprecision(17) << golden.name << " step " << k + 1 << ": loss " << loss << ", torch " << golden.losses[k]
        << " (difference " << loss - golden.losses[k] << ")";
    auto check = [&](const char *param, const double *want, size_t n) {
      Tensor *got = interp.state(param);
      ASSERT_NE(got, nullptr) << param;
      ASSERT_EQ(got->data.size(), n) << param;
      for (size_t i = 0; i < n; ++i) {
        worst = std::max(worst, deviation(got->data[i], want[i]));
        EXPECT_LE(deviation(got->data[i], want[i]), 1.0)
            << std::setprecision(17) << golden.name << " after step " << k + 1 << ": " << param
            << "[" << i << "] = " << got->data[i] << ", torch " << want[i] << " (difference "
            << got->data[i] - want[i] << ")";
      }
    };
    check("W", golden.W[k], 6);
    check("b", golden.b[k], 2);
  }
  std::cout << golden.name << ": worst difference " << worst << " of the tolerance\n";
}

INSTANTIATE_TEST_SUITE_P(TorchOptim, OptimizerTest, ::testing::ValuesIn(kGolden),
                         [](const ::testing::TestParamInfo<Golden> &info) {
                           return std::string(info.param.name);
                         });

/// Every optimizer and schedule of the catalogue (dialects/dl/TrainingCatalogue.h), with its
/// defaults, expands into an update the interpreter runs: one the pass does not handle fails here.
/// (The golden trajectories above check the formulas.)
TEST(OptimizerCatalogue, EveryEntryExpandsAndRuns) {
  for (const dl::training::OptimizerEntry &optimizer : dl::training::optimizers())
    for (const dl::training::ScheduleEntry &schedule : dl::training::schedules()) {
      std::string settings = "optimizer = " + std::string(optimizer.name) + "(lr = 0.1)\n  " +
                             "weight_decay = 0.01\n  schedule = " + std::string(schedule.name);
      if (schedule.id == dl::training::Schedule::Step)
        settings += "(every = 2)";
      else if (schedule.id == dl::training::Schedule::Cosine)
        settings += "(warmup = 1, total = 4)";
      std::string text = program(settings);

      ExpandedModel expanded;
      ASSERT_TRUE(expand(text, expanded)) << expanded.errors << "\n" << text;
      mlir::dl::ModelOp model = expanded.model;
      Interpreter interp(model, /*seed=*/0);
      std::string error;
      ASSERT_TRUE(interp.initialize(&error)) << error;
      Tensor x({4, 3}, ElementKind::F32, {std::begin(kX), std::end(kX)});
      Tensor y({4, 2}, ElementKind::F32, {std::begin(kY), std::end(kY)});
      for (int k = 0; k < 3; ++k) {
        interp.step = k;
        auto result = interp.call("train_step.update", {x, y}, error);
        ASSERT_TRUE(mlir::succeeded(result)) << error << "\n" << text;
        EXPECT_TRUE(std::isfinite((*result)[0].data.at(0))) << text;
      }
      // The parameters moved off their zeros.
      Tensor *W = interp.state("W");
      ASSERT_NE(W, nullptr);
      EXPECT_TRUE(std::any_of(W->data.begin(), W->data.end(), [](double v) { return v != 0; }))
          << text;
    }
}

/// Every configuration of the golden file has its train block here, and the reverse.
TEST(OptimizerGolden, CoversEveryConfiguration) {
  EXPECT_EQ(std::size(kGolden), trainSettings().size());
  for (const Golden &g : kGolden)
    EXPECT_TRUE(trainSettings().count(g.name)) << g.name;
}

} // namespace
