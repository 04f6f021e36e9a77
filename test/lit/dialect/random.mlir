// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of the counter-based random ops: dropout, random_normal, random_uniform and the data
// augmentations gaussian_noise, random_flip, random_crop and random_crop_grad. Errors are
// in random-invalid.mlir.

// Tests that dropout keeps its probability, its stream and its operand's type; p = 0 is allowed.
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[H:.*]]: tensor<128x256xf32>)
// CHECK: %[[D:.*]] = dl.dropout %[[H]] {p = 2.000000e-01 : f64, stream = 3 : i64} : tensor<128x256xf32>
// CHECK: dl.dropout %[[D]] {p = 0.000000e+00 : f64, stream = 4 : i64} : tensor<128x256xf32>
// CHECK: dl.dropout %[[H]] {p = 0.99899999999999999 : f64, stream = 5 : i64} : tensor<128x256xf32>
func.func @dropout(%h: tensor<128x256xf32>) {
  %0 = dl.dropout %h {p = 2.000000e-01 : f64, stream = 3 : i64} : tensor<128x256xf32>
  %1 = dl.dropout %0 {p = 0.0 : f64, stream = 4 : i64} : tensor<128x256xf32>
  %2 = dl.dropout %h {p = 0.999 : f64, stream = 5 : i64} : tensor<128x256xf32>
  return
}

// Tests that random_normal keeps mean, std and stream, elides the defaults (0 and 1), and allows a
// zero standard deviation.
// CHECK-LABEL: func.func @random_normal
// CHECK: dl.random_normal {stream = 0 : i64} : tensor<128x20xf32>
// CHECK: dl.random_normal {mean = 5.000000e-01 : f64, std = 2.000000e+00 : f64, stream = 1 : i64} : tensor<4x8xf32>
// CHECK: dl.random_normal {std = 0.000000e+00 : f64, stream = 2 : i64} : tensor<f32>
func.func @random_normal() {
  %0 = dl.random_normal {mean = 0.0 : f64, std = 1.0 : f64, stream = 0 : i64} : tensor<128x20xf32>
  %1 = dl.random_normal {mean = 0.5 : f64, std = 2.0 : f64, stream = 1 : i64} : tensor<4x8xf32>
  %2 = dl.random_normal {std = 0.0 : f64, stream = 2 : i64} : tensor<f32>
  return
}

// Tests that random_uniform keeps lo, hi and stream and elides the defaults (0 and 1).
// CHECK-LABEL: func.func @random_uniform
// CHECK: dl.random_uniform {lo = -1.000000e+00 : f64, stream = 1 : i64} : tensor<4x8xf32>
// CHECK: dl.random_uniform {hi = 2.000000e+00 : f64, lo = 5.000000e-01 : f64, stream = 2 : i64} : tensor<f32>
// CHECK: dl.random_uniform {stream = 7 : i64} : tensor<16xf64>
func.func @random_uniform() {
  %0 = dl.random_uniform {lo = -1.0 : f64, hi = 1.0 : f64, stream = 1 : i64} : tensor<4x8xf32>
  %1 = dl.random_uniform {lo = 0.5 : f64, hi = 2.0 : f64, stream = 2 : i64} : tensor<f32>
  %2 = dl.random_uniform {lo = 0.0 : f64, hi = 1.0 : f64, stream = 7 : i64} : tensor<16xf64>
  return
}

// Tests that gaussian_noise keeps its standard deviation, its stream and its operand's type; a
// zero standard deviation is allowed.
// CHECK-LABEL: func.func @gaussian_noise
// CHECK-SAME: (%[[X:.*]]: tensor<8x1x28x28xf32>)
// CHECK: dl.gaussian_noise %[[X]] {std = 1.000000e-01 : f64, stream = 2 : i64} : tensor<8x1x28x28xf32>
// CHECK: dl.gaussian_noise %[[X]] {std = 0.000000e+00 : f64, stream = 3 : i64} : tensor<8x1x28x28xf32>
func.func @gaussian_noise(%x: tensor<8x1x28x28xf32>) {
  %0 = dl.gaussian_noise %x {std = 0.1 : f64, stream = 2 : i64} : tensor<8x1x28x28xf32>
  %1 = dl.gaussian_noise %x {std = 0.0 : f64, stream = 3 : i64} : tensor<8x1x28x28xf32>
  return
}

