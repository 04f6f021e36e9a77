//===- Expressions.cpp - Evaluating .dl expressions -----------------------===//
//
// Names, operators, calls, subscripts and member access. Compile-time numbers are folded here;
// tensor operations are checked against the shared shape rules (dl/ShapeRules.h) and emitted as dl
// ops with their result types, so a program that passes these checks always verifies.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <cmath>
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
  error(n.loc, "unknown name '" + n.name + "'" + suggestName(n.name, scope));
  return std::nullopt;
}

std::optional<Val> Elaborator::evalUnary(const ast::UnaryExpr &u, Scope &scope) {
  std::optional<Val> v = eval(u.operand.get(), scope);
  if (!v)
    return std::nullopt;
  if (v->kind == Val::Kind::Int) {
    if (v->i == std::numeric_limits<int64_t>::min()) {
      error(u.loc, "integer overflow");
      return std::nullopt;
    }
    return Val::integer(-v->i);
  }
  if (v->kind == Val::Kind::Float)
    return Val::number(-v->f);
  std::optional<Value> t = requireTensor(*v, u.operand->loc, "the operand of '-'", false);
  if (!t)
    return std::nullopt;
  if (llvm::cast<mlir::RankedTensorType>(t->getType()).getElementType().isInteger(1)) {
    error(u.loc, "cannot negate a comparison result " + describeType(t->getType()));
    return std::nullopt;
  }
  return Val::ofTensor(create<mlir::dl::NegOp>(u.loc, t->getType(), *t));
}

std::optional<Val> Elaborator::numberArithmetic(const std::string &op, const Val &a, const Val &b,
                                                SourceLoc at) {
  bool ints = a.kind == Val::Kind::Int && b.kind == Val::Kind::Int;
  double x = a.asDouble(), y = b.asDouble();
  if (op == "==") return Val::boolean(x == y);
  if (op == "!=") return Val::boolean(x != y);
  if (op == "<") return Val::boolean(x < y);
  if (op == "<=") return Val::boolean(x <= y);
  if (op == ">") return Val::boolean(x > y);
  if (op == ">=") return Val::boolean(x >= y);
  if (op == "@") {
    error(at, "'@' multiplies tensors, not numbers");
    return std::nullopt;
  }
  if (ints && (op == "+" || op == "-" || op == "*")) {
    int64_t r;
    bool overflow = op == "+"   ? __builtin_add_overflow(a.i, b.i, &r)
                    : op == "-" ? __builtin_sub_overflow(a.i, b.i, &r)
                                : __builtin_mul_overflow(a.i, b.i, &r);
    if (overflow) {
      error(at, "integer overflow in '" + op + "'");
      return std::nullopt;
    }
    return Val::integer(r);
  }
  if (op == "/") {
    if (y == 0) {
      error(at, "division by zero");
      return std::nullopt;
    }
    // Integers that divide exactly stay integers, so `H / heads` can be a dimension.
    if (ints && b.i != -1 && a.i % b.i == 0)
      return Val::integer(a.i / b.i);
    return Val::number(x / y);
  }
  if (op == "%") {
    // Python's remainder: the sign of the divisor, so `i % n` is in [0, n) for n > 0.
    if (y == 0) {
      error(at, "remainder of a division by zero");
      return std::nullopt;
    }
    if (ints) {
      int64_t r = b.i == -1 ? 0 : a.i % b.i;
      return Val::integer(r != 0 && (r < 0) != (b.i < 0) ? r + b.i : r);
    }
    double r = std::fmod(x, y);
    return Val::number(r != 0 && (r < 0) != (y < 0) ? r + y : r);
  }
  if (op == "**" && ints && b.i >= 0) {
    // Bases 0, 1 and -1 never overflow, whatever the exponent; any other base overflows within 63
    // steps, so the loop is short.
    if (a.i == 0 || a.i == 1)
      return Val::integer(b.i == 0 ? 1 : a.i);
    if (a.i == -1)
      return Val::integer(b.i % 2 ? -1 : 1);
    int64_t r = 1;
    for (int64_t k = 0; k < b.i; ++k) {
      if (__builtin_mul_overflow(r, a.i, &r)) {
        error(at, "integer overflow in '**'");
        return std::nullopt;
      }
    }
    return Val::integer(r);
  }
  double r = op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y : std::pow(x, y);
  return Val::number(r);
}

