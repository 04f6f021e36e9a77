//===- ASTPrinter.cpp - `dlc --emit=ast` ----------------------------------===//
//
// Prints the syntax tree as an indented outline with each node's line:column, expressions written
// back in fully parenthesized source form, so a test can see exactly how a program was parsed.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/AST.h"

#include <cstdlib>
#include <sstream>

namespace dlc::ast {
namespace {

std::string at(SourceLoc loc) {
  return "@" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

std::string formatNumber(double v) {
  // The shortest spelling that reads back as the same double: 0.9, not 0.90000000000000002.
  std::string s;
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream os;
    os.precision(precision);
    os << v;
    s = os.str();
    if (std::strtod(s.c_str(), nullptr) == v)
      break;
  }
  if (s.find_first_of(".eEn") == std::string::npos)
    s += ".0";
  return s;
}

void printStmts(const StmtList &stmts, std::ostream &os, int indent);

std::string expr(const Expr *e, int indent) {
  switch (e->kind) {
  case ExprKind::Int: return std::to_string(static_cast<const IntExpr *>(e)->value);
  case ExprKind::Float: return formatNumber(static_cast<const FloatExpr *>(e)->value);
  case ExprKind::String: return "\"" + static_cast<const StringExpr *>(e)->value + "\"";
  case ExprKind::Bool: return static_cast<const BoolExpr *>(e)->value ? "true" : "false";
  case ExprKind::Name: return static_cast<const NameExpr *>(e)->name;
  case ExprKind::Unary: {
    auto *u = static_cast<const UnaryExpr *>(e);
    return "(" + u->op + expr(u->operand.get(), indent) + ")";
  }
  case ExprKind::Binary: {
    auto *b = static_cast<const BinaryExpr *>(e);
    return "(" + expr(b->lhs.get(), indent) + " " + b->op + " " + expr(b->rhs.get(), indent) + ")";
  }
  case ExprKind::Call: {
    auto *c = static_cast<const CallExpr *>(e);
    std::string s = expr(c->callee.get(), indent) + "(";
    for (size_t i = 0; i < c->args.size(); ++i) {
      s += i ? ", " : "";
      if (!c->args[i].name.empty())
        s += c->args[i].name + " = ";
      s += expr(c->args[i].value.get(), indent);
    }
    return s + ")";
  }
  case ExprKind::Index: {
    auto *x = static_cast<const IndexExpr *>(e);
    std::string s = expr(x->base.get(), indent) + "[";
    for (size_t i = 0; i < x->subscripts.size(); ++i) {
      const Subscript &sub = x->subscripts[i];
      s += i ? ", " : "";
      if (!sub.isSlice) {
        s += expr(sub.index.get(), indent);
        continue;
      }
      s += (sub.lo ? expr(sub.lo.get(), indent) : "") + ":" +
           (sub.hi ? expr(sub.hi.get(), indent) : "");
      if (sub.step)
        s += ":" + expr(sub.step.get(), indent);
    }
    return s + "]";
  }
  case ExprKind::Member: {
    auto *m = static_cast<const MemberExpr *>(e);
    return expr(m->base.get(), indent) + "." + m->name;
  }
  case ExprKind::Tuple:
  case ExprKind::List: {
    auto *q = static_cast<const SequenceExpr *>(e);
    std::string s = e->kind == ExprKind::Tuple ? "(" : "[";
    for (size_t i = 0; i < q->elements.size(); ++i)
      s += (i ? ", " : "") + expr(q->elements[i].get(), indent);
    return s + (e->kind == ExprKind::Tuple ? ")" : "]");
  }
  case ExprKind::Cond: {
    auto *c = static_cast<const CondExpr *>(e);
    return "(" + expr(c->then.get(), indent) + " if " + expr(c->cond.get(), indent) + " else " +
           expr(c->otherwise.get(), indent) + ")";
  }
  case ExprKind::Scan: {
    auto *sc = static_cast<const ScanExpr *>(e);
    std::string s = "scan " + sc->element + " in " + expr(sc->sequence.get(), indent) + " along " +
                    expr(sc->axis.get(), indent) +
                    (sc->reverse ? " reverse = " + expr(sc->reverse.get(), indent) : "") + " carry (";
    for (size_t i = 0; i < sc->carries.size(); ++i)
      s += (i ? ", " : "") + sc->carries[i].name + " = " + expr(sc->carries[i].init.get(), indent);
    std::ostringstream body;
    printStmts(sc->body, body, indent + 2);
    return s + ") {\n" + body.str() + std::string(indent, ' ') + "}";
  }
  }
  return "?";
}

std::string shape(const std::vector<ExprPtr> &dims, int indent) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + expr(dims[i].get(), indent);
  return s + "]";
}

void printStmts(const StmtList &stmts, std::ostream &os, int indent) {
  std::string pad(indent, ' ');
  for (const auto &s : stmts) {
    switch (s->kind) {
    case StmtKind::Assign: {
      auto *a = static_cast<const AssignStmt *>(s.get());
      os << pad << "assign ";
      for (size_t i = 0; i < a->targets.size(); ++i)
        os << (i ? ", " : "") << a->targets[i];
      os << " = " << expr(a->value.get(), indent) << " " << at(s->loc) << "\n";
      break;
    }
    case StmtKind::Input: {
      auto *in = static_cast<const InputStmt *>(s.get());
      os << pad << "input " << in->name << ": " << in->elementType << shape(in->shape, indent)
         << " " << at(s->loc) << "\n";
      break;
    }
    case StmtKind::State: {
      auto *st = static_cast<const StateStmt *>(s.get());
      os << pad << (st->isBuffer ? "buffer " : "param ") << st->name << ": "
         << shape(st->shape, indent) << " = " << expr(st->init.get(), indent) << " " << at(s->loc)
         << "\n";
      break;
    }
    case StmtKind::Output: {
      auto *o = static_cast<const OutputStmt *>(s.get());
      os << pad << "output " << o->name << " = " << expr(o->value.get(), indent) << " "
         << at(s->loc) << "\n";
      break;
    }
    case StmtKind::Loss: {
      auto *l = static_cast<const LossStmt *>(s.get());
      os << pad << "loss " << l->name << " = " << expr(l->value.get(), indent) << " " << at(s->loc)
         << "\n";
      break;
    }
    case StmtKind::Return:
      os << pad << "return " << expr(static_cast<const ReturnStmt *>(s.get())->value.get(), indent)
         << " " << at(s->loc) << "\n";
      break;
    case StmtKind::Assert: {
      auto *a = static_cast<const AssertStmt *>(s.get());
      os << pad << "assert " << expr(a->condition.get(), indent);
      for (const ExprPtr &part : a->message)
        os << ", " << expr(part.get(), indent);
      os << " " << at(s->loc) << "\n";
      break;
    }
    case StmtKind::Emit: {
      auto *em = static_cast<const EmitStmt *>(s.get());
      os << pad << "emit ";
      for (size_t i = 0; i < em->values.size(); ++i)
        os << (i ? ", " : "") << expr(em->values[i].get(), indent);
      os << " " << at(s->loc) << "\n";
      break;
    }
    }
  }
}

} // namespace

