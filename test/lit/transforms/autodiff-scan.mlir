// RUN: dl-opt %s -split-input-file -dl-autodiff | FileCheck %s

// Backpropagation through time: dl-autodiff differentiates a dl.scan with a scan running the
// other way. Its sequences are the forward sequences, the forward's carry histories and the
// gradients of the float stacks; its carries are the gradients of the forward carries (seeded by
// the final carries' gradients, zero when the loss does not read them) and one zero-initialized
// accumulator per active captured value; its captures are the forward's. Its body recomputes the
// step from the slice and the history, then runs the step's gradient. Errors are in
// autodiff-scan-invalid.mlir.

// Tests an Elman RNN whose loss reads the stacked states: the reverse scan reads the sequence, the
// history and the stack's gradient, carries d(h) from zero and a zero-initialized accumulator for
// the captured weight, recomputes matmul, add and tanh from the history before their gradients,
// and yields d(h) for the step before and the weight's running sum. The initial state's gradient
// is the reverse scan's final d(h), the weight's its final sum; the sequence, a plain input, gets
// none. The loss function itself keeps its single scan.
dl.model @m {
  dl.param @w : tensor<2x2xf32> = "zeros"
  dl.param @h0 : tensor<4x2xf32> = "zeros"
  func.func @s.loss(%xs: tensor<3x4x2xf32>) -> tensor<f32> {
    %w = dl.load @w : tensor<2x2xf32>
    %h0 = dl.load @h0 : tensor<4x2xf32>
    %r:3 = dl.scan (%xs) carry (%h0) captures (%w) {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %w0: tensor<2x2xf32>):
      %p = dl.matmul %h, %w0 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %x, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %n = dl.tanh %s : tensor<4x2xf32>
      dl.scan_yield %n, %n : tensor<4x2xf32>, tensor<4x2xf32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>)
    %l = dl.sum %r#1 : (tensor<3x4x2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@w, @h0] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.loss(
// CHECK:         dl.scan(
// CHECK-NOT:     dl.scan(
// CHECK:         return
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[XS:.*]]: tensor<3x4x2xf32>) -> (tensor<f32> {dl.loss = "s"}, tensor<2x2xf32> {dl.grad = "w"}, tensor<4x2xf32> {dl.grad = "h0"})
// CHECK:         %[[W:.*]] = dl.load @w
// CHECK:         %[[H0:.*]] = dl.load @h0
// CHECK:         %[[F:.*]]:3 = dl.scan(%[[XS]]) carry(%[[H0]]) captures(%[[W]]) {
// CHECK:         } : (tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>)
// CHECK:         %[[L:.*]] = dl.sum %[[F]]#1
// CHECK:         %[[DHS:.*]] = dl.broadcast_to %{{.*}} : (tensor<1x1x1xf32>) -> tensor<3x4x2xf32>
// CHECK:         %[[DH0:.*]] = dl.constant dense<0.000000e+00> : tensor<4x2xf32>
// CHECK:         %[[DW0:.*]] = dl.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK:         %[[B:.*]]:4 = dl.scan(%[[XS]], %[[F]]#2, %[[DHS]]) carry(%[[DH0]], %[[DW0]]) captures(%[[W]]) attributes {reverse} {
// CHECK-NEXT:    ^bb0(%[[X:.*]]: tensor<4x2xf32>, %[[H:.*]]: tensor<4x2xf32>, %[[DN:.*]]: tensor<4x2xf32>, %[[DH:.*]]: tensor<4x2xf32>, %[[SUM:.*]]: tensor<2x2xf32>, %[[WC:.*]]: tensor<2x2xf32>):
// The step, recomputed from the history.
// CHECK-NEXT:      %[[P:.*]] = dl.matmul %[[H]], %[[WC]] : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT:      %[[S:.*]] = dl.add %[[X]], %[[P]]
// CHECK-NEXT:      %[[N:.*]] = dl.tanh %[[S]]
// Its gradient: the state feeds both the next step and the stack.
// CHECK-NEXT:      %[[G:.*]] = dl.add %[[DH]], %[[DN]]
// CHECK-NEXT:      %[[N2:.*]] = dl.mul %[[N]], %[[N]]
// CHECK-NEXT:      %[[ONE:.*]] = dl.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:      %[[D:.*]] = dl.sub %[[ONE]], %[[N2]]
// CHECK-NEXT:      %[[DS:.*]] = dl.mul %[[G]], %[[D]]
// CHECK-NEXT:      %[[WT:.*]] = dl.transpose %[[WC]] {perm = array<i64: 1, 0>}
// CHECK-NEXT:      %[[DHP:.*]] = dl.matmul %[[DS]], %[[WT]]
// CHECK-NEXT:      %[[HT:.*]] = dl.transpose %[[H]] {perm = array<i64: 1, 0>}
// CHECK-NEXT:      %[[DW:.*]] = dl.matmul %[[HT]], %[[DS]] : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT:      %[[NSUM:.*]] = dl.add %[[SUM]], %[[DW]]
// CHECK-NEXT:      dl.scan_yield %[[DHP]], %[[NSUM]] : tensor<4x2xf32>, tensor<2x2xf32>
// CHECK-NEXT:    } : (tensor<3x4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<2x2xf32>, tensor<3x4x2xf32>, tensor<3x2x2xf32>)
// CHECK-NEXT:    return %[[L]], %[[B]]#1, %[[B]]#0 : tensor<f32>, tensor<2x2xf32>, tensor<4x2xf32>

