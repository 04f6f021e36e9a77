// RUN: dl-opt %s -split-input-file -dl-fuse -dl-plan-memory | FileCheck %s

// Tests that values whose lifetimes do not overlap share arena bytes, that a returned value is
// written straight into the caller's buffer, and the byte counts on the model and its state.
// CHECK-LABEL: dl.model @m
// CHECK-SAME: dl.param_bytes = 64
// CHECK-SAME: dl.state_bytes = 64
// CHECK-SAME: dl.workspace_bytes = 128
// CHECK: dl.param @w {{.*}}dl.offset = 0
// CHECK: dl.buffer @v {{.*}}dl.offset = 64
// CHECK: dl.fusion "m_forward_k0"{{.*}}dl.slots = [#dl.slot<arena 0>]
// CHECK: dl.fusion "m_forward_k1"{{.*}}dl.slots = [#dl.slot<arena 64>]
// CHECK: dl.fusion "m_forward_k2"{{.*}}dl.slots = [#dl.slot<arena 0>]
// CHECK: dl.fusion "m_forward_k3"{{.*}}dl.slots = [#dl.slot<output 0>]
dl.model @m {
  dl.param @w : tensor<4x4xf32> = "zeros"
  dl.buffer @v : tensor<4x4xf32> = "zeros"
  func.func @forward(%x: tensor<4x4xf32> {dl.input = "x"}) -> (tensor<4x4xf32> {dl.output = "y"}) {
    %w = dl.load @w : tensor<4x4xf32>
    %a = dl.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %b = dl.matmul %a, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %c = dl.matmul %b, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %d = dl.matmul %c, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    return %d : tensor<4x4xf32>
  }
}

// -----

// Tests that an element-wise update is written in place into the parameter it replaces.
// CHECK-LABEL: func.func @s.update
// CHECK: dl.fusion {{.*}}dl.slots = [#dl.slot<state @w>]
// CHECK: dl.store
dl.model @m {
  dl.param @w : tensor<4x4xf32> = "zeros"
  func.func @s.loss() -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<4x4xf32>
    %l = dl.sum %w : (tensor<4x4xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  func.func @s.update(%g: tensor<4x4xf32> {dl.input = "g"}) -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<4x4xf32>
    %lr = dl.constant dense<0.1> : tensor<f32>
    %s = dl.mul %g, %lr : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    %n = dl.sub %w, %s : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    dl.store %n, @w : tensor<4x4xf32>
    %l = dl.sum %g : (tensor<4x4xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}

// -----

// Tests that a new value stays in the arena (and is copied at the end) when a later kernel still
// reads the old one.
// CHECK-LABEL: func.func @s.update
// CHECK: %[[N:.*]] = dl.fusion {{.*}}dl.slots = [#dl.slot<arena {{[0-9]+}}>]
// CHECK: dl.fusion {{.*}}(%[[N]]
// CHECK-SAME: dl.slots = [#dl.slot<output 0>]
dl.model @m {
  dl.param @w : tensor<4x4xf32> = "zeros"
  func.func @s.loss() -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<4x4xf32>
    %l = dl.sum %w : (tensor<4x4xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  func.func @s.update(%g: tensor<4x4xf32> {dl.input = "g"}) -> (tensor<f32> {dl.loss = "s"}) {
    %w = dl.load @w : tensor<4x4xf32>
    %n = dl.sub %w, %g : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %q = dl.matmul %n, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %l = dl.sum %q : (tensor<4x4xf32>) -> tensor<f32>
    dl.store %n, @w : tensor<4x4xf32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
