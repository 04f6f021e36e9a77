//===- TensorComparison.h - Compiled results against the interpreter's -*- C++ -*-===//
//
// Converts between the runtime's host buffers (f32, i32, one-byte bools) and the interpreter's
// tensors of doubles, and compares a compiled model's tensor with the interpreter's element by
// element: floats within a relative tolerance with an absolute floor (single against double
// precision), integers and booleans exactly. A mismatch names the tensor, the first elements that
// differ (by multi-index) with both values, and how many differ in all.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_E2E_TENSORCOMPARISON_H
#define DLC_TEST_E2E_TENSORCOMPARISON_H

#include "compiler/interpreter/Interpreter.h"
#include "dl/runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dl::e2e {

/// |compiled - reference| <= absolute + relative * max(|compiled|, |reference|, share * scale),
/// where scale is the largest |reference| of the whole tensor: rounding error comes from the
/// terms an element is computed from, so an element that cancels to near zero in a tensor of
/// large values may be off by a part of the tensor's scale, not of its own size.
struct Tolerance {
  double relative = 1e-4;
  double absolute = 1e-5;
  double share = 0.1;
};

/// The bytes of `value` laid out as `info` says (its dtype; the shapes must agree).
std::vector<unsigned char> toHost(const interp::Tensor &value, const dl_tensor_info &info);

/// The tensor `data` holds, laid out as `info` says.
interp::Tensor fromHost(const void *data, const dl_tensor_info &info);

/// Compares the compiled model's `compiled` with the interpreter's `reference`; `what` names the
/// tensor in the message ("vae/eval/o_noise").
::testing::AssertionResult matches(const std::string &what, const interp::Tensor &compiled,
                                   const interp::Tensor &reference, Tolerance tolerance);

/// Which elements changed from `before` to `after`, exactly (no tolerance): the dropout mask of a
/// parameter that only dropout reaches.
std::vector<bool> changedElements(const interp::Tensor &before, const interp::Tensor &after);

/// "[1, 0, 3]" for the flat index `flat` of `shape`.
std::string multiIndex(const std::vector<int64_t> &shape, int64_t flat);

} // namespace dl::e2e

#endif // DLC_TEST_E2E_TENSORCOMPARISON_H
