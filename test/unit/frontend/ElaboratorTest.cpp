//===- ElaboratorTest.cpp - Units of the .dl elaborator -------------------===//
//
// compileSource on programs held in memory: the parameters (names, types, initializers), the
// functions' signatures and result names, the dl.train op (every optimizer and schedule of the
// catalogue), modes, -D overrides, the prelude switch, and errors: how many, with which located
// messages, and that none comes out as an internal compiler error.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Elaborator.h"
#include "compiler/frontend/ElaboratorImpl.h"
#include "runtime/rng/InitializerMath.h"
#include "dl/DLOps.h"
#include "dl/TrainingCatalogue.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string_view>

namespace {

using namespace dlc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const char *kXor = R"(const B = 4
model xor {
  input  x: f32[B, 2]
  input  y: f32[B, 1]
  hidden = Dense(2, 8, act = tanh, init = xavier_normal)
  out    = Dense(8, 1, act = sigmoid)
  output p = out(hidden(x))
  loss   l = bce(p, y)
}
train xor {
  loss      = l
  optimizer = sgd(lr = 0.5, momentum = 0.9)
}
)";

class ElaboratorTest : public ::testing::Test {
protected:
  /// Compiles `text` as t.dl; the messages and error count are kept.
  mlir::OwningOpRef<mlir::ModuleOp> compile(const std::string &text, FrontendOptions options = {}) {
    sources = std::make_unique<SourceManager>();
    messages.str("");
    diags = std::make_unique<DiagnosticEngine>(*sources, messages);
    return compileSource(context, *sources, *diags, "t.dl", text, options);
  }

  mlir::dl::ModelOp model(mlir::ModuleOp module, llvm::StringRef name) {
    mlir::dl::ModelOp found;
    module.walk([&](mlir::dl::ModelOp m) {
      if (m.getSymName() == name)
        found = m;
    });
    return found;
  }

  /// "name : type" of each parameter, in order.
  std::vector<std::string> params(mlir::dl::ModelOp m) {
    std::vector<std::string> out;
    m.walk([&](mlir::dl::ParamOp p) {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << mlir::SymbolTable::getSymbolName(p).getValue() << " : "
         << p->getAttrOfType<mlir::TypeAttr>("type").getValue();
      out.push_back(s);
    });
    return out;
  }

  mlir::func::FuncOp function(mlir::dl::ModelOp m, llvm::StringRef name) {
    mlir::func::FuncOp found;
    m.walk([&](mlir::func::FuncOp f) {
      if (f.getName() == name)
        found = f;
    });
    return found;
  }

  static std::string str(mlir::Type t) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << t;
    return s;
  }

  /// The names a function's arguments (dl.input) or results (dl.output / dl.loss) carry.
  static std::vector<std::string> argNames(mlir::func::FuncOp f) {
    std::vector<std::string> out;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      out.push_back(f.getArgAttrOfType<mlir::StringAttr>(i, "dl.input").str());
    return out;
  }
  static std::vector<std::string> resultNames(mlir::func::FuncOp f) {
    std::vector<std::string> out;
    for (unsigned i = 0; i < f.getNumResults(); ++i) {
      auto output = f.getResultAttrOfType<mlir::StringAttr>(i, "dl.output");
      auto loss = f.getResultAttrOfType<mlir::StringAttr>(i, "dl.loss");
      out.push_back(output ? "output " + output.str() : "loss " + loss.str());
    }
    return out;
  }

  static size_t count(mlir::func::FuncOp f, llvm::StringRef opName) {
    size_t n = 0;
    f.walk([&](mlir::Operation *op) { n += op->getName().getStringRef() == opName; });
    return n;
  }

  mlir::MLIRContext context;
  std::unique_ptr<SourceManager> sources;
  std::ostringstream messages;
  std::unique_ptr<DiagnosticEngine> diags;
};

