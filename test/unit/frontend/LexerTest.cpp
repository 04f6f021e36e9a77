//===- LexerTest.cpp - Units of the .dl lexer -----------------------------===//
//
// Token kinds and spellings, where newlines end statements (not inside parentheses and brackets,
// again inside a block opened within them), numbers, reserved and contextual keywords, comments,
// locations, and recovery from malformed input with every error reported.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Lexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace dlc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Lexed {
  std::vector<Token> tokens;
  std::string messages;
  unsigned errors = 0;
};

Lexed lexText(const std::string &text) {
  SourceManager sources;
  std::ostringstream messages;
  DiagnosticEngine diags(sources, messages);
  Lexed out;
  out.tokens = lex(sources, sources.add("t.dl", text), diags);
  out.messages = messages.str();
  out.errors = diags.errorCount();
  return out;
}

std::vector<Tok> kinds(const std::string &text) {
  std::vector<Tok> out;
  for (const Token &t : lexText(text).tokens)
    out.push_back(t.kind);
  return out;
}

TEST(LexerTest, TokensOfADeclaration) {
  Lexed l = lexText("const B = 4 * H");
  EXPECT_EQ(l.errors, 0u);
  EXPECT_THAT(kinds("const B = 4 * H"),
              ElementsAre(Tok::KwConst, Tok::Ident, Tok::Assign, Tok::Int, Tok::Star, Tok::Ident,
                          Tok::Newline, Tok::Eof));
  EXPECT_EQ(l.tokens[1].text, "B");
  EXPECT_EQ(l.tokens[3].text, "4");
}

TEST(LexerTest, Operators) {
  EXPECT_THAT(kinds("+ - * / % ** @ == != < <= > >= = . , : ;"),
              ElementsAre(Tok::Plus, Tok::Minus, Tok::Star, Tok::Slash, Tok::Percent,
                          Tok::StarStar, Tok::At,
                          Tok::Eq, Tok::Ne, Tok::Lt, Tok::Le, Tok::Gt, Tok::Ge, Tok::Assign,
                          Tok::Dot, Tok::Comma, Tok::Colon, Tok::Semicolon, Tok::Newline, Tok::Eof));
}

TEST(LexerTest, EmptyInputIsJustEof) {
  EXPECT_THAT(kinds(""), ElementsAre(Tok::Eof));
  EXPECT_THAT(kinds("  # only a comment\n\n"), ElementsAre(Tok::Eof));
}

TEST(LexerTest, NewlinesEndStatementsOnceInARow) {
  EXPECT_THAT(kinds("a\n\n\nb\n"),
              ElementsAre(Tok::Ident, Tok::Newline, Tok::Ident, Tok::Newline, Tok::Eof));
}

TEST(LexerTest, CarriageReturnsEndLinesAsNewlinesDo) {
  // Windows (\r\n) and old Mac OS (a lone \r) line endings end statements and comments, and count
  // lines, the way \n does.
  for (const char *text : {"a # x\r\nb\r\n\r\nc", "a # x\rb\r\rc", "a # x\nb\r\n\rc"}) {
    Lexed l = lexText(text);
    EXPECT_EQ(l.errors, 0u) << l.messages;
    EXPECT_THAT(kinds(text), ElementsAre(Tok::Ident, Tok::Newline, Tok::Ident, Tok::Newline,
                                         Tok::Ident, Tok::Newline, Tok::Eof));
    EXPECT_EQ(l.tokens[2].loc.line, 2u);
    EXPECT_EQ(l.tokens[2].loc.col, 1u);
    EXPECT_EQ(l.tokens[4].loc.line, 4u);
  }
  // A backslash continues a line over either ending.
  EXPECT_THAT(kinds("a \\\r\nb \\\rc"), ElementsAre(Tok::Ident, Tok::Ident, Tok::Ident,
                                                     Tok::Newline, Tok::Eof));
  // An error on a later line is reported there, with that line alone under it.
  Lexed l = lexText("a\rb $\rc");
  EXPECT_THAT(l.messages, HasSubstr("t.dl:2:3: error: unexpected character '$'\nb $\n  ^\n"));
}

TEST(LexerTest, NewlinesInsideParenthesesAndBracketsAreIgnored) {
  EXPECT_THAT(kinds("f(a,\n  b)\nx[1,\n 2]\n"),
              ElementsAre(Tok::Ident, Tok::LParen, Tok::Ident, Tok::Comma, Tok::Ident, Tok::RParen,
                          Tok::Newline, Tok::Ident, Tok::LBracket, Tok::Int, Tok::Comma, Tok::Int,
                          Tok::RBracket, Tok::Newline, Tok::Eof));
}