std::optional<Val> Elaborator::evalBinary(const ast::BinaryExpr &b, Scope &scope) {
  std::optional<Val> lhs = eval(b.lhs.get(), scope);
  std::optional<Val> rhs = eval(b.rhs.get(), scope);
  if (!lhs || !rhs)
    return std::nullopt;
  if (lhs->isNumber() && rhs->isNumber())
    return numberArithmetic(b.op, *lhs, *rhs, b.loc);
  if (b.op == "%") {
    error(b.loc, "'%' takes numbers known at compile time, not " +
                     (lhs->isNumber() ? rhs : lhs)->describe());
    return std::nullopt;
  }
  if (b.op == "@") {
    std::optional<Value> l = requireTensor(*lhs, b.lhs->loc, "the left operand of '@'");
    std::optional<Value> r = requireTensor(*rhs, b.rhs->loc, "the right operand of '@'");
    if (!l || !r)
      return std::nullopt;
    std::optional<Value> product = matmul(*l, *r, b.loc);
    if (!product)
      return std::nullopt;
    return Val::ofTensor(*product);
  }
  if (lhs->kind == Val::Kind::Bool || rhs->kind == Val::Kind::Bool || lhs->kind == Val::Kind::String ||
      rhs->kind == Val::Kind::String || lhs->kind == Val::Kind::List || rhs->kind == Val::Kind::List) {
    if ((b.op == "==" || b.op == "!=") && lhs->kind == rhs->kind && lhs->kind != Val::Kind::List) {
      bool equal = lhs->kind == Val::Kind::Bool ? lhs->b == rhs->b : lhs->s == rhs->s;
      return Val::boolean(b.op == "==" ? equal : !equal);
    }
    error(b.loc, "'" + b.op + "' cannot combine " + lhs->describe() + " and " + rhs->describe());
    return std::nullopt;
  }
  return binary(b.op, *lhs, *rhs, b.loc);
}

std::optional<Value> Elaborator::matmul(Value l, Value r, SourceLoc at) {
  auto lt = llvm::cast<mlir::RankedTensorType>(l.getType());
  auto rt = llvm::cast<mlir::RankedTensorType>(r.getType());
  shape::Shape out;
  std::string why;
  if (lt.getElementType() != rt.getElementType() ||
      !shape::matmul(shapeOf(lt), shapeOf(rt), out, why)) {
    error(at, "matmul shapes do not agree: " + describeType(lt) + " @ " + describeType(rt) +
                  (why.empty() ? "" : " (" + why + ")"));
    return std::nullopt;
  }
  return create<mlir::dl::MatmulOp>(at, tensorType(out, lt.getElementType()), l, r);
}