// The frontend's initializers are the catalogue's (runtime/rng/InitializerMath.h), and each, named
// with its defaults, gives a dl.param the verifier accepts: every argument the catalogue requires
// is filled in.
TEST_F(ElaboratorTest, InitializersAreTheCataloguesAndFillEveryRequiredArgument) {
  std::vector<std::string> catalogue;
  for (const dl::initializers::Initializer &i : dl::initializers::catalogue())
    catalogue.emplace_back(i.name);
  EXPECT_THAT(initializerNames(), ::testing::UnorderedElementsAreArray(catalogue));
  for (const std::string &name : catalogue) {
    std::string init = name == "constant" ? "constant(0.5)" : name;
    auto module = compile("model m {\n  input x: f32[4, 3]\n  param W: [4, 3] = " + init +
                          "\n  output y = x * W\n}\n");
    ASSERT_TRUE(module) << name << ": " << messages.str();
    EXPECT_TRUE(mlir::succeeded(mlir::verify(*module))) << name;
  }
}

/// A train block's `optimizer = ...` or `schedule = ...` naming `name`: with every hyperparameter
/// given by name (`all`), or only the required ones.
std::string catalogueCall(std::string_view name,
                          const std::vector<dl::training::Hyperparameter> &hypers, bool all) {
  std::string args;
  for (const dl::training::Hyperparameter &h : hypers) {
    if (!all && !h.required())
      continue;
    // Values every range accepts: a count of 10 steps, a fraction, a flag.
    const char *value = h.kind == dl::training::Kind::Flag    ? "false"
                        : h.kind == dl::training::Kind::Count ? "10"
                                                              : "0.5";
    args += (args.empty() ? "" : ", ") + std::string(h.name) + " = " + value;
  }
  return std::string(name) + (args.empty() ? "" : "(" + args + ")");
}

// Every optimizer and schedule of the catalogue (dialects/dl/TrainingCatalogue.h), named with its
// required hyperparameters only or with all of them, is one the frontend accepts and the verifier
// passes, with each hyperparameter in dl.train as the attribute its kind says: an entry that the
// frontend or the verifier does not read from the catalogue fails here.
TEST_F(ElaboratorTest, TrainingCatalogueEntriesCompileAndVerify) {
  using dl::training::Kind;
  for (const dl::training::OptimizerEntry &optimizer : dl::training::optimizers())
    for (const dl::training::ScheduleEntry &schedule : dl::training::schedules())
      for (bool all : {false, true}) {
        std::string text =
            "model m {\n  input x: f32[4, 3]\n  param W: [4, 3] = ones\n  loss l = mean(x * W)\n}\n"
            "train m {\n  loss = l\n  optimizer = " +
            catalogueCall(optimizer.name, optimizer.hyperparameters, all) +
            "\n  schedule = " + catalogueCall(schedule.name, schedule.hyperparameters, all) +
            "\n}\n";
        auto module = compile(text);
        ASSERT_TRUE(module) << text << messages.str();
        EXPECT_TRUE(mlir::succeeded(mlir::verify(*module))) << text;
        mlir::dl::TrainOp train;
        module->walk([&](mlir::dl::TrainOp t) { train = t; });
        ASSERT_TRUE(train) << text;
        EXPECT_EQ(train.getOptimizer().str(), optimizer.name);
        EXPECT_EQ(train.getSchedule().str(), schedule.name);
        auto expectAttributes = [&](mlir::DictionaryAttr dict,
                                    const std::vector<dl::training::Hyperparameter> &hypers) {
          EXPECT_EQ(dict.size(), hypers.size()) << text;
          for (const dl::training::Hyperparameter &h : hypers) {
            mlir::Attribute a = dict.get(llvm::StringRef(h.name));
            EXPECT_TRUE(h.kind == Kind::Flag    ? llvm::isa_and_nonnull<mlir::BoolAttr>(a)
                        : h.kind == Kind::Count ? llvm::isa_and_nonnull<mlir::IntegerAttr>(a)
                                                : llvm::isa_and_nonnull<mlir::FloatAttr>(a))
                << text << ": " << h.name;
          }
        };
        expectAttributes(train.getHyperparams(), optimizer.hyperparameters);
        expectAttributes(train.getScheduleArgs(), schedule.hyperparameters);
      }
}

