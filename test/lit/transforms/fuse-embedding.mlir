// RUN: dl-opt %s -split-input-file -dl-fuse -dl-plan-memory | FileCheck %s

// How dl-fuse and dl-plan-memory treat the embedding ops (OpKinds.cpp): the lookup is an index op,
// the scatter-add of its gradient a reduction.

// Tests that the lookup fuses into its consumers, a matmul's included (as an operand the matmul
// reads), so that no kernel writes the gathered rows only for the next to read them.
// CHECK-LABEL: func.func @forward
// CHECK: %[[W:.*]] = dl.load @w
// CHECK: %[[Y:.*]] = dl.fusion "m_forward_k0"(%arg0, %[[W]], %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   dl.embedding
// CHECK-NEXT:   dl.matmul
// CHECK-NEXT:   dl.tanh
// CHECK-NEXT:   dl.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[Y]]
dl.model @m {
  dl.param @w : tensor<10x4xf32> = "normal" {mean = 0.0 : f64, std = 1.0 : f64}
  dl.param @u : tensor<4x3xf32> = "zeros"
  func.func @forward(%ids: tensor<2x5xi32> {dl.input = "ids"}) -> (tensor<2x5x3xf32> {dl.output = "y"}) {
    %w = dl.load @w : tensor<10x4xf32>
    %u = dl.load @u : tensor<4x3xf32>
    %e = dl.embedding %ids, %w : (tensor<2x5xi32>, tensor<10x4xf32>) -> tensor<2x5x4xf32>
    %h = dl.matmul %e, %u : (tensor<2x5x4xf32>, tensor<4x3xf32>) -> tensor<2x5x3xf32>
    %y = dl.tanh %h : tensor<2x5x3xf32>
    return %y : tensor<2x5x3xf32>
  }
}

// -----

// Tests that the scatter-add takes in the matmul that produces its incoming gradient and gives its
// result to the optimizer's element-wise update in the same kernel, which writes the table in place.
// CHECK-LABEL: func.func @s.update
// CHECK: dl.fusion "m_s_update_k0"({{.*}}dl.slots = [#dl.slot<state @w>]
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   dl.transpose
// CHECK-NEXT:   dl.matmul
// CHECK-NEXT:   dl.embedding_grad
// CHECK-NEXT:   dl.constant
// CHECK-NEXT:   dl.mul
// CHECK-NEXT:   dl.sub
// CHECK-NEXT:   dl.yield
dl.model @m {
  dl.param @w : tensor<10x4xf32> = "zeros"
  dl.param @u : tensor<4x3xf32> = "zeros"
  func.func @s.loss() -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<10x4xf32>
    %l = dl.sum %w : (tensor<10x4xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  func.func @s.update(%ids: tensor<2x5xi32> {dl.input = "ids"}, %dy: tensor<2x5x3xf32> {dl.input = "dy"}) -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<10x4xf32>
    %u = dl.load @u : tensor<4x3xf32>
    %ut = dl.transpose %u {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
    %g = dl.matmul %dy, %ut : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
    %s = dl.embedding_grad %ids, %g {rows = 10 : i64} : (tensor<2x5xi32>, tensor<2x5x4xf32>) -> tensor<10x4xf32>
    %lr = dl.constant dense<0.1> : tensor<f32>
    %step = dl.mul %s, %lr : (tensor<10x4xf32>, tensor<f32>) -> tensor<10x4xf32>
    %n = dl.sub %w, %step : (tensor<10x4xf32>, tensor<10x4xf32>) -> tensor<10x4xf32>
    dl.store %n, @w : tensor<10x4xf32>
    %l = dl.sum %dy : (tensor<2x5x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that rows gathered from a table are never written over that table in place, even when the
// ids give them the table's shape: an element is not read where it is written, so a later row
// could read a row already overwritten.
// CHECK-LABEL: func.func @s.update
// CHECK: dl.fusion "m_s_update_k0"({{.*}}dl.slots = [#dl.slot<arena {{[0-9]+}}>]
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   dl.embedding
// CHECK-NEXT:   dl.tanh
// CHECK-NEXT:   dl.yield
dl.model @m {
  dl.param @w : tensor<4x3xf32> = "zeros"
  func.func @s.loss() -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<4x3xf32>
    %l = dl.sum %w : (tensor<4x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  func.func @s.update(%ids: tensor<4xi32> {dl.input = "ids"}) -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<4x3xf32>
    %e = dl.embedding %ids, %w : (tensor<4xi32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %n = dl.tanh %e : tensor<4x3xf32>
    dl.store %n, @w : tensor<4x3xf32>
    %l = dl.constant dense<0.0> : tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
