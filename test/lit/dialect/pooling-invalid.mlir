// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of the pooling ops and their gradient ops. A failed type inference reports the reason
// at the op, naming the operand types and the spatial attributes, and then MLIR's generic "failed
// to infer returned types", so those cases expect both.

// Tests that maxpool2d rejects padding of more than half the kernel.
func.func @maxpool_padding(%x: tensor<1x1x6x6xf32>) {
  // expected-error @+2 {{maxpool2d of 'tensor<1x1x6x6xf32>' with kernel_size [3, 3], stride [1, 1], padding [1, 2] is invalid: padding [1, 2] is more than half of kernel_size [3, 3]}}
  // expected-error @+1 {{'dl.maxpool2d' op failed to infer returned types}}
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 2>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x8xf32>
  return
}

// -----

// Tests that maxpool2d rejects a kernel_size below 1.
func.func @maxpool_kernel_zero(%x: tensor<1x1x6x6xf32>) {
  // expected-error @+2 {{maxpool2d of 'tensor<1x1x6x6xf32>' with kernel_size [0, 2], stride [1, 1], padding [0, 0] is invalid: along the height, kernel size 0 is below 1}}
  // expected-error @+1 {{'dl.maxpool2d' op failed to infer returned types}}
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 0, 2>, stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x5xf32>
  return
}

// -----

// Tests that maxpool2d rejects a window larger than the padded input.
func.func @maxpool_window_too_large(%x: tensor<1x1x2x6xf32>) {
  // expected-error @+2 {{maxpool2d of 'tensor<1x1x2x6xf32>' with kernel_size [3, 3], stride [1, 1], padding [0, 0] is invalid: along the height, the window spans 3 elements (kernel 3, dilation 1) but the padded input has 2 (2 + 2 * 0)}}
  // expected-error @+1 {{'dl.maxpool2d' op failed to infer returned types}}
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<1x1x2x6xf32>) -> tensor<1x1x1x4xf32>
  return
}

// -----

// Tests that maxpool2d rejects an input that is not NCHW.
func.func @maxpool_rank(%x: tensor<6x6xf32>) {
  // expected-error @+2 {{maxpool2d of 'tensor<6x6xf32>' with kernel_size [2, 2], stride [2, 2], padding [0, 0] is invalid: the input must have rank 4 [N, C, H, W], not rank 2}}
  // expected-error @+1 {{'dl.maxpool2d' op failed to infer returned types}}
  %0 = dl.maxpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<6x6xf32>) -> tensor<3x3xf32>
  return
}

// -----

// Tests that maxpool2d_grad rejects a gradient of another shape than the pooled input.
func.func @maxpool_grad_mismatch(%x: tensor<1x2x6x6xf32>, %gy: tensor<1x2x3x2xf32>) {
  // expected-error @+2 {{maxpool2d_grad of 'tensor<1x2x6x6xf32>' and 'tensor<1x2x3x2xf32>' with kernel_size [2, 2], stride [2, 2], padding [0, 0] is invalid: pooling the input gives [1, 2, 3, 3], but the output gradient is [1, 2, 3, 2]}}
  // expected-error @+1 {{'dl.maxpool2d_grad' op failed to infer returned types}}
  %0 = dl.maxpool2d_grad %x, %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<1x2x6x6xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x6x6xf32>
  return
}

// -----

// Tests that avgpool2d rejects padding of more than half the kernel.
func.func @avgpool_padding(%x: tensor<1x1x6x6xf32>) {
  // expected-error @+2 {{avgpool2d of 'tensor<1x1x6x6xf32>' with kernel_size [2, 2], stride [2, 2], padding [2, 0] is invalid: padding [2, 0] is more than half of kernel_size [2, 2]}}
  // expected-error @+1 {{'dl.avgpool2d' op failed to infer returned types}}
  %0 = dl.avgpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 2, 0>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x5x3xf32>
  return
}

// -----

// Tests that avgpool2d rejects a negative stride.
func.func @avgpool_negative_stride(%x: tensor<1x1x6x6xf32>) {
  // expected-error @+2 {{avgpool2d of 'tensor<1x1x6x6xf32>' with kernel_size [2, 2], stride [2, -1], padding [0, 0] is invalid: along the width, stride -1 is below 1}}
  // expected-error @+1 {{'dl.avgpool2d' op failed to infer returned types}}
  %0 = dl.avgpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, -1>, padding = array<i64: 0, 0>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x3x3xf32>
  return
}

// -----

// Tests that avgpool2d_grad rejects an input_size whose pooling does not give the gradient's shape.
func.func @avgpool_grad_mismatch(%gy: tensor<1x2x3x3xf32>) {
  // expected-error @+2 {{avgpool2d_grad of 'tensor<1x2x3x3xf32>' with kernel_size [2, 2], stride [2, 2], padding [0, 0], input_size [6, 8] is invalid: input_size [6, 8] gives an output of [3, 4], but the output gradient's is [3, 3]}}
  // expected-error @+1 {{'dl.avgpool2d_grad' op failed to infer returned types}}
  %0 = dl.avgpool2d_grad %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, input_size = array<i64: 6, 8>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x6x8xf32>
  return
}

// -----

// Tests that avgpool2d_grad rejects a gradient of another element type than f32, f64, f16 or bf16.
func.func @avgpool_grad_int(%gy: tensor<1x2x3x3xi32>) {
  // expected-error @+1 {{'dl.avgpool2d_grad' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x2x3x3xi32>'}}
  %0 = dl.avgpool2d_grad %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, input_size = array<i64: 6, 6>} : (tensor<1x2x3x3xi32>) -> tensor<1x2x6x6xi32>
  return
}