// The verifier checks a hyperparameter by what its name means in the catalogue, whichever optimizer
// carries it; so a name means the same (kind and range) in every optimizer that lists it. And no
// name is listed twice.
TEST(TrainingCatalogueTest, NamesAreUniqueAndMeanOneThing) {
  std::set<std::string_view> optimizers, schedules;
  for (const dl::training::OptimizerEntry &o : dl::training::optimizers()) {
    EXPECT_TRUE(optimizers.insert(o.name).second) << o.name;
    std::set<std::string_view> names;
    for (const dl::training::Hyperparameter &h : o.hyperparameters) {
      EXPECT_TRUE(names.insert(h.name).second) << o.name << ": " << h.name;
      const dl::training::Hyperparameter *meaning = dl::training::findOptimizerHyperparameter(h.name);
      ASSERT_TRUE(meaning);
      EXPECT_EQ(meaning->kind, h.kind) << o.name << ": " << h.name;
      EXPECT_EQ(meaning->range, h.range) << o.name << ": " << h.name;
    }
    if (o.decoupledWeightDecay) {
      EXPECT_TRUE(names.count("weight_decay")) << o.name;
    }
  }
  for (const dl::training::ScheduleEntry &s : dl::training::schedules())
    EXPECT_TRUE(schedules.insert(s.name).second) << s.name;
  EXPECT_TRUE(schedules.count("constant")); // the default
}

TEST_F(ElaboratorTest, XorParameters) {
  auto module = compile(kXor);
  ASSERT_TRUE(module) << messages.str();
  EXPECT_EQ(diags->errorCount(), 0u);
  mlir::dl::ModelOp m = model(*module, "xor");
  ASSERT_TRUE(m);
  EXPECT_THAT(params(m), ElementsAre("hidden.W : tensor<2x8xf32>", "hidden.b : tensor<8xf32>",
                                     "out.W : tensor<8x1xf32>", "out.b : tensor<1xf32>"));
  mlir::dl::ParamOp w;
  m.walk([&](mlir::dl::ParamOp p) {
    if (mlir::SymbolTable::getSymbolName(p) == "hidden.W")
      w = p;
  });
  EXPECT_EQ(w->getAttrOfType<mlir::StringAttr>("init").str(), "xavier_normal");
  auto args = w->getAttrOfType<mlir::DictionaryAttr>("init_args");
  ASSERT_TRUE(args);
  EXPECT_EQ(args.getAs<mlir::IntegerAttr>("fan_in").getInt(), 2);
  EXPECT_EQ(args.getAs<mlir::IntegerAttr>("fan_out").getInt(), 8);
}

TEST_F(ElaboratorTest, XorFunctionSignatures) {
  auto module = compile(kXor);
  ASSERT_TRUE(module) << messages.str();
  mlir::dl::ModelOp m = model(*module, "xor");

  // forward takes only what the outputs need.
  mlir::func::FuncOp forward = function(m, "forward");
  ASSERT_TRUE(forward);
  EXPECT_EQ(str(forward.getFunctionType()), "(tensor<4x2xf32>) -> tensor<4x1xf32>");
  EXPECT_THAT(argNames(forward), ElementsAre("x"));
  EXPECT_THAT(resultNames(forward), ElementsAre("output p"));

  // eval takes every input and returns the losses, then the outputs.
  mlir::func::FuncOp eval = function(m, "eval");
  ASSERT_TRUE(eval);
  EXPECT_EQ(str(eval.getFunctionType()),
            "(tensor<4x2xf32>, tensor<4x1xf32>) -> (tensor<f32>, tensor<4x1xf32>)");
  EXPECT_THAT(argNames(eval), ElementsAre("x", "y"));
  EXPECT_THAT(resultNames(eval), ElementsAre("loss l", "output p"));

  mlir::func::FuncOp loss = function(m, "train_step.loss");
  ASSERT_TRUE(loss);
  EXPECT_EQ(str(loss.getFunctionType()), "(tensor<4x2xf32>, tensor<4x1xf32>) -> tensor<f32>");
  EXPECT_THAT(resultNames(loss), ElementsAre("loss train_step"));
}

