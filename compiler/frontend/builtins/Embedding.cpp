//===- Embedding.cpp - Embedding lookup -----------------------------------===//
//
// embedding(ids, table), which emits EmbeddingOps.td's dl.embedding: i32 ids of any shape pick
// rows of an f32 table. The Embedding layer is written in .dl (prelude.dl). gather(x, axis, index)
// (torch.gather), which emits dl.gather: i32 indices pick elements of x along one axis.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// embedding(ids, table): i32 ids of any shape S pick rows of an f32 table [V, D], giving
/// [S..., D]. A wrong element type or rank is reported at the call with both types.
std::optional<Val> embedding(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> ids = E.requireTensor(c[0], c.locOf(0), "the ids of 'embedding'", false);
  std::optional<Value> table =
      E.requireTensor(c[1], c.locOf(1), "the table of 'embedding'", false);
  if (!ids || !table)
    return std::nullopt;
  std::string of = "embedding of ids " + describeType(ids->getType()) + " and table " +
                   describeType(table->getType()) + ": ";
  auto element = [](Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getElementType();
  };
  if (!element(*ids).isInteger(32)) {
    E.error(c.loc, of + "the ids must be i32; convert them with i32(...)");
    return std::nullopt;
  }
  if (element(*table) != E.f32()) {
    E.error(c.loc, of + "the table must be f32");
    return std::nullopt;
  }
  shape::Shape out;
  std::string why;
  if (!shape::embedding(shapeOf(ids->getType()), shapeOf(table->getType()), out, why)) {
    E.error(c.loc, of + why);
    return std::nullopt;
  }
  return Val::ofTensor(
      E.create<dlo::EmbeddingOp>(c.loc, E.tensorType(out, E.f32()), *ids, *table));
}

/// gather(x, axis, index): torch.gather(x, dim = axis, index). x is f32 of rank n >= 1, index i32
/// of rank n and at most x's extents on every other axis; the result has the index's shape. Each
/// mistake is reported at the call with both types.
std::optional<Val> gather(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'gather'", false);
  std::optional<int64_t> axis = E.requireInt(c[1], c.locOf(1), "'axis'");
  std::optional<Value> index = E.requireTensor(c[2], c.locOf(2), "the index of 'gather'", false);
  if (!x || !axis || !index)
    return std::nullopt;
  std::string of = "gather of " + describeType(x->getType()) + " by index " +
                   describeType(index->getType()) + ": ";
  auto element = [](Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getElementType();
  };
  if (!element(*index).isInteger(32)) {
    E.error(c.locOf(2), of + "the index must be i32; convert it with i32(...)");
    return std::nullopt;
  }
  if (element(*x) != E.f32()) {
    E.error(c.locOf(0), of + "the input must be f32");
    return std::nullopt;
  }
  shape::Shape out;
  std::string why;
  int64_t normalized = *axis;
  if (!shape::gather(shapeOf(x->getType()), shapeOf(index->getType()), normalized, out, why)) {
    E.error(c.loc, of + why);
    return std::nullopt;
  }
  return Val::ofTensor(E.create<dlo::GatherOp>(c.loc, E.tensorType(out, E.f32()), *x, *index,
                                               E.builder().getI64IntegerAttr(normalized)));
}

} // namespace

void registerEmbeddingBuiltins(BuiltinTable &t) {
  t["embedding"] = {{req("ids"), req("table")}, embedding};
  t["gather"] = {{req("x"), req("axis"), req("index")}, gather};
}

} // namespace dlc
