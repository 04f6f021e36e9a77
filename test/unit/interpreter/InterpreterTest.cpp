//===- InterpreterTest.cpp - Calls, state, errors and whole models ---------===//
//
// The Interpreter API: argument checking, state (initialize, setState, load), func.call, the errors
// for everything a caller or a malformed module can get wrong (never a crash), and whole models that
// dlc emitted: examples/xor.dl and examples/fashion_mlp.dl, whose `--emit=mlir` output is checked in
// under Inputs/ (regenerate with `build/bin/dlc examples/xor.dl --emit=mlir > ...` when the
// frontend's output changes; xor_train.mlir adds `--stage=train`).
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

#include "llvm/Support/MemoryBuffer.h"

#include <chrono>

namespace dl::interp::test {
namespace {

using ::testing::HasSubstr;
using CallTest = InterpreterTest;
using ModelTest = InterpreterTest;

const std::string kAffine = R"(
  dl.param @w : tensor<2x3xf32> = "zeros"
  dl.buffer @scale : tensor<f32> = "ones"
  func.func @f(%x: tensor<4x2xf32> {dl.input = "x"}) -> tensor<4x3xf32> {
    %w = dl.load @w : tensor<2x3xf32>
    %s = dl.load @scale : tensor<f32>
    %y = dl.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
    %z = dl.mul %y, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    return %z : tensor<4x3xf32>
  }
)";

TEST_F(CallTest, LoadsReadTheStateSetByTheCaller) {
  auto interp = interpreter(kAffine);
  ASSERT_TRUE(interp);
  ASSERT_TRUE(interp->initialize());
  ASSERT_TRUE(interp->setState("w", f32({2, 3}, {1, 0, 2, 0, 1, -1})));
  ASSERT_TRUE(interp->setState("scale", Tensor::scalar(10)));
  std::string error;
  auto r = interp->call("f", {f32({4, 2}, {1, 2, 3, 4, 0, 0, -1, 1})}, error);
  ASSERT_TRUE(succeeded(r)) << error;
  expectTensor((*r)[0], {4, 3}, {10, 20, 0, 30, 40, 20, 0, 0, 0, -10, 10, -30});
}

TEST_F(CallTest, SetStateRefusesWhatTheModelDoesNotDeclare) {
  auto interp = interpreter(kAffine);
  ASSERT_TRUE(interp);
  EXPECT_FALSE(interp->setState("nope", Tensor::scalar(1)));
  EXPECT_FALSE(interp->setState("w", Tensor::filled({3, 2}, 0)));                 // shape
  EXPECT_FALSE(interp->setState("w", Tensor::filled({2, 3}, 0, ElementKind::I32))); // kind
  EXPECT_FALSE(interp->setState("w", Tensor({2, 3}, ElementKind::F32, {1, 2})));   // element count
  EXPECT_FALSE(interp->setState("f", Tensor::scalar(1)));                          // a function
  EXPECT_EQ(interp->state("w"), nullptr);
}

TEST_F(CallTest, LoadBeforeInitializeIsAnError) {
  std::string error = runError(kAffine, {Tensor::filled({4, 2}, 1)});
  EXPECT_THAT(error, HasSubstr("dl.load"));
  EXPECT_THAT(error, HasSubstr("'w' has no value"));
}

TEST_F(CallTest, ArgumentsAreChecked) {
  auto interp = interpreter(kAffine);
  ASSERT_TRUE(interp && interp->initialize());
  std::string error;
  EXPECT_TRUE(failed(interp->call("f", {}, error)));
  EXPECT_THAT(error, HasSubstr("@f takes 1 argument(s), got 0"));
  EXPECT_TRUE(failed(interp->call("f", {Tensor::filled({4, 3}, 1)}, error)));
  EXPECT_THAT(error, HasSubstr("argument 0 of @f ('x'): expected f32[4, 2], got f32[4, 3]"));
  EXPECT_TRUE(failed(interp->call("f", {Tensor::filled({4, 2}, 1, ElementKind::I32)}, error)));
  EXPECT_THAT(error, HasSubstr("expected f32[4, 2], got i32[4, 2]"));
  EXPECT_TRUE(failed(interp->call("f", {Tensor({4, 2}, ElementKind::F32, {1})}, error)));
  EXPECT_THAT(error, HasSubstr("needs 8 elements, but holds 1"));
  EXPECT_TRUE(failed(interp->call("g", {}, error)));
  EXPECT_THAT(error, HasSubstr("model @m has no function 'g'"));
  EXPECT_TRUE(failed(interp->call("w", {}, error)));
  EXPECT_THAT(error, HasSubstr("has no function 'w'"));
}

TEST_F(CallTest, IntegerArgumentsMustHoldIntegers) {
  std::string func = R"(func.func @f(%x: tensor<2xi32>, %b: tensor<2xi1>) -> tensor<2xi32> {
    return %x : tensor<2xi32>
  })";
  EXPECT_THAT(runError(func, {i32({2}, {1, 2.5}), i1({2}, {0, 1})}), HasSubstr("is not an i32 value"));
  EXPECT_THAT(runError(func, {i32({2}, {1, 2}), i1({2}, {0, 2})}), HasSubstr("is not an i1 value"));
  expectTensor(run1(func, {i32({2}, {-7, 2147483647}), i1({2}, {0, 1})}), {2}, {-7, 2147483647});
}

