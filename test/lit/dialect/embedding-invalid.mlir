// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of the embedding ops. A failed type inference reports the reason at the op, naming
// both operand types, and then MLIR's generic "failed to infer returned types", so those cases
// expect both.

// Tests that embedding takes i32 ids only.
func.func @embedding_float_ids(%ids: tensor<4xf32>, %t: tensor<10x3xf32>) {
  // expected-error @+1 {{'dl.embedding' op operand #0 must be statically shaped tensor of 32-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.embedding %ids, %t : (tensor<4xf32>, tensor<10x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that embedding takes a float table only.
func.func @embedding_integer_table(%ids: tensor<4xi32>, %t: tensor<10x3xi32>) {
  // expected-error @+1 {{'dl.embedding' op operand #1 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<10x3xi32>'}}
  %0 = dl.embedding %ids, %t : (tensor<4xi32>, tensor<10x3xi32>) -> tensor<4x3xi32>
  return
}

// -----

// Tests that embedding rejects a table that is not [V, D].
func.func @embedding_table_rank(%ids: tensor<4xi32>, %t: tensor<10x3x2xf32>) {
  // expected-error @+2 {{embedding of 'tensor<4xi32>' and 'tensor<10x3x2xf32>' is invalid: the table must have rank 2 [V, D], not rank 3}}
  // expected-error @+1 {{'dl.embedding' op failed to infer returned types}}
  %0 = dl.embedding %ids, %t : (tensor<4xi32>, tensor<10x3x2xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Tests that embedding's declared result must be the inferred [S..., D].
func.func @embedding_wrong_result(%ids: tensor<4xi32>, %t: tensor<10x3xf32>) {
  // expected-error @+2 {{'dl.embedding' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x10xf32>'}}
  // expected-error @+1 {{'dl.embedding' op failed to infer returned types}}
  %0 = dl.embedding %ids, %t : (tensor<4xi32>, tensor<10x3xf32>) -> tensor<4x10xf32>
  return
}

// -----

// Tests that embedding_grad needs a gradient of the ids' shape followed by the row size.
func.func @embedding_grad_shape(%ids: tensor<2x3xi32>, %g: tensor<3x2x8xf32>) {
  // expected-error @+2 {{embedding_grad of 'tensor<2x3xi32>' and 'tensor<3x2x8xf32>' with rows 10 is invalid: the gradient must have the ids' shape [2, 3] followed by the embedding size, not [3, 2, 8]}}
  // expected-error @+1 {{'dl.embedding_grad' op failed to infer returned types}}
  %0 = dl.embedding_grad %ids, %g {rows = 10 : i64} : (tensor<2x3xi32>, tensor<3x2x8xf32>) -> tensor<10x8xf32>
  return
}

// -----

// Tests that embedding_grad needs at least one row.
func.func @embedding_grad_no_rows(%ids: tensor<2xi32>, %g: tensor<2x8xf32>) {
  // expected-error @+2 {{embedding_grad of 'tensor<2xi32>' and 'tensor<2x8xf32>' with rows 0 is invalid: rows must be at least 1, not 0}}
  // expected-error @+1 {{'dl.embedding_grad' op failed to infer returned types}}
  %0 = dl.embedding_grad %ids, %g {rows = 0 : i64} : (tensor<2xi32>, tensor<2x8xf32>) -> tensor<0x8xf32>
  return
}

// -----

// Tests that embedding_grad needs its rows attribute.
func.func @embedding_grad_missing_rows(%ids: tensor<2xi32>, %g: tensor<2x8xf32>) {
  // expected-error @+1 {{'dl.embedding_grad' op requires attribute 'rows'}}
  %0 = dl.embedding_grad %ids, %g : (tensor<2xi32>, tensor<2x8xf32>) -> tensor<10x8xf32>
  return
}

// -----

// Tests that embedding_grad's declared result must be [rows, D].
func.func @embedding_grad_wrong_result(%ids: tensor<2xi32>, %g: tensor<2x8xf32>) {
  // expected-error @+2 {{'dl.embedding_grad' op inferred type(s) 'tensor<10x8xf32>' are incompatible with return type(s) of operation 'tensor<8x10xf32>'}}
  // expected-error @+1 {{'dl.embedding_grad' op failed to infer returned types}}
  %0 = dl.embedding_grad %ids, %g {rows = 10 : i64} : (tensor<2xi32>, tensor<2x8xf32>) -> tensor<8x10xf32>
  return
}
