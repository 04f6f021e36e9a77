// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the elementwise ops report. A failed type inference reports the reason at the op and
// then MLIR's generic "failed to infer returned types", so those cases expect both.

// Tests that a binary op rejects shapes that do not broadcast, naming both types and the dimension.
func.func @add_broadcast_mismatch(%a: tensor<4x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{operands are not broadcast-compatible: 'tensor<4x8xf32>' and 'tensor<4xf32>' (dimension 1 is 8 on one side and 4 on the other)}}
  // expected-error @+1 {{'dl.add' op failed to infer returned types}}
  %0 = dl.add %a, %b : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that a binary op rejects operands of different element types.
func.func @mul_element_type_mismatch(%a: tensor<4x8xf32>, %b: tensor<8xi32>) {
  // expected-error @+2 {{operands have different element types: 'tensor<4x8xf32>' and 'tensor<8xi32>'}}
  // expected-error @+1 {{'dl.mul' op failed to infer returned types}}
  %0 = dl.mul %a, %b : (tensor<4x8xf32>, tensor<8xi32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that a binary op rejects a written result type other than the broadcast type.
func.func @sub_wrong_result(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{'dl.sub' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{'dl.sub' op failed to infer returned types}}
  %0 = dl.sub %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x4xf32>
  return
}

// -----

// Tests that pow accepts only floating-point tensors.
func.func @pow_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'dl.pow' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = dl.pow %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

// Tests that arithmetic rejects i1 tensors.
func.func @add_bool(%a: tensor<4xi1>) {
  // expected-error @+1 {{'dl.add' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type or 32-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = dl.add %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// -----

// Tests that dynamic dimensions are rejected: dlc's shapes are static.
func.func @relu_dynamic(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'dl.relu' op operand #0 must be statically shaped tensor}}
  %0 = dl.relu %x : tensor<?x4xf32>
  return
}

// -----

// Tests that prelu's slopes may not grow the input: they broadcast into it, not with it.
func.func @prelu_slopes_grow_input(%x: tensor<8xf32>, %alpha: tensor<4x8xf32>) {
  // expected-error @+2 {{'tensor<4x8xf32>' does not broadcast to 'tensor<8xf32>' (it would have to grow to f32[4, 8])}}
  // expected-error @+1 {{'dl.prelu' op failed to infer returned types}}
  %0 = dl.prelu %x, %alpha : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  return
}

// -----

// Tests that prelu's slopes must have the input's element type.
func.func @prelu_element_type_mismatch(%x: tensor<4x8xf32>, %alpha: tensor<8xf64>) {
  // expected-error @+2 {{operands have different element types: 'tensor<4x8xf32>' and 'tensor<8xf64>'}}
  // expected-error @+1 {{'dl.prelu' op failed to infer returned types}}
  %0 = dl.prelu %x, %alpha : (tensor<4x8xf32>, tensor<8xf64>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that cmp rejects shapes that do not broadcast.
func.func @cmp_broadcast_mismatch(%a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{operands are not broadcast-compatible: 'tensor<4xf32>' and 'tensor<3xf32>' (dimension 0 is 4 on one side and 3 on the other)}}
  // expected-error @+1 {{'dl.cmp' op failed to infer returned types}}
  %0 = dl.cmp lt, %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi1>
  return
}

// -----

// Tests that cmp rejects operands of different element types.
func.func @cmp_element_type_mismatch(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{operands have different element types: 'tensor<4xf32>' and 'tensor<4xi32>'}}
  // expected-error @+1 {{'dl.cmp' op failed to infer returned types}}
  %0 = dl.cmp eq, %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return
}

// -----

// Tests that cmp produces i1, not its operands' element type.
func.func @cmp_float_result(%a: tensor<4xf32>) {
  // expected-error @+1 {{'dl.cmp' op result #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.cmp lt, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that cmp rejects an unknown predicate.
func.func @cmp_unknown_predicate(%a: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::dl::CmpPredicate to be one of: eq, ne, lt, le, gt, ge}}
  // expected-error @+1 {{failed to parse DL_CmpPredicateAttr parameter 'value'}}
  %0 = dl.cmp less, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// Tests that select rejects a condition that does not broadcast with the values.
func.func @select_condition_mismatch(%c: tensor<3xi1>, %x: tensor<4xf32>) {
  // expected-error @+2 {{condition 'tensor<3xi1>' is not broadcast-compatible with 'tensor<4xf32>' (dimension 0 is 3 on one side and 4 on the other)}}
  // expected-error @+1 {{'dl.select' op failed to infer returned types}}
  %0 = dl.select %c, %x, %x : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that select rejects values of different element types.
func.func @select_element_type_mismatch(%c: tensor<4xi1>, %x: tensor<4xf32>, %i: tensor<4xi32>) {
  // expected-error @+2 {{operands have different element types: 'tensor<4xf32>' and 'tensor<4xi32>'}}
  // expected-error @+1 {{'dl.select' op failed to infer returned types}}
  %0 = dl.select %c, %x, %i : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

// Tests that select's condition must be i1.
func.func @select_float_condition(%c: tensor<4xf32>, %x: tensor<4xf32>) {
  // expected-error @+1 {{'dl.select' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.select %c, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that a unary op keeps its operand's type (written in generic form, which can disagree).
func.func @neg_changes_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dl.neg' op requires the same type for all operands and results}}
  %0 = "dl.neg"(%x) : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

// Tests that transcendental unary ops accept only floating-point tensors.
func.func @exp_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'dl.exp' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = dl.exp %x : tensor<4xi32>
  return
}

// -----

// Tests that leaky_relu accepts only floating-point tensors.
func.func @leaky_relu_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'dl.leaky_relu' op operand #0 must be statically shaped tensor of 32-bit float}}
  %0 = dl.leaky_relu %x : tensor<4xi32>
  return
}

// -----

// Tests that clamp rejects a lower bound above its upper bound.
func.func @clamp_min_above_max(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dl.clamp' op has min 6.000000e+00 above max 0.000000e+00}}
  %0 = dl.clamp %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

// Tests that clamp needs both bounds.
func.func @clamp_missing_max(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dl.clamp' op requires attribute 'max'}}
  %0 = dl.clamp %x {min = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

// Tests that softmax rejects an axis past the last dimension.
func.func @softmax_bad_axis(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'dl.softmax' op axis 2 is out of range for rank 2}}
  %0 = dl.softmax %x {axis = 2 : i64} : tensor<4x10xf32>
  return
}

// -----

// Tests that log_softmax rejects a negative axis before the first dimension.
func.func @log_softmax_bad_axis(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'dl.log_softmax' op axis -3 is out of range for rank 2}}
  %0 = dl.log_softmax %x {axis = -3 : i64} : tensor<4x10xf32>
  return
}

// -----

// Tests that softmax of a scalar is rejected: a scalar has no axis.
func.func @softmax_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'dl.softmax' op axis -1 is out of range for rank 0}}
  %0 = dl.softmax %x : tensor<f32>
  return
}