const std::string kCounter = R"(
  dl.param @w : tensor<2xf32> = "ones"
  dl.buffer @count : tensor<i32> = "zeros"
  func.func @f(%d: tensor<i32>) -> (tensor<2xf32>, tensor<2xf32>) {
    %w = dl.load @w : tensor<2xf32>
    %two = dl.constant dense<2.0> : tensor<f32>
    %w2 = dl.mul %w, %two : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
    dl.store %w2, @w : tensor<2xf32>
    %again = dl.load @w : tensor<2xf32>
    %c = dl.load @count : tensor<i32>
    %q = dl.div %c, %d : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %one = dl.constant dense<1> : tensor<i32>
    %c1 = dl.add %c, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    dl.store %c1, @count : tensor<i32>
    return %w, %again : tensor<2xf32>, tensor<2xf32>
  }
)";

TEST_F(CallTest, StoresUpdateTheStateAndLaterLoadsSeeThem) {
  auto interp = interpreter(kCounter);
  ASSERT_TRUE(interp && interp->initialize());
  std::string error;
  for (int call = 1; call <= 3; ++call) {
    auto r = interp->call("f", {i32({}, {1})}, error);
    ASSERT_TRUE(succeeded(r)) << error;
    double before = std::pow(2.0, call - 1);
    expectTensor((*r)[0], {2}, {before, before}); // loaded before the store: the old value
    expectTensor((*r)[1], {2}, {2 * before, 2 * before});
    expectTensor(*interp->state("w"), {2}, {2 * before, 2 * before});
    expectTensor(*interp->state("count"), {}, {static_cast<double>(call)});
  }
}

TEST_F(CallTest, AFailedCallStoresNothing) {
  auto interp = interpreter(kCounter);
  ASSERT_TRUE(interp && interp->initialize());
  std::string error;
  // Division by zero after the first store: the call fails and @w keeps its value.
  EXPECT_TRUE(failed(interp->call("f", {i32({}, {0})}, error)));
  EXPECT_THAT(error, HasSubstr("division by zero"));
  expectTensor(*interp->state("w"), {2}, {1, 1});
  expectTensor(*interp->state("count"), {}, {0});
}

TEST_F(CallTest, FuncCallRunsAnotherFunctionOfTheModel) {
  std::vector<Tensor> r = run(R"(
    func.func @square(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<f32>) {
      %y = dl.mul %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %s = dl.sum %y : (tensor<3xf32>) -> tensor<f32>
      return %y, %s : tensor<3xf32>, tensor<f32>
    }
    func.func @f(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<f32>) {
      %y, %s = func.call @square(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<f32>)
      %z, %t = func.call @square(%y) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<f32>)
      return %z, %s : tensor<3xf32>, tensor<f32>
    })", {f32({3}, {1, 2, 3})});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {3}, {1, 16, 81});
  expectTensor(r[1], {}, {14});
}

TEST_F(CallTest, RecursionIsRefusedNotFollowedForever) {
  std::string error = runError(R"(func.func @f(%x: tensor<f32>) -> tensor<f32> {
    %y = func.call @f(%x) : (tensor<f32>) -> tensor<f32>
    return %y : tensor<f32>
  })", {Tensor::scalar(1)});
  EXPECT_THAT(error, HasSubstr("calls nest deeper than"));
}

