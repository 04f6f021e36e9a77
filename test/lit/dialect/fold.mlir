// RUN: dl-opt %s -canonicalize | FileCheck %s

// The dialect's one folder is the constant's (ConstantLike: what lets MLIR unique and materialize
// constants); dlc's pipeline does not canonicalize (compiler/transforms/Pipeline.h), so no other op
// folds. Reshapes and broadcasts to the operand's own type are kept, as the frontend wrote them.

// Tests that equal constants become one, that unused pure ops are removed, and that an identity
// reshape or broadcast_to stays.
// CHECK-LABEL: func.func @constants
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[S:.*]] = dl.add %[[C]], %[[C]]
// CHECK-NEXT: %[[R:.*]] = dl.reshape %[[S]] : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[B:.*]] = dl.broadcast_to %[[R]] : (tensor<f32>) -> tensor<f32>
// CHECK-NEXT: return %[[B]]
func.func @constants() -> tensor<f32> {
  %0 = dl.constant dense<1.0> : tensor<f32>
  %1 = dl.constant dense<1.0> : tensor<f32>
  %2 = dl.add %0, %1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %3 = dl.relu %0 : tensor<f32>
  %4 = dl.reshape %2 : (tensor<f32>) -> tensor<f32>
  %5 = dl.broadcast_to %4 : (tensor<f32>) -> tensor<f32>
  return %5 : tensor<f32>
}
