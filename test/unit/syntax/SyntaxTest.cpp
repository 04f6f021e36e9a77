//===- SyntaxTest.cpp - Lexer, parser and elaborator units ----------------===//
//
// Units of the frontend's three stages: tokens (newlines, numbers, contextual keywords, recovery),
// the syntax tree (precedence, calls, subscripts, declarations, several errors in one run) and the
// elaborator (parameter names and types, function signatures, located errors with both shapes).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/AST.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/frontend/Lexer.h"
#include "compiler/frontend/Parser.h"
#include "dl/DLOps.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace dlc;

struct Lexed {
  std::vector<Token> tokens;
  std::string errors;
};

Lexed lexText(const std::string &text) {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  Lexed r;
  r.tokens = lex(sources, sources.add("t.dl", text), diags);
  r.errors = out.str();
  return r;
}

std::vector<Tok> kinds(const Lexed &l) {
  std::vector<Tok> k;
  for (const Token &t : l.tokens)
    k.push_back(t.kind);
  return k;
}

TEST(Lexer, NewlinesEndStatementsOnlyOutsideBrackets) {
  Lexed l = lexText("a = f(x,\n  y)\nb = [1,\n 2]\n");
  EXPECT_EQ(l.errors, "");
  int newlines = 0;
  for (const Token &t : l.tokens)
    newlines += t.kind == Tok::Newline;
  EXPECT_EQ(newlines, 2);
}

TEST(Lexer, NumbersAndOperators) {
  Lexed l = lexText("1e-3 1. 42 2.5 ** == != <= >= @");
  std::vector<Tok> expected = {Tok::Float, Tok::Float, Tok::Int, Tok::Float, Tok::StarStar,
                               Tok::Eq,    Tok::Ne,    Tok::Le,  Tok::Ge,    Tok::At,
                               Tok::Newline, Tok::Eof};
  EXPECT_EQ(kinds(l), expected);
  EXPECT_EQ(l.tokens[0].text, "1e-3");
}

TEST(Lexer, ContextualKeywordsAreIdentifiers) {
  Lexed l = lexText("layer Dense(in, out) # a comment\n");
  ASSERT_GE(l.tokens.size(), 6u);
  EXPECT_EQ(l.tokens[0].kind, Tok::KwLayer);
  EXPECT_EQ(l.tokens[3].kind, Tok::Ident);
  EXPECT_EQ(l.tokens[3].text, "in");
}

TEST(Lexer, RecoversFromBadCharactersWithLocations) {
  Lexed l = lexText("a = 1 $ 2\nb = \"open\n");
  EXPECT_NE(l.errors.find("t.dl:1:7: error: unexpected character '$'"), std::string::npos) << l.errors;
  EXPECT_NE(l.errors.find("t.dl:2:5: error: unterminated string"), std::string::npos) << l.errors;
  EXPECT_EQ(l.tokens.back().kind, Tok::Eof);
}

struct Parsed {
  std::unique_ptr<ast::Module> module;
  std::string errors, tree;
};

Parsed parseText(const std::string &text) {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  Parsed r;
  r.module = parseFile(sources, sources.add("t.dl", text), diags);
  r.errors = out.str();
  std::ostringstream tree;
  ast::print(*r.module, tree);
  r.tree = tree.str();
  return r;
}

TEST(Parser, Precedence) {
  Parsed p = parseText("const a = -x ** 2\nconst b = a + b * c @ d\nconst c = a + 1 < b * 2\n");
  EXPECT_EQ(p.errors, "");
  EXPECT_NE(p.tree.find("const a = (-(x ** 2))"), std::string::npos) << p.tree;
  EXPECT_NE(p.tree.find("const b = (a + ((b * c) @ d))"), std::string::npos) << p.tree;
  EXPECT_NE(p.tree.find("const c = ((a + 1) < (b * 2))"), std::string::npos) << p.tree;
}

TEST(Parser, CallsSubscriptsAndMembers) {
  Parsed p = parseText("model m {\n  y = f(x, axis = -1)[0, :, 1:3, ::2]\n  z = h.W\n}\n");
  EXPECT_EQ(p.errors, "");
  EXPECT_NE(p.tree.find("assign y = f(x, axis = (-1))[0, :, 1:3, ::2]"), std::string::npos) << p.tree;
  EXPECT_NE(p.tree.find("assign z = h.W"), std::string::npos) << p.tree;
}

