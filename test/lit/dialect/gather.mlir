// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of gather and its gradient with the result types the shape rules give. Errors are in
// gather-invalid.mlir.

// Tests that gather gives the index's shape with the input's element type, the index larger than
// the input along the axis and smaller on the other axes, for ranks 1 and 3 and a negative axis.
// CHECK-LABEL: func.func @gather
// CHECK: dl.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4x10xf32>, tensor<2x30xi32>) -> tensor<2x30xf32>
// CHECK: dl.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<5xf64>, tensor<9xi32>) -> tensor<9xf64>
// CHECK: dl.gather %{{.*}}, %{{.*}} {axis = -2 : i64} : (tensor<2x3x4xf32>, tensor<2x7x1xi32>) -> tensor<2x7x1xf32>
func.func @gather(%x: tensor<4x10xf32>, %i: tensor<2x30xi32>, %v: tensor<5xf64>, %j: tensor<9xi32>, %y: tensor<2x3x4xf32>, %k: tensor<2x7x1xi32>) {
  %0 = dl.gather %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<2x30xi32>) -> tensor<2x30xf32>
  %1 = dl.gather %v, %j {axis = 0 : i64} : (tensor<5xf64>, tensor<9xi32>) -> tensor<9xf64>
  %2 = dl.gather %y, %k {axis = -2 : i64} : (tensor<2x3x4xf32>, tensor<2x7x1xi32>) -> tensor<2x7x1xf32>
  return
}

// Tests that gather_grad keeps its attributes and gives the input's shape.
// CHECK-LABEL: func.func @gather_grad
// CHECK: dl.gather_grad %{{.*}}, %{{.*}} {axis = 1 : i64, input_shape = array<i64: 4, 10>} : (tensor<2x30xi32>, tensor<2x30xf32>) -> tensor<4x10xf32>
func.func @gather_grad(%i: tensor<2x30xi32>, %g: tensor<2x30xf32>) {
  %0 = dl.gather_grad %i, %g {axis = 1 : i64, input_shape = array<i64: 4, 10>} : (tensor<2x30xi32>, tensor<2x30xf32>) -> tensor<4x10xf32>
  return
}
