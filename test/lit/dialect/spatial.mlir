// RUN: dl-opt %s | dl-opt | FileCheck %s

// Tests that the spatial ops of decoders and ONNX import round-trip with PyTorch's output sizes:
// conv_transpose2d with output_padding, max pooling with dilation and ceil_mode (and its gradient),
// average pooling with ceil_mode and count_include_pad = false (and its gradient), and bilinear
// upsampling with align_corners (and its gradient).
// CHECK-LABEL: func.func @spatial
// CHECK: dl.conv_transpose2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 0>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x3x7x7xf32>, tensor<3x4x4x4xf32>) -> tensor<2x4x15x14xf32>
// CHECK: dl.maxpool2d %{{.*}} {ceil_mode = true, dilation = array<i64: 2, 2>, {{.*}}} : (tensor<2x3x7x7xf32>) -> tensor<2x3x3x3xf32>
// CHECK: dl.maxpool2d_grad {{.*}} -> tensor<2x3x7x7xf32>
// CHECK: dl.avgpool2d %{{.*}} {ceil_mode = true, count_include_pad = false, {{.*}}} : (tensor<2x3x7x7xf32>) -> tensor<2x3x4x4xf32>
// CHECK: dl.avgpool2d_grad {{.*}} -> tensor<2x3x7x7xf32>
// CHECK: dl.upsample_bilinear2d %{{.*}} {align_corners = true, scale = array<i64: 2, 3>} : (tensor<2x3x7x7xf32>) -> tensor<2x3x14x21xf32>
// CHECK: dl.upsample_bilinear2d_grad %{{.*}} {input_size = array<i64: 7, 7>, scale = array<i64: 2, 3>} : (tensor<2x3x14x21xf32>) -> tensor<2x3x7x7xf32>
func.func @spatial(%x: tensor<2x3x7x7xf32>, %w: tensor<3x4x4x4xf32>, %gy: tensor<2x3x4x4xf32>, %u: tensor<2x3x14x21xf32>, %gm: tensor<2x3x3x3xf32>) {
  %0 = dl.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<3x4x4x4xf32>) -> tensor<2x4x15x14xf32>
  %1 = dl.maxpool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>, ceil_mode = true} : (tensor<2x3x7x7xf32>) -> tensor<2x3x3x3xf32>
  %2 = dl.maxpool2d_grad %x, %gm {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 2, 2>, ceil_mode = true} : (tensor<2x3x7x7xf32>, tensor<2x3x3x3xf32>) -> tensor<2x3x7x7xf32>
  %3 = dl.avgpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, ceil_mode = true, count_include_pad = false} : (tensor<2x3x7x7xf32>) -> tensor<2x3x4x4xf32>
  %4 = dl.avgpool2d_grad %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, input_size = array<i64: 7, 7>, ceil_mode = true, count_include_pad = false} : (tensor<2x3x4x4xf32>) -> tensor<2x3x7x7xf32>
  %5 = dl.upsample_bilinear2d %x {scale = array<i64: 2, 3>, align_corners = true} : (tensor<2x3x7x7xf32>) -> tensor<2x3x14x21xf32>
  %6 = dl.upsample_bilinear2d_grad %u {scale = array<i64: 2, 3>, input_size = array<i64: 7, 7>} : (tensor<2x3x14x21xf32>) -> tensor<2x3x7x7xf32>
  return
}
