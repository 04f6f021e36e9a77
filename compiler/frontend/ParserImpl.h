//===- ParserImpl.h - The parser's internals --------------------*- C++ -*-===//
//
// The Parser class, shared by the files that implement it: Parser.cpp (top-level declarations,
// error reporting and recovery), ParseStatements.cpp (the statements of model, layer, apply and
// scan blocks) and ParseExpressions.cpp (expressions, with the bound on their nesting). The token
// helpers are inline here. Private to DLSyntax: the rest of dlc calls parseFile (Parser.h).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_PARSERIMPL_H
#define DLC_FRONTEND_PARSERIMPL_H

#include "compiler/frontend/AST.h"
#include "compiler/frontend/Lexer.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace dlc {
namespace parser {

using namespace ast;

/// Which block a statement appears in decides which statements it may be.
enum class BlockKind { Model, Layer, Apply, Scan };

class Parser {
public:
  Parser(std::vector<Token> tokens, uint32_t file, DiagnosticEngine &diags)
      : tokens_(std::move(tokens)), diags_(diags) {
    module_ = std::make_unique<Module>();
    module_->file = file;
  }

  /// Parses every top-level declaration up to the end of the tokens.
  std::unique_ptr<Module> run();

private:
  //===--------------------------------------------------------------------===//
  // Token helpers
  //===--------------------------------------------------------------------===//

  const Token &tok(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  bool at(Tok kind) const { return tok().kind == kind; }
  bool atWord(const char *word) const { return at(Tok::Ident) && tok().text == word; }
  Token advance() {
    Token t = tok();
    if (pos_ + 1 < tokens_.size())
      ++pos_;
    return t;
  }
  bool accept(Tok kind) {
    if (!at(kind))
      return false;
    advance();
    return true;
  }
  void skipNewlines() {
    while (at(Tok::Newline) || at(Tok::Semicolon))
      advance();
  }

  //===--------------------------------------------------------------------===//
  // Errors and recovery (Parser.cpp)
  //===--------------------------------------------------------------------===//

  /// What the current token looks like in a message.
  std::string found() const;
  bool expect(Tok kind, const std::string &context);
  bool expectIdent(std::string &out, SourceLoc &loc, const std::string &what);
  void error(SourceLoc loc, const std::string &message);
  /// Skips to the end of the current statement, keeping braces balanced.
  void synchronize();
  void endOfStatement();

  //===--------------------------------------------------------------------===//
  // Declarations (Parser.cpp)
  //===--------------------------------------------------------------------===//

  void parseTopLevel();
  void parseImport();
  void parseConst();
  void parseLayer();
  void parseModel();
  void parseTrain();

  //===--------------------------------------------------------------------===//
  // Statements (ParseStatements.cpp)
  //===--------------------------------------------------------------------===//

  /// Parses statements up to the closing brace (the opening one is consumed already). In a layer,
  /// the apply definition goes to `layer->apply`; in a scan the body ends with `emit`.
  void parseBlock(BlockKind kind, StmtList &out, LayerDecl *layer, ApplyDecl *apply);
  void parseStatement(BlockKind kind, StmtList &out, LayerDecl *layer, ApplyDecl *apply);
  void parseInput(StmtList &out);
  /// Parses `expr, expr, ...]`, after the opening bracket.
  bool parseShapeList(std::vector<ExprPtr> &shape);
  void parseState(StmtList &out);
  void parseOutputOrLoss(StmtList &out);
  void parseApply(LayerDecl *layer);
  void parseAssign(StmtList &out);

  //===--------------------------------------------------------------------===//
  // Expressions (ParseExpressions.cpp)
  //===--------------------------------------------------------------------===//

  /// Bounds recursion so deeply nested input is an error, not a stack overflow.
  struct DepthGuard {
    DepthGuard(Parser &p) : p(p) { ++p.depth_; }
    ~DepthGuard() { --p.depth_; }
    Parser &p;
  };
  /// Counts the links of a left-associative chain (`a + b + c`, `f(x)(y)`, `x.a.b`) as nesting too:
  /// each link makes the tree one level deeper, and the elaborator, the printer and the tree's
  /// destructors recurse on that depth.
  struct ChainGuard {
    ChainGuard(Parser &p) : p(p) {}
    ~ChainGuard() { p.depth_ -= links; }
    /// Adds a link; false (after reporting) when the chain is too long.
    bool link() {
      ++links;
      if (++p.depth_ <= kMaxDepth)
        return true;
      p.tooDeep();
      return false;
    }
    Parser &p;
    int links = 0;
  };
  static constexpr int kMaxDepth = 200;
  void tooDeep();

  ExprPtr parseExpr();
  ExprPtr parseComparison();
  ExprPtr parseAdditive();
  ExprPtr parseMultiplicative();
  ExprPtr parseUnary();
  ExprPtr parsePower();
  ExprPtr parsePostfix();
  ExprPtr parseCall(ExprPtr callee);
  ExprPtr parseIndex(ExprPtr base);
  ExprPtr parsePrimary();
  ExprPtr parseScan();

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool panicking_ = false;
  DiagnosticEngine &diags_;
  std::unique_ptr<Module> module_;
};

} // namespace parser
} // namespace dlc

#endif // DLC_FRONTEND_PARSERIMPL_H
