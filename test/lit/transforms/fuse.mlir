// RUN: dl-opt %s -split-input-file -dl-fuse | FileCheck %s

// Tests that a matmul takes its bias and activation as an epilogue, that the next matmul starts a
// new kernel, and that loads stay outside the kernels as their inputs.
// CHECK-LABEL: func.func @forward
// CHECK: %[[W:.*]] = dl.load @w
// CHECK: %[[B:.*]] = dl.load @b
// CHECK: %[[H:.*]] = dl.fusion "m_forward_k0"(%arg0, %[[W]], %[[B]])
// CHECK:   dl.matmul
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.relu
// CHECK-NEXT: dl.yield
// CHECK: %[[Y:.*]] = dl.fusion "m_forward_k1"(%[[W]], %[[H]])
// CHECK:   dl.transpose
// CHECK-NEXT: dl.matmul
// CHECK: return %[[Y]]
dl.model @m {
  dl.param @w : tensor<4x4xf32> = "zeros"
  dl.param @b : tensor<4xf32> = "zeros"
  func.func @forward(%x: tensor<2x4xf32> {dl.input = "x"}) -> (tensor<2x4xf32> {dl.output = "y"}) {
    %w = dl.load @w : tensor<4x4xf32>
    %b = dl.load @b : tensor<4xf32>
    %0 = dl.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %1 = dl.add %0, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %2 = dl.relu %1 : tensor<2x4xf32>
    %t = dl.transpose %w {perm = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %3 = dl.matmul %2, %t : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    return %3 : tensor<2x4xf32>
  }
}

// -----

// Tests that a value used by a later kernel leaves its kernel as a second output (a value kept for
// the backward pass), and that a shared scalar constant is recomputed in each kernel.
// CHECK-LABEL: func.func @forward
// CHECK: %[[K:.*]]:2 = dl.fusion "m_forward_k0"
// CHECK:   dl.constant dense<2.000000e+00>
// CHECK:   dl.yield
// CHECK: dl.fusion "m_forward_k1"(%[[K]]#{{[01]}}, %[[K]]#{{[01]}})
// CHECK:   dl.constant dense<2.000000e+00>
// CHECK:   dl.matmul
dl.model @m {
  func.func @forward(%x: tensor<2x2xf32> {dl.input = "x"}) -> (tensor<2x2xf32> {dl.output = "y"}) {
    %c = dl.constant dense<2.0> : tensor<f32>
    %0 = dl.mul %x, %c : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %1 = dl.tanh %0 : tensor<2x2xf32>
    %2 = dl.matmul %1, %0 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %3 = dl.mul %2, %c : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    return %3 : tensor<2x2xf32>
  }
}

// -----

// Tests that softmax and cross-entropy of the same logits share one kernel, and that a load after a
// store of the same symbol reads the stored value while every store moves to the end.
// CHECK-LABEL: func.func @eval
// CHECK: %[[K:.*]]:2 = dl.fusion
// CHECK-DAG: dl.softmax
// CHECK-DAG: dl.cross_entropy
// CHECK-NOT: dl.fusion
// CHECK: dl.store
// CHECK-NEXT: return
dl.model @m {
  dl.buffer @s : tensor<4x3xf32> = "zeros"
  func.func @eval(%l: tensor<4x3xf32> {dl.input = "l"}, %y: tensor<4xi32> {dl.input = "y"})
      -> (tensor<f32> {dl.loss = "ce"}, tensor<4x3xf32> {dl.output = "p"}) {
    dl.store %l, @s : tensor<4x3xf32>
    %r = dl.load @s : tensor<4x3xf32>
    %p = dl.softmax %r : tensor<4x3xf32>
    %c = dl.cross_entropy %r, %y : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
    return %c, %p : tensor<f32>, tensor<4x3xf32>
  }
}

// -----

// Tests that a chain of reshapes and transposes joins its consumer whole (the matmul reads x through
// both), while a concatenation stays a kernel of its own: read through by the product, it would be
// a select per element (an unrolled scan stacks 64 steps this way).
// CHECK-LABEL: func.func @forward
// CHECK: %[[C:.*]] = dl.fusion "m_forward_k0"(%arg0)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   dl.concat
// CHECK-NEXT:   dl.yield
// CHECK: dl.fusion "m_forward_k1"(%arg0, %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   dl.reshape
// CHECK-NEXT:   dl.transpose
// CHECK-NEXT:   dl.matmul
// CHECK-NEXT:   dl.yield
// CHECK: dl.fusion "m_forward_k2"(%[[C]], %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   dl.reshape
// CHECK-NEXT:   dl.matmul
// CHECK-NEXT:   dl.yield
dl.model @m {
  dl.param @w : tensor<3x4xf32> = "zeros"
  dl.param @u : tensor<12x4xf32> = "zeros"
  func.func @forward(%x: tensor<2x6xf32> {dl.input = "x"}) -> (tensor<2x2x4xf32> {dl.output = "y"}, tensor<2x4xf32> {dl.output = "z"}) {
    %w = dl.load @w : tensor<3x4xf32>
    %u = dl.load @u : tensor<12x4xf32>
    %c = dl.concat %x, %x {axis = 0 : i64} : (tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<4x6xf32>
    %r = dl.reshape %x : (tensor<2x6xf32>) -> tensor<2x2x3xf32>
    %t = dl.transpose %r {perm = array<i64: 1, 0, 2>} : (tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
    %y = dl.matmul %t, %w : (tensor<2x2x3xf32>, tensor<3x4xf32>) -> tensor<2x2x4xf32>
    %rc = dl.reshape %c : (tensor<4x6xf32>) -> tensor<2x12xf32>
    %z = dl.matmul %rc, %u : (tensor<2x12xf32>, tensor<12x4xf32>) -> tensor<2x4xf32>
    return %y, %z : tensor<2x2x4xf32>, tensor<2x4xf32>
  }
}
