// RUN: dl-opt %s -split-input-file -dl-autodiff -verify-diagnostics

// The errors of differentiating a dl.scan (backpropagation through time is in autodiff-scan.mlir).

// Tests that a scan on the path to the loss must carry float tensors only: an integer carry has
// no gradient to carry back, even when the loss reads only a float stack.
dl.model @m {
  dl.param @w : tensor<2xf32> = "zeros"
  func.func @s.loss(%xs: tensor<3x2xf32>, %k0: tensor<2xi32>) -> tensor<f32> {
    %w = dl.load @w : tensor<2xf32>
    // expected-error @+1 {{cannot differentiate a scan with a carry of type 'tensor<2xi32>'; carries must be float tensors}}
    %r:3 = dl.scan (%xs) carry (%k0) captures (%w) {
    ^bb0(%x: tensor<2xf32>, %k: tensor<2xi32>, %w0: tensor<2xf32>):
      %y = dl.mul %x, %w0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      dl.scan_yield %k, %y : tensor<2xi32>, tensor<2xf32>
    } : (tensor<3x2xf32>, tensor<2xi32>, tensor<2xf32>) -> (tensor<2xi32>, tensor<3x2xf32>, tensor<3x2xi32>)
    %l = dl.sum %r#1 : (tensor<3x2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that the error names the first non-float carry, after a float one.
dl.model @m {
  dl.param @w : tensor<2xf32> = "zeros"
  func.func @s.loss(%xs: tensor<3x2xf32>, %k0: tensor<2xi1>) -> tensor<f32> {
    %w = dl.load @w : tensor<2xf32>
    // expected-error @+1 {{cannot differentiate a scan with a carry of type 'tensor<2xi1>'; carries must be float tensors}}
    %r:4 = dl.scan (%xs) carry (%w, %k0) captures () {
    ^bb0(%x: tensor<2xf32>, %h: tensor<2xf32>, %k: tensor<2xi1>):
      %y = dl.mul %x, %h : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      dl.scan_yield %y, %k : tensor<2xf32>, tensor<2xi1>
    } : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xi1>) -> (tensor<2xf32>, tensor<2xi1>, tensor<3x2xf32>, tensor<3x2xi1>)
    %l = dl.sum %r#0 : (tensor<2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that a scan with an integer carry that the loss does not depend on is no error, though it
// reads the parameter: only the scans on the path to the loss are differentiated.
dl.model @m {
  dl.param @w : tensor<2xf32> = "zeros"
  func.func @s.loss(%xs: tensor<3x2xf32>, %k0: tensor<2xi32>) -> tensor<f32> {
    %w = dl.load @w : tensor<2xf32>
    %r:3 = dl.scan (%xs) carry (%k0) captures (%w) {
    ^bb0(%x: tensor<2xf32>, %k: tensor<2xi32>, %w0: tensor<2xf32>):
      %y = dl.mul %x, %w0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      dl.scan_yield %k, %y : tensor<2xi32>, tensor<2xf32>
    } : (tensor<3x2xf32>, tensor<2xi32>, tensor<2xf32>) -> (tensor<2xi32>, tensor<3x2xf32>, tensor<3x2xi32>)
    %l = dl.sum %w : (tensor<2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