TEST_F(ElaboratorTest, TrainOpHasEveryHyperparameter) {
  auto module = compile(kXor);
  ASSERT_TRUE(module) << messages.str();
  mlir::dl::TrainOp train;
  module->walk([&](mlir::dl::TrainOp t) { train = t; });
  ASSERT_TRUE(train);
  EXPECT_EQ(mlir::SymbolTable::getSymbolName(train).str(), "train_step");
  EXPECT_EQ(train->getAttrOfType<mlir::StringAttr>("optimizer").str(), "sgd");
  auto hyper = train->getAttrOfType<mlir::DictionaryAttr>("hyperparams");
  EXPECT_DOUBLE_EQ(hyper.getAs<mlir::FloatAttr>("lr").getValueAsDouble(), 0.5);
  EXPECT_DOUBLE_EQ(hyper.getAs<mlir::FloatAttr>("momentum").getValueAsDouble(), 0.9);
  EXPECT_FALSE(hyper.getAs<mlir::BoolAttr>("nesterov").getValue());  // The default.
  EXPECT_EQ(train->getAttrOfType<mlir::ArrayAttr>("params").size(), 4u);
}

TEST_F(ElaboratorTest, DefinesOverrideConstants) {
  FrontendOptions options;
  options.defines = {{"B", "256"}};
  auto module = compile(kXor, options);
  ASSERT_TRUE(module) << messages.str();
  EXPECT_EQ(str(function(model(*module, "xor"), "forward").getFunctionType()),
            "(tensor<256x2xf32>) -> tensor<256x1xf32>");

  options.defines = {{"Q", "1"}};
  EXPECT_FALSE(compile(kXor, options));
  EXPECT_THAT(messages.str(), HasSubstr("error: -D Q=1: there is no constant 'Q'\n"));
}

TEST_F(ElaboratorTest, NestedAndSharedLayers) {
  auto module = compile(R"(
layer Inner(n) {
  param W: [n, n] = orthogonal
  apply(x) = x @ W
}
layer Outer(n) {
  inner = Inner(n)
  apply(x) = inner(x) + x
}
model m {
  input a: f32[2, 3]
  input b: f32[2, 3]
  enc = Outer(3)
  output d = enc(a) - enc(b)
}
)");
  ASSERT_TRUE(module) << messages.str();
  mlir::dl::ModelOp m = model(*module, "m");
  EXPECT_THAT(params(m), ElementsAre("enc.inner.W : tensor<3x3xf32>"));
  // One load, used by both calls.
  mlir::func::FuncOp forward = function(m, "forward");
  EXPECT_EQ(count(forward, "dl.load"), 1u);
  EXPECT_EQ(count(forward, "dl.matmul"), 2u);
}

TEST_F(ElaboratorTest, DropoutOnlyInTraining) {
  auto module = compile(R"(
model m {
  input x: f32[4, 8]
  h = Dense(8, 8)
  drop = Dropout(0.5)
  output y = drop(h(x))
  loss l = mean(y)
}
train m {
  loss = l
  optimizer = adam()
}
)");
  ASSERT_TRUE(module) << messages.str();
  mlir::dl::ModelOp m = model(*module, "m");
  EXPECT_EQ(count(function(m, "forward"), "dl.dropout"), 0u);
  EXPECT_EQ(count(function(m, "eval"), "dl.dropout"), 0u);
  EXPECT_EQ(count(function(m, "train_step.loss"), "dl.dropout"), 1u);
}