// Tests that random_flip keeps its axis (negative ones too) and stream, elides p's default 0.5 and
// keeps another p, 0 and 1 included.
// CHECK-LABEL: func.func @random_flip
// CHECK-SAME: (%[[X:.*]]: tensor<8x3x5x7xf32>)
// CHECK: dl.random_flip %[[X]] {axis = 3 : i64, stream = 0 : i64} : tensor<8x3x5x7xf32>
// CHECK: dl.random_flip %[[X]] {axis = -2 : i64, p = 2.500000e-01 : f64, stream = 1 : i64} : tensor<8x3x5x7xf32>
// CHECK: dl.random_flip %[[X]] {axis = 1 : i64, p = 0.000000e+00 : f64, stream = 2 : i64} : tensor<8x3x5x7xf32>
// CHECK: dl.random_flip %[[X]] {axis = 2 : i64, p = 1.000000e+00 : f64, stream = 3 : i64} : tensor<8x3x5x7xf32>
func.func @random_flip(%x: tensor<8x3x5x7xf32>) {
  %0 = dl.random_flip %x {axis = 3 : i64, p = 0.5 : f64, stream = 0 : i64} : tensor<8x3x5x7xf32>
  %1 = dl.random_flip %x {axis = -2 : i64, p = 0.25 : f64, stream = 1 : i64} : tensor<8x3x5x7xf32>
  %2 = dl.random_flip %x {axis = 1 : i64, p = 0.0 : f64, stream = 2 : i64} : tensor<8x3x5x7xf32>
  %3 = dl.random_flip %x {axis = 2 : i64, p = 1.0 : f64, stream = 3 : i64} : tensor<8x3x5x7xf32>
  return
}

// Tests that random_crop keeps size, padding and stream: a window of the input's own size (a
// random translation), a smaller one, one larger than the input that the padding allows, and one
// without padding.
// CHECK-LABEL: func.func @random_crop
// CHECK-SAME: (%[[X:.*]]: tensor<8x1x28x28xf32>)
// CHECK: dl.random_crop %[[X]] {padding = array<i64: 2, 2>, size = array<i64: 28, 28>, stream = 4 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x28x28xf32>
// CHECK: dl.random_crop %[[X]] {padding = array<i64: 0, 1>, size = array<i64: 24, 20>, stream = 5 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x24x20xf32>
// CHECK: dl.random_crop %[[X]] {padding = array<i64: 3, 3>, size = array<i64: 34, 30>, stream = 6 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x34x30xf32>
// CHECK: dl.random_crop %[[X]] {padding = array<i64: 0, 0>, size = array<i64: 1, 1>, stream = 7 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x1x1xf32>
func.func @random_crop(%x: tensor<8x1x28x28xf32>) {
  %0 = dl.random_crop %x {size = array<i64: 28, 28>, padding = array<i64: 2, 2>, stream = 4 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x28x28xf32>
  %1 = dl.random_crop %x {size = array<i64: 24, 20>, padding = array<i64: 0, 1>, stream = 5 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x24x20xf32>
  %2 = dl.random_crop %x {size = array<i64: 34, 30>, padding = array<i64: 3, 3>, stream = 6 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x34x30xf32>
  %3 = dl.random_crop %x {size = array<i64: 1, 1>, padding = array<i64: 0, 0>, stream = 7 : i64} : (tensor<8x1x28x28xf32>) -> tensor<8x1x1x1xf32>
  return
}

// Tests that random_crop_grad keeps its padding, input size and stream, its result the input's
// shape.
// CHECK-LABEL: func.func @random_crop_grad
// CHECK-SAME: (%[[GY:.*]]: tensor<8x1x24x20xf32>)
// CHECK: dl.random_crop_grad %[[GY]] {input_size = array<i64: 28, 28>, padding = array<i64: 0, 1>, stream = 5 : i64} : (tensor<8x1x24x20xf32>) -> tensor<8x1x28x28xf32>
func.func @random_crop_grad(%gy: tensor<8x1x24x20xf32>) {
  %0 = dl.random_crop_grad %gy {input_size = array<i64: 28, 28>, padding = array<i64: 0, 1>, stream = 5 : i64} : (tensor<8x1x24x20xf32>) -> tensor<8x1x28x28xf32>
  return
}
