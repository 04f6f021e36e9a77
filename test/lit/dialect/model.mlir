// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of the structure of a model: dl.model, dl.param, dl.buffer, dl.load and dl.train, with
// every initializer and every optimizer the verifiers know. Errors are in model-invalid.mlir.

// Tests that a whole model survives: parameters, entry functions reading them, and a training step.
// CHECK-LABEL: dl.model @xor {
// CHECK-NEXT: dl.param @hidden.W : tensor<2x8xf32> = "xavier_normal" {fan_in = 2 : i64, fan_out = 8 : i64}
// CHECK-NEXT: dl.param @hidden.b : tensor<8xf32> = "zeros"
// CHECK: func.func @forward(%[[X:.*]]: tensor<4x2xf32> {dl.input = "x"}) -> (tensor<4x8xf32> {dl.output = "h"})
// CHECK-NEXT: %[[W:.*]] = dl.load @hidden.W : tensor<2x8xf32>
// CHECK-NEXT: %[[B:.*]] = dl.load @hidden.b : tensor<8xf32>
// CHECK-NEXT: %[[H:.*]] = dl.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[Y:.*]] = dl.add %[[H]], %[[B]]
// CHECK-NEXT: return %[[Y]] : tensor<4x8xf32>
// CHECK: func.func @train_step.loss(%[[X2:.*]]: tensor<4x2xf32>, %[[T:.*]]: tensor<4x8xf32>) -> tensor<f32>
// CHECK-NEXT: %[[P:.*]] = call @forward(%[[X2]])
// CHECK-NEXT: %[[L:.*]] = dl.mse %[[P]], %[[T]]
// CHECK: dl.train @train_step loss @train_step.loss params [@hidden.W, @hidden.b] optimizer "sgd" {lr = 5.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = false} weight_decay 0.000000e+00 schedule "constant" {}
dl.model @xor {
  dl.param @hidden.W : tensor<2x8xf32> = "xavier_normal" {fan_in = 2 : i64, fan_out = 8 : i64}
  dl.param @hidden.b : tensor<8xf32> = "zeros"
  func.func @forward(%x: tensor<4x2xf32> {dl.input = "x"}) -> (tensor<4x8xf32> {dl.output = "h"}) {
    %w = dl.load @hidden.W : tensor<2x8xf32>
    %b = dl.load @hidden.b : tensor<8xf32>
    %h = dl.matmul %x, %w : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
    %y = dl.add %h, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    return %y : tensor<4x8xf32>
  }
  func.func @train_step.loss(%x: tensor<4x2xf32>, %t: tensor<4x8xf32>) -> tensor<f32> {
    %p = func.call @forward(%x) : (tensor<4x2xf32>) -> tensor<4x8xf32>
    %l = dl.mse %p, %t : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @train_step loss @train_step.loss params [@hidden.W, @hidden.b]
      optimizer "sgd" {lr = 5.0e-01 : f64, momentum = 9.0e-01 : f64, nesterov = false}
      weight_decay 0.0 schedule "constant" {}
}

// Tests that every initializer is accepted with the arguments it needs.
// CHECK-LABEL: dl.model @initializers {
// CHECK-NEXT: dl.param @a : tensor<4xf32> = "zeros"
// CHECK-NEXT: dl.param @b : tensor<4xf32> = "ones"
// CHECK-NEXT: dl.param @c : tensor<4xf32> = "constant" {value = 2.500000e-01 : f64}
// CHECK-NEXT: dl.param @d : tensor<4xf32> = "normal" {mean = 0.000000e+00 : f64, std = 2.000000e-02 : f64}
// CHECK-NEXT: dl.param @e : tensor<4xf32> = "uniform" {hi = 1.000000e-01 : f64, lo = -1.000000e-01 : f64}
// CHECK-NEXT: dl.param @f : tensor<3x4xf32> = "xavier_uniform" {fan_in = 3 : i64, fan_out = 4 : i64}
// CHECK-NEXT: dl.param @g : tensor<3x4xf32> = "xavier_normal" {fan_in = 3 : i64, fan_out = 4 : i64}
// CHECK-NEXT: dl.param @h : tensor<3x4xf32> = "he_normal" {fan_in = 3 : i64, fan_out = 4 : i64}
// CHECK-NEXT: dl.param @i : tensor<8x1x3x3xf32> = "he_uniform" {fan_in = 9 : i64, fan_out = 72 : i64}
// CHECK-NEXT: dl.param @j : tensor<4x4xf32> = "orthogonal" {fan_in = 4 : i64, fan_out = 4 : i64}
// CHECK-NEXT: dl.param @k : tensor<16x8xf32> = "sinusoidal"
// CHECK-NEXT: }
dl.model @initializers {
  dl.param @a : tensor<4xf32> = "zeros"
  dl.param @b : tensor<4xf32> = "ones"
  dl.param @c : tensor<4xf32> = "constant" {value = 0.25 : f64}
  dl.param @d : tensor<4xf32> = "normal" {mean = 0.0 : f64, std = 0.02 : f64}
  dl.param @e : tensor<4xf32> = "uniform" {lo = -0.1 : f64, hi = 0.1 : f64}
  dl.param @f : tensor<3x4xf32> = "xavier_uniform" {fan_in = 3 : i64, fan_out = 4 : i64}
  dl.param @g : tensor<3x4xf32> = "xavier_normal" {fan_in = 3 : i64, fan_out = 4 : i64}
  dl.param @h : tensor<3x4xf32> = "he_normal" {fan_in = 3 : i64, fan_out = 4 : i64}
  dl.param @i : tensor<8x1x3x3xf32> = "he_uniform" {fan_in = 9 : i64, fan_out = 72 : i64}
  dl.param @j : tensor<4x4xf32> = "orthogonal" {fan_in = 4 : i64, fan_out = 4 : i64}
  dl.param @k : tensor<16x8xf32> = "sinusoidal"
}

// Tests that buffers may hold any element type, are read with dl.load like parameters, and that
// attributes beyond the initializer's arguments are written after `attributes`, so they are never
// read back as initializer arguments.
// CHECK-LABEL: dl.model @buffers {
// CHECK-NEXT: dl.buffer @bn.running_mean : tensor<32xf32> = "zeros"
// CHECK-NEXT: dl.buffer @steps : tensor<i32> = "zeros"
// CHECK-NEXT: dl.buffer @scale : tensor<f32> = "constant" {value = 2.550000e+02 : f64} attributes {dl.doc = "pixel scale"}
// CHECK-NEXT: dl.param @w : tensor<32xf32> = "ones" attributes {dl.doc = "gain"}
// CHECK: func.func @eval()
// CHECK-NEXT: dl.load @bn.running_mean : tensor<32xf32>
// CHECK-NEXT: dl.load @steps : tensor<i32>
dl.model @buffers {
  dl.buffer @bn.running_mean : tensor<32xf32> = "zeros"
  dl.buffer @steps : tensor<i32> = "zeros"
  dl.buffer @scale : tensor<f32> = "constant" {value = 255.0 : f64} attributes {dl.doc = "pixel scale"}
  dl.param @w : tensor<32xf32> = "ones" attributes {dl.doc = "gain"}
  func.func @eval() -> (tensor<32xf32>, tensor<i32>) {
    %m = dl.load @bn.running_mean : tensor<32xf32>
    %s = dl.load @steps : tensor<i32>
    return %m, %s : tensor<32xf32>, tensor<i32>
  }
}

// Tests that every optimizer is accepted with its hyperparameters, with weight decay, gradient
// clipping by norm or by value, and each learning-rate schedule.
// CHECK-LABEL: dl.model @optimizers {
// CHECK: dl.train @sgd loss @loss params [@w] optimizer "sgd" {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = true} weight_decay 0.000000e+00 schedule "constant" {}
// CHECK-NEXT: dl.train @rmsprop loss @loss params [@w, @b] optimizer "rmsprop" {alpha = 0.98999999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64} weight_decay 1.000000e-04 schedule "constant" {}
// CHECK-NEXT: dl.train @adagrad loss @loss params [@b] optimizer "adagrad" {eps = 1.000000e-10 : f64, lr = 1.000000e-02 : f64} weight_decay 0.000000e+00 clip_grad_norm 1.000000e+00 schedule "step" {every = 10 : i64, gamma = 1.000000e-01 : f64}
// CHECK-NEXT: dl.train @adam loss @loss params [@w] optimizer "adam" {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64} weight_decay 0.000000e+00 clip_grad_value 5.000000e-01 schedule "cosine" {total = 100 : i64, warmup = 0 : i64}
// CHECK-NEXT: dl.train @adamw loss @loss params [@b, @w] optimizer "adamw" {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64} weight_decay 0.000000e+00 schedule "constant" {} accumulate 8
dl.model @optimizers {
  dl.param @w : tensor<4x4xf32> = "zeros"
  dl.param @b : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %w = dl.load @w : tensor<4x4xf32>
    %s = dl.sum %w : (tensor<4x4xf32>) -> tensor<f32>
    return %s : tensor<f32>
  }
  dl.train @sgd loss @loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = true}
      weight_decay 0.0 schedule "constant" {}
  dl.train @rmsprop loss @loss params [@w, @b] optimizer "rmsprop" {lr = 0.01 : f64, alpha = 0.99 : f64, eps = 1.0e-8 : f64}
      weight_decay 1.0e-4 schedule "constant" {}
  dl.train @adagrad loss @loss params [@b] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 clip_grad_norm 1.0 schedule "step" {every = 10 : i64, gamma = 0.1 : f64}
  dl.train @adam loss @loss params [@w] optimizer "adam" {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64}
      weight_decay 0.0 clip_grad_value 0.5 schedule "cosine" {total = 100 : i64, warmup = 0 : i64}
  dl.train @adamw loss @loss params [@b, @w] optimizer "adamw" {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64}
      weight_decay 0.0 schedule "constant" {} accumulate 8
}

