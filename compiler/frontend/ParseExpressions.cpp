//===- ParseExpressions.cpp - Expressions of the .dl language -------------===//
//
// Grammar, from loosest to tightest binding:
//   expr        := comparison ('if' comparison 'else' expr)?   (`if`, `else` contextual, as in Python)
//   comparison  := additive (('==' | '!=' | '<' | '<=' | '>' | '>=') additive)?
//   additive    := multiplicative (('+' | '-') multiplicative)*
//   multiplicative := unary (('*' | '/' | '@') unary)*
//   unary       := '-' unary | power
//   power       := postfix ('**' unary)?          (right-associative, as in Python)
//   postfix     := primary ('(' args ')' | '[' subscripts ']' | '.' name)*
//   primary     := number | string | true | false | name | '(' expr (',' expr)* ')' | '[' ... ']'
//                | scan
//
// Nesting, and the length of left-associative chains, is bounded (kMaxDepth), so no input can
// exhaust the stack here or in the passes that recurse on the tree later.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ParserImpl.h"

#include <cstdlib>

namespace dlc {
namespace parser {

void Parser::tooDeep() {
  error(tok().loc, "expression is nested too deeply (more than " + std::to_string(kMaxDepth) +
                       " levels of parentheses, operators or calls); split it into named steps");
}

ExprPtr Parser::parseExpr() {
  DepthGuard guard(*this);
  if (depth_ > kMaxDepth) {
    tooDeep();
    return nullptr;
  }
  ExprPtr then = parseComparison();
  if (!then || !atWord("if"))
    return then;
  SourceLoc loc = advance().loc;
  ExprPtr cond = parseComparison();
  if (!cond)
    return nullptr;
  if (!atWord("else")) {
    error(tok().loc, "expected 'else' and the other value after 'if' and its condition, found " + found());
    return nullptr;
  }
  advance();
  ExprPtr otherwise = parseExpr();
  if (!otherwise)
    return nullptr;
  return std::make_unique<CondExpr>(loc, std::move(cond), std::move(then), std::move(otherwise));
}

ExprPtr Parser::parseComparison() {
  ExprPtr lhs = parseAdditive();
  if (!lhs)
    return nullptr;
  static const std::pair<Tok, const char *> comparisons[] = {
      {Tok::Eq, "=="}, {Tok::Ne, "!="}, {Tok::Lt, "<"}, {Tok::Le, "<="}, {Tok::Gt, ">"}, {Tok::Ge, ">="}};
  for (auto [kind, spelling] : comparisons) {
    if (at(kind)) {
      SourceLoc loc = advance().loc;
      ExprPtr rhs = parseAdditive();
      if (!rhs)
        return nullptr;
      return std::make_unique<BinaryExpr>(loc, spelling, std::move(lhs), std::move(rhs));
    }
  }
  return lhs;
}

ExprPtr Parser::parseAdditive() {
  ChainGuard chain(*this);
  ExprPtr lhs = parseMultiplicative();
  while (lhs && (at(Tok::Plus) || at(Tok::Minus))) {
    if (!chain.link())
      return nullptr;
    Token op = advance();
    ExprPtr rhs = parseMultiplicative();
    if (!rhs)
      return nullptr;
    lhs = std::make_unique<BinaryExpr>(op.loc, op.kind == Tok::Plus ? "+" : "-", std::move(lhs),
                                       std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseMultiplicative() {
  ChainGuard chain(*this);
  ExprPtr lhs = parseUnary();
  while (lhs && (at(Tok::Star) || at(Tok::Slash) || at(Tok::SlashSlash) || at(Tok::Percent) ||
                 at(Tok::At))) {
    if (!chain.link())
      return nullptr;
    Token op = advance();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    const char *spelling = op.kind == Tok::Star      ? "*"
                           : op.kind == Tok::Slash   ? "/"
                           : op.kind == Tok::SlashSlash ? "//"
                           : op.kind == Tok::Percent ? "%"
                                                     : "@";
    lhs = std::make_unique<BinaryExpr>(op.loc, spelling, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseUnary() {
  DepthGuard guard(*this);
  if (depth_ > kMaxDepth) {
    tooDeep();
    return nullptr;
  }
  if (at(Tok::Minus)) {
    SourceLoc loc = advance().loc;
    ExprPtr operand = parseUnary();
    if (!operand)
      return nullptr;
    return std::make_unique<UnaryExpr>(loc, "-", std::move(operand));
  }
  if (at(Tok::Plus)) {
    advance();
    return parseUnary();
  }
  return parsePower();
}

ExprPtr Parser::parsePower() {
  ExprPtr base = parsePostfix();
  if (base && at(Tok::StarStar)) {
    SourceLoc loc = advance().loc;
    ExprPtr exponent = parseUnary();
    if (!exponent)
      return nullptr;
    return std::make_unique<BinaryExpr>(loc, "**", std::move(base), std::move(exponent));
  }
  return base;
}

ExprPtr Parser::parsePostfix() {
  ChainGuard chain(*this);
  ExprPtr e = parsePrimary();
  while (e) {
    if ((at(Tok::LParen) || at(Tok::LBracket) || at(Tok::Dot)) && !chain.link())
      return nullptr;
    if (at(Tok::LParen)) {
      e = parseCall(std::move(e));
    } else if (at(Tok::LBracket)) {
      e = parseIndex(std::move(e));
    } else if (at(Tok::Dot)) {
      advance();
      std::string name;
      SourceLoc nameLoc;
      if (!expectIdent(name, nameLoc, "a name after '.'"))
        return nullptr;
      e = std::make_unique<MemberExpr>(nameLoc, std::move(e), name);
    } else {
      break;
    }
  }
  return e;
}

ExprPtr Parser::parseCall(ExprPtr callee) {
  auto call = std::make_unique<CallExpr>(callee->loc, std::move(callee));
  advance();  // '('
  bool sawKeyword = false;
  while (!at(Tok::RParen) && !at(Tok::Eof)) {
    Argument arg;
    arg.loc = tok().loc;
    if (at(Tok::Ident) && tok(1).kind == Tok::Assign) {
      arg.name = advance().text;
      advance();
      sawKeyword = true;
    } else if (sawKeyword) {
      error(tok().loc, "positional argument follows keyword argument");
      return nullptr;
    }
    arg.value = parseExpr();
    if (!arg.value)
      return nullptr;
    call->args.push_back(std::move(arg));
    if (!accept(Tok::Comma))
      break;
  }
  if (!expect(Tok::RParen, "to close the call"))
    return nullptr;
  return call;
}

ExprPtr Parser::parseIndex(ExprPtr base) {
  auto index = std::make_unique<IndexExpr>(tok().loc, std::move(base));
  advance();  // '['
  while (!at(Tok::RBracket) && !at(Tok::Eof)) {
    Subscript sub;
    sub.loc = tok().loc;
    ExprPtr first;
    if (!at(Tok::Colon)) {
      first = parseExpr();
      if (!first)
        return nullptr;
    }
    if (accept(Tok::Colon)) {
      sub.isSlice = true;
      sub.lo = std::move(first);
      if (!at(Tok::Colon) && !at(Tok::Comma) && !at(Tok::RBracket)) {
        sub.hi = parseExpr();
        if (!sub.hi)
          return nullptr;
      }
      if (accept(Tok::Colon) && !at(Tok::Comma) && !at(Tok::RBracket)) {
        sub.step = parseExpr();
        if (!sub.step)
          return nullptr;
      }
    } else {
      sub.index = std::move(first);
    }
    index->subscripts.push_back(std::move(sub));
    if (!accept(Tok::Comma))
      break;
  }
  if (!expect(Tok::RBracket, "to close the subscript"))
    return nullptr;
  return index;
}

ExprPtr Parser::parsePrimary() {
  const Token &t = tok();
  switch (t.kind) {
  case Tok::Int: {
    Token n = advance();
    // Decimal, or hexadecimal after 0x (never octal: 010 is ten).
    int base = n.text.size() > 1 && (n.text[1] == 'x' || n.text[1] == 'X') ? 16 : 10;
    return std::make_unique<IntExpr>(n.loc, std::strtoll(n.text.c_str(), nullptr, base));
  }
  case Tok::Float: {
    Token n = advance();
    return std::make_unique<FloatExpr>(n.loc, std::strtod(n.text.c_str(), nullptr));
  }
  case Tok::String: {
    Token s = advance();
    return std::make_unique<StringExpr>(s.loc, s.text);
  }
  case Tok::KwTrue:
  case Tok::KwFalse: {
    Token b = advance();
    return std::make_unique<BoolExpr>(b.loc, b.kind == Tok::KwTrue);
  }
  case Tok::Ident: {
    Token n = advance();
    return std::make_unique<NameExpr>(n.loc, n.text);
  }
  case Tok::LParen: {
    SourceLoc loc = advance().loc;
    ExprPtr first = parseExpr();
    if (!first)
      return nullptr;
    if (accept(Tok::RParen))
      return first;
    auto tuple = std::make_unique<SequenceExpr>(ExprKind::Tuple, loc);
    tuple->elements.push_back(std::move(first));
    while (accept(Tok::Comma)) {
      if (at(Tok::RParen))
        break;
      ExprPtr e = parseExpr();
      if (!e)
        return nullptr;
      tuple->elements.push_back(std::move(e));
    }
    if (!expect(Tok::RParen, "to close the parenthesis"))
      return nullptr;
    return tuple;
  }
  case Tok::LBracket: {
    auto list = std::make_unique<SequenceExpr>(ExprKind::List, advance().loc);
    while (!at(Tok::RBracket) && !at(Tok::Eof)) {
      ExprPtr e = parseExpr();
      if (!e)
        return nullptr;
      list->elements.push_back(std::move(e));
      if (!accept(Tok::Comma))
        break;
    }
    if (!expect(Tok::RBracket, "to close the list"))
      return nullptr;
    return list;
  }
  case Tok::KwScan:
    return parseScan();
  default:
    error(t.loc, "expected an expression, found " + found());
    return nullptr;
  }
}

ExprPtr Parser::parseScan() {
  auto scan = std::make_unique<ScanExpr>(advance().loc);
  SourceLoc loc;
  if (atWord("in")) {
    error(tok().loc, "expected the name of each step's element after 'scan', found 'in'");
    return nullptr;
  }
  if (!expectIdent(scan->element, loc, "the name of each step's element after 'scan'"))
    return nullptr;
  if (!atWord("in")) {
    error(tok().loc, "expected 'in' after '" + scan->element + "', found " + found());
    return nullptr;
  }
  advance();
  scan->sequence = parsePostfix();
  if (!scan->sequence)
    return nullptr;
  if (!atWord("along")) {
    error(tok().loc, "expected 'along' and the sequence axis, found " + found());
    return nullptr;
  }
  advance();
  scan->axis = parseUnary();
  if (!scan->axis)
    return nullptr;
  if (atWord("reverse")) {
    advance();
    if (!expect(Tok::Assign, "after 'reverse' (reverse = true or false)"))
      return nullptr;
    scan->reverse = parseUnary();
    if (!scan->reverse)
      return nullptr;
  }
  if (atWord("carry")) {
    advance();
    if (!expect(Tok::LParen, "after 'carry'"))
      return nullptr;
    while (!at(Tok::RParen) && !at(Tok::Eof)) {
      Carry c;
      if (!expectIdent(c.name, c.loc, "a carried state's name") ||
          !expect(Tok::Assign, "and its initial value after '" + c.name + "'"))
        return nullptr;
      c.init = parseExpr();
      if (!c.init)
        return nullptr;
      scan->carries.push_back(std::move(c));
      if (!accept(Tok::Comma))
        break;
    }
    if (!expect(Tok::RParen, "to close the carried states"))
      return nullptr;
  }
  if (!expect(Tok::LBrace, "to open the scan's body"))
    return nullptr;
  bool wasPanicking = panicking_;
  parseBlock(BlockKind::Scan, scan->body, nullptr, nullptr);
  panicking_ = wasPanicking;
  if (scan->body.empty() || scan->body.back()->kind != StmtKind::Emit) {
    diags_.error(scan->loc, "a scan body must end with 'emit'");
  }
  return scan;
}

} // namespace parser
} // namespace dlc
