// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of every data-movement op: reshape, transpose, broadcast_to, concat, split, slice and
// pad. Errors are in shape-invalid.mlir.

// Tests that reshape keeps the elements and changes only the shape, to and from scalars too.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<4x28x28xf32>, %[[S:.*]]: tensor<f32>, %[[I:.*]]: tensor<6xi32>)
// CHECK: %[[F:.*]] = dl.reshape %[[X]] : (tensor<4x28x28xf32>) -> tensor<4x784xf32>
// CHECK: dl.reshape %[[F]] : (tensor<4x784xf32>) -> tensor<4x1x28x28xf32>
// CHECK: dl.reshape %[[S]] : (tensor<f32>) -> tensor<1x1xf32>
// CHECK: dl.reshape %[[I]] : (tensor<6xi32>) -> tensor<2x3xi32>
// CHECK: dl.reshape %[[X]] : (tensor<4x28x28xf32>) -> tensor<4x28x28xf32>
func.func @reshape(%x: tensor<4x28x28xf32>, %s: tensor<f32>, %i: tensor<6xi32>) {
  %0 = dl.reshape %x : (tensor<4x28x28xf32>) -> tensor<4x784xf32>
  %1 = dl.reshape %0 : (tensor<4x784xf32>) -> tensor<4x1x28x28xf32>
  %2 = dl.reshape %s : (tensor<f32>) -> tensor<1x1xf32>
  %3 = dl.reshape %i : (tensor<6xi32>) -> tensor<2x3xi32>
  %4 = dl.reshape %x : (tensor<4x28x28xf32>) -> tensor<4x28x28xf32>
  return
}

// Tests that transpose permutes dimensions: result dimension i is operand dimension perm[i].
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<2x3x4xi1>)
// CHECK: dl.transpose %[[X]] {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
// CHECK: dl.transpose %[[Y]] {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xi1>) -> tensor<4x2x3xi1>
// CHECK: dl.transpose %[[Y]] {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
func.func @transpose(%x: tensor<4x8xf32>, %y: tensor<2x3x4xi1>) {
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %1 = dl.transpose %y {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xi1>) -> tensor<4x2x3xi1>
  %2 = dl.transpose %y {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xi1>) -> tensor<2x3x4xi1>
  return
}

// Tests that broadcast_to grows a tensor as NumPy does, from a scalar and through size-1 dimensions.
// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[B:.*]]: tensor<8xf32>, %[[S:.*]]: tensor<f32>, %[[C:.*]]: tensor<4x1xi32>)
// CHECK: dl.broadcast_to %[[B]] : (tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: dl.broadcast_to %[[S]] : (tensor<f32>) -> tensor<2x3xf32>
// CHECK: dl.broadcast_to %[[C]] : (tensor<4x1xi32>) -> tensor<2x4x5xi32>
func.func @broadcast_to(%b: tensor<8xf32>, %s: tensor<f32>, %c: tensor<4x1xi32>) {
  %0 = dl.broadcast_to %b : (tensor<8xf32>) -> tensor<4x8xf32>
  %1 = dl.broadcast_to %s : (tensor<f32>) -> tensor<2x3xf32>
  %2 = dl.broadcast_to %c : (tensor<4x1xi32>) -> tensor<2x4x5xi32>
  return
}

