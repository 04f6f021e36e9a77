//===- Initializers.h - Filling parameters and buffers at creation -*- C++ -*-===//
//
// The runtime's copy of the reference interpreter's initializers (compiler/interpreter/
// Initializers.cpp): the same names, arguments, Philox streams and element indices, the same
// formulas evaluated in double, then stored as the tensor's dtype (f32 rounded to nearest, i32
// truncated toward zero, bool as 0/1). A compiled model therefore starts from the numbers the
// interpreter starts from.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_INITIALIZERS_H
#define DL_RUNTIME_CORE_INITIALIZERS_H

#include "runtime/core/Descriptor.h"

#include <string>

namespace dl::rt {

/// Checks that `init` names a known initializer, carries the arguments it needs and suits
/// `tensor`'s dtype and rank. False with `error` saying what is wrong.
bool checkInitializer(const InitSpec &init, const TensorSpec &tensor, std::string &error);

/// Fills `data` (tensor.bytes bytes) from `init`, which checkInitializer accepted, keyed by `seed`.
/// May throw std::bad_alloc (orthogonal needs a double-precision copy of the tensor).
void drawInitializer(const InitSpec &init, const TensorSpec &tensor, uint64_t seed, void *data);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_INITIALIZERS_H
