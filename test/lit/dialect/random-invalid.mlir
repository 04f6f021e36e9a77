// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the random ops report. A failed type inference of random_crop or random_crop_grad
// reports the reason at the op, naming the operand type and the attributes, and then MLIR's generic
// "failed to infer returned types", so those cases expect both.

// Tests that dropout rejects a probability of 1: everything would be dropped and scaled by 1/0.
func.func @dropout_p_one(%h: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.dropout' op drop probability must be in [0, 1), not 1.000000e+00}}
  %0 = dl.dropout %h {p = 1.0 : f64, stream = 0 : i64} : tensor<4x8xf32>
  return
}

// -----

// Tests that dropout rejects a negative probability.
func.func @dropout_p_negative(%h: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.dropout' op drop probability must be in [0, 1), not -1.000000e-01}}
  %0 = dl.dropout %h {p = -0.1 : f64, stream = 0 : i64} : tensor<4x8xf32>
  return
}

// -----

// Tests that dropout needs a stream, which keys its random numbers.
func.func @dropout_no_stream(%h: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.dropout' op requires attribute 'stream'}}
  %0 = dl.dropout %h {p = 0.5 : f64} : tensor<4x8xf32>
  return
}

// -----

// Tests that dropout accepts only floating-point tensors.
func.func @dropout_integer(%h: tensor<4xi32>) {
  // expected-error @+1 {{'dl.dropout' op operand #0 must be statically shaped tensor of 32-bit float}}
  %0 = dl.dropout %h {p = 0.5 : f64, stream = 0 : i64} : tensor<4xi32>
  return
}

// -----

// Tests that random_normal rejects a negative standard deviation.
func.func @random_normal_negative_std() {
  // expected-error @+1 {{'dl.random_normal' op standard deviation must not be negative, not -1.000000e+00}}
  %0 = dl.random_normal {std = -1.0 : f64, stream = 0 : i64} : tensor<4xf32>
  return
}

// -----

// Tests that random_uniform rejects lo equal to hi: the interval [lo, hi) would be empty.
func.func @random_uniform_empty_interval() {
  // expected-error @+1 {{'dl.random_uniform' op needs lo < hi, not [1.000000e+00, 1.000000e+00)}}
  %0 = dl.random_uniform {lo = 1.0 : f64, hi = 1.0 : f64, stream = 0 : i64} : tensor<4xf32>
  return
}

// -----

// Tests that random_uniform rejects lo above hi.
func.func @random_uniform_reversed() {
  // expected-error @+1 {{'dl.random_uniform' op needs lo < hi, not [2.000000e+00, -2.000000e+00)}}
  %0 = dl.random_uniform {lo = 2.0 : f64, hi = -2.0 : f64, stream = 0 : i64} : tensor<4xf32>
  return
}

// -----

// Tests that random_uniform produces only floating-point tensors.
func.func @random_uniform_integer() {
  // expected-error @+1 {{'dl.random_uniform' op result #0 must be statically shaped tensor of 32-bit float}}
  %0 = dl.random_uniform {stream = 0 : i64} : tensor<4xi32>
  return
}

// -----

// Tests that gaussian_noise rejects a negative standard deviation.
func.func @gaussian_noise_negative_std(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.gaussian_noise' op standard deviation must not be negative, not -1.000000e-01}}
  %0 = dl.gaussian_noise %x {std = -0.1 : f64, stream = 0 : i64} : tensor<4x8xf32>
  return
}

// -----

// Tests that gaussian_noise needs a stream, which keys its random numbers.
func.func @gaussian_noise_no_stream(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.gaussian_noise' op requires attribute 'stream'}}
  %0 = dl.gaussian_noise %x {std = 0.1 : f64} : tensor<4x8xf32>
  return
}

// -----

// Tests that random_flip rejects a probability above 1.
func.func @random_flip_p_above_one(%x: tensor<2x1x4x4xf32>) {
  // expected-error @+1 {{'dl.random_flip' op flip probability must be in [0, 1], not 1.500000e+00}}
  %0 = dl.random_flip %x {axis = 3 : i64, p = 1.5 : f64, stream = 0 : i64} : tensor<2x1x4x4xf32>
  return
}

