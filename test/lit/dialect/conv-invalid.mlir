// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of conv2d and its gradient ops (pooling's are in pooling-invalid.mlir). A failed type
// inference reports the reason at the op, naming the operand types and the spatial attributes, and
// then MLIR's generic "failed to infer returned types", so those cases expect both.

// Tests that conv2d rejects an input that is not NCHW.
func.func @conv_input_rank(%x: tensor<3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<3x7x7xf32>' and 'tensor<4x3x3x3xf32>' with stride [1, 1], padding [0, 0], dilation [1, 1] is invalid: the input must have rank 4 [N, C, H, W], not rank 3}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects a weight that is not OIHW.
func.func @conv_weight_rank(%x: tensor<2x3x7x7xf32>, %w: tensor<3x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<2x3x7x7xf32>' and 'tensor<3x3x3xf32>' with stride [1, 1], padding [0, 0], dilation [1, 1] is invalid: the weight must have rank 4 [O, C, KH, KW], not rank 3}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<3x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects input and weight channels that differ.
func.func @conv_channels(%x: tensor<2x3x7x7xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<2x3x7x7xf32>' and 'tensor<4x2x3x3xf32>' with stride [1, 1], padding [0, 0], dilation [1, 1] is invalid: input channels differ (the input has 3, the weight 2)}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x2x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects a spatial attribute without exactly two values.
func.func @conv_stride_count(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<2x3x7x7xf32>' and 'tensor<4x3x3x3xf32>' with stride [1], padding [0, 0], dilation [1, 1] is invalid: stride needs 2 values [height, width], not 1}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects a stride below 1.
func.func @conv_stride_zero(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<2x3x7x7xf32>' and 'tensor<4x3x3x3xf32>' with stride [0, 1], padding [0, 0], dilation [1, 1] is invalid: along the height, stride 0 is below 1}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 0, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects a dilation below 1.
func.func @conv_dilation_zero(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<2x3x7x7xf32>' and 'tensor<4x3x3x3xf32>' with stride [1, 1], padding [0, 0], dilation [1, 0] is invalid: along the width, dilation 0 is below 1}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 0>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects negative padding.
func.func @conv_negative_padding(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<2x3x7x7xf32>' and 'tensor<4x3x3x3xf32>' with stride [1, 1], padding [-1, 0], dilation [1, 1] is invalid: along the height, padding -1 is negative}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: -1, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x3x5xf32>
  return
}

// -----

// Tests that conv2d rejects a dilated kernel larger than the padded input.
func.func @conv_window_too_large(%x: tensor<1x1x7x4xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{conv2d of 'tensor<1x1x7x4xf32>' and 'tensor<1x1x3x3xf32>' with stride [1, 1], padding [0, 0], dilation [1, 2] is invalid: along the width, the window spans 5 elements (kernel 3, dilation 2) but the padded input has 4 (4 + 2 * 0)}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 2>} : (tensor<1x1x7x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x5x1xf32>
  return
}

// -----

// Tests that conv2d rejects operands of different element types.
func.func @conv_element_types(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf64>) {
  // expected-error @+2 {{conv2d operands have different element types: 'tensor<2x3x7x7xf32>' and 'tensor<4x3x3x3xf64>'}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf64>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d rejects a written result type other than the inferred one.
func.func @conv_wrong_result(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'dl.conv2d' op inferred type(s) 'tensor<2x4x3x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4x5x5xf32>'}}
  // expected-error @+1 {{'dl.conv2d' op failed to infer returned types}}
  %0 = dl.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d requires its attributes.
func.func @conv_missing_attribute(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'dl.conv2d' op requires attribute 'stride'}}
  %0 = dl.conv2d %x, %w {padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x5x5xf32>
  return
}

// -----

// Tests that conv2d_grad_input rejects output channels that differ from the weight's.
func.func @grad_input_channels(%gy: tensor<2x5x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d_grad_input of 'tensor<2x5x4x4xf32>' and 'tensor<4x3x3x3xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], input_size [8, 7] is invalid: output channels differ (the output gradient has 5, the weight 4)}}
  // expected-error @+1 {{'dl.conv2d_grad_input' op failed to infer returned types}}
  %0 = dl.conv2d_grad_input %gy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, input_size = array<i64: 8, 7>} : (tensor<2x5x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x7xf32>
  return
}

// -----

// Tests that conv2d_grad_input rejects an input_size whose convolution does not give the gradient's shape.
func.func @grad_input_size_mismatch(%gy: tensor<2x4x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d_grad_input of 'tensor<2x4x4x4xf32>' and 'tensor<4x3x3x3xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], input_size [9, 7] is invalid: input_size [9, 7] gives an output of [5, 4], but the output gradient's is [4, 4]}}
  // expected-error @+1 {{'dl.conv2d_grad_input' op failed to infer returned types}}
  %0 = dl.conv2d_grad_input %gy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, input_size = array<i64: 9, 7>} : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x9x7xf32>
  return
}

// -----

// Tests that conv2d_grad_input rejects an input_size below 1.
func.func @grad_input_size_zero(%gy: tensor<2x4x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d_grad_input of 'tensor<2x4x4x4xf32>' and 'tensor<4x3x3x3xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], input_size [0, 7] is invalid: input_size [0, 7] has a size below 1}}
  // expected-error @+1 {{'dl.conv2d_grad_input' op failed to infer returned types}}
  %0 = dl.conv2d_grad_input %gy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, input_size = array<i64: 0, 7>} : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x1x7xf32>
  return
}

// -----

// Tests that conv2d_grad_input rejects a gradient that is not NCHW.
func.func @grad_input_rank(%gy: tensor<4x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{conv2d_grad_input of 'tensor<4x4x4xf32>' and 'tensor<4x3x3x3xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], input_size [8, 7] is invalid: the output gradient must have rank 4 [N, O, OH, OW], not rank 3}}
  // expected-error @+1 {{'dl.conv2d_grad_input' op failed to infer returned types}}
  %0 = dl.conv2d_grad_input %gy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, input_size = array<i64: 8, 7>} : (tensor<4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x8x7xf32>
  return
}

// -----

// Tests that conv2d_grad_weight rejects batch sizes that differ.
func.func @grad_weight_batch(%x: tensor<3x3x8x7xf32>, %gy: tensor<2x4x4x4xf32>) {
  // expected-error @+2 {{conv2d_grad_weight of 'tensor<3x3x8x7xf32>' and 'tensor<2x4x4x4xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], kernel_size [3, 3] is invalid: batch sizes differ (the input has 3, the output gradient 2)}}
  // expected-error @+1 {{'dl.conv2d_grad_weight' op failed to infer returned types}}
  %0 = dl.conv2d_grad_weight %x, %gy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<3x3x8x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

// Tests that conv2d_grad_weight rejects a kernel_size whose convolution does not give the gradient's shape.
func.func @grad_weight_kernel_mismatch(%x: tensor<2x3x8x7xf32>, %gy: tensor<2x4x4x4xf32>) {
  // expected-error @+2 {{conv2d_grad_weight of 'tensor<2x3x8x7xf32>' and 'tensor<2x4x4x4xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], kernel_size [3, 5] is invalid: kernel_size [3, 5] gives an output of [4, 3], but the output gradient's is [4, 4]}}
  // expected-error @+1 {{'dl.conv2d_grad_weight' op failed to infer returned types}}
  %0 = dl.conv2d_grad_weight %x, %gy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 5>} : (tensor<2x3x8x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x5xf32>
  return
}

// -----

// Tests that conv2d_grad_weight rejects a kernel_size without exactly two values.
func.func @grad_weight_kernel_count(%x: tensor<2x3x8x7xf32>, %gy: tensor<2x4x4x4xf32>) {
  // expected-error @+2 {{conv2d_grad_weight of 'tensor<2x3x8x7xf32>' and 'tensor<2x4x4x4xf32>' with stride [2, 2], padding [1, 1], dilation [1, 1], kernel_size [3, 3, 3] is invalid: kernel_size needs 2 values [height, width], not 3}}
  // expected-error @+1 {{'dl.conv2d_grad_weight' op failed to infer returned types}}
  %0 = dl.conv2d_grad_weight %x, %gy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3, 3>} : (tensor<2x3x8x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return
}
