// RUN: dl-opt %s -split-input-file -dl-autodiff -verify-diagnostics

// Tests that a gradient which would have to flow through step is an error at the step.
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    // expected-error @+1 {{the loss depends on 'dl.step' here, which has no gradient}}
    %s = dl.step %w : tensor<3xf32>
    %l = dl.sum %s : (tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that a comparison used only through an integer cast stops the gradient without an error.
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    %c = dl.argmax %w {axis = 0 : i64} : (tensor<3xf32>) -> tensor<i32>
    %f = dl.cast %c : (tensor<i32>) -> tensor<f32>
    %l = dl.sum %w : (tensor<3xf32>) -> tensor<f32>
    %t = dl.add %l, %f : (tensor<f32>, tensor<f32>) -> tensor<f32>
    return %t : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that a step applied to data alone (no trained parameter feeds it) is no error: no gradient
// needs to flow through it.
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss(%x: tensor<3xf32>) -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    %s = dl.step %x : tensor<3xf32>
    %p = dl.mul %w, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %l = dl.sum %p : (tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
