// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the model structure reports: dl.load, dl.param and dl.buffer, dl.train.

// Tests that dl.load rejects a name the model does not define.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @forward() -> tensor<4xf32> {
    // expected-error @+1 {{'dl.load' op refers to 'nope', which the model does not define}}
    %0 = dl.load @nope : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// Tests that dl.load outside any model finds nothing: parameters are visible only in their model.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
}
func.func @outside() -> tensor<4xf32> {
  // expected-error @+1 {{'dl.load' op refers to 'w', which the model does not define}}
  %0 = dl.load @w : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that dl.load must read the type the parameter holds.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @forward() -> tensor<8xf32> {
    // expected-error @+1 {{'dl.load' op reads 'tensor<8xf32>' from 'w', which holds 'tensor<4xf32>'}}
    %0 = dl.load @w : tensor<8xf32>
    return %0 : tensor<8xf32>
  }
}

// -----

// Tests that dl.load must read the type a buffer holds, element type included.
dl.model @m {
  dl.buffer @steps : tensor<i32> = "zeros"
  func.func @eval() -> tensor<f32> {
    // expected-error @+1 {{'dl.load' op reads 'tensor<f32>' from 'steps', which holds 'tensor<i32>'}}
    %0 = dl.load @steps : tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// Tests that dl.load reads only parameters and buffers, not other symbols of the model.
dl.model @m {
  func.func @forward() -> tensor<4xf32> {
    // expected-error @+1 {{'dl.load' op refers to 'forward', which is not a parameter or buffer}}
    %0 = dl.load @forward : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// Tests that dl.param rejects an initializer it does not know.
dl.model @m {
  // expected-error @+1 {{'dl.param' op has unknown initializer 'glorot'}}
  dl.param @w : tensor<4x4xf32> = "glorot" {fan_in = 4 : i64, fan_out = 4 : i64}
}

// -----

// Tests that dl.param needs every argument of its initializer.
dl.model @m {
  // expected-error @+1 {{'dl.param' op initializer 'normal' needs argument 'std'}}
  dl.param @w : tensor<4xf32> = "normal" {mean = 0.0 : f64}
}

// -----

// Tests that dl.param needs its initializer's arguments even when it has none at all.
dl.model @m {
  // expected-error @+1 {{'dl.param' op initializer 'xavier_uniform' needs argument 'fan_in'}}
  dl.param @w : tensor<4x4xf32> = "xavier_uniform"
}

// -----

// Tests that a constant initializer needs its value.
dl.model @m {
  // expected-error @+1 {{'dl.param' op initializer 'constant' needs argument 'value'}}
  dl.param @w : tensor<4xf32> = "constant" {val = 1.0 : f64}
}

// -----

// Tests that parameters are f32: they are what the optimizers update.
dl.model @m {
  // expected-error @+1 {{'dl.param' op parameters are f32 tensors, not 'tensor<4xi32>'}}
  dl.param @w : tensor<4xi32> = "zeros"
}

// -----

// Tests that parameters are f32 even when another float type would do.
dl.model @m {
  // expected-error @+1 {{'dl.param' op parameters are f32 tensors, not 'tensor<4xf64>'}}
  dl.param @w : tensor<4xf64> = "zeros"
}

// -----

// Tests that a parameter lives only inside a model.
// expected-error @+1 {{'dl.param' op expects parent op 'dl.model'}}
dl.param @w : tensor<4xf32> = "zeros"

// -----

// Tests that a model's names are unique.
dl.model @m {
  // expected-note @+1 {{see existing symbol definition here}}
  dl.param @w : tensor<4xf32> = "zeros"
  // expected-error @+1 {{redefinition of symbol named 'w'}}
  dl.buffer @w : tensor<4xf32> = "zeros"
}

// -----

// Tests that dl.buffer rejects an initializer it does not know.
dl.model @m {
  // expected-error @+1 {{'dl.buffer' op has unknown initializer 'eye'}}
  dl.buffer @b : tensor<4x4xf32> = "eye"
}

// -----

// Tests that dl.buffer needs every argument of its initializer.
dl.model @m {
  // expected-error @+1 {{'dl.buffer' op initializer 'uniform' needs argument 'hi'}}
  dl.buffer @b : tensor<4xf32> = "uniform" {lo = 0.0 : f64}
}

// -----

// Tests that dl.train rejects an optimizer it does not know.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op has unknown optimizer 'lbfgs'}}
  dl.train @t loss @loss params [@w] optimizer "lbfgs" {lr = 1.0 : f64} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train needs every hyperparameter of its optimizer: defaults are filled in before.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op optimizer 'adam' needs hyperparameter 'beta2'}}
  dl.train @t loss @loss params [@w] optimizer "adam" {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, eps = 1.0e-8 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that sgd's hyperparameters include nesterov.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op optimizer 'sgd' needs hyperparameter 'nesterov'}}
  dl.train @t loss @loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.9 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train rejects a learning-rate schedule it does not know.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op has unknown schedule 'exponential'}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "exponential" {gamma = 0.9 : f64}
}

// -----

// Tests that dl.train clips gradients by norm or by value, not both.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op clips by norm and by value at once; choose one}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 clip_grad_norm 1.0 clip_grad_value 0.5 schedule "constant" {}
}