// -----

// Tests that cast keeps the shape.
func.func @cast_changes_shape(%x: tensor<4xi32>) {
  // expected-error @+1 {{'dl.cast' op requires the same shape for all operands and results}}
  %0 = dl.cast %x : (tensor<4xi32>) -> tensor<2x2xf32>
  return
}

// -----

// Tests that a constant's result type is its value's type (written in generic form, which can disagree).
func.func @constant_wrong_type() {
  // expected-error @+2 {{'dl.constant' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  // expected-error @+1 {{'dl.constant' op failed to infer returned types}}
  %0 = "dl.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<8xf32>
  return
}

// -----

// Tests that constants are limited to the dialect's element types.
func.func @constant_i8() {
  // expected-error @+1 {{'dl.constant' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = dl.constant dense<1> : tensor<4xi8>
  return
}

// -----

// Tests that one_hot needs a positive number of classes.
func.func @one_hot_no_classes(%ids: tensor<4xi32>) -> tensor<4x0xf32> {
  // expected-error @+2 {{one_hot needs a positive number of classes}}
  // expected-error @+1 {{failed to infer returned types}}
  %h = dl.one_hot %ids {classes = 0 : i64} : (tensor<4xi32>) -> tensor<4x0xf32>
  return %h : tensor<4x0xf32>
}

// -----

// Tests that the logical ops take booleans only.
func.func @logical_and_float(%a: tensor<4xf32>) {
  // expected-error @+1 {{'dl.logical_and' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.logical_and %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// Tests that logical_not takes booleans only.
func.func @logical_not_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'dl.logical_not' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = dl.logical_not %a : tensor<4xi32>
  return
}

// -----

// Tests that floor (as ceil and round) takes floats only.
func.func @floor_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'dl.floor' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = dl.floor %a : tensor<4xi32>
  return
}

// -----

// Tests that mod rejects shapes that do not broadcast, as every binary op does.
func.func @mod_broadcast_mismatch(%a: tensor<4x8xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{operands are not broadcast-compatible: 'tensor<4x8xf32>' and 'tensor<3xf32>' (dimension 1 is 8 on one side and 3 on the other)}}
  // expected-error @+1 {{'dl.mod' op failed to infer returned types}}
  %0 = dl.mod %a, %b : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that fmod rejects booleans.
func.func @fmod_boolean(%a: tensor<4xi1>) {
  // expected-error @+1 {{'dl.fmod' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type or 32-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = dl.fmod %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}
