//===- Embedding.cpp - Embedding lookup -----------------------------------===//
//
// embedding(ids, table), which emits EmbeddingOps.td's dl.embedding: i32 ids of any shape pick
// rows of an f32 table. The Embedding layer is written in .dl (prelude.dl).
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

} // namespace

void registerEmbeddingBuiltins(BuiltinTable &t) {
  t["embedding"] = {{req("ids"), req("table")}, embedding};
}

} // namespace dlc
