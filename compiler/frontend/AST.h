//===- AST.h - Syntax tree of the .dl language --------------------*- C++ -*-===//
//
// What the parser produces: declarations (const, import, layer, model, train), statements and
// expressions, each with the location it was written at. The tree says nothing about types or shapes;
// the elaborator (Elaborator.h) gives it meaning. Nothing here depends on MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_AST_H
#define DLC_FRONTEND_AST_H

#include "compiler/frontend/Diagnostics.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace dlc::ast {

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtList = std::vector<std::unique_ptr<Stmt>>;

enum class ExprKind { Int, Float, String, Bool, Name, Unary, Binary, Call, Index, Member, Tuple,
                      List, Scan, Cond };

struct Expr {
  explicit Expr(ExprKind kind, SourceLoc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  const ExprKind kind;
  SourceLoc loc;
};

struct IntExpr : Expr {
  IntExpr(SourceLoc loc, int64_t value) : Expr(ExprKind::Int, loc), value(value) {}
  int64_t value;
};

struct FloatExpr : Expr {
  FloatExpr(SourceLoc loc, double value) : Expr(ExprKind::Float, loc), value(value) {}
  double value;
};

struct StringExpr : Expr {
  StringExpr(SourceLoc loc, std::string value) : Expr(ExprKind::String, loc), value(std::move(value)) {}
  std::string value;
};

struct BoolExpr : Expr {
  BoolExpr(SourceLoc loc, bool value) : Expr(ExprKind::Bool, loc), value(value) {}
  bool value;
};

struct NameExpr : Expr {
  NameExpr(SourceLoc loc, std::string name) : Expr(ExprKind::Name, loc), name(std::move(name)) {}
  std::string name;
};

/// Unary minus (the only prefix operator).
struct UnaryExpr : Expr {
  UnaryExpr(SourceLoc loc, std::string op, ExprPtr operand)
      : Expr(ExprKind::Unary, loc), op(std::move(op)), operand(std::move(operand)) {}
  std::string op;
  ExprPtr operand;
};

/// `+ - * / % ** @ == != < <= > >=`; `op` is the operator's spelling.
struct BinaryExpr : Expr {
  BinaryExpr(SourceLoc loc, std::string op, ExprPtr lhs, ExprPtr rhs)
      : Expr(ExprKind::Binary, loc), op(std::move(op)), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  std::string op;
  ExprPtr lhs, rhs;
};

/// One argument of a call: positional when `name` is empty, else a keyword argument.
struct Argument {
  std::string name;
  ExprPtr value;
  SourceLoc loc;
};

struct CallExpr : Expr {
  CallExpr(SourceLoc loc, ExprPtr callee) : Expr(ExprKind::Call, loc), callee(std::move(callee)) {}
  ExprPtr callee;
  std::vector<Argument> args;
};

/// One subscript of `x[...]`: a single index, or a slice `lo:hi:step` whose parts may be absent.
struct Subscript {
  bool isSlice = false;
  ExprPtr index;           ///< The index, when not a slice.
  ExprPtr lo, hi, step;    ///< The slice's parts, each possibly null.
  SourceLoc loc;
};

struct IndexExpr : Expr {
  IndexExpr(SourceLoc loc, ExprPtr base) : Expr(ExprKind::Index, loc), base(std::move(base)) {}
  ExprPtr base;
  std::vector<Subscript> subscripts;
};

/// `base.name`: a parameter or sub-layer of a layer instance (`emb.table`).
struct MemberExpr : Expr {
  MemberExpr(SourceLoc loc, ExprPtr base, std::string name)
      : Expr(ExprKind::Member, loc), base(std::move(base)), name(std::move(name)) {}
  ExprPtr base;
  std::string name;
};

/// `(a, b)` (Tuple) or `[a, b]` (List).
struct SequenceExpr : Expr {
  SequenceExpr(ExprKind kind, SourceLoc loc) : Expr(kind, loc) {}
  std::vector<ExprPtr> elements;
};

/// `a if cond else b`: `cond` is known at compile time, and only the chosen branch is evaluated
/// (a layer option choosing between two computations, as GRU's reset_after does).
struct CondExpr : Expr {
  CondExpr(SourceLoc loc, ExprPtr cond, ExprPtr then, ExprPtr otherwise)
      : Expr(ExprKind::Cond, loc), cond(std::move(cond)), then(std::move(then)),
        otherwise(std::move(otherwise)) {}
  ExprPtr cond, then, otherwise;
};

/// A state carried by `scan`: `h = zeros[B, H]`.
struct Carry {
  std::string name;
  ExprPtr init;
  SourceLoc loc;
};

/// `scan x_t in xs along 1 carry (h = ..., c = ...) { ...; emit h }`, or `along 1 reverse = r`
/// to run the steps from last to first when r (a compile-time boolean) is true.
struct ScanExpr : Expr {
  explicit ScanExpr(SourceLoc loc) : Expr(ExprKind::Scan, loc) {}
  std::string element;     ///< The per-step slice's name (`x_t`).
  ExprPtr sequence;        ///< The sequence scanned over (`xs`).
  ExprPtr axis;            ///< The sequence axis.
  ExprPtr reverse;         ///< `reverse = expr`, or null (forward).
  std::vector<Carry> carries;
  StmtList body;           ///< Ends with exactly one emit statement.
};

//===----------------------------------------------------------------------===//
// Statements (in models, layer bodies, apply blocks and scan bodies)
//===----------------------------------------------------------------------===//

enum class StmtKind { Assign, Input, State, Output, Loss, Return, Emit, Assert };

struct Stmt {
  Stmt(StmtKind kind, SourceLoc loc) : kind(kind), loc(loc) {}
  virtual ~Stmt() = default;
  const StmtKind kind;
  SourceLoc loc;
};

/// `name = expr`, or `a, b, c = expr` to unpack a tuple (`split`).
struct AssignStmt : Stmt {
  AssignStmt(SourceLoc loc) : Stmt(StmtKind::Assign, loc) {}
  std::vector<std::string> targets;
  std::vector<SourceLoc> targetLocs;
  ExprPtr value;
};

/// `input x: f32[B, 784]`.
struct InputStmt : Stmt {
  InputStmt(SourceLoc loc) : Stmt(StmtKind::Input, loc) {}
  std::string name;
  std::string elementType;  ///< "f32" unless written otherwise.
  SourceLoc typeLoc;
  std::vector<ExprPtr> shape;
};

/// `param W: [in, out] = init` or `buffer mean: [n] = zeros`.
struct StateStmt : Stmt {
  StateStmt(SourceLoc loc, bool isBuffer) : Stmt(StmtKind::State, loc), isBuffer(isBuffer) {}
  bool isBuffer;
  std::string name;
  std::vector<ExprPtr> shape;
  ExprPtr init;
};

/// `output p = expr`.
struct OutputStmt : Stmt {
  OutputStmt(SourceLoc loc) : Stmt(StmtKind::Output, loc) {}
  std::string name;
  ExprPtr value;
};

/// `loss l = expr`.
struct LossStmt : Stmt {
  LossStmt(SourceLoc loc) : Stmt(StmtKind::Loss, loc) {}
  std::string name;
  ExprPtr value;
};

struct ReturnStmt : Stmt {
  ReturnStmt(SourceLoc loc, ExprPtr value) : Stmt(StmtKind::Return, loc), value(std::move(value)) {}
  ExprPtr value;
};

/// `emit h` (or `emit h, c`) ends a scan body: what every step contributes to the result.
struct EmitStmt : Stmt {
  EmitStmt(SourceLoc loc) : Stmt(StmtKind::Emit, loc) {}
  std::vector<ExprPtr> values;
};

/// `assert dim % heads == 0, "the width", dim, "is not divisible by", heads`: a condition known at
/// compile time; when it is false, the message (its parts joined by spaces) is an error where the
/// statement runs (for a layer's body, where the user instantiates the layer).
struct AssertStmt : Stmt {
  AssertStmt(SourceLoc loc) : Stmt(StmtKind::Assert, loc) {}
  ExprPtr condition;
  std::vector<ExprPtr> message;
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

struct ConstDecl {
  std::string name;
  ExprPtr value;
  SourceLoc loc;
};

struct ImportDecl {
  std::string path;
  SourceLoc loc;
};

/// A parameter of a layer definition, with its default when it has one.
struct LayerParam {
  std::string name;
  ExprPtr defaultValue;
  SourceLoc loc;
};

/// `apply(x) = expr` or `apply(x) { ...; return expr }`; an argument may have a default
/// (`apply(xs, h0 = zeros[1, shape(xs)[0], hidden])`), evaluated where the argument is left out,
/// after the arguments before it are bound.
struct ApplyDecl {
  std::vector<std::string> args;
  std::vector<SourceLoc> argLocs;
  std::vector<ExprPtr> argDefaults;  ///< One per argument; null where there is none.
  StmtList body;   ///< Statements before the result.
  ExprPtr result;  ///< The expression after `=` or after `return`.
  SourceLoc loc;
};

struct LayerDecl {
  std::string name;
  std::vector<LayerParam> params;
  StmtList body;  ///< param/buffer declarations and assignments (sub-layers, values).
  std::unique_ptr<ApplyDecl> apply;
  SourceLoc loc;
};

struct ModelDecl {
  std::string name;
  StmtList body;
  SourceLoc loc;
};

/// One `key = value` line of a train block.
struct TrainEntry {
  std::string key;
  ExprPtr value;
  SourceLoc loc;
};

/// `train xor { ... }` or `train gan.disc { ... }` (step "disc").
struct TrainDecl {
  std::string model;
  std::string step;  ///< Empty for the model's single train step.
  std::vector<TrainEntry> entries;
  SourceLoc loc;
  SourceLoc modelLoc;
};

/// One parsed file, declarations in source order by kind.
struct Module {
  uint32_t file = 0;
  std::vector<ImportDecl> imports;
  std::vector<ConstDecl> consts;
  std::vector<std::unique_ptr<LayerDecl>> layers;
  std::vector<std::unique_ptr<ModelDecl>> models;
  std::vector<TrainDecl> trains;
};

/// Prints the tree as an indented outline (`dlc --emit=ast`).
void print(const Module &module, std::ostream &os);

} // namespace dlc::ast

#endif // DLC_FRONTEND_AST_H
