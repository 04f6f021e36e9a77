//===- Initializers.h - Filling parameters and buffers at creation -*- C++ -*-===//
//
// A new instance's parameters and buffers, filled by the formulas of runtime/rng/InitializerMath.h,
// which the reference interpreter evaluates too: the same Philox streams and element indices, in
// double, then stored as the tensor's dtype (f32 rounded to nearest, i32 truncated toward zero,
// bool as 0/1). A compiled model therefore starts from the numbers the interpreter starts from.
// The descriptor check (Descriptor.cpp) has vetted each initializer's name, arguments and dtype.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_INITIALIZERS_H
#define DL_RUNTIME_CORE_INITIALIZERS_H

#include "runtime/core/Descriptor.h"

namespace dl::rt {

/// Fills `data` (tensor.bytes bytes) from `init`, which the descriptor check (parseDescriptor)
/// accepted, keyed by `seed`.
/// May throw std::bad_alloc (orthogonal needs a double-precision copy of the tensor).
void drawInitializer(const InitSpec &init, const TensorSpec &tensor, uint64_t seed, void *data);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_INITIALIZERS_H