// -----

// Tests that dl.train trains at least one parameter.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op trains no parameters}}
  dl.train @t loss @loss params [] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train rejects a loss function the model does not define.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  // expected-error @+1 {{'dl.train' op names loss function 'loss', which the model does not define}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train's loss must name a function, not another symbol.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  // expected-error @+1 {{'dl.train' op names loss function 'w', which the model does not define}}
  dl.train @t loss @w params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that the loss function returns a scalar first, not a tensor.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<4xf32> {
    %0 = dl.load @w : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  // expected-error @+1 {{'dl.train' op loss function 'loss' must return a scalar tensor<f32> first}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that the loss function returns an f32 scalar, not another float type.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f64> {
    %0 = dl.constant dense<1.0> : tensor<f64>
    return %0 : tensor<f64>
  }
  // expected-error @+1 {{'dl.train' op loss function 'loss' must return a scalar tensor<f32> first}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that the loss function returns something.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() {
    return
  }
  // expected-error @+1 {{'dl.train' op loss function 'loss' must return a scalar tensor<f32> first}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train updates only parameters, not buffers.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  dl.buffer @running_mean : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op trains 'running_mean', which is not a parameter of the model}}
  dl.train @t loss @loss params [@w, @running_mean] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train rejects a parameter the model does not define.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op trains 'v', which is not a parameter of the model}}
  dl.train @t loss @loss params [@v] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train names each parameter once.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  dl.param @b : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op names parameter 'w' twice}}
  dl.train @t loss @loss params [@w, @b, @w] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that a training step lives only inside a model.
func.func @loss() -> tensor<f32> {
  %0 = dl.constant dense<1.0> : tensor<f32>
  return %0 : tensor<f32>
}
// expected-error @+1 {{'dl.train' op expects parent op 'dl.model'}}
dl.train @t loss @loss params [@loss] optimizer "adagrad" {lr = 0.01 : f64, eps = 1.0e-10 : f64}
    weight_decay 0.0 schedule "constant" {}

// -----

// Tests that dl.train rejects a hyperparameter that is not a float.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op hyperparameter 'lr' must be a float}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = "fast", eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train rejects a learning rate that is not positive.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op hyperparameter 'lr' must be positive, not -1.000000e-01}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = -0.1 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train rejects a negative weight decay.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op weight_decay must be non-negative}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.1 : f64, eps = 1.0e-10 : f64}
      weight_decay -1.0 schedule "constant" {}
}

// -----

// Tests that dl.train rejects a gradient-norm clip that is not positive.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op clip_grad_norm must be positive}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.1 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 clip_grad_norm 0.0 schedule "constant" {}
}

// -----

// Tests that dl.train needs every argument of its schedule.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %0 = dl.constant dense<1.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op schedule 'step' needs argument 'every'}}
  dl.train @t loss @loss params [@w] optimizer "adagrad" {lr = 0.1 : f64, eps = 1.0e-10 : f64}
      weight_decay 0.0 schedule "step" {gamma = 0.5 : f64}
}

// -----

// Tests that dl.store writes only values of the stored symbol's type.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @update(%v: tensor<3xf32>) {
    // expected-error @+1 {{'dl.store' op writes 'tensor<3xf32>' to 'w', which holds 'tensor<4xf32>'}}
    dl.store %v, @w : tensor<3xf32>
    return
  }
}

// -----

// Tests that dl.train accumulates at least one batch per update.
dl.model @m {
  dl.param @w : tensor<4xf32> = "zeros"
  func.func @loss() -> tensor<f32> {
    %w = dl.load @w : tensor<4xf32>
    %s = dl.sum %w : (tensor<4xf32>) -> tensor<f32>
    return %s : tensor<f32>
  }
  // expected-error @+1 {{'dl.train' op accumulate must be 1 or more, not 0}}
  dl.train @train_step loss @loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false}
      weight_decay 0.0 schedule "constant" {} accumulate 0
}