std::optional<Val> Elaborator::binary(const std::string &spelling, const Val &lhs, const Val &rhs,
                                      SourceLoc at) {
  if (!lhs.isTensor() && !rhs.isTensor()) {
    if (lhs.isNumber() && rhs.isNumber() && (spelling == "max" || spelling == "min"))
      return spelling == "max" ? (lhs.asDouble() >= rhs.asDouble() ? lhs : rhs)
                               : (lhs.asDouble() <= rhs.asDouble() ? lhs : rhs);
    error(at, "'" + spelling + "' needs a tensor or a number on each side, not " + lhs.describe() +
                  " and " + rhs.describe());
    return std::nullopt;
  }
  mlir::Type element = (lhs.isTensor() ? lhs : rhs).tensorType().getElementType();
  if (lhs.isTensor() && rhs.isTensor() && lhs.tensorType().getElementType() != rhs.tensorType().getElementType()) {
    error(at, "operands of '" + spelling + "' have different element types: " +
                  describeType(lhs.tensor.getType()) + " and " + describeType(rhs.tensor.getType()) +
                  "; convert one with f32(...) or i32(...)");
    return std::nullopt;
  }
  bool comparison = spelling == "==" || spelling == "!=" || spelling == "<" || spelling == "<=" ||
                    spelling == ">" || spelling == ">=";
  if (element.isInteger(1)) {
    error(at, "'" + spelling + "' does not apply to comparison results; convert them with f32(...)");
    return std::nullopt;
  }
  if (element.isInteger(32)) {
    const Val &other = lhs.isTensor() ? rhs : lhs;
    if (other.kind == Val::Kind::Float && other.f != std::floor(other.f)) {
      error(at, "'" + spelling + "' mixes an i32 tensor with the number " + std::to_string(other.f) +
                    "; convert the tensor with f32(...)");
      return std::nullopt;
    }
    if (spelling == "**") {
      error(at, "'**' needs f32 tensors; convert with f32(...)");
      return std::nullopt;
    }
  }
  std::optional<Value> l = asTensor(lhs, element, at, "the left operand of '" + spelling + "'");
  std::optional<Value> r = asTensor(rhs, element, at, "the right operand of '" + spelling + "'");
  if (!l || !r)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::broadcast(shapeOf(l->getType()), shapeOf(r->getType()), out, why)) {
    error(at, "operands of '" + spelling + "' are not broadcast-compatible: " +
                  describeType(l->getType()) + " and " + describeType(r->getType()) + " (" + why + ")");
    return std::nullopt;
  }
  namespace dl = mlir::dl;
  if (comparison) {
    dl::CmpPredicate p = spelling == "==" ? dl::CmpPredicate::eq
                         : spelling == "!=" ? dl::CmpPredicate::ne
                         : spelling == "<"  ? dl::CmpPredicate::lt
                         : spelling == "<=" ? dl::CmpPredicate::le
                         : spelling == ">"  ? dl::CmpPredicate::gt
                                            : dl::CmpPredicate::ge;
    return Val::ofTensor(create<dl::CmpOp>(at, tensorType(out, i1()),
                                           dl::CmpPredicateAttr::get(&context_, p), *l, *r));
  }
  auto type = tensorType(out, element);
  if (spelling == "+") return Val::ofTensor(create<dl::AddOp>(at, type, *l, *r));
  if (spelling == "-") return Val::ofTensor(create<dl::SubOp>(at, type, *l, *r));
  if (spelling == "*") return Val::ofTensor(create<dl::MulOp>(at, type, *l, *r));
  if (spelling == "/") return Val::ofTensor(create<dl::DivOp>(at, type, *l, *r));
  if (spelling == "**") return Val::ofTensor(create<dl::PowOp>(at, type, *l, *r));
  if (spelling == "max") return Val::ofTensor(create<dl::MaximumOp>(at, type, *l, *r));
  if (spelling == "min") return Val::ofTensor(create<dl::MinimumOp>(at, type, *l, *r));
  error(at, "unknown operator '" + spelling + "'");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

std::optional<std::vector<CallArgument>> Elaborator::evalArguments(const ast::CallExpr &c,
                                                                   Scope &scope) {
  std::vector<CallArgument> args;
  bool ok = true;
  for (const ast::Argument &a : c.args) {
    std::optional<Val> v = eval(a.value.get(), scope);
    if (!v) {
      ok = false;
      continue;
    }
    args.push_back({a.name, *v, a.loc});
  }
  if (!ok)
    return std::nullopt;
  return args;
}

std::optional<std::vector<CallArgument>>
Elaborator::bindArguments(const std::string &callee, const std::vector<std::string> &params,
                          const std::vector<CallArgument> &args, SourceLoc at) {
  std::vector<CallArgument> slots(params.size());
  size_t positional = 0;
  for (const CallArgument &a : args) {
    if (!a.name.empty())
      continue;
    if (positional >= params.size()) {
      std::string list;
      for (size_t i = 0; i < params.size(); ++i)
        list += (i ? ", " : "") + params[i];
      error(a.loc, "'" + callee + "' takes " + std::to_string(params.size()) + " argument" +
                       (params.size() == 1 ? "" : "s") + (list.empty() ? "" : " (" + list + ")") +
                       ", but more were given");
      return std::nullopt;
    }
    slots[positional] = a;
    slots[positional].name = params[positional];
    ++positional;
  }
  for (const CallArgument &a : args) {
    if (a.name.empty())
      continue;
    auto it = std::find(params.begin(), params.end(), a.name);
    if (it == params.end()) {
      error(a.loc, "'" + callee + "' has no argument '" + a.name + "'" + didYouMean(a.name, params));
      return std::nullopt;
    }
    CallArgument &slot = slots[it - params.begin()];
    if (slot.value.kind != Val::Kind::None) {
      error(a.loc, "argument '" + a.name + "' of '" + callee + "' is given twice");
      return std::nullopt;
    }
    slot = a;
  }
  return slots;
}

