// RUN: dl-opt %s -split-input-file -dl-autodiff | FileCheck %s

// Tests that conv_transpose2d's gradients are conv2d (for x) and conv2d_grad_weight with dy in
// x's place (for W), with the forward op's stride, padding and dilation.
dl.model @m {
  dl.param @w : tensor<3x2x4x4xf32> = "zeros"
  func.func @s.loss(%x: tensor<2x3x3x3xf32>) -> tensor<f32> {
    %w = dl.load @w : tensor<3x2x4x4xf32>
    %y = dl.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x3x3xf32>, tensor<3x2x4x4xf32>) -> tensor<2x2x6x6xf32>
    %l = dl.sum %y : (tensor<2x2x6x6xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x3x3xf32>)
// CHECK:         %[[DY:.*]] = dl.broadcast_to {{.*}} -> tensor<2x2x6x6xf32>
// CHECK-NOT:     dl.pad
// CHECK:         %[[DW:.*]] = dl.conv2d_grad_weight %[[DY]], %[[X]] {dilation = array<i64: 1, 1>, kernel_size = array<i64: 4, 4>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x2x6x6xf32>, tensor<2x3x3x3xf32>) -> tensor<3x2x4x4xf32>
// CHECK:         return %{{.*}}, %[[DW]]

// -----

// Tests that an output_padding of at least the stride (allowed below the dilation) pads x with the
// rows and columns no tap reaches before the weight gradient reads it.
dl.model @m {
  dl.param @w : tensor<1x2x2x2xf32> = "zeros"
  func.func @s.loss(%x: tensor<1x1x3x3xf32>) -> tensor<f32> {
    %w = dl.load @w : tensor<1x2x2x2xf32>
    %y = dl.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x6x6xf32>
    %l = dl.sum %y : (tensor<1x2x6x6xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[X:.*]]: tensor<1x1x3x3xf32>)
// CHECK:         %[[DY:.*]] = dl.broadcast_to {{.*}} -> tensor<1x2x6x6xf32>
// CHECK:         %[[XP:.*]] = dl.pad %[[X]] {high = array<i64: 0, 0, 1, 1>, low = array<i64: 0, 0, 0, 0>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
// CHECK:         dl.conv2d_grad_weight %[[DY]], %[[XP]] {{.*}} -> tensor<1x2x2x2xf32>

// -----

// Tests that x's gradient is conv2d of dy with W, sliced back to x's shape when an output_padding
// of at least the stride made conv2d's result larger than x.
dl.model @m {
  dl.param @x : tensor<1x1x3x3xf32> = "zeros"
  func.func @s.loss(%w: tensor<1x2x2x2xf32>) -> tensor<f32> {
    %x = dl.load @x : tensor<1x1x3x3xf32>
    %y = dl.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>} : (tensor<1x1x3x3xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x6x6xf32>
    %l = dl.sum %y : (tensor<1x2x6x6xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@x] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[W:.*]]: tensor<1x2x2x2xf32>)
// CHECK:         %[[DY:.*]] = dl.broadcast_to {{.*}} -> tensor<1x2x6x6xf32>
// CHECK:         %[[C:.*]] = dl.conv2d %[[DY]], %[[W]] {dilation = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x4x4xf32>
// CHECK:         %[[DX:.*]] = dl.slice %[[C]] {limit = array<i64: 1, 1, 3, 3>, start = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
// CHECK:         return %{{.*}}, %[[DX]]

// -----

// Tests that the pooling gradients carry the forward op's dilation, ceil_mode and
// count_include_pad, and that bilinear upsampling's gradient is its gradient op with the scale,
// align_corners and the input's size.
dl.model @m {
  dl.param @x : tensor<1x1x5x5xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %x = dl.load @x : tensor<1x1x5x5xf32>
    %m = dl.maxpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
    %a = dl.avgpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, ceil_mode = true, count_include_pad = false} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
    %u = dl.upsample_bilinear2d %x {scale = array<i64: 2, 3>, align_corners = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x10x15xf32>
    %lm = dl.sum %m : (tensor<1x1x3x3xf32>) -> tensor<f32>
    %la = dl.sum %a : (tensor<1x1x3x3xf32>) -> tensor<f32>
    %lu = dl.sum %u : (tensor<1x1x10x15xf32>) -> tensor<f32>
    %s = dl.add %lm, %la : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %l = dl.add %s, %lu : (tensor<f32>, tensor<f32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@x] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK-DAG:     dl.upsample_bilinear2d_grad %{{.*}} {align_corners = true, input_size = array<i64: 5, 5>, scale = array<i64: 2, 3>} : (tensor<1x1x10x15xf32>) -> tensor<1x1x5x5xf32>
// CHECK-DAG:     dl.avgpool2d_grad %{{.*}} {ceil_mode = true, count_include_pad = false, input_size = array<i64: 5, 5>, kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
// CHECK-DAG:     dl.maxpool2d_grad %{{.*}}, %{{.*}} {ceil_mode = true, dilation = array<i64: 2, 2>, kernel_size = array<i64: 2, 2>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