// Tests that a loss function may return more than the loss, as long as the loss comes first.
// CHECK-LABEL: dl.model @extra_results {
// CHECK: dl.train @train_step loss @loss params [@w]
dl.model @extra_results {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> (tensor<f32>, tensor<4xf32>) {
    %w = dl.load @w : tensor<4xf32>
    %s = dl.sum %w : (tensor<4xf32>) -> tensor<f32>
    return %s, %w : tensor<f32>, tensor<4xf32>
  }
  dl.train @train_step loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// Tests that each model is its own symbol table: two models may use the same names, and an empty
// model is allowed.
// CHECK-LABEL: dl.model @twin {
// CHECK-NEXT: dl.param @hidden.W : tensor<3xf32> = "ones"
// CHECK: dl.load @hidden.W : tensor<3xf32>
// CHECK-LABEL: dl.model @empty {
// CHECK-NEXT: }
dl.model @twin {
  dl.param @hidden.W : tensor<3xf32> = "ones"
  func.func @forward() -> tensor<3xf32> {
    %w = dl.load @hidden.W : tensor<3xf32>
    return %w : tensor<3xf32>
  }
}
dl.model @empty {
}

// -----

// Tests that dl.store round-trips.
// CHECK-LABEL: dl.model @stores
dl.model @stores {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @update(%v: tensor<4xf32>) {
    // CHECK: dl.store %{{.*}}, @w : tensor<4xf32>
    dl.store %v, @w : tensor<4xf32>
    return
  }
}
