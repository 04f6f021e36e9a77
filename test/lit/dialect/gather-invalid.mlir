// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of the gather ops. A failed type inference reports the reason at the op, naming
// both operand types, and then MLIR's generic "failed to infer returned types".

// Tests that gather takes an i32 index only.
func.func @gather_float_index(%x: tensor<4x3xf32>, %i: tensor<4x3xf32>) {
  // expected-error @+1 {{'dl.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer values, but got 'tensor<4x3xf32>'}}
  %0 = dl.gather %x, %i {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that gather needs an index of the input's rank.
func.func @gather_rank(%x: tensor<4x3xf32>, %i: tensor<4xi32>) {
  // expected-error @+2 {{gather of 'tensor<4x3xf32>' by 'tensor<4xi32>' is invalid: the index must have the input's rank 2, not rank 1}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

// Tests that gather's index may not exceed the input on an axis other than `axis`.
func.func @gather_larger(%x: tensor<4x3xf32>, %i: tensor<4x5xi32>) {
  // expected-error @+2 {{gather of 'tensor<4x3xf32>' by 'tensor<4x5xi32>' is invalid: the index may not be larger than the input on dimension 1 (only the axis 0 may differ)}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4x5xi32>) -> tensor<4x5xf32>
  return
}

// -----

// Tests that gather's axis names a dimension.
func.func @gather_axis(%x: tensor<4x3xf32>, %i: tensor<4x3xi32>) {
  // expected-error @+2 {{gather of 'tensor<4x3xf32>' by 'tensor<4x3xi32>' is invalid: axis -3 is out of range for rank 2}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i {axis = -3 : i64} : (tensor<4x3xf32>, tensor<4x3xi32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that gather's declared result must have the index's shape.
func.func @gather_wrong_result(%x: tensor<4x3xf32>, %i: tensor<2x3xi32>) {
  // expected-error @+2 {{'dl.gather' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2x3xi32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that gather_grad needs a gradient of the index's shape.
func.func @gather_grad_shape(%i: tensor<2x3xi32>, %g: tensor<3x2xf32>) {
  // expected-error @+2 {{gather_grad of 'tensor<2x3xi32>' and 'tensor<3x2xf32>' into f32[4, 3] is invalid: the gradient must have the index's shape}}
  // expected-error @+1 {{'dl.gather_grad' op failed to infer returned types}}
  %0 = dl.gather_grad %i, %g {axis = 0 : i64, input_shape = array<i64: 4, 3>} : (tensor<2x3xi32>, tensor<3x2xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that gather_grad needs its input_shape attribute.
func.func @gather_grad_missing_shape(%i: tensor<2xi32>, %g: tensor<2xf32>) {
  // expected-error @+1 {{'dl.gather_grad' op requires attribute 'input_shape'}}
  %0 = dl.gather_grad %i, %g {axis = 0 : i64} : (tensor<2xi32>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that gather_grad's input shape must hold the index on the other axes.
func.func @gather_grad_small_input(%i: tensor<2x3xi32>, %g: tensor<2x3xf32>) {
  // expected-error @+2 {{gather_grad of 'tensor<2x3xi32>' and 'tensor<2x3xf32>' into f32[4, 2] is invalid: the index may not be larger than the input on dimension 1 (only the axis 0 may differ)}}
  // expected-error @+1 {{'dl.gather_grad' op failed to infer returned types}}
  %0 = dl.gather_grad %i, %g {axis = 0 : i64, input_shape = array<i64: 4, 2>} : (tensor<2x3xi32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}