TEST(LexerTest, NewlinesInsideBracesCount) {
  EXPECT_THAT(kinds("model m {\n  a = 1\n}\n"),
              ElementsAre(Tok::KwModel, Tok::Ident, Tok::LBrace, Tok::Newline, Tok::Ident,
                          Tok::Assign, Tok::Int, Tok::Newline, Tok::RBrace, Tok::Newline, Tok::Eof));
}

TEST(LexerTest, ABlockInsideParenthesesMakesNewlinesCountAgain) {
  // A scan body passed to a call: its statements are separated by newlines.
  std::vector<Tok> k = kinds("f(scan x in y along 1 {\n a = x\n emit a\n})\nz");
  size_t newlines = std::count(k.begin(), k.end(), Tok::Newline);
  // After '{', 'a = x', 'emit a' and ')', and the one that ends the last line.
  EXPECT_EQ(newlines, 5u);
}

TEST(LexerTest, ADeclarationKeywordClosesBracketsLeftOpen) {
  Lexed l = lexText("const A = (1 + 2\nconst B = 3\n");
  EXPECT_EQ(l.errors, 0u);  // The lexer does not complain; the parser reports the missing ')'.
  std::vector<Tok> k;
  for (const Token &t : l.tokens)
    k.push_back(t.kind);
  EXPECT_THAT(k, ElementsAre(Tok::KwConst, Tok::Ident, Tok::Assign, Tok::LParen, Tok::Int,
                             Tok::Plus, Tok::Int, Tok::Newline, Tok::KwConst, Tok::Ident,
                             Tok::Assign, Tok::Int, Tok::Newline, Tok::Eof));
  EXPECT_EQ(l.tokens[7].loc.line, 1u);  // The newline that ends the broken line.
  EXPECT_EQ(l.tokens[7].loc.col, 17u);
}

TEST(LexerTest, Numbers) {
  Lexed l = lexText("42 1e-3 1.5 1. .5 2E+4 7e 3.W");
  ASSERT_GE(l.tokens.size(), 10u);
  EXPECT_EQ(l.tokens[0].kind, Tok::Int);
  EXPECT_EQ(l.tokens[0].text, "42");
  EXPECT_EQ(l.tokens[1].kind, Tok::Float);
  EXPECT_EQ(l.tokens[1].text, "1e-3");
  EXPECT_EQ(l.tokens[2].kind, Tok::Float);
  EXPECT_EQ(l.tokens[3].kind, Tok::Float);
  EXPECT_EQ(l.tokens[3].text, "1.");
  EXPECT_EQ(l.tokens[4].kind, Tok::Float);
  EXPECT_EQ(l.tokens[4].text, ".5");
  EXPECT_EQ(l.tokens[5].kind, Tok::Float);
  EXPECT_EQ(l.tokens[5].text, "2E+4");
  // `7e` runs a letter into a number: one error, and lexing goes on.
  EXPECT_EQ(l.errors, 1u);
  EXPECT_THAT(l.messages, HasSubstr("unexpected character 'e' after number '7'"));
  // `3.W` is 3, '.', W: a member access never starts with a digit, so '.' is not a decimal point.
  EXPECT_EQ(l.tokens[7].kind, Tok::Int);
  EXPECT_EQ(l.tokens[8].kind, Tok::Dot);
  EXPECT_EQ(l.tokens[9].kind, Tok::Ident);
}

TEST(LexerTest, HexadecimalIntegers) {
  Lexed l = lexText("0x10 0XfF 0x 0x1g");
  ASSERT_GE(l.tokens.size(), 6u);
  EXPECT_EQ(l.tokens[0].kind, Tok::Int);
  EXPECT_EQ(l.tokens[0].text, "0x10");
  EXPECT_EQ(l.tokens[1].kind, Tok::Int);
  EXPECT_EQ(l.tokens[1].text, "0XfF");
  // `0x` without a digit is the integer 0 followed by a letter, as is a letter after the digits.
  EXPECT_EQ(l.errors, 2u);
  EXPECT_THAT(l.messages, HasSubstr("t.dl:1:12: error: unexpected character 'x' after number '0'"));
  EXPECT_THAT(l.messages, HasSubstr("t.dl:1:17: error: unexpected character 'g' after number '0x1'"));
  EXPECT_EQ(lexText("0x7fffffffffffffff").errors, 0u);
  EXPECT_THAT(lexText("0x8000000000000000").messages,
              HasSubstr("integer '0x8000000000000000' is too large"));
}