TEST_F(CallTest, UnknownOpIsNamedWithItsLocation) {
  context.allowUnregisteredDialects();
  std::string error = runError(R"(func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
    %y = dl.relu %x : tensor<4xf32>
    %z = "mystery.op"(%y) : (tensor<4xf32>) -> tensor<4xf32>
    return %z : tensor<4xf32>
  })", {Tensor::filled({4}, 1)});
  EXPECT_THAT(error, HasSubstr("test.mlir:4:"));
  EXPECT_THAT(error, HasSubstr("does not support 'mystery.op'"));
}

TEST_F(CallTest, ModelThatDoesNotVerifyIsReportedNotRun) {
  // A load whose type disagrees with the parameter parses but does not verify.
  auto interp = interpreter(R"(
    dl.param @w : tensor<2xf32> = "zeros"
    func.func @f() -> tensor<3xf32> {
      %w = dl.load @w : tensor<3xf32>
      return %w : tensor<3xf32>
    })", /*seed=*/1, /*verify=*/false);
  ASSERT_TRUE(interp);
  std::string error;
  EXPECT_TRUE(failed(interp->call("f", {}, error)));
  EXPECT_THAT(error, HasSubstr("does not verify"));
  EXPECT_THAT(error, HasSubstr("holds"));
  EXPECT_FALSE(interp->initialize(&error));
}

TEST_F(CallTest, TensorHelpers) {
  Tensor s = Tensor::scalar(2.5);
  EXPECT_EQ(s.numElements(), 1);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.typeString(), "f32[]");
  Tensor t = Tensor::fromType(mlir::RankedTensorType::get({2, 3}, mlir::IntegerType::get(&context, 32)));
  EXPECT_EQ(t.kind, ElementKind::I32);
  EXPECT_EQ(t.typeString(), "i32[2, 3]");
  EXPECT_EQ(t.data, std::vector<double>(6, 0.0));
  Tensor b = Tensor::fromType(mlir::RankedTensorType::get({4}, mlir::IntegerType::get(&context, 1)));
  EXPECT_EQ(b.kind, ElementKind::I1);
  Tensor h = Tensor::fromType(mlir::RankedTensorType::get({1}, mlir::Float16Type::get(&context)));
  EXPECT_EQ(h.kind, ElementKind::F32);
}

/// Parses the checked-in `--emit=mlir` output `Inputs/<name>`.
mlir::dl::ModelOp parseInput(InterpreterTest &t, const std::string &name) {
  auto buffer = llvm::MemoryBuffer::getFile(std::string(DL_INTERPRETER_INPUTS) + "/" + name);
  EXPECT_TRUE(static_cast<bool>(buffer)) << name;
  if (!buffer)
    return {};
  return t.parseModule((*buffer)->getBuffer().str());
}

