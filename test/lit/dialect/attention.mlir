// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of the fused attention ops with the result types their inference gives. Errors are in
// attention-invalid.mlir.

// Tests that attention gives [L..., Tq, dv] (queries against a different number of keys, values of
// another width) and keeps its attributes, and that each gradient has its operand's type.
// CHECK-LABEL: func.func @attention
// CHECK: dl.attention %arg0, %arg1, %arg2 {causal = false, scale = 2.500000e-01 : f64} : (tensor<2x3x5x16xf32>, tensor<2x3x7x16xf32>, tensor<2x3x7x8xf32>) -> tensor<2x3x5x8xf32>
// CHECK: dl.attention_grad %arg0, %arg1, %arg2, %arg3 {causal = false, scale = 2.500000e-01 : f64, wrt = 0 : i64} : {{.*}} -> tensor<2x3x5x16xf32>
// CHECK: dl.attention_grad %arg0, %arg1, %arg2, %arg3 {causal = false, scale = 2.500000e-01 : f64, wrt = 1 : i64} : {{.*}} -> tensor<2x3x7x16xf32>
// CHECK: dl.attention_grad %arg0, %arg1, %arg2, %arg3 {causal = false, scale = 2.500000e-01 : f64, wrt = 2 : i64} : {{.*}} -> tensor<2x3x7x8xf32>
func.func @attention(%q: tensor<2x3x5x16xf32>, %k: tensor<2x3x7x16xf32>, %v: tensor<2x3x7x8xf32>, %g: tensor<2x3x5x8xf32>) {
  %o = dl.attention %q, %k, %v {causal = false, scale = 0.25 : f64} : (tensor<2x3x5x16xf32>, tensor<2x3x7x16xf32>, tensor<2x3x7x8xf32>) -> tensor<2x3x5x8xf32>
  %dq = dl.attention_grad %q, %k, %v, %g {causal = false, scale = 0.25 : f64, wrt = 0 : i64} : (tensor<2x3x5x16xf32>, tensor<2x3x7x16xf32>, tensor<2x3x7x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x5x16xf32>
  %dk = dl.attention_grad %q, %k, %v, %g {causal = false, scale = 0.25 : f64, wrt = 1 : i64} : (tensor<2x3x5x16xf32>, tensor<2x3x7x16xf32>, tensor<2x3x7x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x7x16xf32>
  %dv = dl.attention_grad %q, %k, %v, %g {causal = false, scale = 0.25 : f64, wrt = 2 : i64} : (tensor<2x3x5x16xf32>, tensor<2x3x7x16xf32>, tensor<2x3x7x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x7x8xf32>
  return
}

// Tests causal attention of rank 2 (no leading dimensions).
// CHECK-LABEL: func.func @causal
// CHECK: dl.attention %arg0, %arg0, %arg0 {causal = true, scale = 5.000000e-01 : f64} : (tensor<6x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
func.func @causal(%x: tensor<6x4xf32>) {
  %o = dl.attention %x, %x, %x {causal = true, scale = 0.5 : f64} : (tensor<6x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  return
}