TEST(LexerTest, NumbersOutOfRange) {
  Lexed l = lexText("99999999999999999999 1e999 9223372036854775807");
  EXPECT_EQ(l.errors, 2u);
  EXPECT_THAT(l.messages, HasSubstr("integer '99999999999999999999' is too large"));
  EXPECT_THAT(l.messages, HasSubstr("number '1e999' is out of range"));
  EXPECT_EQ(l.tokens[2].text, "9223372036854775807");
}

TEST(LexerTest, ReservedAndContextualKeywords) {
  EXPECT_THAT(kinds("const layer model train import return scan true false"),
              ElementsAre(Tok::KwConst, Tok::KwLayer, Tok::KwModel, Tok::KwTrain, Tok::KwImport,
                          Tok::KwReturn, Tok::KwScan, Tok::KwTrue, Tok::KwFalse, Tok::Newline,
                          Tok::Eof));
  // These are keywords only where the grammar expects them: to the lexer they are names.
  for (const char *word : {"in", "along", "carry", "emit", "apply", "input", "output", "loss",
                           "param", "buffer", "f32", "i32"}) {
    Lexed l = lexText(word);
    ASSERT_EQ(l.tokens.size(), 3u) << word;
    EXPECT_EQ(l.tokens[0].kind, Tok::Ident) << word;
    EXPECT_EQ(l.tokens[0].text, word);
  }
}

TEST(LexerTest, CommentsRunToTheEndOfTheLine) {
  EXPECT_THAT(kinds("a # b c ( [\nd"),
              ElementsAre(Tok::Ident, Tok::Newline, Tok::Ident, Tok::Newline, Tok::Eof));
}

TEST(LexerTest, Strings) {
  Lexed l = lexText("import \"Inputs/a \\\"b\\\".dl\"");
  EXPECT_EQ(l.errors, 0u);
  ASSERT_EQ(l.tokens[1].kind, Tok::String);
  EXPECT_EQ(l.tokens[1].text, "Inputs/a \"b\".dl");
}

TEST(LexerTest, Locations) {
  Lexed l = lexText("model m {\n\tx = 1\n}");
  EXPECT_EQ(l.tokens[0].loc.line, 1u);
  EXPECT_EQ(l.tokens[0].loc.col, 1u);
  EXPECT_EQ(l.tokens[1].loc.col, 7u);
  // A tab is one column, as the caret line reproduces it.
  EXPECT_EQ(l.tokens[4].text, "x");
  EXPECT_EQ(l.tokens[4].loc.line, 2u);
  EXPECT_EQ(l.tokens[4].loc.col, 2u);
}

TEST(LexerTest, RecoversAndReportsEveryError) {
  Lexed l = lexText("a $ b\n\"open\nc ? d é \xff\ne ! f");
  EXPECT_EQ(l.errors, 6u);
  EXPECT_THAT(l.messages, HasSubstr("t.dl:1:3: error: unexpected character '$'"));
  EXPECT_THAT(l.messages, HasSubstr("t.dl:2:1: error: unterminated string"));
  EXPECT_THAT(l.messages, HasSubstr("t.dl:3:3: error: unexpected character '?'"));
  EXPECT_THAT(l.messages, HasSubstr("t.dl:3:7: error: unexpected character 'é'; only ASCII"));
  EXPECT_THAT(l.messages, HasSubstr("t.dl:3:10: error: unexpected byte 0xff in source"));
  EXPECT_THAT(l.messages, HasSubstr("t.dl:4:3: error: unexpected character '!'; did you mean '!='?"));
  // Every name survives.
  std::vector<std::string> names;
  for (const Token &t : l.tokens)
    if (t.kind == Tok::Ident)
      names.push_back(t.text);
  EXPECT_THAT(names, ElementsAre("a", "b", "c", "d", "e", "f"));
  EXPECT_EQ(l.tokens.back().kind, Tok::Eof);
}

TEST(LexerTest, ErrorsStopPrintingAfterTheLimitButAreCounted) {
  Lexed l = lexText(std::string(30, '$'));
  EXPECT_EQ(l.errors, 30u);
  EXPECT_THAT(l.messages, HasSubstr("too many errors, stopping here"));
}

} // namespace