std::optional<Val> Elaborator::evalCall(const ast::CallExpr &c, Scope &scope) {
  std::optional<Val> callee = eval(c.callee.get(), scope);
  if (!callee)
    return std::nullopt;
  std::optional<std::vector<CallArgument>> args = evalArguments(c, scope);
  if (!args)
    return std::nullopt;
  switch (callee->kind) {
  case Val::Kind::Function: {
    const std::string &name = callee->s;
    bool sampling = (name == "normal" || name == "uniform") && !args->empty() &&
                    (*args)[0].name.empty() && (*args)[0].value.kind == Val::Kind::List;
    if (isInitializer(name) && !sampling)
      return initializerCall(name, *args, c.loc);
    const Builtin *builtin = findBuiltin(name);
    if (!builtin) {
      error(c.loc, "'" + name + "' cannot be called");
      return std::nullopt;
    }
    return callBuiltin(name, *builtin, callee->bound, *args, c.loc);
  }
  case Val::Kind::Layer:
    error(c.loc, "name each layer instance, so its parameters have names: write 'h = " +
                     callee->layer->name + "(...)' and then call 'h(x)'");
    return std::nullopt;
  case Val::Kind::Instance:
    if (!inFunction()) {
      error(c.loc, "layers cannot be applied outside a model");
      return std::nullopt;
    }
    return applyInstance(*callee->instance, *args, c.loc);
  default:
    error(c.callee->loc, "this is " + callee->describe() + ", which cannot be called");
    return std::nullopt;
  }
}

std::optional<Val> Elaborator::callBuiltin(const std::string &name, const Builtin &builtin,
                                           const std::vector<NamedVal> &bound,
                                           const std::vector<CallArgument> &args, SourceLoc at) {
  std::vector<std::string> params;
  for (const BuiltinParam &p : builtin.params)
    params.push_back(p.name);
  // Keyword arguments bound earlier (`act = leaky_relu(alpha = 0.2)`) count as given, unless the
  // call gives them again.
  std::vector<CallArgument> all = args;
  for (const auto &[key, value] : bound) {
    bool given = std::any_of(args.begin(), args.end(), [&](const CallArgument &a) { return a.name == key; });
    if (!given)
      all.push_back({key, value, at});
  }
  std::optional<std::vector<CallArgument>> slots = bindArguments(name, params, all, at);
  if (!slots)
    return std::nullopt;
  bool anyPositional = std::any_of(args.begin(), args.end(), [](const CallArgument &a) { return a.name.empty(); });
  if (builtin.partial && !anyPositional && !args.empty()) {
    std::vector<NamedVal> merged;
    for (const CallArgument &a : all)
      merged.push_back({a.name, a.value});
    return Val::function(name, merged);
  }
  if (!inFunction()) {
    error(at, "'" + name + "' makes a tensor, and tensors exist only inside a model");
    return std::nullopt;
  }
  BuiltinCall call{name, at, {}, {}};
  for (size_t i = 0; i < params.size(); ++i) {
    const CallArgument &slot = (*slots)[i];
    if (slot.value.kind == Val::Kind::None) {
      if (builtin.params[i].required) {
        error(at, "'" + name + "' needs argument '" + params[i] + "'");
        return std::nullopt;
      }
      call.args.push_back(builtin.params[i].defaultValue);
      call.locs.push_back({});
    } else {
      call.args.push_back(slot.value);
      call.locs.push_back(slot.loc);
    }
  }
  return builtin.apply(*this, call);
}

//===----------------------------------------------------------------------===//
// Subscripts and members
//===----------------------------------------------------------------------===//

