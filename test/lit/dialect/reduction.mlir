// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of every reduction: sum, mean, reduce_max, reduce_min, logsumexp, argmax, argmin and cumsum, over all
// axes, some axes, negative axes, with and without keepdims. Errors are in reduction-invalid.mlir.

// Tests that every reduction over all axes gives a scalar, and that the default (empty) axes and
// keepdims = false are elided when printed.
// CHECK-LABEL: func.func @all_axes
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: dl.sum %[[X]] : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: dl.mean %[[X]] : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: dl.reduce_max %[[X]] : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: dl.reduce_min %[[X]] : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: dl.logsumexp %[[X]] : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: dl.sum %[[X]] : (tensor<4x8xf32>) -> tensor<f32>
func.func @all_axes(%x: tensor<4x8xf32>) {
  %0 = dl.sum %x : (tensor<4x8xf32>) -> tensor<f32>
  %1 = dl.mean %x : (tensor<4x8xf32>) -> tensor<f32>
  %2 = dl.reduce_max %x : (tensor<4x8xf32>) -> tensor<f32>
  %3 = dl.reduce_min %x : (tensor<4x8xf32>) -> tensor<f32>
  %4 = dl.logsumexp %x : (tensor<4x8xf32>) -> tensor<f32>
  %5 = dl.sum %x {axes = array<i64>, keepdims = false} : (tensor<4x8xf32>) -> tensor<f32>
  return
}

