// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of conv2d and its gradient ops with the result types their attributes give. Errors are
// in conv-invalid.mlir; pooling is pooling.mlir's.

// Tests that conv2d keeps its operands, attributes and inferred type, for stride 1 without padding
// and for a stride that does not divide the padded input (floor).
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x7x7xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// CHECK: dl.conv2d %[[X]], %[[W]] {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
// CHECK: dl.conv2d %[[X]], %[[W]] {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32>
// CHECK: dl.conv2d %[[X]], %[[W]] {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 3, 3>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x2x2xf32>
func.func @conv2d(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  %1 = dl.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32>
  %2 = dl.conv2d %x, %w {stride = array<i64: 3, 3>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x2x2xf32>
  return
}

// Tests that conv2d takes different attributes along height and width, dilation included.
// CHECK-LABEL: func.func @conv2d_rectangular
// CHECK: dl.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 2>, padding = array<i64: 0, 2>, stride = array<i64: 2, 3>} : (tensor<2x1x7x8xf32>, tensor<2x1x2x2xf32>) -> tensor<2x2x3x4xf32>
// CHECK: dl.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, padding = array<i64: 1, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x7x6xf64>, tensor<2x2x2x3xf64>) -> tensor<1x2x7x2xf64>
func.func @conv2d_rectangular(%x: tensor<2x1x7x8xf32>, %w: tensor<2x1x2x2xf32>, %a: tensor<1x2x7x6xf64>, %b: tensor<2x2x2x3xf64>) {
  %0 = dl.conv2d %x, %w {stride = array<i64: 2, 3>, padding = array<i64: 0, 2>, dilation = array<i64: 1, 2>} : (tensor<2x1x7x8xf32>, tensor<2x1x2x2xf32>) -> tensor<2x2x3x4xf32>
  %1 = dl.conv2d %a, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 0>, dilation = array<i64: 2, 2>} : (tensor<1x2x7x6xf64>, tensor<2x2x2x3xf64>) -> tensor<1x2x7x2xf64>
  return
}

// Tests that conv2d's gradient ops round-trip with input_size and kernel_size, including an
// input_size that the floor of the output size cannot recover (8 and 7 both give 4 at stride 2).
// CHECK-LABEL: func.func @conv2d_grads
// CHECK-SAME: (%[[GY:.*]]: tensor<2x4x4x4xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[X:.*]]: tensor<2x3x8x7xf32>)
// CHECK: dl.conv2d_grad_input %[[GY]], %[[W]] {dilation = array<i64: 1, 1>, input_size = array<i64: 8, 7>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x7xf32>
// CHECK: dl.conv2d_grad_weight %[[X]], %[[GY]] {dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x3x8x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
func.func @conv2d_grads(%gy: tensor<2x4x4x4xf32>, %w: tensor<4x3x3x3xf32>, %x: tensor<2x3x8x7xf32>) {
  %0 = dl.conv2d_grad_input %gy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, input_size = array<i64: 8, 7>} : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x7xf32>
  %1 = dl.conv2d_grad_weight %x, %gy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<2x3x8x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return
}
