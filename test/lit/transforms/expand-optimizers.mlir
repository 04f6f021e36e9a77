// RUN: dl-opt %s -split-input-file -dl-autodiff -dl-expand-optimizers | FileCheck %s

// Tests that sgd with momentum keeps a velocity buffer per parameter and a step counter, and updates
// v = mu v + g, p = p - lr v.
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    %l = dl.sum %w : (tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.5 : f64, momentum = 0.9 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.update() -> (tensor<f32> {dl.loss = "s"})
// CHECK:         %[[LR:.*]] = dl.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         %[[P:.*]] = dl.load @w : tensor<3xf32>
// CHECK:         %[[V:.*]] = dl.load @s.velocity.w
// CHECK:         %[[MU:.*]] = dl.constant dense<0.899999976> : tensor<f32>
// CHECK:         %[[MV:.*]] = dl.mul %[[V]], %[[MU]]
// CHECK:         %[[VN:.*]] = dl.add %[[MV]], %[[G:.*]] :
// CHECK:         dl.store %[[VN]], @s.velocity.w
// CHECK:         %[[STEP:.*]] = dl.mul %[[VN]], %[[LR]]
// CHECK:         %[[PN:.*]] = dl.sub %[[P]], %[[STEP]]
// CHECK:         dl.store %[[PN]], @w
// CHECK:         dl.store %{{.*}}, @s.count : tensor<i32>
// The same step split at its gradient area: @s.accumulate adds the batch into it...
// CHECK-LABEL: func.func @s.accumulate() -> (tensor<f32> {dl.loss = "s"})
// CHECK:         %[[LOSS:.*]] = dl.sum
// CHECK:         dl.load @s.grad.count
// CHECK:         dl.store %{{.*}}, @s.grad.count
// CHECK:         %[[LS:.*]] = dl.load @s.grad.loss
// CHECK:         %[[LN:.*]] = dl.add %[[LS]], %[[LOSS]]
// CHECK:         dl.store %[[LN]], @s.grad.loss
// CHECK:         %[[GS:.*]] = dl.load @s.grad.w
// CHECK:         %[[GN:.*]] = dl.add %[[GS]],
// CHECK:         dl.store %[[GN]], @s.grad.w
// CHECK:         return %[[LOSS]]
// ...and @s.apply updates from its mean.
// CHECK-LABEL: func.func @s.apply() -> (tensor<f32> {dl.loss = "s"})
// CHECK:         %[[N:.*]] = dl.load @s.grad.count
// CHECK:         %[[SUM:.*]] = dl.load @s.grad.loss
// CHECK:         %[[MEAN:.*]] = dl.div %[[SUM]], %[[N]]
// CHECK:         %[[GSUM:.*]] = dl.load @s.grad.w
// CHECK:         %[[GMEAN:.*]] = dl.div %[[GSUM]], %[[N]]
// CHECK:         dl.add %{{.*}}, %[[GMEAN]]
// CHECK:         dl.store %{{.*}}, @s.velocity.w
// CHECK:         dl.store %{{.*}}, @w
// CHECK:         return %[[MEAN]]
// CHECK-DAG:   dl.buffer @s.count : tensor<i32> = "zeros" attributes {dl.role = "optimizer"}
// CHECK-DAG:   dl.buffer @s.velocity.w : tensor<3xf32> = "zeros" attributes {dl.role = "optimizer"}
// CHECK-DAG:   dl.buffer @s.grad.count : tensor<f32> = "zeros" attributes {dl.role = "gradient"}
// CHECK-DAG:   dl.buffer @s.grad.loss : tensor<f32> = "zeros" attributes {dl.role = "gradient"}
// CHECK-DAG:   dl.buffer @s.grad.w : tensor<3xf32> = "zeros" attributes {dl.role = "gradient"}

// -----

// Tests that adamw decays the parameter before its Adam update, keeps both moments, and corrects
// their bias with beta^(k+1).
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    %l = dl.sum %w : (tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "adamw" {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.update()
// CHECK:         dl.load @s.count
// CHECK:         %[[P:.*]] = dl.load @w
// CHECK:         %[[DECAY:.*]] = dl.constant dense<0.00999999977> : tensor<f32>
// CHECK:         dl.mul %[[P]], %{{.*}}
// CHECK:         dl.store %{{.*}}, @s.exp_avg.w
// CHECK:         dl.store %{{.*}}, @s.exp_avg_sq.w
// CHECK:         dl.pow
// CHECK:         dl.pow
// CHECK:         dl.sqrt
// CHECK:         dl.store %{{.*}}, @w
// CHECK-DAG:   dl.buffer @s.exp_avg.w : tensor<3xf32> = "zeros"
// CHECK-DAG:   dl.buffer @s.exp_avg_sq.w : tensor<3xf32> = "zeros"

// -----

// Tests that clip_grad_norm scales every gradient by min(1, max_norm / (norm + 1e-6)) and that
// L2 weight decay is added to the clipped gradient.
dl.model @m {
  dl.param @a : tensor<2xf32> = "zeros"
  dl.param @b : tensor<2xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %a = dl.load @a : tensor<2xf32>
    %b = dl.load @b : tensor<2xf32>
    %s = dl.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %l = dl.sum %s : (tensor<2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@a, @b] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 5.0e-4 clip_grad_norm 1.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.update()
// CHECK:         %[[NORM:.*]] = dl.sqrt %{{.*}} : tensor<f32>
// CHECK:         %[[EPS:.*]] = dl.constant dense<9.99999997E-7> : tensor<f32>
// CHECK:         dl.add %[[NORM]], %[[EPS]]
// CHECK:         %[[COEF:.*]] = dl.minimum
// CHECK:         dl.mul %{{.*}}, %[[COEF]]
// CHECK:         dl.mul %{{.*}}, %[[COEF]]
// CHECK:         %[[WD:.*]] = dl.constant dense<5.000000e-04> : tensor<f32>
// CHECK-NOT:     dl.buffer
// CHECK:         dl.store %{{.*}}, @a
// CHECK:         dl.store %{{.*}}, @b

// -----

// Tests that a step schedule decays the learning rate by gamma^floor(k / every).
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    %l = dl.sum %w : (tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "adagrad" {lr = 0.1 : f64, eps = 1.0e-10 : f64} weight_decay 0.0 schedule "step" {every = 10 : i64, gamma = 5.0e-1 : f64}
}
// CHECK-LABEL: func.func @s.update()
// CHECK:         %[[K:.*]] = dl.cast %{{.*}} : (tensor<i32>) -> tensor<f32>
// CHECK:         %[[EVERY:.*]] = dl.constant dense<1.000000e+01> : tensor<f32>
// CHECK:         %[[Q:.*]] = dl.div %[[K]], %[[EVERY]]
// CHECK:         %[[FI:.*]] = dl.cast %[[Q]] : (tensor<f32>) -> tensor<i32>
// CHECK:         %[[F:.*]] = dl.cast %[[FI]] : (tensor<i32>) -> tensor<f32>
// CHECK:         %[[GAMMA:.*]] = dl.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         dl.pow %[[GAMMA]], %[[F]]
// CHECK:         dl.store %{{.*}}, @s.sum.w
