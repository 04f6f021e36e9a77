// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of every elementwise op: constants, binary ops with broadcasting, comparisons and
// select, unary math and activations, activations with attributes, softmax and casts. Errors are in
// elementwise-invalid.mlir.

// Tests that constants of every element type print with their type and values.
// CHECK-LABEL: func.func @constant
// CHECK: dl.constant dense<5.000000e-01> : tensor<f32>
// CHECK: dl.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
// CHECK: dl.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK: dl.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: dl.constant dense<0.000000e+00> : tensor<4x8xf64>
func.func @constant() -> (tensor<f32>, tensor<2x2xi32>, tensor<3xi1>, tensor<2xf32>, tensor<4x8xf64>) {
  %0 = dl.constant dense<5.000000e-01> : tensor<f32>
  %1 = dl.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %2 = dl.constant dense<[true, false, true]> : tensor<3xi1>
  %3 = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %4 = dl.constant dense<0.0> : tensor<4x8xf64>
  return %0, %1, %2, %3, %4 : tensor<f32>, tensor<2x2xi32>, tensor<3xi1>, tensor<2xf32>, tensor<4x8xf64>
}

// Tests that every binary op keeps its operands and broadcast result type, with operands of equal
// shape, of trailing-aligned shapes, and scalars.
// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>, %[[S:.*]]: tensor<f32>)
// CHECK: dl.add %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: dl.sub %[[B]], %[[A]] : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: dl.mul %[[A]], %[[S]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK: dl.div %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: dl.pow %[[A]], %[[S]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK: dl.maximum %[[A]], %[[A]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: dl.minimum %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
func.func @binary(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %s: tensor<f32>) {
  %0 = dl.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = dl.sub %b, %a : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = dl.mul %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %3 = dl.div %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %4 = dl.pow %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %5 = dl.maximum %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = dl.minimum %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// Tests that both operands may stretch dimensions of size 1, and that integer tensors are accepted
// by the numeric binary ops.
// CHECK-LABEL: func.func @binary_stretch
// CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<4x1xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
// CHECK: dl.mul %{{.*}}, %{{.*}} : (tensor<2x1x3xi32>, tensor<4x1xi32>) -> tensor<2x4x3xi32>
// CHECK: dl.sub %{{.*}}, %{{.*}} : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
func.func @binary_stretch(%a: tensor<4x1xf32>, %b: tensor<1x5xf32>, %i: tensor<2x1x3xi32>,
                          %j: tensor<4x1xi32>, %d: tensor<3xf64>) {
  %0 = dl.add %a, %b : (tensor<4x1xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
  %1 = dl.mul %i, %j : (tensor<2x1x3xi32>, tensor<4x1xi32>) -> tensor<2x4x3xi32>
  %2 = dl.sub %d, %d : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  return
}

// Tests that prelu's slopes broadcast into the input and the result keeps the input's shape.
// CHECK-LABEL: func.func @prelu
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[ALPHA:.*]]: tensor<8xf32>, %[[ONE:.*]]: tensor<f32>)
// CHECK: dl.prelu %[[X]], %[[ALPHA]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: dl.prelu %[[X]], %[[ONE]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
func.func @prelu(%x: tensor<4x8xf32>, %alpha: tensor<8xf32>, %one: tensor<f32>) {
  %0 = dl.prelu %x, %alpha : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = dl.prelu %x, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return
}