void print(const Module &module, std::ostream &os) {
  for (const ImportDecl &i : module.imports)
    os << "import \"" << i.path << "\" " << at(i.loc) << "\n";
  for (const ConstDecl &c : module.consts)
    os << "const " << c.name << " = " << expr(c.value.get(), 0) << " " << at(c.loc) << "\n";
  for (const auto &l : module.layers) {
    os << "layer " << l->name << "(";
    for (size_t i = 0; i < l->params.size(); ++i) {
      os << (i ? ", " : "") << l->params[i].name;
      if (l->params[i].defaultValue)
        os << " = " << expr(l->params[i].defaultValue.get(), 2);
    }
    os << ") " << at(l->loc) << "\n";
    printStmts(l->body, os, 2);
    if (l->apply) {
      os << "  apply(";
      for (size_t i = 0; i < l->apply->args.size(); ++i)
      {
        os << (i ? ", " : "") << l->apply->args[i];
        if (l->apply->argDefaults[i])
          os << " = " << expr(l->apply->argDefaults[i].get(), 4);
      }
      os << ") " << at(l->apply->loc) << "\n";
      printStmts(l->apply->body, os, 4);
      if (l->apply->result)
        os << "    result " << expr(l->apply->result.get(), 4) << "\n";
    }
  }
  for (const auto &m : module.models) {
    os << "model " << m->name << " " << at(m->loc) << "\n";
    printStmts(m->body, os, 2);
  }
  for (const TrainDecl &t : module.trains) {
    os << "train " << t.model << (t.step.empty() ? "" : "." + t.step) << " " << at(t.loc) << "\n";
    for (const TrainEntry &e : t.entries)
      os << "  " << e.key << " = " << expr(e.value.get(), 2) << " " << at(e.loc) << "\n";
  }
}

} // namespace dlc::ast