// -----

// Tests that random_flip rejects an input that is not a batch of images [N, C, H, W].
func.func @random_flip_rank(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.random_flip' op of 'tensor<4x8xf32>' is invalid: the input must have rank 4 [N, C, H, W], not rank 2}}
  %0 = dl.random_flip %x {axis = 1 : i64, stream = 0 : i64} : tensor<4x8xf32>
  return
}

// -----

// Tests that random_flip refuses to flip along the batch: samples would trade places.
func.func @random_flip_batch_axis(%x: tensor<2x1x4x4xf32>) {
  // expected-error @+1 {{'dl.random_flip' op of 'tensor<2x1x4x4xf32>' is invalid: axis -4 is the batch dimension; a sample flips along 1, 2 or 3 (-3, -2 or -1)}}
  %0 = dl.random_flip %x {axis = -4 : i64, stream = 0 : i64} : tensor<2x1x4x4xf32>
  return
}

// -----

// Tests that random_flip rejects an axis past the rank.
func.func @random_flip_axis_range(%x: tensor<2x1x4x4xf32>) {
  // expected-error @+1 {{'dl.random_flip' op of 'tensor<2x1x4x4xf32>' is invalid: axis 4 is out of range for rank 4}}
  %0 = dl.random_flip %x {axis = 4 : i64, stream = 0 : i64} : tensor<2x1x4x4xf32>
  return
}

// -----

// Tests that random_flip needs an axis (there is no default in the IR).
func.func @random_flip_no_axis(%x: tensor<2x1x4x4xf32>) {
  // expected-error @+1 {{'dl.random_flip' op requires attribute 'axis'}}
  %0 = dl.random_flip %x {stream = 0 : i64} : tensor<2x1x4x4xf32>
  return
}

// -----

// Tests that random_flip keeps its operand's type.
func.func @random_flip_type(%x: tensor<2x1x4x4xf32>) {
  // expected-error @+1 {{'dl.random_flip' op requires the same type for all operands and results}}
  %0 = "dl.random_flip"(%x) {axis = 3 : i64, stream = 0 : i64} : (tensor<2x1x4x4xf32>) -> tensor<2x1x4x5xf32>
  return
}

// -----

// Tests that random_crop rejects a window larger than the padded input.
func.func @random_crop_too_large(%x: tensor<2x1x28x28xf32>) {
  // expected-error @+2 {{random_crop of 'tensor<2x1x28x28xf32>' with size [31, 28], padding [1, 1] is invalid: along the height, the crop of 31 is larger than the padded input's 30 (28 + 2 * 1)}}
  // expected-error @+1 {{'dl.random_crop' op failed to infer returned types}}
  %0 = dl.random_crop %x {size = array<i64: 31, 28>, padding = array<i64: 1, 1>, stream = 0 : i64} : (tensor<2x1x28x28xf32>) -> tensor<2x1x31x28xf32>
  return
}

// -----

// Tests that random_crop rejects a window size below 1.
func.func @random_crop_empty(%x: tensor<2x1x28x28xf32>) {
  // expected-error @+2 {{random_crop of 'tensor<2x1x28x28xf32>' with size [28, 0], padding [0, 0] is invalid: size [28, 0] has a size below 1}}
  // expected-error @+1 {{'dl.random_crop' op failed to infer returned types}}
  %0 = dl.random_crop %x {size = array<i64: 28, 0>, padding = array<i64: 0, 0>, stream = 0 : i64} : (tensor<2x1x28x28xf32>) -> tensor<2x1x28x0xf32>
  return
}

// -----

// Tests that random_crop rejects negative padding.
func.func @random_crop_negative_padding(%x: tensor<2x1x28x28xf32>) {
  // expected-error @+2 {{random_crop of 'tensor<2x1x28x28xf32>' with size [20, 20], padding [-1, 0] is invalid: padding [-1, 0] must lie in [0, 2^24]}}
  // expected-error @+1 {{'dl.random_crop' op failed to infer returned types}}
  %0 = dl.random_crop %x {size = array<i64: 20, 20>, padding = array<i64: -1, 0>, stream = 0 : i64} : (tensor<2x1x28x28xf32>) -> tensor<2x1x20x20xf32>
  return
}

