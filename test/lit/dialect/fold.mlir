// RUN: dl-opt %s -canonicalize -split-input-file | FileCheck %s

// The dialect's folders, as the canonicalizer applies them: identity reshape and broadcast_to fold
// to their operand, and equal constants are uniqued. Ops that change a shape are kept.

// Tests that a reshape or broadcast_to to the operand's own type folds away, and others stay.
// CHECK-LABEL: func.func @identity_shapes
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[R:.*]] = dl.reshape %[[X]] : (tensor<4x8xf32>) -> tensor<32xf32>
// CHECK-NEXT: %[[B:.*]] = dl.broadcast_to %[[X]] : (tensor<4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[R]], %[[B]]
func.func @identity_shapes(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<32xf32>, tensor<2x4x8xf32>) {
  %0 = dl.reshape %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = dl.broadcast_to %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = dl.reshape %x : (tensor<4x8xf32>) -> tensor<32xf32>
  %3 = dl.broadcast_to %x : (tensor<4x8xf32>) -> tensor<2x4x8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<32xf32>, tensor<2x4x8xf32>
}

// -----

// Tests that equal constants become one and that unused pure ops are removed.
// CHECK-LABEL: func.func @constants
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[S:.*]] = dl.add %[[C]], %[[C]]
// CHECK-NEXT: return %[[S]]
func.func @constants() -> tensor<f32> {
  %0 = dl.constant dense<1.0> : tensor<f32>
  %1 = dl.constant dense<1.0> : tensor<f32>
  %2 = dl.add %0, %1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %3 = dl.relu %0 : tensor<f32>
  return %2 : tensor<f32>
}
