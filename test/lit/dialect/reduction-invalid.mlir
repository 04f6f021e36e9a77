// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the reductions report. A failed type inference reports the reason at the op and then
// MLIR's generic "failed to infer returned types", so those cases expect both.

// Tests that a reduction rejects an axis past the last dimension.
func.func @sum_bad_axis(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot reduce 'tensor<4x8xf32>': axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'dl.sum' op failed to infer returned types}}
  %0 = dl.sum %x {axes = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that a reduction rejects a negative axis before the first dimension.
func.func @mean_bad_negative_axis(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot reduce 'tensor<4x8xf32>': axis -3 is out of range for rank 2}}
  // expected-error @+1 {{'dl.mean' op failed to infer returned types}}
  %0 = dl.mean %x {axes = array<i64: -3>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that a reduction rejects an axis named twice.
func.func @reduce_max_duplicate_axis(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot reduce 'tensor<4x8xf32>': axis 1 is named twice}}
  // expected-error @+1 {{'dl.reduce_max' op failed to infer returned types}}
  %0 = dl.reduce_max %x {axes = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that a negative axis and the positive axis it stands for count as the same axis.
func.func @reduce_min_duplicate_negative_axis(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot reduce 'tensor<4x8xf32>': axis -1 is named twice}}
  // expected-error @+1 {{'dl.reduce_min' op failed to infer returned types}}
  %0 = dl.reduce_min %x {axes = array<i64: 1, -1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that a reduction rejects a written result type that ignores keepdims.
func.func @logsumexp_wrong_result(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'dl.logsumexp' op inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'dl.logsumexp' op failed to infer returned types}}
  %0 = dl.logsumexp %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that mean accepts only floating-point tensors.
func.func @mean_integer(%i: tensor<4x8xi32>) {
  // expected-error @+1 {{'dl.mean' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x8xi32>'}}
  %0 = dl.mean %i : (tensor<4x8xi32>) -> tensor<i32>
  return
}

// -----

// Tests that argmax rejects an axis out of range.
func.func @argmax_bad_axis(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{cannot reduce 'tensor<4x10xf32>': axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'dl.argmax' op failed to infer returned types}}
  %0 = dl.argmax %x {axis = 2 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  return
}

// -----

// Tests that argmax of a scalar is rejected: a scalar has no axis.
func.func @argmax_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{cannot reduce 'tensor<f32>': axis -1 is out of range for rank 0}}
  // expected-error @+1 {{'dl.argmax' op failed to infer returned types}}
  %0 = dl.argmax %x : (tensor<f32>) -> tensor<i32>
  return
}

// -----

// Tests that argmax produces i32 indices, not its operand's element type.
func.func @argmax_float_result(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'dl.argmax' op result #0 must be statically shaped tensor of 32-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that cumsum's axis must name a dimension of its operand.
func.func @cumsum_axis(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{cumsum axis 2 is out of range for 'tensor<4x10xf32>'}}
  // expected-error @+1 {{'dl.cumsum' op failed to infer returned types}}
  %0 = dl.cumsum %x {axis = 2 : i64} : (tensor<4x10xf32>) -> tensor<4x10xf32>
  return
}

// -----

// Tests that argmin of a scalar is rejected: a scalar has no axis.
func.func @argmin_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{cannot reduce 'tensor<f32>': axis -1 is out of range for rank 0}}
  // expected-error @+1 {{'dl.argmin' op failed to infer returned types}}
  %0 = dl.argmin %x : (tensor<f32>) -> tensor<i32>
  return
}

// -----

// Tests that topk's k must lie in [1, the size of the axis], the type named.
func.func @topk_k_too_large(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{topk k = 11 is out of range [1, 10] for axis -1 of 'tensor<4x10xf32>'}}
  // expected-error @+1 {{'dl.topk' op failed to infer returned types}}
  %0:2 = dl.topk %x {k = 11 : i64} : (tensor<4x10xf32>) -> (tensor<4x11xf32>, tensor<4x11xi32>)
  return
}

// -----

// Tests that topk's k of 0 is rejected.
func.func @topk_k_zero(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{topk k = 0 is out of range [1, 4] for axis 0 of 'tensor<4x10xf32>'}}
  // expected-error @+1 {{'dl.topk' op failed to infer returned types}}
  %0:2 = dl.topk %x {k = 0 : i64, axis = 0 : i64} : (tensor<4x10xf32>) -> (tensor<0x10xf32>, tensor<0x10xi32>)
  return
}

// -----

// Tests that topk's axis must name a dimension of its operand.
func.func @topk_axis(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{topk axis 2 is out of range for 'tensor<4x10xf32>'}}
  // expected-error @+1 {{'dl.topk' op failed to infer returned types}}
  %0:2 = dl.topk %x {k = 1 : i64, axis = 2 : i64} : (tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xi32>)
  return
}

// -----

// Tests that topk's indices are i32: the inferred types must match the declared ones.
func.func @topk_index_type(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'dl.topk' op result #1 must be statically shaped tensor of 32-bit signless integer values, but got 'tensor<4x2xf32>'}}
  %0:2 = dl.topk %x {k = 2 : i64} : (tensor<4x10xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>)
  return
}