// Tests that cmp keeps each of its six predicates and produces i1 of the broadcast shape.
// CHECK-LABEL: func.func @cmp
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<f32>, %[[I:.*]]: tensor<2x4xi32>)
// CHECK: dl.cmp eq, %[[A]], %[[B]] : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
// CHECK: dl.cmp ne, %[[A]], %[[A]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: dl.cmp lt, %[[A]], %[[B]] : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
// CHECK: dl.cmp le, %[[B]], %[[A]] : (tensor<f32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: dl.cmp gt, %[[A]], %[[A]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: dl.cmp ge, %[[I]], %[[I]] : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi1>
func.func @cmp(%a: tensor<4xf32>, %b: tensor<f32>, %i: tensor<2x4xi32>) {
  %0 = dl.cmp eq, %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %1 = dl.cmp ne, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = dl.cmp lt, %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %3 = dl.cmp le, %b, %a : (tensor<f32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = dl.cmp gt, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %5 = dl.cmp ge, %i, %i : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi1>
  return
}

// Tests that select broadcasts its condition and both values together.
// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<f32>, %[[M:.*]]: tensor<3x1xi1>)
// CHECK: dl.select %[[C]], %[[A]], %[[S]] : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: dl.select %[[M]], %[[A]], %[[A]] : (tensor<3x1xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %s: tensor<f32>, %m: tensor<3x1xi1>) {
  %0 = dl.select %c, %a, %s : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = dl.select %m, %a, %a : (tensor<3x1xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return
}

// Tests that every unary op keeps its operand's type.
// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK: dl.neg %[[X]] : tensor<4x8xf32>
// CHECK: dl.neg %[[I]] : tensor<4xi32>
// CHECK: dl.abs %[[X]] : tensor<4x8xf32>
// CHECK: dl.abs %[[I]] : tensor<4xi32>
// CHECK: dl.exp %[[X]] : tensor<4x8xf32>
// CHECK: dl.log %[[X]] : tensor<4x8xf32>
// CHECK: dl.sqrt %[[X]] : tensor<4x8xf32>
// CHECK: dl.rsqrt %[[X]] : tensor<4x8xf32>
// CHECK: dl.sigmoid %[[X]] : tensor<4x8xf32>
// CHECK: dl.tanh %[[X]] : tensor<4x8xf32>
// CHECK: dl.relu %[[X]] : tensor<4x8xf32>
// CHECK: dl.gelu %[[X]] : tensor<4x8xf32>
// CHECK: dl.softplus %[[X]] : tensor<4x8xf32>
// CHECK: dl.step %[[X]] : tensor<4x8xf32>
func.func @unary(%x: tensor<4x8xf32>, %i: tensor<4xi32>) {
  %0 = dl.neg %x : tensor<4x8xf32>
  %1 = dl.neg %i : tensor<4xi32>
  %2 = dl.abs %x : tensor<4x8xf32>
  %3 = dl.abs %i : tensor<4xi32>
  %4 = dl.exp %x : tensor<4x8xf32>
  %5 = dl.log %x : tensor<4x8xf32>
  %6 = dl.sqrt %x : tensor<4x8xf32>
  %7 = dl.rsqrt %x : tensor<4x8xf32>
  %8 = dl.sigmoid %x : tensor<4x8xf32>
  %9 = dl.tanh %x : tensor<4x8xf32>
  %10 = dl.relu %x : tensor<4x8xf32>
  %11 = dl.gelu %x : tensor<4x8xf32>
  %12 = dl.softplus %x : tensor<4x8xf32>
  %13 = dl.step %x : tensor<4x8xf32>
  return
}

// Tests that leaky_relu and elu print their alpha only when it differs from the default, and that
// clamp keeps both bounds (equal bounds are allowed).
// CHECK-LABEL: func.func @unary_with_attributes
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: dl.leaky_relu %[[X]] : tensor<4x8xf32>
// CHECK: dl.leaky_relu %[[X]] {alpha = 2.000000e-01 : f64} : tensor<4x8xf32>
// CHECK: dl.elu %[[X]] : tensor<4x8xf32>
// CHECK: dl.elu %[[X]] {alpha = 5.000000e-01 : f64} : tensor<4x8xf32>
// CHECK: dl.clamp %[[X]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<4x8xf32>
// CHECK: dl.clamp %[[X]] {max = 1.000000e+00 : f64, min = 1.000000e+00 : f64} : tensor<4x8xf32>
func.func @unary_with_attributes(%x: tensor<4x8xf32>) {
  %0 = dl.leaky_relu %x : tensor<4x8xf32>
  %1 = dl.leaky_relu %x {alpha = 2.000000e-01 : f64} : tensor<4x8xf32>
  %2 = dl.elu %x {alpha = 1.0 : f64} : tensor<4x8xf32>
  %3 = dl.elu %x {alpha = 0.5 : f64} : tensor<4x8xf32>
  %4 = dl.clamp %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4x8xf32>
  %5 = dl.clamp %x {min = 1.0 : f64, max = 1.0 : f64} : tensor<4x8xf32>
  return
}

// Tests that softmax and log_softmax take their axis, negative or not, and elide the default -1.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[Z:.*]]: tensor<4x10xf32>)
// CHECK: dl.softmax %[[Z]] : tensor<4x10xf32>
// CHECK: dl.softmax %[[Z]] {axis = 0 : i64} : tensor<4x10xf32>
// CHECK: dl.log_softmax %[[Z]] : tensor<4x10xf32>
// CHECK: dl.log_softmax %[[Z]] {axis = -2 : i64} : tensor<4x10xf32>
func.func @softmax(%z: tensor<4x10xf32>) {
  %0 = dl.softmax %z {axis = -1 : i64} : tensor<4x10xf32>
  %1 = dl.softmax %z {axis = 0 : i64} : tensor<4x10xf32>
  %2 = dl.log_softmax %z : tensor<4x10xf32>
  %3 = dl.log_softmax %z {axis = -2 : i64} : tensor<4x10xf32>
  return
}

// Tests that cast converts between f32, i32 and i1 and keeps the shape.
// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[L:.*]]: tensor<4xi32>, %[[M:.*]]: tensor<2x3xi1>, %[[X:.*]]: tensor<4xf32>)
// CHECK: dl.cast %[[L]] : (tensor<4xi32>) -> tensor<4xf32>
// CHECK: dl.cast %[[M]] : (tensor<2x3xi1>) -> tensor<2x3xf32>
// CHECK: dl.cast %[[X]] : (tensor<4xf32>) -> tensor<4xi32>
// CHECK: dl.cast %[[X]] : (tensor<4xf32>) -> tensor<4xi1>
func.func @cast(%l: tensor<4xi32>, %m: tensor<2x3xi1>, %x: tensor<4xf32>) {
  %0 = dl.cast %l : (tensor<4xi32>) -> tensor<4xf32>
  %1 = dl.cast %m : (tensor<2x3xi1>) -> tensor<2x3xf32>
  %2 = dl.cast %x : (tensor<4xf32>) -> tensor<4xi32>
  %3 = dl.cast %x : (tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// Tests that erf, cos and one_hot round-trip.
// CHECK-LABEL: func.func @erf_cos_one_hot
func.func @erf_cos_one_hot(%x: tensor<4xf32>, %ids: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4x3xf32>) {
  // CHECK: dl.erf %{{.*}} : tensor<4xf32>
  %e = dl.erf %x : tensor<4xf32>
  // CHECK: dl.cos %{{.*}} : tensor<4xf32>
  %c = dl.cos %x : tensor<4xf32>
  // CHECK: dl.one_hot %{{.*}} {classes = 3 : i64} : (tensor<4xi32>) -> tensor<4x3xf32>
  %h = dl.one_hot %ids {classes = 3 : i64} : (tensor<4xi32>) -> tensor<4x3xf32>
  return %e, %c, %h : tensor<4xf32>, tensor<4xf32>, tensor<4x3xf32>
}

// -----

// Tests that sin, floor, ceil, round, silu, hardswish and mish keep their operand's type, and that
// logical_not keeps a boolean one.
// CHECK-LABEL: func.func @math_and_activations
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[M:.*]]: tensor<4xi1>)
// CHECK: dl.sin %[[X]] : tensor<4x8xf32>
// CHECK: dl.floor %[[X]] : tensor<4x8xf32>
// CHECK: dl.ceil %[[X]] : tensor<4x8xf32>
// CHECK: dl.round %[[X]] : tensor<4x8xf32>
// CHECK: dl.silu %[[X]] : tensor<4x8xf32>
// CHECK: dl.hardswish %[[X]] : tensor<4x8xf32>
// CHECK: dl.mish %[[X]] : tensor<4x8xf32>
// CHECK: dl.logical_not %[[M]] : tensor<4xi1>
func.func @math_and_activations(%x: tensor<4x8xf32>, %m: tensor<4xi1>) {
  %0 = dl.sin %x : tensor<4x8xf32>
  %1 = dl.floor %x : tensor<4x8xf32>
  %2 = dl.ceil %x : tensor<4x8xf32>
  %3 = dl.round %x : tensor<4x8xf32>
  %4 = dl.silu %x : tensor<4x8xf32>
  %5 = dl.hardswish %x : tensor<4x8xf32>
  %6 = dl.mish %x : tensor<4x8xf32>
  %7 = dl.logical_not %m : tensor<4xi1>
  return
}

// -----

// Tests that mod and fmod broadcast f32 and i32 operands, and the logical ops i1 ones.
// CHECK-LABEL: func.func @remainders_and_logical
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>, %[[I:.*]]: tensor<4xi32>, %[[P:.*]]: tensor<2x1xi1>, %[[Q:.*]]: tensor<3xi1>)
// CHECK: dl.mod %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: dl.fmod %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: dl.mod %[[I]], %[[I]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: dl.fmod %[[I]], %[[I]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: dl.logical_and %[[P]], %[[Q]] : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
// CHECK: dl.logical_or %[[P]], %[[Q]] : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
// CHECK: dl.logical_xor %[[P]], %[[Q]] : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
func.func @remainders_and_logical(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %i: tensor<4xi32>,
                                  %p: tensor<2x1xi1>, %q: tensor<3xi1>) {
  %0 = dl.mod %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = dl.fmod %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = dl.mod %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %3 = dl.fmod %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %4 = dl.logical_and %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %5 = dl.logical_or %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %6 = dl.logical_xor %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  return
}