std::optional<Val> Elaborator::evalIndex(const ast::IndexExpr &x, Scope &scope) {
  std::optional<Val> base = eval(x.base.get(), scope);
  if (!base)
    return std::nullopt;
  // zeros[B, H] and ones[B, H] make constant tensors.
  if (base->kind == Val::Kind::Function && (base->s == "zeros" || base->s == "ones")) {
    shape::Shape s;
    for (const ast::Subscript &sub : x.subscripts) {
      std::optional<Val> v = sub.isSlice ? std::nullopt : eval(sub.index.get(), scope);
      if (sub.isSlice)
        error(sub.loc, "'" + base->s + "[...]' takes dimensions, not slices");
      std::optional<int64_t> n = v ? requireInt(*v, sub.loc, "a dimension") : std::nullopt;
      if (!n)
        return std::nullopt;
      if (*n <= 0) {
        error(sub.loc, "dimensions must be positive, not " + std::to_string(*n));
        return std::nullopt;
      }
      s.push_back(*n);
    }
    if (!checkSize(s, f32(), x.loc, "'" + base->s + "[...]'"))
      return std::nullopt;
    if (!inFunction()) {
      error(x.loc, "tensors exist only inside a model");
      return std::nullopt;
    }
    return Val::ofTensor(splat(base->s == "ones" ? 1.0 : 0.0, s, f32(), x.loc));
  }
  if (base->kind == Val::Kind::List) {
    if (x.subscripts.size() != 1 || x.subscripts[0].isSlice) {
      error(x.loc, "a list takes one integer subscript");
      return std::nullopt;
    }
    std::optional<Val> v = eval(x.subscripts[0].index.get(), scope);
    std::optional<int64_t> i = v ? requireInt(*v, x.subscripts[0].loc, "a list index") : std::nullopt;
    if (!i)
      return std::nullopt;
    int64_t n = base->list.size();
    int64_t k = *i < 0 ? *i + n : *i;
    if (k < 0 || k >= n) {
      error(x.subscripts[0].loc, "index " + std::to_string(*i) + " is out of range for a list of " +
                                     std::to_string(n));
      return std::nullopt;
    }
    return base->list[k];
  }
  std::optional<Value> t = requireTensor(*base, x.base->loc, "the subscripted value", false);
  if (!t)
    return std::nullopt;
  shape::Shape in = shapeOf(t->getType());
  if (x.subscripts.size() > in.size()) {
    error(x.loc, "too many subscripts (" + std::to_string(x.subscripts.size()) + ") for " +
                     describeType(t->getType()));
    return std::nullopt;
  }
  std::vector<int64_t> start, limit, stride;
  shape::Shape kept;
  for (size_t d = 0; d < in.size(); ++d) {
    int64_t lo = 0, hi = in[d], step = 1;
    bool drop = false;
    if (d < x.subscripts.size()) {
      const ast::Subscript &sub = x.subscripts[d];
      auto intOf = [&](const ast::ExprPtr &e, int64_t &out) -> bool {
        if (!e)
          return true;
        std::optional<Val> v = eval(e.get(), scope);
        std::optional<int64_t> n = v ? requireInt(*v, e->loc, "an index") : std::nullopt;
        if (!n)
          return false;
        out = *n;
        return true;
      };
      if (!sub.isSlice) {
        int64_t i;
        if (!intOf(sub.index, i))
          return std::nullopt;
        int64_t k = i < 0 ? i + in[d] : i;
        if (k < 0 || k >= in[d]) {
          error(sub.loc, "index " + std::to_string(i) + " is out of range for dimension " +
                             std::to_string(d) + " of " + describeType(t->getType()));
          return std::nullopt;
        }
        lo = k;
        hi = k + 1;
        drop = true;
      } else {
        if (!intOf(sub.lo, lo) || !intOf(sub.hi, hi) || !intOf(sub.step, step))
          return std::nullopt;
        if (step <= 0) {
          error(sub.loc, "slice steps must be positive");
          return std::nullopt;
        }
        // A step past the dimension's end takes one element, as the dimension's size does; the
        // smaller stride keeps the arithmetic below (and in the shape rules) from overflowing.
        step = std::min(step, in[d]);
        // Python's rules: negative bounds count from the end, and bounds are clamped.
        if (sub.lo && lo < 0) lo += in[d];
        if (sub.hi && hi < 0) hi += in[d];
        lo = std::clamp<int64_t>(lo, 0, in[d]);
        hi = std::clamp<int64_t>(hi, 0, in[d]);
        if (lo >= hi) {
          error(sub.loc, "slice selects nothing from dimension " + std::to_string(d) + " of " +
                             describeType(t->getType()));
          return std::nullopt;
        }
      }
    }
    start.push_back(lo);
    limit.push_back(hi);
    stride.push_back(step);
    if (!drop)
      kept.push_back((hi - lo + step - 1) / step);
  }
  shape::Shape sliced;
  std::string why;
  if (!shape::slice(in, start, limit, stride, sliced, why)) {
    error(x.loc, "cannot slice " + describeType(t->getType()) + ": " + why);
    return std::nullopt;
  }
  mlir::Type element = llvm::cast<mlir::RankedTensorType>(t->getType()).getElementType();
  Value result = *t;
  if (sliced != in)
    result = create<mlir::dl::SliceOp>(x.loc, tensorType(sliced, element), *t, start, limit, stride);
  if (kept != sliced)
    result = create<mlir::dl::ReshapeOp>(x.loc, tensorType(kept, element), result);
  return Val::ofTensor(result);
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

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

Value Elaborator::splat(double v, const shape::Shape &s, mlir::Type element, SourceLoc at) {
  auto type = tensorType(s, element);
  mlir::Attribute scalar;
  if (llvm::isa<mlir::FloatType>(element))
    scalar = builder_.getFloatAttr(element, v);
  else
    scalar = builder_.getIntegerAttr(element, static_cast<int64_t>(v));
  auto value = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<mlir::Attribute>{scalar});
  return builder_.create<mlir::dl::ConstantOp>(loc(at), type, value);
}

