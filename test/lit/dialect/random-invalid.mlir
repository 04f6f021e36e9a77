// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the random ops report.

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
