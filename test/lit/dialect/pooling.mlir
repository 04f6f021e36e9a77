// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of the pooling ops (maxpool2d, avgpool2d and their gradient ops) with the result types
// their attributes give. Errors are in pooling-invalid.mlir.

// Tests that the pooling ops and their gradients keep their attributes and inferred types.
// CHECK-LABEL: func.func @pooling
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x28x28xf32>, %[[GY:.*]]: tensor<8x16x14x14xf32>)
// CHECK: dl.maxpool2d %[[X]] {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
// CHECK: dl.maxpool2d_grad %[[X]], %[[GY]] {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<8x16x28x28xf32>, tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
// CHECK: dl.avgpool2d %[[X]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
// CHECK: dl.avgpool2d_grad %[[GY]] {input_size = array<i64: 28, 28>, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
func.func @pooling(%x: tensor<8x16x28x28xf32>, %gy: tensor<8x16x14x14xf32>) {
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
  %1 = dl.maxpool2d_grad %x, %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<8x16x28x28xf32>, tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
  %2 = dl.avgpool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
  %3 = dl.avgpool2d_grad %gy {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, input_size = array<i64: 28, 28>} : (tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
  return
}

// Tests pooling with a rectangular window, a stride that drops the last row, and padding of
// exactly half the kernel.
// CHECK-LABEL: func.func @pooling_rectangular
// CHECK: dl.maxpool2d %{{.*}} {kernel_size = array<i64: 3, 2>, padding = array<i64: 1, 1>, stride = array<i64: 1, 2>} : (tensor<1x2x4x5xf32>) -> tensor<1x2x4x3xf32>
// CHECK: dl.avgpool2d %{{.*}} {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 3, 2>} : (tensor<1x1x7x5xf32>) -> tensor<1x1x2x2xf32>
func.func @pooling_rectangular(%x: tensor<1x2x4x5xf32>, %y: tensor<1x1x7x5xf32>) {
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 3, 2>, stride = array<i64: 1, 2>, padding = array<i64: 1, 1>} : (tensor<1x2x4x5xf32>) -> tensor<1x2x4x3xf32>
  %1 = dl.avgpool2d %y {kernel_size = array<i64: 2, 2>, stride = array<i64: 3, 2>, padding = array<i64: 0, 0>} : (tensor<1x1x7x5xf32>) -> tensor<1x1x2x2xf32>
  return
}