std::optional<Value> Elaborator::asTensor(const Val &v, mlir::Type element, SourceLoc at,
                                          const std::string &what) {
  if (v.isTensor())
    return v.tensor;
  if (v.isNumber() && element.isInteger(32)) {
    // An i32 constant holds an integer in i32's range; anything else would be silently rounded or
    // wrapped (and converting a huge double to an integer is undefined).
    bool fits = v.kind == Val::Kind::Int
                    ? v.i >= std::numeric_limits<int32_t>::min() &&
                          v.i <= std::numeric_limits<int32_t>::max()
                    : v.f == std::floor(v.f) && v.f >= std::numeric_limits<int32_t>::min() &&
                          v.f <= std::numeric_limits<int32_t>::max();
    if (!fits) {
      error(at, what + " is " + v.describe() + ", which is not an i32 value; convert the tensor " +
                    "with f32(...)");
      return std::nullopt;
    }
  }
  if (v.isNumber() && element.isInteger(1) && v.asDouble() != 0 && v.asDouble() != 1) {
    error(at, what + " is " + v.describe() + ", which is not a truth value (0 or 1)");
    return std::nullopt;
  }
  if (v.isNumber())
    return constant(v.asDouble(), element, at);
  error(at, what + " must be a tensor or a number, not " + v.describe());
  return std::nullopt;
}

std::optional<Value> Elaborator::requireTensor(const Val &v, SourceLoc at, const std::string &what,
                                               bool floatOnly) {
  if (!v.isTensor()) {
    error(at, what + " must be a tensor, not " + v.describe());
    return std::nullopt;
  }
  if (floatOnly && !llvm::isa<mlir::FloatType>(v.tensorType().getElementType())) {
    error(at, what + " must be a float tensor, not " + describeType(v.tensor.getType()) +
                  "; convert it with f32(...)");
    return std::nullopt;
  }
  return v.tensor;
}

std::optional<int64_t> Elaborator::requireInt(const Val &v, SourceLoc at, const std::string &what) {
  if (v.kind == Val::Kind::Int)
    return v.i;
  error(at, what + " must be an integer, not " + v.describe());
  return std::nullopt;
}

std::optional<double> Elaborator::requireNumber(const Val &v, SourceLoc at, const std::string &what,
                                                bool allowInfinity) {
  if (!v.isNumber()) {
    error(at, what + " must be a number, not " + v.describe());
    return std::nullopt;
  }
  // Constant arithmetic can make NaN and infinities (`1e308 * 10`); no setting means either.
  double d = v.asDouble();
  if (std::isnan(d) || (!allowInfinity && std::isinf(d))) {
    error(at, what + " must be a finite number, not " + v.describe());
    return std::nullopt;
  }
  return d;
}

std::optional<std::vector<int64_t>> Elaborator::requireInts(const Val &v, SourceLoc at,
                                                            const std::string &what) {
  if (v.kind == Val::Kind::Int)
    return std::vector<int64_t>{v.i};
  if (v.kind != Val::Kind::List) {
    error(at, what + " must be a list of integers, not " + v.describe());
    return std::nullopt;
  }
  std::vector<int64_t> out;
  for (const Val &e : v.list) {
    if (e.kind != Val::Kind::Int) {
      error(at, what + " must be a list of integers, but holds " + e.describe());
      return std::nullopt;
    }
    out.push_back(e.i);
  }
  return out;
}

} // namespace dlc
