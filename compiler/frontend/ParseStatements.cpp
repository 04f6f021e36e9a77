//===- ParseStatements.cpp - Statements of model, layer and scan blocks ---===//
//
// The statements of a braced block: input, param and buffer declarations, output and loss, a
// layer's apply definition, return, assert, a scan body's emit, and assignments. Which block a
// statement appears in (BlockKind) decides which of them it may be; the message for one out of
// place says where it belongs.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ParserImpl.h"

namespace dlc {
namespace parser {

void Parser::parseBlock(BlockKind kind, StmtList &out, LayerDecl *layer, ApplyDecl *apply) {
  SourceLoc open = tokens_[pos_ ? pos_ - 1 : 0].loc;
  while (true) {
    skipNewlines();
    if (accept(Tok::RBrace))
      return;
    if (at(Tok::Eof)) {
      diags_.error(tok().loc, "expected '}' to close the block that opens at " +
                                  std::to_string(open.line) + ":" + std::to_string(open.col));
      return;
    }
    size_t before = pos_;
    panicking_ = false;
    parseStatement(kind, out, layer, apply);
    if (panicking_)
      synchronize();
    if (pos_ == before)
      advance();
  }
}

void Parser::parseStatement(BlockKind kind, StmtList &out, LayerDecl *layer, ApplyDecl *apply) {
  SourceLoc loc = tok().loc;
  bool nameFollows = tok(1).kind == Tok::Ident;
  if (atWord("input") && nameFollows) {
    if (kind != BlockKind::Model)
      return error(loc, "'input' declarations belong in a model");
    return parseInput(out);
  }
  if ((atWord("param") || atWord("buffer")) && nameFollows) {
    if (kind != BlockKind::Model && kind != BlockKind::Layer)
      return error(loc, "'" + tok().text + "' declarations belong in a model or a layer");
    return parseState(out);
  }
  if ((atWord("output") || atWord("loss")) && nameFollows) {
    if (kind != BlockKind::Model)
      return error(loc, "'" + tok().text + "' declarations belong in a model");
    return parseOutputOrLoss(out);
  }
  if (atWord("apply") && tok(1).kind == Tok::LParen && kind == BlockKind::Layer)
    return parseApply(layer);
  if (at(Tok::KwReturn)) {
    if (kind != BlockKind::Apply)
      return error(loc, "'return' belongs in an apply block");
    advance();
    apply->result = parseExpr();
    if (apply->result)
      endOfStatement();
    return;
  }
  // `assert cond, "message", value, ...`; `assert = ...` still assigns a name.
  if (atWord("assert") && tok(1).kind != Tok::Assign && tok(1).kind != Tok::Comma &&
      tok(1).kind != Tok::Newline) {
    auto check = std::make_unique<AssertStmt>(advance().loc);
    check->condition = parseExpr();
    if (!check->condition)
      return;
    while (accept(Tok::Comma)) {
      ExprPtr part = parseExpr();
      if (!part)
        return;
      check->message.push_back(std::move(part));
    }
    out.push_back(std::move(check));
    return endOfStatement();
  }
  if (atWord("emit") && kind == BlockKind::Scan) {
    auto emit = std::make_unique<EmitStmt>(advance().loc);
    do {
      ExprPtr value = parseExpr();
      if (!value)
        return;
      emit->values.push_back(std::move(value));
    } while (accept(Tok::Comma));
    out.push_back(std::move(emit));
    return endOfStatement();
  }
  if (at(Tok::Ident))
    return parseAssign(out);
  error(loc, "expected a statement, found " + found());
}

void Parser::parseInput(StmtList &out) {
  auto input = std::make_unique<InputStmt>(advance().loc);
  SourceLoc nameLoc;
  if (!expectIdent(input->name, nameLoc, "an input name") ||
      !expect(Tok::Colon, "after the input's name"))
    return;
  input->loc = nameLoc;
  input->typeLoc = tok().loc;
  input->elementType = "f32";
  if (at(Tok::Ident))
    input->elementType = advance().text;
  if (!expect(Tok::LBracket, "to open the input's shape (as in f32[B, 784])"))
    return;
  if (!parseShapeList(input->shape))
    return;
  out.push_back(std::move(input));
  endOfStatement();
}

bool Parser::parseShapeList(std::vector<ExprPtr> &shape) {
  if (accept(Tok::RBracket))
    return true;
  do {
    ExprPtr dim = parseExpr();
    if (!dim)
      return false;
    shape.push_back(std::move(dim));
  } while (accept(Tok::Comma));
  return expect(Tok::RBracket, "to close the shape");
}

void Parser::parseState(StmtList &out) {
  bool isBuffer = tok().text == "buffer";
  auto state = std::make_unique<StateStmt>(advance().loc, isBuffer);
  const char *what = isBuffer ? "buffer" : "parameter";
  SourceLoc nameLoc;
  if (!expectIdent(state->name, nameLoc, std::string("a ") + what + " name") ||
      !expect(Tok::Colon, std::string("after the ") + what + "'s name"))
    return;
  state->loc = nameLoc;
  if (at(Tok::Ident) && tok(1).kind == Tok::LBracket)
    advance();  // An explicit f32 is allowed: `param W: f32[4, 4]`.
  if (!expect(Tok::LBracket, std::string("to open the ") + what + "'s shape") ||
      !parseShapeList(state->shape))
    return;
  if (!expect(Tok::Assign, std::string("and an initializer after the ") + what + "'s shape"))
    return;
  state->init = parseExpr();
  if (!state->init)
    return;
  out.push_back(std::move(state));
  endOfStatement();
}

void Parser::parseOutputOrLoss(StmtList &out) {
  bool isLoss = tok().text == "loss";
  advance();
  std::string name;
  SourceLoc nameLoc;
  if (!expectIdent(name, nameLoc, isLoss ? "a loss name" : "an output name") ||
      !expect(Tok::Assign, "after '" + name + "'"))
    return;
  ExprPtr value = parseExpr();
  if (!value)
    return;
  if (isLoss) {
    auto s = std::make_unique<LossStmt>(nameLoc);
    s->name = name;
    s->value = std::move(value);
    out.push_back(std::move(s));
  } else {
    auto s = std::make_unique<OutputStmt>(nameLoc);
    s->name = name;
    s->value = std::move(value);
    out.push_back(std::move(s));
  }
  endOfStatement();
}

void Parser::parseApply(LayerDecl *layer) {
  auto apply = std::make_unique<ApplyDecl>();
  apply->loc = advance().loc;
  if (layer->apply)
    return error(apply->loc, "layer '" + layer->name + "' already has an apply definition");
  advance();  // '('
  while (!at(Tok::RParen) && !at(Tok::Eof)) {
    std::string arg;
    SourceLoc argLoc;
    if (!expectIdent(arg, argLoc, "an argument name"))
      return;
    apply->args.push_back(arg);
    apply->argLocs.push_back(argLoc);
    ExprPtr defaultValue;
    if (accept(Tok::Assign)) {
      defaultValue = parseExpr();
      if (!defaultValue)
        return;
    } else if (!apply->argDefaults.empty() && apply->argDefaults.back()) {
      return error(argLoc, "apply's argument '" + arg + "' has no default but follows one that has");
    }
    apply->argDefaults.push_back(std::move(defaultValue));
    if (!accept(Tok::Comma))
      break;
  }
  if (!expect(Tok::RParen, "after apply's arguments"))
    return;
  if (accept(Tok::Assign)) {
    apply->result = parseExpr();
    if (!apply->result)
      return;
    layer->apply = std::move(apply);
    return endOfStatement();
  }
  if (!expect(Tok::LBrace, "or '=' after apply(...)"))
    return;
  ApplyDecl *raw = apply.get();
  parseBlock(BlockKind::Apply, raw->body, nullptr, raw);
  if (!raw->result)
    diags_.error(raw->loc, "apply block of layer '" + layer->name + "' has no 'return'");
  layer->apply = std::move(apply);
}

void Parser::parseAssign(StmtList &out) {
  auto assign = std::make_unique<AssignStmt>(tok().loc);
  do {
    std::string name;
    SourceLoc loc;
    if (!expectIdent(name, loc, "a name to assign"))
      return;
    assign->targets.push_back(name);
    assign->targetLocs.push_back(loc);
  } while (accept(Tok::Comma));
  if (!at(Tok::Assign)) {
    if (assign->targets.size() == 1 && !at(Tok::Comma))
      return error(tok().loc, "expected '=' after '" + assign->targets[0] +
                                  "' (statements assign a value: name = expression), found " +
                                  found());
    return error(tok().loc, "expected '=' after the names to assign, found " + found());
  }
  advance();
  assign->value = parseExpr();
  if (!assign->value)
    return;
  out.push_back(std::move(assign));
  endOfStatement();
}

} // namespace parser
} // namespace dlc