// Tests that concat joins along a positive or negative axis, one or several operands.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<4x5xf32>, %[[C:.*]]: tensor<2x3xf32>)
// CHECK: dl.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
// CHECK: dl.concat %[[A]], %[[B]] {axis = -1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
// CHECK: dl.concat %[[A]], %[[C]], %[[A]] {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<10x3xf32>
// CHECK: dl.concat %[[C]] {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @concat(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>, %c: tensor<2x3xf32>) {
  %0 = dl.concat %a, %b {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  %1 = dl.concat %a, %b {axis = -1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  %2 = dl.concat %a, %c, %a {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<10x3xf32>
  %3 = dl.concat %c {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// Tests that split cuts into equal parts, one result per part, and that one part is allowed.
// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[G:.*]]: tensor<4x32xf32>)
// CHECK: %[[P:.*]]:4 = dl.split %[[G]] {axis = -1 : i64, parts = 4 : i64} : (tensor<4x32xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: dl.split %[[G]] {axis = 0 : i64, parts = 2 : i64} : (tensor<4x32xf32>) -> (tensor<2x32xf32>, tensor<2x32xf32>)
// CHECK: dl.split %[[G]] {axis = 1 : i64, parts = 1 : i64} : (tensor<4x32xf32>) -> tensor<4x32xf32>
// CHECK: return %[[P]]#0, %[[P]]#3
func.func @split(%gates: tensor<4x32xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %i, %f, %g, %o = dl.split %gates {parts = 4 : i64, axis = -1 : i64}
      : (tensor<4x32xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
  %h:2 = dl.split %gates {parts = 2 : i64, axis = 0 : i64} : (tensor<4x32xf32>) -> (tensor<2x32xf32>, tensor<2x32xf32>)
  %w = dl.split %gates {parts = 1 : i64, axis = 1 : i64} : (tensor<4x32xf32>) -> tensor<4x32xf32>
  return %i, %o : tensor<4x8xf32>, tensor<4x8xf32>
}

// Tests that slice takes a window with strides, rounding partial strides up.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[V:.*]]: tensor<10xi32>)
// CHECK: dl.slice %[[X]] {limit = array<i64: 4, 6>, start = array<i64: 0, 2>, stride = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
// CHECK: dl.slice %[[V]] {limit = array<i64: 10>, start = array<i64: 1>, stride = array<i64: 3>} : (tensor<10xi32>) -> tensor<3xi32>
// CHECK: dl.slice %[[X]] {limit = array<i64: 4, 8>, start = array<i64: 3, 0>, stride = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<1x4xf32>
func.func @slice(%x: tensor<4x8xf32>, %v: tensor<10xi32>) {
  %0 = dl.slice %x {start = array<i64: 0, 2>, limit = array<i64: 4, 6>, stride = array<i64: 1, 1>}
      : (tensor<4x8xf32>) -> tensor<4x4xf32>
  %1 = dl.slice %v {start = array<i64: 1>, limit = array<i64: 10>, stride = array<i64: 3>}
      : (tensor<10xi32>) -> tensor<3xi32>
  %2 = dl.slice %x {start = array<i64: 3, 0>, limit = array<i64: 4, 8>, stride = array<i64: 1, 2>}
      : (tensor<4x8xf32>) -> tensor<1x4xf32>
  return
}

// Tests that pad adds low and high elements per dimension, elides the default fill value 0 and
// keeps any other.
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[I:.*]]: tensor<1x28x28xf32>)
// CHECK: dl.pad %[[X]] {high = array<i64: 0, 1>, low = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<4x10xf32>
// CHECK: dl.pad %[[I]] {high = array<i64: 0, 2, 2>, low = array<i64: 0, 2, 2>, value = -1.000000e+00 : f64} : (tensor<1x28x28xf32>) -> tensor<1x32x32xf32>
// CHECK: dl.pad %[[X]] {high = array<i64: 0, 0>, low = array<i64: 3, 0>} : (tensor<4x8xf32>) -> tensor<7x8xf32>
func.func @pad(%x: tensor<4x8xf32>, %img: tensor<1x28x28xf32>) {
  %0 = dl.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 1>, value = 0.0 : f64}
      : (tensor<4x8xf32>) -> tensor<4x10xf32>
  %1 = dl.pad %img {low = array<i64: 0, 2, 2>, high = array<i64: 0, 2, 2>, value = -1.0 : f64}
      : (tensor<1x28x28xf32>) -> tensor<1x32x32xf32>
  %2 = dl.pad %x {low = array<i64: 3, 0>, high = array<i64: 0, 0>} : (tensor<4x8xf32>) -> tensor<7x8xf32>
  return
}