// -----

// Tests a `reverse` scan whose loss reads only its final carry, with an active sequence (scaled by
// a parameter) and an integer sequence emitted as is: the gradient scan runs forward, its carry
// starts from the final carry's gradient, the integer sequence is read to recompute the step but
// its stack gets no gradient sequence, and the sequence's gradient is the reverse scan's stack,
// which flows on to the scale.
dl.model @m {
  dl.param @a : tensor<2xf32> = "zeros"
  dl.param @u : tensor<2xf32> = "zeros"
  func.func @s.loss(%xs: tensor<3x2xf32>, %ids: tensor<3x2xi32>) -> tensor<f32> {
    %a = dl.load @a : tensor<2xf32>
    %u = dl.load @u : tensor<2xf32>
    %ys = dl.mul %xs, %a : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
    %c0 = dl.constant dense<0.0> : tensor<2xf32>
    %r:3 = dl.scan (%ys, %ids) carry (%c0) captures (%u) attributes {reverse} {
    ^bb0(%y: tensor<2xf32>, %i: tensor<2xi32>, %c: tensor<2xf32>, %u0: tensor<2xf32>):
      %m = dl.mul %c, %u0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      %n = dl.add %m, %y : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      dl.scan_yield %n, %i : tensor<2xf32>, tensor<2xi32>
    } : (tensor<3x2xf32>, tensor<3x2xi32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xi32>, tensor<3x2xf32>)
    %l = dl.sum %r#0 : (tensor<2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  dl.train @s loss @s.loss params [@a, @u] optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false} weight_decay 0.0 schedule "constant" {}
}
// CHECK-LABEL: func.func @s.grad(
// CHECK-SAME:      %[[XS:.*]]: tensor<3x2xf32>, %[[IDS:.*]]: tensor<3x2xi32>)
// CHECK:         %[[U:.*]] = dl.load @u
// CHECK:         %[[YS:.*]] = dl.mul %[[XS]], %{{.*}}
// CHECK:         %[[F:.*]]:3 = dl.scan(%[[YS]], %[[IDS]]) carry(%{{.*}}) captures(%[[U]]) attributes {reverse} {
// CHECK:         %[[DC:.*]] = dl.broadcast_to %{{.*}} : (tensor<1xf32>) -> tensor<2xf32>
// CHECK:         %[[DU0:.*]] = dl.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK:         %[[B:.*]]:5 = dl.scan(%[[YS]], %[[IDS]], %[[F]]#2) carry(%[[DC]], %[[DU0]]) captures(%[[U]]) {
// CHECK-NEXT:    ^bb0(%[[Y:.*]]: tensor<2xf32>, %{{.*}}: tensor<2xi32>, %[[C:.*]]: tensor<2xf32>, %[[G:.*]]: tensor<2xf32>, %[[SUM:.*]]: tensor<2xf32>, %[[UC:.*]]: tensor<2xf32>):
// CHECK-NEXT:      dl.mul %[[C]], %[[UC]]
// CHECK-NEXT:      dl.add %{{.*}}, %[[Y]]
// CHECK-NEXT:      %[[DU:.*]] = dl.mul %[[G]], %[[C]]
// CHECK-NEXT:      %[[DCP:.*]] = dl.mul %[[G]], %[[UC]]
// CHECK-NEXT:      %[[NSUM:.*]] = dl.add %[[SUM]], %[[DU]]
// CHECK-NEXT:      dl.scan_yield %[[DCP]], %[[NSUM]], %[[G]] : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
// CHECK-NEXT:    } : (tensor<3x2xf32>, tensor<3x2xi32>, tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-NEXT:    %[[DA:.*]] = dl.mul %[[B]]#2, %[[XS]]
// CHECK-NEXT:    %[[DAS:.*]] = dl.sum %[[DA]] {axes = array<i64: 0>}
// CHECK-NEXT:    return %{{.*}}, %[[DAS]], %[[B]]#1
