//===- ParserTest.cpp - Units of the .dl parser ---------------------------===//
//
// Precedence and associativity (read back through the AST printer, which parenthesizes fully),
// calls with keyword arguments, subscripts and slices, the declarations and statements of every
// block, and recovery: one run reports every independent syntax error.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/AST.h"
#include "compiler/frontend/Parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace dlc;
using namespace dlc::ast;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Parsed {
  std::unique_ptr<Module> module;
  std::string messages;
  unsigned errors = 0;
};

Parsed parseText(const std::string &text) {
  SourceManager sources;
  std::ostringstream messages;
  DiagnosticEngine diags(sources, messages);
  Parsed out;
  out.module = parseFile(sources, sources.add("t.dl", text), diags);
  out.messages = messages.str();
  out.errors = diags.errorCount();
  return out;
}

/// How `text` parses as an expression, fully parenthesized ("" after a syntax error).
std::string expr(const std::string &text) {
  Parsed p = parseText("const A = " + text + "\n");
  if (p.errors || p.module->consts.size() != 1)
    return "";
  std::ostringstream os;
  print(*p.module, os);
  std::string s = os.str();
  const std::string prefix = "const A = ";
  return s.substr(prefix.size(), s.rfind(" @") - prefix.size());
}

TEST(ParserTest, UnaryMinusBindsLooserThanPower) {
  EXPECT_EQ(expr("-x**2"), "(-(x ** 2))");
  EXPECT_EQ(expr("-x * y"), "((-x) * y)");
  EXPECT_EQ(expr("--x"), "(-(-x))");
  EXPECT_EQ(expr("+x"), "x");
}

TEST(ParserTest, PowerIsRightAssociative) {
  EXPECT_EQ(expr("a ** b ** c"), "(a ** (b ** c))");
  EXPECT_EQ(expr("a ** -b"), "(a ** (-b))");
}