// Tests that keepdims keeps every reduced dimension as size 1.
// CHECK-LABEL: func.func @keepdims
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: dl.sum %[[X]] {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
// CHECK: dl.mean %[[X]] {keepdims = true} : (tensor<4x8xf32>) -> tensor<1x1xf32>
// CHECK: dl.reduce_max %[[X]] {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
// CHECK: dl.logsumexp %[[X]] {axes = array<i64: -1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
func.func @keepdims(%x: tensor<4x8xf32>) {
  %0 = dl.sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %1 = dl.mean %x {keepdims = true} : (tensor<4x8xf32>) -> tensor<1x1xf32>
  %2 = dl.reduce_max %x {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  %3 = dl.logsumexp %x {axes = array<i64: -1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  return
}

// Tests that several axes, given in any order or counted from the end, drop their dimensions.
// CHECK-LABEL: func.func @some_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: dl.sum %[[X]] {axes = array<i64: 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
// CHECK: dl.mean %[[X]] {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
// CHECK: dl.reduce_min %[[X]] {axes = array<i64: -3, 1>} : (tensor<2x3x4xf32>) -> tensor<4xf32>
// CHECK: dl.reduce_max %[[X]] {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<f32>
func.func @some_axes(%x: tensor<2x3x4xf32>) {
  %0 = dl.sum %x {axes = array<i64: 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %1 = dl.mean %x {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  %2 = dl.reduce_min %x {axes = array<i64: -3, 1>} : (tensor<2x3x4xf32>) -> tensor<4xf32>
  %3 = dl.reduce_max %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<f32>
  return
}

// Tests that sum, reduce_max and reduce_min take integer tensors and keep their element type.
// CHECK-LABEL: func.func @integers
// CHECK-SAME: (%[[I:.*]]: tensor<4x8xi32>)
// CHECK: dl.sum %[[I]] {axes = array<i64: 0>} : (tensor<4x8xi32>) -> tensor<8xi32>
// CHECK: dl.reduce_max %[[I]] : (tensor<4x8xi32>) -> tensor<i32>
// CHECK: dl.reduce_min %[[I]] {axes = array<i64: 1>} : (tensor<4x8xi32>) -> tensor<4xi32>
func.func @integers(%i: tensor<4x8xi32>) {
  %0 = dl.sum %i {axes = array<i64: 0>} : (tensor<4x8xi32>) -> tensor<8xi32>
  %1 = dl.reduce_max %i : (tensor<4x8xi32>) -> tensor<i32>
  %2 = dl.reduce_min %i {axes = array<i64: 1>} : (tensor<4x8xi32>) -> tensor<4xi32>
  return
}

// Tests that a scalar reduces to itself.
// CHECK-LABEL: func.func @scalar
// CHECK: dl.sum %{{.*}} : (tensor<f32>) -> tensor<f32>
// CHECK: dl.mean %{{.*}} {keepdims = true} : (tensor<f32>) -> tensor<f32>
func.func @scalar(%s: tensor<f32>) {
  %0 = dl.sum %s : (tensor<f32>) -> tensor<f32>
  %1 = dl.mean %s {keepdims = true} : (tensor<f32>) -> tensor<f32>
  return
}

// Tests that argmax gives i32 indices along one axis (default -1, elided), with or without keepdims,
// of float and integer tensors.
// CHECK-LABEL: func.func @argmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x10xi32>)
// CHECK: dl.argmax %[[X]] {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
// CHECK: dl.argmax %[[X]] : (tensor<4x10xf32>) -> tensor<4xi32>
// CHECK: dl.argmax %[[X]] {axis = 0 : i64, keepdims = true} : (tensor<4x10xf32>) -> tensor<1x10xi32>
// CHECK: dl.argmax %[[I]] {keepdims = true} : (tensor<4x10xi32>) -> tensor<4x1xi32>
func.func @argmax(%x: tensor<4x10xf32>, %i: tensor<4x10xi32>) {
  %0 = dl.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  %1 = dl.argmax %x {axis = -1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  %2 = dl.argmax %x {axis = 0 : i64, keepdims = true} : (tensor<4x10xf32>) -> tensor<1x10xi32>
  %3 = dl.argmax %i {keepdims = true} : (tensor<4x10xi32>) -> tensor<4x1xi32>
  return
}

// Tests that argmin gives i32 indices along one axis as argmax does.
// CHECK-LABEL: func.func @argmin
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x10xi32>)
// CHECK: dl.argmin %[[X]] {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
// CHECK: dl.argmin %[[I]] {axis = 0 : i64, keepdims = true} : (tensor<4x10xi32>) -> tensor<1x10xi32>
func.func @argmin(%x: tensor<4x10xf32>, %i: tensor<4x10xi32>) {
  %0 = dl.argmin %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  %1 = dl.argmin %i {axis = 0 : i64, keepdims = true} : (tensor<4x10xi32>) -> tensor<1x10xi32>
  return
}

// Tests that cumsum keeps its operand's type, f32 or i32, along a positive or negative axis, and
// that reverse = false is elided.
// CHECK-LABEL: func.func @cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x10xi32>)
// CHECK: dl.cumsum %[[X]] {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4x10xf32>
// CHECK: dl.cumsum %[[X]] {axis = -2 : i64, reverse = true} : (tensor<4x10xf32>) -> tensor<4x10xf32>
// CHECK: dl.cumsum %[[I]] {axis = 0 : i64} : (tensor<4x10xi32>) -> tensor<4x10xi32>
func.func @cumsum(%x: tensor<4x10xf32>, %i: tensor<4x10xi32>) {
  %0 = dl.cumsum %x {axis = 1 : i64, reverse = false} : (tensor<4x10xf32>) -> tensor<4x10xf32>
  %1 = dl.cumsum %x {axis = -2 : i64, reverse = true} : (tensor<4x10xf32>) -> tensor<4x10xf32>
  %2 = dl.cumsum %i {axis = 0 : i64} : (tensor<4x10xi32>) -> tensor<4x10xi32>
  return
}

// Tests that topk gives its values in the operand's type and i32 indices, the axis k long, and that
// the defaults (axis = -1, largest, sorted) are elided.
// CHECK-LABEL: func.func @topk
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x10xi32>)
// CHECK: %{{.*}}, %{{.*}} = dl.topk %[[X]] {k = 3 : i64} : (tensor<4x10xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>)
// CHECK: dl.topk %[[X]] {axis = 0 : i64, k = 4 : i64, largest = false, sorted = false} : (tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xi32>)
// CHECK: dl.topk %[[I]] {k = 10 : i64} : (tensor<4x10xi32>) -> (tensor<4x10xi32>, tensor<4x10xi32>)
func.func @topk(%x: tensor<4x10xf32>, %i: tensor<4x10xi32>) {
  %0:2 = dl.topk %x {k = 3 : i64, axis = -1 : i64, largest = true, sorted = true} : (tensor<4x10xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>)
  %1:2 = dl.topk %x {k = 4 : i64, axis = 0 : i64, largest = false, sorted = false} : (tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xi32>)
  %2:2 = dl.topk %i {k = 10 : i64} : (tensor<4x10xi32>) -> (tensor<4x10xi32>, tensor<4x10xi32>)
  return
}
