// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of the counter-based random ops: dropout, random_normal and random_uniform. Errors are
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
