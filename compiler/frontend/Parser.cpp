//===- Parser.cpp - Parser of the .dl language ----------------------------===//
//
// Grammar, from loosest to tightest binding:
//   comparison  := additive (('==' | '!=' | '<' | '<=' | '>' | '>=') additive)?
//   additive    := multiplicative (('+' | '-') multiplicative)*
//   multiplicative := unary (('*' | '/' | '@') unary)*
//   unary       := '-' unary | power
//   power       := postfix ('**' unary)?          (right-associative, as in Python)
//   postfix     := primary ('(' args ')' | '[' subscripts ']' | '.' name)*
//   primary     := number | string | true | false | name | '(' expr (',' expr)* ')' | '[' ... ']'
//                | scan
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Parser.h"

#include <cstdlib>

namespace dlc {
namespace {

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

  std::unique_ptr<Module> run() {
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

  /// What the current token looks like in a message.
  std::string found() const {
    const Token &t = tok();
    switch (t.kind) {
    case Tok::Ident: return "'" + t.text + "'";
    case Tok::Int:
    case Tok::Float: return "number '" + t.text + "'";
    case Tok::String: return "string \"" + t.text + "\"";
    default: return describe(t.kind);
    }
  }

  bool expect(Tok kind, const std::string &context) {
    if (accept(kind))
      return true;
    error(tok().loc, std::string("expected ") + describe(kind) + " " + context + ", found " + found());
    return false;
  }

  bool expectIdent(std::string &out, SourceLoc &loc, const std::string &what) {
    if (!at(Tok::Ident)) {
      error(tok().loc, "expected " + what + ", found " + found());
      return false;
    }
    loc = tok().loc;
    out = advance().text;
    return true;
  }

  void error(SourceLoc loc, const std::string &message) {
    // One error per statement: the first is the real one, later ones are consequences.
    if (!panicking_)
      diags_.error(loc, message);
    panicking_ = true;
  }

  /// Skips to the end of the current statement, keeping braces balanced.
  void synchronize() {
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

  //===--------------------------------------------------------------------===//
  // Declarations
  //===--------------------------------------------------------------------===//

  void parseTopLevel() {
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

  void endOfStatement() {
    if (at(Tok::Newline) || at(Tok::Semicolon) || at(Tok::Eof) || at(Tok::RBrace)) {
      if (!at(Tok::RBrace))
        advance();
      panicking_ = false;
      return;
    }
    error(tok().loc, "expected end of line, found " + found());
    synchronize();
  }

  void parseImport() {
    SourceLoc loc = advance().loc;
    if (!at(Tok::String)) {
      error(tok().loc, "expected a file name in quotes after 'import', found " + found());
      return synchronize();
    }
    module_->imports.push_back({advance().text, loc});
    endOfStatement();
  }

  void parseConst() {
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

  void parseLayer() {
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

  void parseModel() {
    auto model = std::make_unique<ModelDecl>();
    advance();
    if (!expectIdent(model->name, model->loc, "a model name after 'model'"))
      return synchronize();
    if (!expect(Tok::LBrace, "to open the model's body"))
      return synchronize();
    parseBlock(BlockKind::Model, model->body, nullptr, nullptr);
    module_->models.push_back(std::move(model));
  }

  void parseTrain() {
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

  /// Parses statements up to the closing brace (the opening one is consumed already). In a layer,
  /// the apply definition goes to `layer->apply`; in a scan the body ends with `emit`.
  void parseBlock(BlockKind kind, StmtList &out, LayerDecl *layer, ApplyDecl *apply) {
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

  void parseStatement(BlockKind kind, StmtList &out, LayerDecl *layer, ApplyDecl *apply) {
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

  void parseInput(StmtList &out) {
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

  /// Parses `expr, expr, ...]`, after the opening bracket.
  bool parseShapeList(std::vector<ExprPtr> &shape) {
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

  void parseState(StmtList &out) {
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

  void parseOutputOrLoss(StmtList &out) {
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

  void parseApply(LayerDecl *layer) {
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

  void parseAssign(StmtList &out) {
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

  //===--------------------------------------------------------------------===//
  // Expressions
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
  void tooDeep() {
    error(tok().loc, "expression is nested too deeply (more than " + std::to_string(kMaxDepth) +
                         " levels of parentheses, operators or calls); split it into named steps");
  }

  ExprPtr parseExpr() {
    DepthGuard guard(*this);
    if (depth_ > kMaxDepth) {
      tooDeep();
      return nullptr;
    }
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

  ExprPtr parseAdditive() {
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

  ExprPtr parseMultiplicative() {
    ChainGuard chain(*this);
    ExprPtr lhs = parseUnary();
    while (lhs && (at(Tok::Star) || at(Tok::Slash) || at(Tok::Percent) || at(Tok::At))) {
      if (!chain.link())
        return nullptr;
      Token op = advance();
      ExprPtr rhs = parseUnary();
      if (!rhs)
        return nullptr;
      const char *spelling = op.kind == Tok::Star      ? "*"
                             : op.kind == Tok::Slash   ? "/"
                             : op.kind == Tok::Percent ? "%"
                                                       : "@";
      lhs = std::make_unique<BinaryExpr>(op.loc, spelling, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  ExprPtr parseUnary() {
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

  ExprPtr parsePower() {
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

  ExprPtr parsePostfix() {
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

  ExprPtr parseCall(ExprPtr callee) {
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

  ExprPtr parseIndex(ExprPtr base) {
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

  ExprPtr parsePrimary() {
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

  ExprPtr parseScan() {
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

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool panicking_ = false;
  DiagnosticEngine &diags_;
  std::unique_ptr<Module> module_;
};

} // namespace

std::unique_ptr<ast::Module> parseFile(const SourceManager &sources, uint32_t file,
                                       DiagnosticEngine &diags) {
  return Parser(lex(sources, file, diags), file, diags).run();
}

} // namespace dlc
