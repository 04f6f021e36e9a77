//===- Expressions.cpp - Evaluating .dl expressions -----------------------===//
//
// The entry to expressions: eval (with the bound on a tensor's size), the dispatch on an
// expression's kind, literals, lists and tuples, names (with suggestions for unknown ones) and a
// layer instance's members. Operators are in Operators.cpp, calls in Calls.cpp, subscripts in
// Subscripts.cpp, the checks and conversions of values in Conversions.cpp, scans in Scan.cpp.
// Compile-time numbers are folded; tensor operations are checked against the shared shape rules
// (dl/ShapeRules.h) and emitted as dl ops with their result types, so a program that passes these
// checks always verifies.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <limits>

namespace dlc {

namespace shape = dl::shape;
using mlir::Value;

std::optional<Val> Elaborator::eval(const ast::Expr *e, Scope &scope) {
  std::optional<Val> v = evalNode(e, scope);
  if (v && v->isTensor() &&
      !checkSize(shapeOf(v->tensor.getType()), v->tensorType().getElementType(), e->loc,
                 "the result"))
    return std::nullopt;
  return v;
}

bool Elaborator::checkSize(const shape::Shape &s, mlir::Type element, SourceLoc at,
                           const std::string &what) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d <= 0) {
      error(at, what + " " + shape::format(s, element ? describeElement(element) : "f32") +
                    " has a dimension of " + std::to_string(d) + "; dimensions must be positive");
      return false;
    }
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxElements) {
      error(at, what + " " + shape::format(s, element ? describeElement(element) : "f32") +
                    " is too large: a tensor holds at most 2^40 elements");
      return false;
    }
  }
  return true;
}

std::optional<Val> Elaborator::evalNode(const ast::Expr *e, Scope &scope) {
  switch (e->kind) {
  case ast::ExprKind::Int: return Val::integer(static_cast<const ast::IntExpr *>(e)->value);
  case ast::ExprKind::Float: return Val::number(static_cast<const ast::FloatExpr *>(e)->value);
  case ast::ExprKind::Bool: return Val::boolean(static_cast<const ast::BoolExpr *>(e)->value);
  case ast::ExprKind::String: return Val::string(static_cast<const ast::StringExpr *>(e)->value);
  case ast::ExprKind::Name: return evalName(static_cast<const ast::NameExpr &>(*e), scope);
  case ast::ExprKind::Unary: return evalUnary(static_cast<const ast::UnaryExpr &>(*e), scope);
  case ast::ExprKind::Binary: return evalBinary(static_cast<const ast::BinaryExpr &>(*e), scope);
  case ast::ExprKind::Call: return evalCall(static_cast<const ast::CallExpr &>(*e), scope);
  case ast::ExprKind::Index: return evalIndex(static_cast<const ast::IndexExpr &>(*e), scope);
  case ast::ExprKind::Member: return evalMember(static_cast<const ast::MemberExpr &>(*e), scope);
  case ast::ExprKind::Tuple:
  case ast::ExprKind::List: {
    std::vector<Val> elements;
    for (const auto &el : static_cast<const ast::SequenceExpr *>(e)->elements) {
      std::optional<Val> v = eval(el.get(), scope);
      if (!v)
        return std::nullopt;
      elements.push_back(*v);
    }
    return Val::ofList(std::move(elements));
  }
  case ast::ExprKind::Scan: return evalScan(static_cast<const ast::ScanExpr &>(*e), scope);
  case ast::ExprKind::Cond: {
    auto &c = static_cast<const ast::CondExpr &>(*e);
    std::optional<Val> cond = eval(c.cond.get(), scope);
    if (!cond)
      return std::nullopt;
    if (cond->kind != Val::Kind::Bool) {
      error(c.cond->loc, "'if' needs a condition known at compile time (true or false), not " +
                             cond->describe());
      return std::nullopt;
    }
    return eval(cond->b ? c.then.get() : c.otherwise.get(), scope);
  }
  }
  return std::nullopt;
}

std::string Elaborator::suggestName(const std::string &name, const Scope &scope) {
  std::vector<std::string> names;
  scope.collectNames(names);
  for (const std::string &b : builtinNames())
    names.push_back(b);
  return didYouMean(name, names);
}

std::optional<Val> Elaborator::evalName(const ast::NameExpr &n, Scope &scope) {
  if (const Val *v = scope.lookup(n.name)) {
    if (v->kind == Val::Kind::None)
      return std::nullopt;  // Its definition failed and was reported already.
    return *v;
  }
  if (findBuiltin(n.name) || isInitializer(n.name))
    return Val::function(n.name);
  // `inf` (Python's math.inf), for pad values and clamp bounds; a name the program defines wins.
  if (n.name == "inf")
    return Val::number(std::numeric_limits<double>::infinity());
  error(n.loc, "unknown name '" + n.name + "'" + suggestName(n.name, scope));
  return std::nullopt;
}

std::optional<Val> Elaborator::evalMember(const ast::MemberExpr &m, Scope &scope) {
  std::optional<Val> base = eval(m.base.get(), scope);
  if (!base)
    return std::nullopt;
  if (base->kind != Val::Kind::Instance) {
    error(m.loc, "'." + m.name + "' needs a layer instance, not " + base->describe());
    return std::nullopt;
  }
  LayerInstance &inst = *base->instance;
  if (inst.scope.definedHere(m.name)) {
    const Val *v = inst.scope.lookup(m.name);
    if (v->kind == Val::Kind::None)
      return std::nullopt;
    return *v;
  }
  std::vector<std::string> members;
  inst.scope.collectNames(members);
  error(m.loc, "'" + inst.path + "' (layer '" + inst.decl->name + "') has no member '" + m.name +
                   "'" + didYouMean(m.name, members));
  return std::nullopt;
}

} // namespace dlc