TEST_F(ElaboratorTest, AugmentationsOnlyInTrainingAndForwardIsTheIdentity) {
  auto module = compile(R"(
model m {
  input x: f32[4, 1, 6, 6]
  flip = RandomHorizontalFlip()
  h = Dense(36, 2)
  a = gaussian_noise(random_translate(flip(random_flip(x, axis = 2)), 1), 0.1)
  output y = h(flatten(random_crop(a, 6, padding = 2)))
  loss l = mean(y)
}
train m {
  loss = l
  optimizer = adam()
}
)");
  ASSERT_TRUE(module) << messages.str();
  mlir::dl::ModelOp m = model(*module, "m");
  for (const char *inference : {"forward", "eval"}) {
    mlir::func::FuncOp f = function(m, inference);
    for (const char *op : {"dl.random_flip", "dl.random_crop", "dl.gaussian_noise", "dl.slice",
                           "dl.pad"})
      EXPECT_EQ(count(f, op), 0u) << op << " in " << inference;
  }
  mlir::func::FuncOp train = function(m, "train_step.loss");
  EXPECT_EQ(count(train, "dl.random_flip"), 2u);
  EXPECT_EQ(count(train, "dl.random_crop"), 2u);
  EXPECT_EQ(count(train, "dl.gaussian_noise"), 1u);
}

TEST_F(ElaboratorTest, PreludeCanBeTurnedOff) {
  FrontendOptions options;
  options.prelude = false;
  auto module = compile("model m {\n  input x: f32[2]\n  h = Dense(2, 2)\n  output y = h(x)\n}\n",
                        options);
  EXPECT_FALSE(module);
  EXPECT_EQ(diags->errorCount(), 1u);
  EXPECT_THAT(messages.str(), HasSubstr("t.dl:3:7: error: unknown name 'Dense'"));
}

TEST_F(ElaboratorTest, AProgramWithoutModelsIsAnEmptyModule) {
  auto module = compile("const A = 1\nlayer L {\n  apply(x) = x\n}\n");
  ASSERT_TRUE(module) << messages.str();
  EXPECT_TRUE(module->getBody()->empty());
}

TEST_F(ElaboratorTest, OneContextServesSeveralCompilations) {
  ASSERT_TRUE(compile(kXor));
  ASSERT_TRUE(compile(kXor));
  EXPECT_FALSE(compile("model m {\n  input x: f32[2]\n  output y = x @ x @ x\n}\n"));
  ASSERT_TRUE(compile(kXor));
}

TEST_F(ElaboratorTest, ShapeErrorsShowBothShapes) {
  auto module = compile(R"(model m {
  input x: f32[4, 256]
  input w: f32[512, 10]
  output y = x @ w
})");
  EXPECT_FALSE(module);
  EXPECT_EQ(diags->errorCount(), 1u);
  EXPECT_THAT(messages.str(),
              HasSubstr("t.dl:4:16: error: matmul shapes do not agree: f32[4, 256] @ f32[512, 10]"));
}

TEST_F(ElaboratorTest, IndependentErrorsAreAllReported) {
  auto module = compile(R"(model m {
  input x: f32[4, 3]
  a = relu(xx)
  b = x + zeros[4, 2]
  c = Dense(3, 2, actt = relu)
  loss l = x
}
train m {
  loss = l
  optimizer = adma()
}
)");
  EXPECT_FALSE(module);
  EXPECT_EQ(diags->errorCount(), 4u) << messages.str();
  std::string m = messages.str();
  EXPECT_THAT(m, HasSubstr("t.dl:3:12: error: unknown name 'xx'; did you mean 'x'?"));
  EXPECT_THAT(m, HasSubstr("t.dl:4:9: error: operands of '+' are not broadcast-compatible: "
                           "f32[4, 3] and f32[4, 2]"));
  EXPECT_THAT(m, HasSubstr("t.dl:5:19: error: 'Dense' has no argument 'actt'; did you mean 'act'?"));
  EXPECT_THAT(m, HasSubstr("t.dl:6:12: error: loss 'l' must be a scalar f32[], not f32[4, 3]"));
  // The train block is not checked once its model failed.
  EXPECT_THAT(m, Not(HasSubstr("adma")));
  EXPECT_THAT(m, Not(HasSubstr("internal compiler error")));
}

