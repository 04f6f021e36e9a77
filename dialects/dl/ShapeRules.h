//===- ShapeRules.h - Static shape rules of the dl ops ------------*- C++ -*-===//
//
// The one place that says what shape an op produces from the shapes of its operands: NumPy
// broadcasting, batched matmul, reductions, transpose, reshape, concat, split and slice. Both the
// dialect's type inference and the frontend's semantic checks call these functions, so a program the
// frontend accepts always verifies, and the two never disagree about a shape.
//
// Plain C++ with no MLIR types, so the frontend (and its fuzzer) can use it without linking MLIR.
// Each rule returns false and sets `why` to a short reason when the shapes do not fit; callers add the
// shapes themselves, in the syntax of their own users (`f32[4, 8]` or `tensor<4x8xf32>`).
//
//===----------------------------------------------------------------------===//
#ifndef DL_SHAPERULES_H
#define DL_SHAPERULES_H

#include <cstdint>
#include <string>
#include <vector>

namespace dl::shape {

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a scalar).
int64_t numElements(const Shape &s);

/// Maps a possibly negative axis into [0, rank); false when it is out of range.
bool normalizeAxis(int64_t axis, int64_t rank, int64_t &out, std::string &why);

/// NumPy broadcasting of two shapes.
bool broadcast(const Shape &a, const Shape &b, Shape &out, std::string &why);

/// True when `from` broadcasts to exactly `to`.
bool broadcastsTo(const Shape &from, const Shape &to, std::string &why);

/// NumPy matmul: 1-D operands are promoted and the added dimension removed again, leading (batch)
/// dimensions broadcast.
bool matmul(const Shape &a, const Shape &b, Shape &out, std::string &why);

/// Reduction over `axes` (empty means every axis); axes may be negative and must be distinct.
bool reduce(const Shape &in, const std::vector<int64_t> &axes, bool keepdims, Shape &out,
            std::string &why);

/// Permutation of the dimensions; `perm` must be a permutation of [0, rank).
bool transpose(const Shape &in, const std::vector<int64_t> &perm, Shape &out, std::string &why);

/// Reshape to `target`, in which at most one dimension may be -1 (inferred); element counts must agree.
bool reshape(const Shape &in, const Shape &target, Shape &out, std::string &why);

/// Concatenation along `axis`: every other dimension must agree.
bool concat(const std::vector<Shape> &ins, int64_t axis, Shape &out, std::string &why);

/// Split into `parts` equal pieces along `axis`; the dimension must be divisible by `parts`.
bool split(const Shape &in, int64_t parts, int64_t axis, Shape &piece, std::string &why);

/// Strided slice; `start`, `limit`, `stride` have one entry per dimension, already in range.
bool slice(const Shape &in, const std::vector<int64_t> &start, const std::vector<int64_t> &limit,
           const std::vector<int64_t> &stride, Shape &out, std::string &why);

/// Padding with `low` and `high` elements per dimension (non-negative).
bool pad(const Shape &in, const std::vector<int64_t> &low, const std::vector<int64_t> &high,
         Shape &out, std::string &why);

/// Formats a shape as the language writes it: `f32[4, 8]`, or `f32[]` for a scalar.
std::string format(const Shape &s, const std::string &elementType = "f32");

} // namespace dl::shape

#endif // DL_SHAPERULES_H
