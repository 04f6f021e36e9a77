//===- Parser.cpp - Top-level declarations, errors and recovery -----------===//
//
// The parser's top level: the loop over a file's declarations (import, const, layer, model,
// train), the shape of its error messages, and the recovery that skips to the end of a statement
// so that one run reports every independent syntax error. The statements inside a block are
// parsed in ParseStatements.cpp, expressions in ParseExpressions.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Parser.h"
#include "compiler/frontend/ParserImpl.h"

namespace dlc {
namespace parser {

//===----------------------------------------------------------------------===//
// Errors and recovery
//===----------------------------------------------------------------------===//

std::string Parser::found() const {
  const Token &t = tok();
  switch (t.kind) {
  case Tok::Ident: return "'" + t.text + "'";
  case Tok::Int:
  case Tok::Float: return "number '" + t.text + "'";
  case Tok::String: return "string \"" + t.text + "\"";
  default: return describe(t.kind);
  }
}

bool Parser::expect(Tok kind, const std::string &context) {
  if (accept(kind))
    return true;
  error(tok().loc, std::string("expected ") + describe(kind) + " " + context + ", found " + found());
  return false;
}

bool Parser::expectIdent(std::string &out, SourceLoc &loc, const std::string &what) {
  if (!at(Tok::Ident)) {
    error(tok().loc, "expected " + what + ", found " + found());
    return false;
  }
  loc = tok().loc;
  out = advance().text;
  return true;
}

void Parser::error(SourceLoc loc, const std::string &message) {
  // One error per statement: the first is the real one, later ones are consequences.
  if (!panicking_)
    diags_.error(loc, message);
  panicking_ = true;
}

void Parser::synchronize() {
  int depth = 0;
  while (!at(Tok::Eof)) {
    if (depth == 0 && (at(Tok::Newline) || at(Tok::Semicolon)))
      break;
    if (depth == 0 && at(Tok::RBrace))
      break;
    if (at(Tok::LBrace))
      ++depth;
    if (at(Tok::RBrace))
      --depth;
    advance();
  }
  panicking_ = false;
}

void Parser::endOfStatement() {
  if (at(Tok::Newline) || at(Tok::Semicolon) || at(Tok::Eof) || at(Tok::RBrace)) {
    if (!at(Tok::RBrace))
      advance();
    panicking_ = false;
    return;
  }
  error(tok().loc, "expected end of line, found " + found());
  synchronize();
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

std::unique_ptr<Module> Parser::run() {
  while (true) {
    skipNewlines();
    if (at(Tok::Eof))
      break;
    size_t before = pos_;
    parseTopLevel();
    if (pos_ == before)  // Never loop without progress, whatever the input.
      advance();
  }
  return std::move(module_);
}

void Parser::parseTopLevel() {
  panicking_ = false;
  switch (tok().kind) {
  case Tok::KwImport: return parseImport();
  case Tok::KwConst: return parseConst();
  case Tok::KwLayer: return parseLayer();
  case Tok::KwModel: return parseModel();
  case Tok::KwTrain: return parseTrain();
  default:
    error(tok().loc, "expected a declaration (const, layer, model, train or import), found " +
                         found());
    // Skip the whole line, and a whole braced block if one follows.
    synchronize();
    if (at(Tok::RBrace))
      advance();
  }
}

void Parser::parseImport() {
  SourceLoc loc = advance().loc;
  if (!at(Tok::String)) {
    error(tok().loc, "expected a file name in quotes after 'import', found " + found());
    return synchronize();
  }
  module_->imports.push_back({advance().text, loc});
  endOfStatement();
}

void Parser::parseConst() {
  ConstDecl decl;
  decl.loc = advance().loc;
  SourceLoc nameLoc;
  if (!expectIdent(decl.name, nameLoc, "a constant name after 'const'") ||
      !expect(Tok::Assign, "after the constant's name")) {
    return synchronize();
  }
  decl.loc = nameLoc;
  decl.value = parseExpr();
  if (!decl.value)
    return synchronize();
  module_->consts.push_back(std::move(decl));
  endOfStatement();
}

void Parser::parseLayer() {
  auto layer = std::make_unique<LayerDecl>();
  advance();
  if (!expectIdent(layer->name, layer->loc, "a layer name after 'layer'"))
    return synchronize();
  if (accept(Tok::LParen)) {
    skipNewlines();
    while (!at(Tok::RParen) && !at(Tok::Eof)) {
      LayerParam p;
      if (!expectIdent(p.name, p.loc, "a parameter name"))
        return synchronize();
      if (accept(Tok::Assign)) {
        p.defaultValue = parseExpr();
        if (!p.defaultValue)
          return synchronize();
      }
      layer->params.push_back(std::move(p));
      if (!accept(Tok::Comma))
        break;
    }
    if (!expect(Tok::RParen, "after the layer's parameters"))
      return synchronize();
  }
  if (!expect(Tok::LBrace, "to open the layer's body"))
    return synchronize();
  parseBlock(BlockKind::Layer, layer->body, layer.get(), nullptr);
  module_->layers.push_back(std::move(layer));
}

void Parser::parseModel() {
  auto model = std::make_unique<ModelDecl>();
  advance();
  if (!expectIdent(model->name, model->loc, "a model name after 'model'"))
    return synchronize();
  if (!expect(Tok::LBrace, "to open the model's body"))
    return synchronize();
  parseBlock(BlockKind::Model, model->body, nullptr, nullptr);
  module_->models.push_back(std::move(model));
}

void Parser::parseTrain() {
  TrainDecl train;
  train.loc = advance().loc;
  if (!expectIdent(train.model, train.modelLoc, "a model name after 'train'"))
    return synchronize();
  if (accept(Tok::Dot)) {
    SourceLoc stepLoc;
    if (!expectIdent(train.step, stepLoc, "a step name after '.'"))
      return synchronize();
  }
  if (!expect(Tok::LBrace, "to open the train block"))
    return synchronize();
  while (true) {
    skipNewlines();
    if (accept(Tok::RBrace))
      break;
    if (at(Tok::Eof)) {
      error(tok().loc, "expected '}' to close the train block that opens at " +
                           std::to_string(train.loc.line) + ":" + std::to_string(train.loc.col));
      break;
    }
    TrainEntry entry;
    if (!expectIdent(entry.key, entry.loc, "a setting name (loss, optimizer, params, ...)") ||
        !expect(Tok::Assign, "after '" + entry.key + "'")) {
      synchronize();
      continue;
    }
    entry.value = parseExpr();
    if (!entry.value) {
      synchronize();
      continue;
    }
    train.entries.push_back(std::move(entry));
    endOfStatement();
  }
  module_->trains.push_back(std::move(train));
}

} // namespace parser

std::unique_ptr<ast::Module> parseFile(const SourceManager &sources, uint32_t file,
                                       DiagnosticEngine &diags) {
  return parser::Parser(lex(sources, file, diags), file, diags).run();
}

} // namespace dlc