TEST_F(ElaboratorTest, ErrorsInsideBuiltinLayersPointAtTheCall) {
  auto module = compile("model m {\n  input x: f32[4, 3]\n  h = Dense(5, 2)\n  output y = h(x)\n}\n");
  EXPECT_FALSE(module);
  EXPECT_EQ(diags->errorCount(), 1u);
  EXPECT_THAT(messages.str(), HasSubstr("t.dl:4:14: error: matmul shapes do not agree"));
  EXPECT_THAT(messages.str(), HasSubstr("<prelude>:"));
  EXPECT_THAT(messages.str(), HasSubstr("note: inside this built-in layer"));
}

TEST_F(ElaboratorTest, ConditionalEvaluatesOnlyTheChosenBranch) {
  // The branch not taken names nothing that exists and is never evaluated.
  auto module = compile("model m {\n  input x: f32[4, 3]\n  output y = x if 2 > 1 else nothing(x)\n"
                        "  output z = nowhere if false else x * 2\n}\n");
  ASSERT_TRUE(module) << messages.str();
  EXPECT_EQ(diags->errorCount(), 0u);
}

TEST_F(ElaboratorTest, RecurrentLayerOptionsReachTheScan) {
  // reverse = true becomes dl.scan's reverse; h0 and c0 are the carries' initial values (the
  // default zeros when left out); reset_after = false multiplies r * h by W_hn inside the step.
  auto module = compile(R"(model m {
  input x: f32[2, 5, 3]
  input h: f32[1, 2, 4]
  lstm = LSTM(3, 4, reverse = true)
  gru = GRU(3, 4, reset_after = false)
  output a = lstm(x, h, c0 = 2 * h)
  output b = gru(x)
})");
  ASSERT_TRUE(module) << messages.str();
  std::vector<bool> reverses;
  std::vector<unsigned> matmulsPerStep;
  function(model(*module, "m"), "forward").walk([&](mlir::dl::ScanOp scan) {
    reverses.push_back(scan.getReverse());
    unsigned n = 0;
    scan.getBodyBlock().walk([&](mlir::dl::MatmulOp) { ++n; });
    matmulsPerStep.push_back(n);
  });
  EXPECT_THAT(reverses, ElementsAre(true, false));
  // LSTM: h @ W_hh^T; GRU with reset_after = false: h @ W_h(r,z)^T and (r * h) @ W_hn^T.
  EXPECT_THAT(matmulsPerStep, ElementsAre(1u, 2u));
}

TEST_F(ElaboratorTest, RecursiveLayersAreBounded) {
  auto module = compile("layer S {\n  s = S()\n  apply(x) = s(x)\n}\n"
                        "model m {\n  input x: f32[2]\n  s = S()\n  output y = s(x)\n}\n");
  EXPECT_FALSE(module);
  EXPECT_EQ(diags->errorCount(), 1u);
  EXPECT_THAT(messages.str(), HasSubstr("layers nest more than 32 deep; does 'S' contain itself?"));
}

TEST_F(ElaboratorTest, FailuresNeverReachTheVerifier) {
  // Inputs that once produced IR the verifier rejected ("internal compiler error").
  const char *programs[] = {
      "model m {\n  input x: f32[2]\n  param w: [2] = ones\n  loss l = mean(x * w)\n}\n"
      "train m {\n  loss = l\n  params = []\n  optimizer = sgd(lr = 1)\n}\n",
      "model m {\n  input x: f32[2]\n  param eval: [2] = ones\n  output y = x * eval\n}\n",
      "const N = 1e308 * 10 - 1e308 * 10\nmodel m {\n  input x: f32[2]\n  param w: [2] = ones\n"
      "  loss l = mean(x * w)\n}\ntrain m {\n  loss = l\n  optimizer = adam(beta1 = N)\n}\n",
  };
  for (const char *program : programs) {
    EXPECT_FALSE(compile(program)) << program;
    EXPECT_EQ(diags->errorCount(), 1u) << messages.str();
    EXPECT_THAT(messages.str(), Not(HasSubstr("internal compiler error")));
  }
}

} // namespace
