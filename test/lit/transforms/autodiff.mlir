// RUN: dl-opt %s -split-input-file -dl-autodiff | FileCheck %s

// Tests that a matmul's weight gradient is x^T dy, reusing the forward input, and that the loss
// function itself is left as it was.
dl.model @m {
  dl.param @w : tensor<2x3xf32> = "zeros"
  func.func @s.loss(%x: tensor<4x2xf32>) -> tensor<f32> {
    %w = dl.load @w : tensor<2x3xf32>
    %y = dl.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
    %l = dl.sum %y : (tensor<4x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.loss(
// CHECK-NOT:     dl.transpose
// CHECK:         return
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[X:.*]]: tensor<4x2xf32>) -> (tensor<f32> {dl.loss = "s"}, tensor<2x3xf32> {dl.grad = "w"})
// CHECK:         %[[L:.*]] = dl.sum
// CHECK:         %[[ONE:.*]] = dl.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[R:.*]] = dl.reshape %[[ONE]] : (tensor<f32>) -> tensor<1x1xf32>
// CHECK:         %[[DY:.*]] = dl.broadcast_to %[[R]] : (tensor<1x1xf32>) -> tensor<4x3xf32>
// CHECK:         %[[XT:.*]] = dl.transpose %[[X]] {perm = array<i64: 1, 0>}
// CHECK:         %[[DW:.*]] = dl.matmul %[[XT]], %[[DY]] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK:         return %[[L]], %[[DW]]

// -----

// Tests that the gradient of a broadcast operand is summed back to its shape.
dl.model @m {
  dl.param @b : tensor<3xf32> = "zeros"
  func.func @s.loss(%x: tensor<4x3xf32>) -> tensor<f32> {
    %b = dl.load @b : tensor<3xf32>
    %y = dl.add %x, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    %l = dl.mean %y : (tensor<4x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@b] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK:         %[[DB:.*]] = dl.sum %{{.*}} {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<3xf32>
// CHECK:         return %{{.*}}, %[[DB]]

// -----

// Tests that relu passes the gradient where its input is positive.
dl.model @m {
  dl.param @w : tensor<3xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<3xf32>
    %r = dl.relu %w : tensor<3xf32>
    %l = dl.sum %r : (tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK:         %[[W:.*]] = dl.load @w
// CHECK:         %[[POS:.*]] = dl.cmp gt, %[[W]], %{{.*}} : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
// CHECK:         %[[DW:.*]] = dl.select %[[POS]], %{{.*}}, %{{.*}} : (tensor<3xi1>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
// CHECK:         return %{{.*}}, %[[DW]]

// -----

// Tests that softmax cross-entropy on class ids differentiates to (softmax(z) - onehot(y)) / K for
// the K samples whose label is not ignore_index (-100), and to 0 for the others: the mask m scales
// softmax(z) and the one-hot, and the mean's divisor is the sum of m.
dl.model @m {
  dl.param @w : tensor<5x10xf32> = "zeros"
  func.func @s.loss(%x: tensor<8x5xf32>, %y: tensor<8xi32>) -> tensor<f32> {
    %w = dl.load @w : tensor<5x10xf32>
    %z = dl.matmul %x, %w : (tensor<8x5xf32>, tensor<5x10xf32>) -> tensor<8x10xf32>
    %l = dl.cross_entropy %z, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[X:.*]]: tensor<8x5xf32>, %[[Y:.*]]: tensor<8xi32>
// CHECK:         %[[Z:.*]] = dl.matmul %[[X]]
// CHECK:         %[[HOT:.*]] = dl.one_hot %[[Y]] {classes = 10 : i64} : (tensor<8xi32>) -> tensor<8x10xf32>
// CHECK:         %[[II:.*]] = dl.constant dense<-100> : tensor<i32>
// CHECK:         %[[KEPT:.*]] = dl.cmp  ne, %[[Y]], %[[II]]
// CHECK:         %[[MF:.*]] = dl.cast %[[KEPT]] : (tensor<8xi1>) -> tensor<8xf32>
// CHECK:         %[[M:.*]] = dl.reshape %[[MF]] : (tensor<8xf32>) -> tensor<8x1xf32>
// CHECK:         %[[T:.*]] = dl.mul %[[M]], %[[HOT]]
// CHECK:         %[[K:.*]] = dl.sum %[[M]] {axes = array<i64: 0, 1>} : (tensor<8x1xf32>) -> tensor<f32>
// CHECK:         %[[G:.*]] = dl.div %{{.*}}, %[[K]]
// CHECK:         %[[ROWG:.*]] = dl.select %{{.*}}, %[[G]], %{{.*}} : (tensor<8x1xi1>, tensor<f32>, tensor<f32>) -> tensor<8x1xf32>
// CHECK:         %[[P:.*]] = dl.softmax %[[Z]] : tensor<8x10xf32>
// CHECK:         %[[PM:.*]] = dl.mul %[[P]], %[[M]]
// CHECK:         %[[D:.*]] = dl.sub %[[PM]], %[[T]]
// CHECK:         dl.mul %[[ROWG]], %[[D]]

// -----

// Tests that a trained class weight w gets the gradient of cross-entropy's weighted mean
// sum_i w[y_i] l_i / D, D = sum_i w[y_i]: sum_i G T_i (-log_softmax(z)_i) - dy L / D * counts, the
// second term from the denominator (L the loss, counts the kept samples of each class).
dl.model @m {
  dl.param @cw : tensor<10xf32> = "ones"
  func.func @s.loss(%z: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<f32> {
    %w = dl.load @cw : tensor<10xf32>
    %l = dl.cross_entropy %z, %y weight %w {ignore_index = 0 : i64} : (tensor<8x10xf32>, tensor<8xi32>, tensor<10xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@cw] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK:         %[[L:.*]] = dl.cross_entropy %{{.*}}, %{{.*}} weight %[[W:.*]] {ignore_index = 0 : i64}
// CHECK:         %[[PICKED:.*]] = dl.mul %{{.*}}, %{{.*}} : (tensor<8x1xf32>, tensor<8x10xf32>) -> tensor<8x10xf32>
// CHECK:         %[[D:.*]] = dl.sum %{{.*}} {axes = array<i64: 0, 1>} : (tensor<8x10xf32>) -> tensor<f32>
// CHECK:         %[[LOGP:.*]] = dl.log_softmax
// CHECK:         %[[TERM:.*]] = dl.sum %{{.*}} {axes = array<i64: 0>} : (tensor<8x10xf32>) -> tensor<10xf32>
// CHECK:         %[[COUNTS:.*]] = dl.sum %[[PICKED]] {axes = array<i64: 0>} : (tensor<8x10xf32>) -> tensor<10xf32>
// CHECK:         %[[DYL:.*]] = dl.mul %{{.*}}, %[[L]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK:         %[[SHARE:.*]] = dl.div %[[DYL]], %[[D]]
// CHECK:         %[[CORR:.*]] = dl.mul %[[SHARE]], %[[COUNTS]]
// CHECK:         %[[DW:.*]] = dl.sub %[[TERM]], %[[CORR]]
// CHECK:         return %[[L]], %[[DW]]

// -----

// Tests that a weight used twice gets the sum of both uses' gradients.
dl.model @m {
  dl.param @w : tensor<3x3xf32> = "zeros"
  func.func @s.loss(%x: tensor<2x3xf32>) -> tensor<f32> {
    %w = dl.load @w : tensor<3x3xf32>
    %h = dl.matmul %x, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %w2 = dl.load @w : tensor<3x3xf32>
    %o = dl.matmul %h, %w2 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %l = dl.sum %o : (tensor<2x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK:         %[[D2:.*]] = dl.matmul %{{.*}}, %{{.*}} : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK:         %[[D1:.*]] = dl.matmul %{{.*}}, %{{.*}} : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK:         %[[DW:.*]] = dl.add %[[D1]], %[[D2]] : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
// CHECK:         return %{{.*}}, %[[DW]]

// -----

// Tests that a parameter the loss does not use gets a zero gradient.
dl.model @m {
  dl.param @w : tensor<2xf32> = "zeros"
  dl.param @unused : tensor<4xf32> = "zeros"
  func.func @s.loss() -> tensor<f32> {
    %w = dl.load @w : tensor<2xf32>
    %l = dl.sum %w : (tensor<2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w, @unused] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK:         %[[Z:.*]] = dl.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:         return %{{.*}}, %{{.*}}, %[[Z]] : tensor<f32>, tensor<2xf32>, tensor<4xf32>
