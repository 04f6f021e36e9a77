//===- Statements.cpp - Statements of model and layer bodies --------------===//
//
// Assignments (`name = Layer(...)` makes an instance named after its target), param and buffer
// declarations (one dl.param or dl.buffer per path, shared by the model's functions), outputs and
// losses, and asserts, which stop the block they fail in.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <functional>

#include <sstream>
#include <utility>

namespace dlc {

bool Elaborator::checkUnique(Scope &scope, const std::string &name, SourceLoc at, const char *what) {
  if (const SourceLoc *previous = scope.definedHere(name)) {
    error(at, std::string(what) + " '" + name + "' is already defined at line " +
                         std::to_string(previous->line));
    return false;
  }
  return true;
}

bool Elaborator::elaborateStatements(const ast::StmtList &stmts, Scope &scope,
                                     const std::string &pathPrefix, PassResult *pass) {
  std::string enclosingPrefix = std::exchange(statementPrefix_, pathPrefix);
  bool ok = true;
  for (const auto &stmt : stmts) {
    bool done = elaborateStatement(*stmt, scope, pathPrefix, pass);
    ok &= done;
    // A failed assert guards what follows it: the rest would only fail for the same reason.
    if (!done && stmt->kind == ast::StmtKind::Assert)
      break;
  }
  statementPrefix_ = enclosingPrefix;
  return ok;
}

bool Elaborator::elaborateStatement(const ast::Stmt &statement, Scope &scope,
                                    const std::string &pathPrefix, PassResult *pass) {
  bool ok = true;
  const ast::Stmt *stmt = &statement;
  {
    switch (stmt->kind) {
    case ast::StmtKind::Assign:
      ok &= assign(static_cast<const ast::AssignStmt &>(*stmt), scope, pathPrefix);
      break;
    case ast::StmtKind::Input:
      break;  // Bound to the function's arguments before the body runs.
    case ast::StmtKind::State: {
      auto &s = static_cast<const ast::StateStmt &>(*stmt);
      ok &= declareState(s, scope, pathPrefix + s.name);
      break;
    }
    case ast::StmtKind::Output:
    case ast::StmtKind::Loss: {
      bool isLoss = stmt->kind == ast::StmtKind::Loss;
      const std::string &name = isLoss ? static_cast<const ast::LossStmt &>(*stmt).name
                                       : static_cast<const ast::OutputStmt &>(*stmt).name;
      const ast::Expr *expr = isLoss ? static_cast<const ast::LossStmt &>(*stmt).value.get()
                                     : static_cast<const ast::OutputStmt &>(*stmt).value.get();
      const char *what = isLoss ? "loss" : "output";
      if (!checkUnique(scope, name, stmt->loc, what)) {
        ok = false;
        break;
      }
      std::optional<Val> v = eval(expr, scope);
      std::optional<mlir::Value> t =
          v ? requireTensor(*v, expr->loc, std::string(what) + " '" + name + "'", false)
            : std::nullopt;
      if (t && isLoss) {
        auto type = llvm::cast<mlir::RankedTensorType>(t->getType());
        if (type.getRank() != 0 || !type.getElementType().isF32()) {
          error(expr->loc, "loss '" + name + "' must be a scalar f32[], not " +
                                      describeType(type) + "; reduce it with mean(...) or sum(...)");
          t.reset();
        }
      }
      if (!t) {
        scope.define(name, Val(), stmt->loc);
        ok = false;
        break;
      }
      scope.define(name, Val::ofTensor(*t), stmt->loc);
      if (pass)
        (isLoss ? pass->losses : pass->outputs).push_back({name, *t});
      break;
    }
    case ast::StmtKind::Assert:
      ok &= checkAssert(static_cast<const ast::AssertStmt &>(*stmt), scope);
      break;
    case ast::StmtKind::Return:
    case ast::StmtKind::Emit:
      error(stmt->loc, "'return' and 'emit' are not allowed here");
      ok = false;
      break;
    }
  }
  return ok;
}

bool Elaborator::assign(const ast::AssignStmt &a, Scope &scope, const std::string &pathPrefix) {
  std::optional<Val> value;
  // `name = Layer(...)` creates an instance named after its target.
  const ast::Expr *e = a.value.get();
  if (e->kind == ast::ExprKind::Call && a.targets.size() == 1) {
    auto &call = static_cast<const ast::CallExpr &>(*e);
    if (call.callee->kind == ast::ExprKind::Name) {
      const Val *callee = scope.lookup(static_cast<const ast::NameExpr &>(*call.callee).name);
      if (callee && callee->kind == Val::Kind::Layer) {
        value = instantiate(*callee->layer, call, scope, pathPrefix + a.targets[0]);
        if (!value) {
          scope.define(a.targets[0], Val(), a.targetLocs[0]);
          return false;
        }
        scope.define(a.targets[0], *value, a.targetLocs[0]);
        return true;
      }
    }
  }
  value = eval(e, scope);
  if (value && a.targets.size() > 1) {
    if (value->kind != Val::Kind::List || value->list.size() != a.targets.size()) {
      error(a.loc, "cannot unpack " + value->describe() + " into " +
                              std::to_string(a.targets.size()) + " names");
      value.reset();
    } else {
      for (size_t i = 0; i < a.targets.size(); ++i)
        scope.define(a.targets[i], value->list[i], a.targetLocs[i]);
      return true;
    }
  }
  if (!value) {
    for (size_t i = 0; i < a.targets.size(); ++i)
      scope.define(a.targets[i], Val(), a.targetLocs[i]);  // Quiet later uses of a failed name.
    return false;
  }
  scope.define(a.targets[0], *value, a.targetLocs[0]);
  return true;
}

bool Elaborator::checkAssert(const ast::AssertStmt &a, Scope &scope) {
  std::optional<Val> condition = eval(a.condition.get(), scope);
  if (!condition)
    return false;
  if (condition->kind != Val::Kind::Bool) {
    error(a.condition->loc, "assert needs a condition known at compile time (true or false), not " +
                                condition->describe());
    return false;
  }
  if (condition->b)
    return true;
  // The message's parts joined by spaces, as Python's print joins its arguments.
  std::string message;
  for (const ast::ExprPtr &part : a.message) {
    std::optional<Val> v = eval(part.get(), scope);
    if (!v)
      return false;
    // Numbers as written, lists of them as [a, b] (a shape), anything else described.
    std::function<void(const Val &, std::ostream &)> write = [&](const Val &x, std::ostream &text) {
      if (x.kind == Val::Kind::String)
        text << x.s;
      else if (x.kind == Val::Kind::Int)
        text << x.i;
      else if (x.kind == Val::Kind::Float)
        text << x.f;
      else if (x.kind == Val::Kind::Bool)
        text << (x.b ? "true" : "false");
      else if (x.kind == Val::Kind::List) {
        text << "[";
        for (size_t i = 0; i < x.list.size(); ++i) {
          text << (i ? ", " : "");
          write(x.list[i], text);
        }
        text << "]";
      } else if (x.kind == Val::Kind::Tensor)
        text << describeType(x.tensor.getType());
      else
        text << x.describe();
    };
    std::ostringstream text;
    write(*v, text);
    message += (message.empty() ? "" : " ") + text.str();
  }
  error(a.loc, message.empty() ? "assertion failed" : message);
  return false;
}

bool Elaborator::declareState(const ast::StateStmt &s, Scope &scope, const std::string &path) {
  const char *what = s.isBuffer ? "buffer" : "parameter";
  if (!checkUnique(scope, s.name, s.loc, what))
    return false;
  scope.define(s.name, Val(), s.loc);
  dl::shape::Shape shape;
  for (size_t i = 0; i < s.shape.size(); ++i) {
    std::optional<Val> v = eval(s.shape[i].get(), scope);
    std::optional<int64_t> n = v ? requireInt(*v, s.shape[i]->loc, "a dimension") : std::nullopt;
    if (!n)
      return false;
    if (*n <= 0) {
      error(s.shape[i]->loc, std::string("dimension ") + std::to_string(i) + " of " + what +
                                        " '" + s.name + "' must be positive, not " +
                                        std::to_string(*n));
      return false;
    }
    shape.push_back(*n);
  }
  if (!checkSize(shape, f32(), s.loc, std::string(what) + " '" + s.name + "'"))
    return false;
  std::optional<Val> init = eval(s.init.get(), scope);
  if (!init)
    return false;
  auto resolved = resolveInitializer(*init, shape, s.init->loc);
  if (!resolved)
    return false;
  auto type = tensorType(shape, f32());

  auto clash = functionSymbols_.find(path);
  if (clash != functionSymbols_.end()) {
    error(s.loc, std::string(what) + " '" + path + "' has the name of the model's " + clash->second +
                     "; rename it");
    return false;
  }
  // A map rather than SymbolTable::lookupSymbolIn, which scans the model: with thousands of
  // parameters, declaring them all was quadratic.
  auto found = stateOps_.find(path);
  mlir::Operation *existing = found == stateOps_.end() ? nullptr : found->second;
  if (!existing) {
    mlir::OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPoint(firstFunction_);
    auto initArgs = resolved->second.empty() ? mlir::DictionaryAttr() : resolved->second;
    if (s.isBuffer)
      existing = builder_.create<mlir::dl::BufferOp>(loc(s.loc), path, type, resolved->first,
                                                     initArgs);
    else
      existing = builder_.create<mlir::dl::ParamOp>(loc(s.loc), path, type, resolved->first,
                                                    initArgs);
    stateOps_[path] = existing;
    if (!s.isBuffer)
      paramOrder_.push_back(path);
  } else if (!mlir::isa<mlir::dl::ParamOp, mlir::dl::BufferOp>(existing) ||
             existing->getAttrOfType<mlir::TypeAttr>("type").getValue() != type) {
    error(s.loc, std::string(what) + " '" + path + "' is declared twice with different types");
    return false;
  }
  mlir::Value loaded = builder_.create<mlir::dl::LoadOp>(
      loc(s.loc), type, mlir::FlatSymbolRefAttr::get(builder_.getStringAttr(path)));
  scope.define(s.name, Val::ofTensor(loaded), s.loc);
  return true;
}

} // namespace dlc
