//===- Builtins.h - The builtin functions of .dl, by op family ---*- C++ -*-===//
//
// Private to compiler/frontend/builtins. Each builtin is one table row: its parameters (with
// defaults) and the function that checks its arguments and emits dl ops. The rows are grouped by
// the op family they emit, one file each, named after the dialect's dialects/dl/ops/<Family>Ops.td:
// Elementwise.cpp, Reduction.cpp, Shape.cpp (and Pad.cpp), Conv.cpp, Pooling.cpp, Upsample.cpp,
// Embedding.cpp, Attention.cpp, Loss.cpp and Random.cpp; BatchNorm.cpp holds batchnorm, which is
// composed of ops of other families. Each file exports register<Family>Builtins; Builtins.cpp
// gathers them into the table that findBuiltin (ElaboratorImpl.h) reads. Initializers
// (he_normal, ...) are values, not builtins (Initializers.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_BUILTINS_BUILTINS_H
#define DLC_FRONTEND_BUILTINS_BUILTINS_H

#include "compiler/frontend/ElaboratorImpl.h"

#include <map>
#include <string>
#include <vector>

namespace dlc {

/// Every builtin, by name.
using BuiltinTable = std::map<std::string, Builtin>;

/// What a builtin does when called (Builtin::apply).
using Apply = std::function<std::optional<Val>(Elaborator &, const BuiltinCall &)>;

/// Each adds its family's builtins to `table`.
void registerElementwiseBuiltins(BuiltinTable &table);
void registerReductionBuiltins(BuiltinTable &table);
void registerShapeBuiltins(BuiltinTable &table);
void registerPadBuiltins(BuiltinTable &table);
void registerConvBuiltins(BuiltinTable &table);
void registerPoolingBuiltins(BuiltinTable &table);
void registerUpsampleBuiltins(BuiltinTable &table);
void registerBatchNormBuiltins(BuiltinTable &table);
void registerEmbeddingBuiltins(BuiltinTable &table);
void registerAttentionBuiltins(BuiltinTable &table);
void registerLossBuiltins(BuiltinTable &table);
void registerRandomBuiltins(BuiltinTable &table);

/// A required parameter; an optional one with its default (kind None: absent unless given).
inline BuiltinParam req(const char *name) { return requiredParam(name); }
inline BuiltinParam opt(const char *name, Val def = Val()) {
  return optionalParam(name, std::move(def));
}

/// The ranked tensor type of `v`.
inline mlir::RankedTensorType typeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType());
}

/// A spatial argument of a convolution or pooling call (stride, padding, dilation, kernel size):
/// an integer for both dimensions or a list [height, width]; `minimum` is its smallest allowed
/// value (Conv.cpp).
std::optional<std::vector<int64_t>> spatial(Elaborator &E, const BuiltinCall &c, size_t i,
                                            const std::string &what, int64_t minimum);

} // namespace dlc

#endif // DLC_FRONTEND_BUILTINS_BUILTINS_H
