// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of the decoder and ONNX spatial ops: a failed type inference reports the reason at the
// op, naming the operand types and the attributes, then MLIR's "failed to infer returned types".

// Tests that conv_transpose2d rejects a weight whose first dimension (PyTorch's input channels) is not the input's channels.
func.func @a(%x: tensor<1x3x4x4xf32>, %w: tensor<2x4x3x3xf32>) {
  // expected-error @+2 {{conv_transpose2d of 'tensor<1x3x4x4xf32>' and 'tensor<2x4x3x3xf32>' with stride [1, 1], padding [0, 0], output_padding [0, 0], dilation [1, 1] is invalid: input channels differ (the input has 3, the weight 2; conv_transpose2d's weight is [C, O, KH, KW])}}
  // expected-error @+1 {{'dl.conv_transpose2d' op failed to infer returned types}}
  %0 = dl.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Tests that conv_transpose2d rejects an output_padding not below the stride or the dilation, naming the dimension.
func.func @b(%x: tensor<1x3x4x4xf32>, %w: tensor<3x4x3x3xf32>) {
  // expected-error @+2 {{conv_transpose2d of 'tensor<1x3x4x4xf32>' and 'tensor<3x4x3x3xf32>' with stride [2, 2], padding [0, 0], output_padding [0, 2], dilation [1, 1] is invalid: along the width, output_padding 2 must be smaller than the stride 2 or the dilation 1}}
  // expected-error @+1 {{'dl.conv_transpose2d' op failed to infer returned types}}
  %0 = dl.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 2>, dilation = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<3x4x3x3xf32>) -> tensor<1x4x9x11xf32>
  return
}

// -----

// Tests that maxpool2d rejects a dilation below 1.
func.func @c(%x: tensor<1x1x6x6xf32>) {
  // expected-error @+2 {{maxpool2d of 'tensor<1x1x6x6xf32>' with kernel_size [2, 2], stride [1, 1], padding [0, 0], dilation [0, 1] is invalid: along the height, dilation 0 is below 1}}
  // expected-error @+1 {{'dl.maxpool2d' op failed to infer returned types}}
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 0, 1>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x5x5xf32>
  return
}

// -----

// Tests that avgpool2d_grad without ceil_mode rejects a gradient of the ceil_mode size (5 x 5 in windows of 2 gives 2 x 2, not 3 x 3).
func.func @d(%gy: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{avgpool2d_grad of 'tensor<1x1x3x3xf32>' with kernel_size [2, 2], stride [2, 2], padding [0, 0], input_size [5, 5] is invalid: input_size [5, 5] gives an output of [2, 2], but the output gradient's is [3, 3]}}
  // expected-error @+1 {{'dl.avgpool2d_grad' op failed to infer returned types}}
  %0 = dl.avgpool2d_grad %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, input_size = array<i64: 5, 5>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x5x5xf32>
  return
}

// -----

// Tests that upsample_bilinear2d rejects a scale below 1.
func.func @e(%x: tensor<1x1x6x6xf32>) {
  // expected-error @+2 {{upsample_bilinear2d of 'tensor<1x1x6x6xf32>' with scale [0, 2] is invalid: scale [0, 2] has a size below 1}}
  // expected-error @+1 {{'dl.upsample_bilinear2d' op failed to infer returned types}}
  %0 = dl.upsample_bilinear2d %x {scale = array<i64: 0, 2>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x12xf32>
  return
}

// -----

// Tests that upsample_bilinear2d_grad rejects an input_size that the scale does not map onto the gradient's shape.
func.func @f(%gy: tensor<1x1x12x12xf32>) {
  // expected-error @+2 {{upsample_bilinear2d_grad of 'tensor<1x1x12x12xf32>' with scale [2, 2], input_size [6, 5] is invalid: input_size [6, 5] gives an output of [12, 10], but the output gradient's is [12, 12]}}
  // expected-error @+1 {{'dl.upsample_bilinear2d_grad' op failed to infer returned types}}
  %0 = dl.upsample_bilinear2d_grad %gy {scale = array<i64: 2, 2>, input_size = array<i64: 6, 5>} : (tensor<1x1x12x12xf32>) -> tensor<1x1x6x5xf32>
  return
}