TEST(ParserTest, MatmulIsMultiplicative) {
  EXPECT_EQ(expr("a + b * c @ d"), "(a + ((b * c) @ d))");
  EXPECT_EQ(expr("a @ b + c"), "((a @ b) + c)");
  EXPECT_EQ(expr("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(expr("a / b * c"), "((a / b) * c)");
  EXPECT_EQ(expr("(a + b) * c"), "((a + b) * c)");
}

TEST(ParserTest, ComparisonsBindLoosest) {
  EXPECT_EQ(expr("a + 1 < b * 2"), "((a + 1) < (b * 2))");
  EXPECT_EQ(expr("a == b"), "(a == b)");
  EXPECT_EQ(expr("a != -b"), "(a != (-b))");
  EXPECT_EQ(expr("a >= b"), "(a >= b)");
  EXPECT_EQ(expr("a <= b"), "(a <= b)");
  EXPECT_EQ(expr("a > b"), "(a > b)");
  // Comparisons do not chain.
  EXPECT_EQ(expr("a < b < c"), "");
}

TEST(ParserTest, Literals) {
  EXPECT_EQ(expr("1e-3"), "0.001");
  EXPECT_EQ(expr("0.9"), "0.9");
  EXPECT_EQ(expr("3"), "3");
  EXPECT_EQ(expr("true"), "true");
  EXPECT_EQ(expr("\"s\""), "\"s\"");
  EXPECT_EQ(expr("[1, 2, 3]"), "[1, 2, 3]");
  EXPECT_EQ(expr("(1, 2,)"), "(1, 2)");
  EXPECT_EQ(expr("[]"), "[]");
}

TEST(ParserTest, CallsWithKeywordArguments) {
  EXPECT_EQ(expr("Dense(784, 256, act = relu)"), "Dense(784, 256, act = relu)");
  EXPECT_EQ(expr("f()"), "f()");
  EXPECT_EQ(expr("leaky_relu(alpha = 0.2)(x)"), "leaky_relu(alpha = 0.2)(x)");
  EXPECT_EQ(expr("f(a,\n  b = 1,\n)"), "f(a, b = 1)");

  Parsed p = parseText("const A = f(1, b = 2, 3)\n");
  EXPECT_EQ(p.errors, 1u);
  EXPECT_THAT(p.messages, HasSubstr("t.dl:1:23: error: positional argument follows keyword argument"));
}

TEST(ParserTest, CallArgumentsAreRecorded) {
  Parsed p = parseText("const A = f(x, act = relu)\n");
  ASSERT_EQ(p.errors, 0u);
  auto *call = static_cast<const CallExpr *>(p.module->consts[0].value.get());
  ASSERT_EQ(call->kind, ExprKind::Call);
  ASSERT_EQ(call->args.size(), 2u);
  EXPECT_EQ(call->args[0].name, "");
  EXPECT_EQ(call->args[1].name, "act");
  EXPECT_EQ(call->args[1].loc.col, 16u);
}

TEST(ParserTest, SubscriptsAndSlices) {
  EXPECT_EQ(expr("x[i, :, a:b]"), "x[i, :, a:b]");
  EXPECT_EQ(expr("x[-1]"), "x[(-1)]");
  EXPECT_EQ(expr("x[::2, 1:, :-1]"), "x[::2, 1:, :(-1)]");
  EXPECT_EQ(expr("x[0][1]"), "x[0][1]");
  EXPECT_EQ(expr("zeros[B, H]"), "zeros[B, H]");

  Parsed p = parseText("const A = x[1:2:3, 4]\n");
  ASSERT_EQ(p.errors, 0u);
  auto *index = static_cast<const IndexExpr *>(p.module->consts[0].value.get());
  ASSERT_EQ(index->subscripts.size(), 2u);
  EXPECT_TRUE(index->subscripts[0].isSlice);
  EXPECT_TRUE(index->subscripts[0].lo && index->subscripts[0].hi && index->subscripts[0].step);
  EXPECT_FALSE(index->subscripts[1].isSlice);
}

TEST(ParserTest, MemberAccess) {
  EXPECT_EQ(expr("enc.inner.W"), "enc.inner.W");
  EXPECT_EQ(expr("h(x).W"), "h(x).W");
}

TEST(ParserTest, LayerDeclaration) {
  Parsed p = parseText("layer Block(n, hidden = 2 * n, act = relu) {\n"
                       "  param W: [n, hidden] = he_normal\n"
                       "  buffer s: f32[n] = ones\n"
                       "  inner = Dense(n, n)\n"
                       "  apply(x, y) {\n"
                       "    h = inner(x)\n"
                       "    return act(h @ W) + y\n"
                       "  }\n"
                       "}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  ASSERT_EQ(p.module->layers.size(), 1u);
  const LayerDecl &l = *p.module->layers[0];
  EXPECT_EQ(l.name, "Block");
  ASSERT_EQ(l.params.size(), 3u);
  EXPECT_EQ(l.params[0].name, "n");
  EXPECT_EQ(l.params[0].defaultValue, nullptr);
  EXPECT_NE(l.params[1].defaultValue, nullptr);
  ASSERT_EQ(l.body.size(), 3u);
  EXPECT_EQ(l.body[0]->kind, StmtKind::State);
  EXPECT_FALSE(static_cast<const StateStmt &>(*l.body[0]).isBuffer);
  EXPECT_TRUE(static_cast<const StateStmt &>(*l.body[1]).isBuffer);
  EXPECT_EQ(l.body[2]->kind, StmtKind::Assign);
  ASSERT_NE(l.apply, nullptr);
  EXPECT_THAT(l.apply->args, ElementsAre("x", "y"));
  EXPECT_EQ(l.apply->body.size(), 1u);
  EXPECT_NE(l.apply->result, nullptr);
}

TEST(ParserTest, ConditionalBindsLoosestAndNestsToTheRight) {
  EXPECT_EQ(expr("a + 1 if c else b * 2"), "((a + 1) if c else (b * 2))");
  EXPECT_EQ(expr("a if x == y else b"), "(a if (x == y) else b)");
  EXPECT_EQ(expr("a if c else b if d else e"), "(a if c else (b if d else e))");
  EXPECT_EQ(expr("f(a if c else b)"), "f((a if c else b))");
  // `if` without `else` is an error; `if` and `else` are names elsewhere.
  EXPECT_EQ(expr("a if c"), "");
  EXPECT_EQ(expr("else + if"), "(else + if)");
}

TEST(ParserTest, ApplyArgumentsTakeDefaults) {
  Parsed p = parseText("layer Cell(n) {\n"
                       "  apply(xs, h0 = zeros[1, n], c0 = h0 * 2) = xs + h0 + c0\n"
                       "}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  const ApplyDecl &a = *p.module->layers[0]->apply;
  EXPECT_THAT(a.args, ElementsAre("xs", "h0", "c0"));
  ASSERT_EQ(a.argDefaults.size(), 3u);
  EXPECT_EQ(a.argDefaults[0], nullptr);
  EXPECT_NE(a.argDefaults[1], nullptr);
  EXPECT_NE(a.argDefaults[2], nullptr);
  Parsed bad = parseText("layer Cell(n) {\n  apply(xs, h0 = xs, c0) = xs\n}\n");
  EXPECT_THAT(bad.messages, HasSubstr("apply's argument 'c0' has no default but follows one that has"));
}

TEST(ParserTest, LayerWithoutParametersOrParentheses) {
  Parsed p = parseText("layer Flat {\n  apply(x) = flatten(x)\n}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  EXPECT_TRUE(p.module->layers[0]->params.empty());
}

TEST(ParserTest, ModelDeclaration) {
  Parsed p = parseText("model m {\n"
                       "  input x: f32[B, 784]\n"
                       "  input y: i32[B]\n"
                       "  h = Dense(784, 10)\n"
                       "  a, b = split(x, 2, axis = 1)\n"
                       "  output p = softmax(h(x))\n"
                       "  loss l = cross_entropy(h(x), y)\n"
                       "}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  ASSERT_EQ(p.module->models.size(), 1u);
  const StmtList &body = p.module->models[0]->body;
  ASSERT_EQ(body.size(), 6u);
  auto &x = static_cast<const InputStmt &>(*body[0]);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.elementType, "f32");
  EXPECT_EQ(x.shape.size(), 2u);
  EXPECT_EQ(static_cast<const InputStmt &>(*body[1]).elementType, "i32");
  EXPECT_THAT(static_cast<const AssignStmt &>(*body[3]).targets, ElementsAre("a", "b"));
  EXPECT_EQ(body[4]->kind, StmtKind::Output);
  EXPECT_EQ(body[5]->kind, StmtKind::Loss);
  EXPECT_EQ(static_cast<const LossStmt &>(*body[5]).name, "l");
}

TEST(ParserTest, ContextualKeywordsAreNamesElsewhere) {
  // `input`, `loss`, `output` and `assert` followed by '=' are assignments to names of those
  // spellings.
  Parsed p = parseText("model m {\n  input = 1\n  loss = 2\n  assert = 3\n}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  EXPECT_EQ(p.module->models[0]->body[0]->kind, StmtKind::Assign);
  EXPECT_EQ(p.module->models[0]->body[1]->kind, StmtKind::Assign);
  EXPECT_EQ(p.module->models[0]->body[2]->kind, StmtKind::Assign);
}

TEST(ParserTest, AssertTakesAConditionAndMessageParts) {
  Parsed p = parseText("layer L(n) {\n  assert n % 2 == 0, \"odd:\", n\n"
                       "  apply(x) {\n    assert assert\n    return x\n  }\n}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  const LayerDecl &l = *p.module->layers[0];
  ASSERT_EQ(l.body[0]->kind, StmtKind::Assert);
  auto &a = static_cast<const AssertStmt &>(*l.body[0]);
  EXPECT_EQ(a.message.size(), 2u);
  std::ostringstream os;
  print(*p.module, os);
  EXPECT_THAT(os.str(), HasSubstr("assert ((n % 2) == 0), \"odd:\", n"));
  ASSERT_EQ(l.apply->body.size(), 1u);
  EXPECT_EQ(l.apply->body[0]->kind, StmtKind::Assert);
}

TEST(ParserTest, RemainderBindsAsMultiplication) {
  EXPECT_EQ(expr("a + b % c * d"), "(a + ((b % c) * d))");
}

TEST(ParserTest, TrainDeclarations) {
  Parsed p = parseText("train gan.disc {\n"
                       "  loss = d_loss\n"
                       "  params = [disc]\n"
                       "  optimizer = adam(lr = 2e-4, beta1 = 0.5)\n"
                       "}\n"
                       "train xor { loss = l; optimizer = sgd(lr = 0.5) }\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  ASSERT_EQ(p.module->trains.size(), 2u);
  EXPECT_EQ(p.module->trains[0].model, "gan");
  EXPECT_EQ(p.module->trains[0].step, "disc");
  ASSERT_EQ(p.module->trains[0].entries.size(), 3u);
  EXPECT_EQ(p.module->trains[0].entries[1].key, "params");
  EXPECT_EQ(p.module->trains[1].model, "xor");
  EXPECT_EQ(p.module->trains[1].step, "");
  EXPECT_EQ(p.module->trains[1].entries.size(), 2u);
}

TEST(ParserTest, ImportsAndConsts) {
  Parsed p = parseText("import \"a.dl\"\nconst B = 4\nconst LR = 1e-3\n");
  ASSERT_EQ(p.errors, 0u);
  ASSERT_EQ(p.module->imports.size(), 1u);
  EXPECT_EQ(p.module->imports[0].path, "a.dl");
  ASSERT_EQ(p.module->consts.size(), 2u);
  EXPECT_EQ(p.module->consts[1].name, "LR");
  EXPECT_EQ(p.module->consts[1].loc.line, 3u);
  EXPECT_EQ(p.module->consts[1].loc.col, 7u);
}

TEST(ParserTest, ScanExpressions) {
  Parsed p = parseText("model m {\n"
                       "  y = scan x_t in xs along 1 carry (h = zeros[B, H], c = 0) {\n"
                       "    h = tanh(x_t + h)\n"
                       "    emit h, c\n"
                       "  }\n"
                       "}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  auto &assign = static_cast<const AssignStmt &>(*p.module->models[0]->body[0]);
  auto *scan = static_cast<const ScanExpr *>(assign.value.get());
  ASSERT_EQ(scan->kind, ExprKind::Scan);
  EXPECT_EQ(scan->element, "x_t");
  ASSERT_EQ(scan->carries.size(), 2u);
  EXPECT_EQ(scan->carries[1].name, "c");
  ASSERT_EQ(scan->body.size(), 2u);
  EXPECT_EQ(scan->body[1]->kind, StmtKind::Emit);
  EXPECT_EQ(static_cast<const EmitStmt &>(*scan->body[1]).values.size(), 2u);
  EXPECT_EQ(scan->reverse, nullptr);
}

TEST(ParserTest, ScanReverseClause) {
  Parsed p = parseText("model m {\n"
                       "  y = scan x_t in xs along 1 reverse = back carry (h = h0) {\n"
                       "    emit h\n"
                       "  }\n"
                       "}\n");
  ASSERT_EQ(p.errors, 0u) << p.messages;
  auto &assign = static_cast<const AssignStmt &>(*p.module->models[0]->body[0]);
  auto *scan = static_cast<const ScanExpr *>(assign.value.get());
  ASSERT_NE(scan->reverse, nullptr);
  EXPECT_EQ(scan->reverse->kind, ExprKind::Name);
  EXPECT_EQ(static_cast<const NameExpr &>(*scan->reverse).name, "back");
  ASSERT_EQ(scan->carries.size(), 1u);
  Parsed bad = parseText("model m {\n  y = scan x_t in xs along 1 reverse carry (h = h0) {\n    emit h\n  }\n}\n");
  EXPECT_THAT(bad.messages, HasSubstr("expected '=' after 'reverse'"));
}

TEST(ParserTest, RecoveryReportsSeveralErrors) {
  Parsed p = parseText("const A = (1 + 2\n"             // ')' never closed
                       "const B = 3\n"                  // fine
                       "42\n"                           // not a declaration
                       "model m {\n"
                       "  x = * 2\n"                    // no operand
                       "  return x\n"                   // not in an apply block
                       "  y = 1\n"                      // fine
                       "}\n"
                       "layer L(a b) {\n"               // missing ','
                       "}\n"
                       "model n {\n"
                       "  z = 1\n");                    // '}' missing at the end
  EXPECT_EQ(p.errors, 6u) << p.messages;
  EXPECT_THAT(p.messages, HasSubstr("t.dl:1:17: error: expected ')' to close the parenthesis, found end of line"));
  EXPECT_THAT(p.messages, HasSubstr("t.dl:3:1: error: expected a declaration"));
  EXPECT_THAT(p.messages, HasSubstr("t.dl:5:7: error: expected an expression, found '*'"));
  EXPECT_THAT(p.messages, HasSubstr("t.dl:6:3: error: 'return' belongs in an apply block"));
  EXPECT_THAT(p.messages, HasSubstr("t.dl:9:11: error: expected ')' after the layer's parameters, found 'b'"));
  EXPECT_THAT(p.messages, HasSubstr("t.dl:13:1: error: expected '}' to close the block that opens at 11:9"));
  // What parsed cleanly is kept.
  ASSERT_EQ(p.module->consts.size(), 1u);
  EXPECT_EQ(p.module->consts[0].name, "B");
  ASSERT_GE(p.module->models.size(), 1u);
  EXPECT_EQ(p.module->models[0]->body.size(), 1u);  // y = 1
}

TEST(ParserTest, DeepNestingIsAnErrorNotACrash) {
  Parsed p = parseText("const A = " + std::string(100000, '(') + "1\n");
  EXPECT_EQ(p.errors, 1u);
  EXPECT_THAT(p.messages, HasSubstr("expression is nested too deeply"));

  std::string chain = "const B = 1";
  for (int i = 0; i < 100000; ++i)
    chain += "+1";
  p = parseText(chain + "\n");
  EXPECT_EQ(p.errors, 1u);
  EXPECT_THAT(p.messages, HasSubstr("expression is nested too deeply"));
}

} // namespace
