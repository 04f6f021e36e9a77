//===- Operators.cpp - Unary and binary operators -------------------------===//
//
// `-x`, the arithmetic and comparison operators and `@`. On two numbers known at compile time
// they fold, with integer overflow and division by zero reported (and Python's `%` and `//`, the
// latter for numbers only); on tensors they emit the element-wise dl ops with broadcasting (`%` is
// dl.mod, torch.remainder), or dl.matmul, checked by the shape rules. binary() and matmul() also
// serve the builtins (max, min, mod, fmod, ...).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include <functional>

#include <cmath>
#include <limits>

namespace dlc {

namespace shape = dl::shape;
using mlir::Value;

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
  if (op == "//") {
    // Python's floor division: integers stay integers (`EPOCHS * (60000 // B)` counts whole
    // batches), a float operand gives the floored number.
    if (y == 0) {
      error(at, "floor division by zero");
      return std::nullopt;
    }
    if (ints) {
      if (b.i == -1) {
        if (a.i == std::numeric_limits<int64_t>::min()) {
          error(at, "integer overflow in '//'");
          return std::nullopt;
        }
        return Val::integer(-a.i);
      }
      int64_t q = a.i / b.i;
      return Val::integer(q * b.i != a.i && (a.i < 0) != (b.i < 0) ? q - 1 : q);
    }
    return Val::number(std::floor(x / y));
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
  if (b.op == "//") {
    const Val &other = lhs->isNumber() ? *rhs : *lhs;
    error(b.loc, "'//' divides numbers known at compile time, not " + other.describe() +
                     "; for tensors write floor(a / b)");
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
    // Lists compare element by element (`shape(h0) == [1, B, hidden]` in a layer's assert).
    std::function<std::optional<bool>(const Val &, const Val &)> equal =
        [&](const Val &l, const Val &r) -> std::optional<bool> {
      if (l.isNumber() && r.isNumber())
        return l.asDouble() == r.asDouble();
      if (l.kind != r.kind || l.kind == Val::Kind::Tensor || l.kind == Val::Kind::Function ||
          l.kind == Val::Kind::Layer || l.kind == Val::Kind::Instance || l.kind == Val::Kind::None)
        return l.kind == r.kind ? std::nullopt : std::optional<bool>(false);
      if (l.kind == Val::Kind::List) {
        if (l.list.size() != r.list.size())
          return false;
        for (size_t i = 0; i < l.list.size(); ++i) {
          std::optional<bool> e = equal(l.list[i], r.list[i]);
          if (!e || !*e)
            return e;
        }
        return true;
      }
      return l.kind == Val::Kind::Bool ? l.b == r.b : l.s == r.s;
    };
    if ((b.op == "==" || b.op == "!=") && lhs->kind == rhs->kind)
      if (std::optional<bool> e = equal(*lhs, *rhs))
        return Val::boolean(b.op == "==" ? *e : !*e);
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
    if (lhs.isNumber() && rhs.isNumber() && (spelling == "mod" || spelling == "remainder"))
      return numberArithmetic("%", lhs, rhs, at);
    if (lhs.isNumber() && rhs.isNumber() && spelling == "fmod") {
      // C's fmod: the sign of the dividend.
      if (rhs.asDouble() == 0) {
        error(at, "fmod of a division by zero");
        return std::nullopt;
      }
      if (lhs.kind == Val::Kind::Int && rhs.kind == Val::Kind::Int)
        return Val::integer(rhs.i == -1 ? 0 : lhs.i % rhs.i);
      return Val::number(std::fmod(lhs.asDouble(), rhs.asDouble()));
    }
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
  if (spelling == "%" || spelling == "mod" || spelling == "remainder")
    return Val::ofTensor(create<dl::ModOp>(at, type, *l, *r));
  if (spelling == "fmod") return Val::ofTensor(create<dl::FmodOp>(at, type, *l, *r));
  error(at, "unknown operator '" + spelling + "'");
  return std::nullopt;
}

} // namespace dlc
