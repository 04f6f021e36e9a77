// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of the fused attention ops. A failed type inference reports the reason at the op,
// naming every operand type, and then MLIR's generic "failed to infer returned types".

// Tests that q, k and v need the same leading dimensions.
func.func @leading(%q: tensor<2x5x4xf32>, %k: tensor<3x5x4xf32>) {
  // expected-error @+2 {{attention of 'tensor<2x5x4xf32>', 'tensor<3x5x4xf32>', 'tensor<3x5x4xf32>': q, k and v need the same leading dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention %q, %k, %k {causal = false, scale = 0.5 : f64} : (tensor<2x5x4xf32>, tensor<3x5x4xf32>, tensor<3x5x4xf32>) -> tensor<2x5x4xf32>
  return
}

// -----

// Tests that queries and keys need one last dimension.
func.func @depth(%q: tensor<5x4xf32>, %k: tensor<5x3xf32>) {
  // expected-error @+2 {{queries and keys need one last dimension d}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention %q, %k, %k {causal = false, scale = 0.5 : f64} : (tensor<5x4xf32>, tensor<5x3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

// Tests that keys and values need one number of positions.
func.func @positions(%q: tensor<5x4xf32>, %k: tensor<6x4xf32>, %v: tensor<7x4xf32>) {
  // expected-error @+2 {{keys and values need one number of positions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention %q, %k, %v {causal = false, scale = 0.5 : f64} : (tensor<5x4xf32>, tensor<6x4xf32>, tensor<7x4xf32>) -> tensor<5x4xf32>
  return
}

// -----

// Tests that causal attention needs as many queries as keys.
func.func @causal(%q: tensor<5x4xf32>, %k: tensor<6x4xf32>) {
  // expected-error @+2 {{causal attention needs as many queries as keys}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention %q, %k, %k {causal = true, scale = 0.5 : f64} : (tensor<5x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<5x4xf32>
  return
}

// -----

// Tests that a rank-1 operand is refused.
func.func @rank(%q: tensor<4xf32>) {
  // expected-error @+2 {{q, k and v need one rank of 2 or more}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention %q, %q, %q {causal = false, scale = 0.5 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that the gradient needs the attention's shape.
func.func @grad_shape(%x: tensor<5x4xf32>, %g: tensor<5x3xf32>) {
  // expected-error @+2 {{the gradient must have the attention's type 'tensor<5x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention_grad %x, %x, %x, %g {causal = false, scale = 0.5 : f64, wrt = 0 : i64} : (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x3xf32>) -> tensor<5x4xf32>
  return
}

// -----

// Tests that wrt names q, k or v.
func.func @grad_wrt(%x: tensor<5x4xf32>) {
  // expected-error @+2 {{attention_grad needs 'wrt' = 0 (q), 1 (k) or 2 (v)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.attention_grad %x, %x, %x, %x {causal = false, scale = 0.5 : f64, wrt = 3 : i64} : (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<5x4xf32>
  return
}