// -----

// Tests that random_crop needs [height, width] for its padding.
func.func @random_crop_padding_pair(%x: tensor<2x1x28x28xf32>) {
  // expected-error @+2 {{random_crop of 'tensor<2x1x28x28xf32>' with size [28, 28], padding [2] is invalid: padding needs 2 values [height, width], not 1}}
  // expected-error @+1 {{'dl.random_crop' op failed to infer returned types}}
  %0 = dl.random_crop %x {size = array<i64: 28, 28>, padding = array<i64: 2>, stream = 0 : i64} : (tensor<2x1x28x28xf32>) -> tensor<2x1x28x28xf32>
  return
}

// -----

// Tests that random_crop rejects an input that is not a batch of images [N, C, H, W].
func.func @random_crop_rank(%x: tensor<2x28x28xf32>) {
  // expected-error @+2 {{random_crop of 'tensor<2x28x28xf32>' with size [28, 28], padding [2, 2] is invalid: the input must have rank 4 [N, C, H, W], not rank 3}}
  // expected-error @+1 {{'dl.random_crop' op failed to infer returned types}}
  %0 = dl.random_crop %x {size = array<i64: 28, 28>, padding = array<i64: 2, 2>, stream = 0 : i64} : (tensor<2x28x28xf32>) -> tensor<2x28x28xf32>
  return
}

// -----

// Tests that random_crop rejects a written result type other than the window's.
func.func @random_crop_wrong_result(%x: tensor<2x1x28x28xf32>) {
  // expected-error @+2 {{'dl.random_crop' op inferred type(s) 'tensor<2x1x24x24xf32>' are incompatible with return type(s) of operation 'tensor<2x1x28x28xf32>'}}
  // expected-error @+1 {{'dl.random_crop' op failed to infer returned types}}
  %0 = dl.random_crop %x {size = array<i64: 24, 24>, padding = array<i64: 0, 0>, stream = 0 : i64} : (tensor<2x1x28x28xf32>) -> tensor<2x1x28x28xf32>
  return
}

// -----

// Tests that random_crop needs a stream, which keys its windows.
func.func @random_crop_no_stream(%x: tensor<2x1x28x28xf32>) {
  // expected-error @+1 {{'dl.random_crop' op requires attribute 'stream'}}
  %0 = dl.random_crop %x {size = array<i64: 28, 28>, padding = array<i64: 2, 2>} : (tensor<2x1x28x28xf32>) -> tensor<2x1x28x28xf32>
  return
}

// -----

// Tests that random_crop_grad rejects an output gradient larger than any window of the padded
// input of input_size.
func.func @random_crop_grad_too_large(%gy: tensor<2x1x30x28xf32>) {
  // expected-error @+2 {{random_crop_grad of 'tensor<2x1x30x28xf32>' with padding [0, 0], input_size [28, 28] is invalid: along the height, the crop of 30 is larger than the padded input's 28 (28 + 2 * 0)}}
  // expected-error @+1 {{'dl.random_crop_grad' op failed to infer returned types}}
  %0 = dl.random_crop_grad %gy {padding = array<i64: 0, 0>, input_size = array<i64: 28, 28>, stream = 0 : i64} : (tensor<2x1x30x28xf32>) -> tensor<2x1x28x28xf32>
  return
}

// -----

// Tests that random_crop_grad needs a positive input_size.
func.func @random_crop_grad_input_size(%gy: tensor<2x1x4x4xf32>) {
  // expected-error @+2 {{random_crop_grad of 'tensor<2x1x4x4xf32>' with padding [2, 2], input_size [0, 4] is invalid: input_size [0, 4] has a size below 1}}
  // expected-error @+1 {{'dl.random_crop_grad' op failed to infer returned types}}
  %0 = dl.random_crop_grad %gy {padding = array<i64: 2, 2>, input_size = array<i64: 0, 4>, stream = 0 : i64} : (tensor<2x1x4x4xf32>) -> tensor<2x1x0x4xf32>
  return
}
