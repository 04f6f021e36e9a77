// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error dl.matmul reports. A failed type inference reports the reason at the op and then
// MLIR's generic "failed to infer returned types", so those cases expect both.

// Tests that matmul rejects contracting dimensions that differ, naming both types.
func.func @contracting_mismatch(%a: tensor<4x2xf32>, %b: tensor<3x8xf32>) {
  // expected-error @+2 {{matmul shapes do not agree: 'tensor<4x2xf32>' @ 'tensor<3x8xf32>' (contracting dimensions differ (2 vs 3))}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<4x2xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that matmul rejects two vectors of different lengths.
func.func @vector_mismatch(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{contracting dimensions differ (3 vs 4)}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

// Tests that matmul rejects batch dimensions that do not broadcast.
func.func @batch_mismatch(%a: tensor<2x4x5xf32>, %b: tensor<3x5x6xf32>) {
  // expected-error @+2 {{matmul shapes do not agree: 'tensor<2x4x5xf32>' @ 'tensor<3x5x6xf32>' (batch dimensions do not broadcast: dimension 0 is 2 on one side and 3 on the other)}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<2x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

// Tests that matmul rejects scalar operands.
func.func @scalar_operand(%a: tensor<f32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{matmul needs operands of rank 1 or more}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

// Tests that matmul rejects operands of different element types.
func.func @element_type_mismatch(%a: tensor<4x2xf32>, %b: tensor<2x8xf64>) {
  // expected-error @+2 {{matmul operands have different element types: 'tensor<4x2xf32>' and 'tensor<2x8xf64>'}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<4x2xf32>, tensor<2x8xf64>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that matmul rejects a written result type other than the product's.
func.func @wrong_result(%a: tensor<4x2xf32>, %b: tensor<2x8xf32>) {
  // expected-error @+2 {{'dl.matmul' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<8x4xf32>'}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<8x4xf32>
  return
}

// -----

// Tests that matmul accepts only floating-point tensors.
func.func @integer_operands(%a: tensor<4x2xi32>, %b: tensor<2x8xi32>) {
  // expected-error @+1 {{'dl.matmul' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x2xi32>'}}
  %0 = dl.matmul %a, %b : (tensor<4x2xi32>, tensor<2x8xi32>) -> tensor<4x8xi32>
  return
}