TEST(Parser, Declarations) {
  Parsed p = parseText(R"(import "other.dl"
const B = 4
layer L(n, act = relu) {
  param W: [n, n] = he_normal
  apply(x) = act(x @ W)
}
model m {
  input x: i32[B]
  output o = x
  loss l = mean(x)
}
train m.disc {
  loss = l
  optimizer = adam(lr = 1e-3)
}
)");
  EXPECT_EQ(p.errors, "");
  ASSERT_EQ(p.module->imports.size(), 1u);
  ASSERT_EQ(p.module->layers.size(), 1u);
  EXPECT_EQ(p.module->layers[0]->params.size(), 2u);
  ASSERT_TRUE(p.module->layers[0]->apply);
  ASSERT_EQ(p.module->trains.size(), 1u);
  EXPECT_EQ(p.module->trains[0].step, "disc");
  EXPECT_NE(p.tree.find("input x: i32[B]"), std::string::npos) << p.tree;
}

TEST(Parser, ReportsSeveralErrorsInOneRun) {
  Parsed p = parseText("model m {\n  a = f(x\n  b = = 3\n  c = 4\n}\nwhat\n");
  EXPECT_NE(p.errors.find("t.dl:3:"), std::string::npos) << p.errors;
  EXPECT_NE(p.errors.find("t.dl:6:1: error: expected a declaration"), std::string::npos) << p.errors;
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  Parsed p = parseText("const a = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n");
  EXPECT_NE(p.errors.find("nested too deeply"), std::string::npos);
}

struct Compiled {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string errors;
};

Compiled compile(mlir::MLIRContext &context, const std::string &text) {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  Compiled r;
  r.module = compileSource(context, sources, diags, "t.dl", text, FrontendOptions());
  r.errors = out.str();
  return r;
}

TEST(Elaborator, NamesParametersAfterInstances) {
  mlir::MLIRContext context;
  Compiled c = compile(context, R"(
model m {
  input x: f32[4, 3]
  enc = Dense(3, 2, act = relu)
  output y = enc(enc2(x))
  enc2 = Dense(3, 3)
}
)");
  // enc2 is used before it is defined: a located error, and nothing emitted.
  EXPECT_FALSE(c.module);
  EXPECT_NE(c.errors.find("t.dl:5:18: error: unknown name 'enc2'; did you mean 'enc'?"), std::string::npos)
      << c.errors;

  Compiled ok = compile(context, R"(
model m {
  input x: f32[4, 3]
  enc = Dense(3, 2, act = relu)
  output y = enc(x)
}
)");
  ASSERT_TRUE(ok.module) << ok.errors;
  auto model = *ok.module->getOps<mlir::dl::ModelOp>().begin();
  auto w = model.lookupSymbol<mlir::dl::ParamOp>("enc.W");
  ASSERT_TRUE(w);
  EXPECT_EQ(w.getInit(), "he_normal");
  EXPECT_EQ(w.getTensorType().getShape(), llvm::ArrayRef<int64_t>({3, 2}));
  auto forward = model.lookupSymbol<mlir::func::FuncOp>("forward");
  ASSERT_TRUE(forward);
  EXPECT_EQ(forward.getNumArguments(), 1u);
  EXPECT_EQ(forward.getNumResults(), 1u);
}

TEST(Elaborator, ShapeErrorsShowBothShapes) {
  mlir::MLIRContext context;
  Compiled c = compile(context, "model m {\n  input x: f32[4, 3]\n  input y: f32[4]\n  output s = x + y\n}\n");
  EXPECT_FALSE(c.module);
  EXPECT_NE(c.errors.find("t.dl:4:16: error: operands of '+' are not broadcast-compatible: f32[4, 3] and f32[4]"),
            std::string::npos)
      << c.errors;
}

TEST(Elaborator, TrainBlocksFillOptimizerDefaults) {
  mlir::MLIRContext context;
  Compiled c = compile(context, R"(
model m {
  input x: f32[2, 3]
  d = Dense(3, 1)
  loss l = mean(d(x))
}
train m {
  loss = l
  optimizer = adam
}
)");
  ASSERT_TRUE(c.module) << c.errors;
  mlir::dl::TrainOp train = *(*c.module->getOps<mlir::dl::ModelOp>().begin()).getOps<mlir::dl::TrainOp>().begin();
  EXPECT_EQ(train.getOptimizer(), "adam");
  EXPECT_DOUBLE_EQ(train.getHyperparams().getAs<mlir::FloatAttr>("lr").getValueAsDouble(), 1e-3);
  EXPECT_DOUBLE_EQ(train.getHyperparams().getAs<mlir::FloatAttr>("beta2").getValueAsDouble(), 0.999);
  EXPECT_EQ(train.getParams().size(), 2u);
}

TEST(Elaborator, UnknownOptimizerIsSuggested) {
  mlir::MLIRContext context;
  Compiled c = compile(context, "model m {\n  input x: f32[2]\n  w = Dense(2, 1)\n  loss l = mean(w(x))\n}\n"
                                "train m {\n  loss = l\n  optimizer = adamm\n}\n");
  EXPECT_FALSE(c.module);
  EXPECT_NE(c.errors.find("t.dl:8:15: error: unknown optimizer 'adamm'; did you mean 'adam'?"), std::string::npos)
      << c.errors;
}

} // namespace