TEST_F(ModelTest, XorEvalGivesAFiniteLossThatMatchesTheModelByHand) {
  mlir::dl::ModelOp model = parseInput(*this, "xor.mlir");
  ASSERT_TRUE(model);
  Interpreter interp(model, 42);
  std::string error;
  ASSERT_TRUE(interp.initialize(&error)) << error;
  Tensor x = f32({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  Tensor y = f32({4, 1}, {0, 1, 1, 0});
  auto r = interp.call("eval", {x, y}, error);
  ASSERT_TRUE(succeeded(r)) << error;
  ASSERT_EQ(r->size(), 2u);
  double loss = (*r)[0].data[0];
  EXPECT_TRUE(std::isfinite(loss));
  EXPECT_GT(loss, 0);

  // The same network by hand: p = sigmoid(tanh(x W1 + b1) W2 + b2), loss = bce(p, y).
  const Tensor &w1 = *interp.state("hidden.W"), &b1 = *interp.state("hidden.b");
  const Tensor &w2 = *interp.state("out.W"), &b2 = *interp.state("out.b");
  double expected = 0;
  for (int n = 0; n < 4; ++n) {
    double z = b2.data[0];
    for (int j = 0; j < 8; ++j) {
      double a = b1.data[j];
      for (int k = 0; k < 2; ++k)
        a += x.data[n * 2 + k] * w1.data[k * 8 + j];
      z += std::tanh(a) * w2.data[j];
    }
    double p = 1 / (1 + std::exp(-z));
    EXPECT_NEAR((*r)[1].data[n], p, 1e-14);
    expected -= y.data[n] * std::log(p) + (1 - y.data[n]) * std::log(1 - p);
  }
  EXPECT_NEAR(loss, expected / 4, 1e-14);

  // forward returns the same prediction; the training loss equals eval's (no dropout in xor).
  auto fwd = interp.call("forward", {x}, error);
  ASSERT_TRUE(succeeded(fwd)) << error;
  EXPECT_EQ((*fwd)[0].data, (*r)[1].data);
  auto train = interp.call("train_step.loss", {x, y}, error);
  ASSERT_TRUE(succeeded(train)) << error;
  EXPECT_EQ((*train)[0].data[0], loss);
  // xavier_normal with gain 1 over fans 2 and 8, he_normal over fan-in 8: not all zero.
  EXPECT_NE(w1.data, std::vector<double>(16, 0.0));
  EXPECT_EQ(b1.data, std::vector<double>(8, 0.0));
}

TEST_F(ModelTest, XorLearnsThroughItsExpandedUpdateStep) {
  // Inputs/xor_train.mlir is `dlc examples/xor.dl --emit=mlir --stage=train`: dl-autodiff and
  // dl-expand-optimizers have added train_step.grad and train_step.update (sgd with momentum).
  mlir::dl::ModelOp model = parseInput(*this, "xor_train.mlir");
  ASSERT_TRUE(model);
  Interpreter interp(model, 42);
  std::string error;
  ASSERT_TRUE(interp.initialize(&error)) << error;
  Tensor x = f32({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  Tensor y = f32({4, 1}, {0, 1, 1, 0});
  auto before = interp.call("eval", {x, y}, error);
  ASSERT_TRUE(succeeded(before)) << error;
  double first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    auto r = interp.call("train_step.update", {x, y}, error);
    ASSERT_TRUE(succeeded(r)) << error;
    (step == 0 ? first : last) = (*r)[0].data[0];
  }
  // The update returns the loss before it updates.
  EXPECT_DOUBLE_EQ(first, (*before)[0].data[0]);
  EXPECT_LT(last, 0.05);
  expectTensor(*interp.state("train_step.count"), {}, {200});
  auto after = interp.call("eval", {x, y}, error);
  ASSERT_TRUE(succeeded(after)) << error;
  for (int n = 0; n < 4; ++n)
    EXPECT_EQ((*after)[1].data[n] > 0.5, y.data[n] == 1.0) << "sample " << n;
}

TEST_F(ModelTest, FashionMlpEvalAndTrainingLossWithDropout) {
  mlir::dl::ModelOp model = parseInput(*this, "fashion_mlp.mlir");
  ASSERT_TRUE(model);
  Interpreter interp(model, 2024);
  std::string error;
  ASSERT_TRUE(interp.initialize(&error)) << error;
  std::vector<double> pixels(128 * 784), labels(128);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<double>((i * 2654435761u) % 256) / 255.0;
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<double>(i % 10);
  Tensor x = f32({128, 784}, pixels), y = i32({128}, labels);

  auto start = std::chrono::steady_clock::now();
  auto eval = interp.call("eval", {x, y}, error);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(succeeded(eval)) << error;
  EXPECT_LT(seconds, 2.0);
  double loss = (*eval)[0].data[0];
  EXPECT_TRUE(std::isfinite(loss));
  // Ten classes from a freshly initialized network: near log(10), far from 0.
  EXPECT_GT(loss, 0.5);
  EXPECT_LT(loss, 20);
  // Each row of probs sums to one.
  const Tensor &probs = (*eval)[1];
  for (int n = 0; n < 128; ++n) {
    double s = 0;
    for (int c = 0; c < 10; ++c)
      s += probs.data[n * 10 + c];
    ASSERT_NEAR(s, 1.0, 1e-12);
  }

  // The training loss applies dropout: it differs from eval's, repeats at one step and changes
  // with the step.
  interp.step = 0;
  auto t0 = interp.call("train_step.loss", {x, y}, error);
  ASSERT_TRUE(succeeded(t0)) << error;
  auto t0again = interp.call("train_step.loss", {x, y}, error);
  interp.step = 1;
  auto t1 = interp.call("train_step.loss", {x, y}, error);
  ASSERT_TRUE(succeeded(t0again) && succeeded(t1)) << error;
  EXPECT_TRUE(std::isfinite((*t0)[0].data[0]));
  EXPECT_NE((*t0)[0].data[0], loss);
  EXPECT_EQ((*t0)[0].data[0], (*t0again)[0].data[0]);
  EXPECT_NE((*t0)[0].data[0], (*t1)[0].data[0]);
}

} // namespace
} // namespace dl::interp::test
