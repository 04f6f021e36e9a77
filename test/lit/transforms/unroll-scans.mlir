// RUN: dl-opt %s -dl-unroll-scans='max-steps=8' | FileCheck %s

// Tests that dl-unroll-scans turns each scan of at most `max-steps` steps of an entry function into
// its steps: one split of the sequence and a reshape per slice, a copy of the body per step with every op tagged
// `dl.step = t` (a later scan of the function counting on from the last step of the one before)
// and the carry threaded from step to step, captures read directly, the steps of a
// `reverse` scan in the order T-1 down to 0, each used stack (a rank-0 emit reshaped to [1] first)
// and each used history concatenated in step order, no concatenation for an unused stack, and a
// stack that a later scan reads as its sequence (the history read by a backward scan) handed over
// step by step rather than split again. Ops of the body that read only captures (or nothing) run
// once, untagged, before the steps, except random ops, which draw in every step. Functions other
// than the entries keep their scans.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[XS:.*]]: tensor<3x4x2xf32> {dl.input = "x"})
// CHECK: %[[W:.*]] = dl.load @w
// CHECK: %[[H0:.*]] = dl.constant dense<0.000000e+00> : tensor<4x2xf32>
// CHECK: %[[P:.*]]:3 = dl.split %[[XS]] {axis = 0 : i64, parts = 3 : i64} : (tensor<3x4x2xf32>) -> (tensor<1x4x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>)
// CHECK-NEXT: %[[X0:.*]] = dl.reshape %[[P]]#0 {dl.step = 0 : i64} : (tensor<1x4x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: %[[X1:.*]] = dl.reshape %[[P]]#1 {dl.step = 1 : i64} : (tensor<1x4x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: %[[X2:.*]] = dl.reshape %[[P]]#2 {dl.step = 2 : i64} : (tensor<1x4x2xf32>) -> tensor<4x2xf32>
// Step 0 reads the initial carry, each later step the state the one before left.
// CHECK-NEXT: %[[M0:.*]] = dl.matmul %[[H0]], %[[W]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[A0:.*]] = dl.add %[[X0]], %[[M0]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[N0:.*]] = dl.tanh %[[A0]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[E0:.*]] = dl.sum %[[N0]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[MN0:.*]] = dl.mean %[[N0]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[M1:.*]] = dl.matmul %[[N0]], %[[W]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[A1:.*]] = dl.add %[[X1]], %[[M1]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[N1:.*]] = dl.tanh %[[A1]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[E1:.*]] = dl.sum %[[N1]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[MN1:.*]] = dl.mean %[[N1]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[M2:.*]] = dl.matmul %[[N1]], %[[W]] {dl.step = 2 : i64}
// CHECK-NEXT: %[[A2:.*]] = dl.add %[[X2]], %[[M2]] {dl.step = 2 : i64}
// CHECK-NEXT: %[[N2:.*]] = dl.tanh %[[A2]] {dl.step = 2 : i64}
// CHECK-NEXT: %[[E2:.*]] = dl.sum %[[N2]] {dl.step = 2 : i64}
// CHECK-NEXT: %[[MN2:.*]] = dl.mean %[[N2]] {dl.step = 2 : i64}
// The stacked states, in step order.
// CHECK-NEXT: %[[HC:.*]] = dl.concat %[[N0]], %[[N1]], %[[N2]] {axis = 0 : i64} : (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<12x2xf32>
// CHECK-NEXT: %[[HS:.*]] = dl.reshape %[[HC]] : (tensor<12x2xf32>) -> tensor<3x4x2xf32>
// The stacked sums: each step's scalar reshaped to [1] in its step, then concatenated to [3].
// CHECK-NEXT: %[[R0:.*]] = dl.reshape %[[E0]] {dl.step = 0 : i64} : (tensor<f32>) -> tensor<1xf32>
// CHECK-NEXT: %[[R1:.*]] = dl.reshape %[[E1]] {dl.step = 1 : i64} : (tensor<f32>) -> tensor<1xf32>
// CHECK-NEXT: %[[R2:.*]] = dl.reshape %[[E2]] {dl.step = 2 : i64} : (tensor<f32>) -> tensor<1xf32>
// CHECK-NEXT: %[[ES:.*]] = dl.concat %[[R0]], %[[R1]], %[[R2]] {axis = 0 : i64} : (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3xf32>
// The stacked means are unused: nothing concatenates them. The history (the carry entering each
// step: the initial state, then the states of steps 0 and 1) is the reverse scan's sequence.
// CHECK-NOT: %[[MN0]]{{[ ,)]}}
// CHECK-NOT: %[[MN1]]{{[ ,)]}}
// CHECK-NOT: %[[MN2]]{{[ ,)]}}
// CHECK-NOT: dl.split
// CHECK: %[[Z:.*]] = dl.constant dense<0.000000e+00> : tensor<4x2xf32>
// The reverse scan: steps 2, 1, 0, reading the history's step values directly.
// CHECK-NEXT: %[[B2:.*]] = dl.add %[[Z]], %[[N1]] {dl.step = 5 : i64}
// CHECK-NEXT: %[[B1:.*]] = dl.add %[[B2]], %[[N0]] {dl.step = 4 : i64}
// CHECK-NEXT: %[[B0:.*]] = dl.add %[[B1]], %[[H0]] {dl.step = 3 : i64}
// Its stack is still indexed by step.
// CHECK-NEXT: %[[BC:.*]] = dl.concat %[[B0]], %[[B1]], %[[B2]] {axis = 0 : i64}
// CHECK-NEXT: %[[BS:.*]] = dl.reshape %[[BC]] : (tensor<12x2xf32>) -> tensor<3x4x2xf32>
// CHECK-NEXT: return %[[HS]], %[[ES]], %[[BS]], %[[N2]] : tensor<3x4x2xf32>, tensor<3xf32>, tensor<3x4x2xf32>, tensor<4x2xf32>
// CHECK-NOT: dl.scan(
// CHECK-LABEL: func.func @eval
// CHECK: %[[W:.*]] = dl.load @w
// CHECK: %[[H0:.*]] = dl.constant dense<0.000000e+00> : tensor<4x2xf32>
// CHECK: dl.split
// CHECK-NEXT: %[[X0:.*]] = dl.reshape %{{.*}}#0 {dl.step = 0 : i64}
// CHECK-NEXT: %[[X1:.*]] = dl.reshape %{{.*}}#1 {dl.step = 1 : i64}
// The weight, transposed and scaled once.
// CHECK-NEXT: %[[WT:.*]] = dl.transpose %[[W]] {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[TWO:.*]] = dl.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[WS:.*]] = dl.mul %[[WT]], %[[TWO]] : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[P0:.*]] = dl.matmul %[[H0]], %[[WS]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[R0:.*]] = dl.random_normal {dl.step = 0 : i64, stream = 7 : i64} : tensor<4x2xf32>
// CHECK-NEXT: %[[U0:.*]] = dl.add %[[X0]], %[[R0]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[S0:.*]] = dl.add %[[U0]], %[[P0]] {dl.step = 0 : i64}
// CHECK-NEXT: %[[P1:.*]] = dl.matmul %[[S0]], %[[WS]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[R1:.*]] = dl.random_normal {dl.step = 1 : i64, stream = 7 : i64} : tensor<4x2xf32>
// CHECK-NEXT: %[[U1:.*]] = dl.add %[[X1]], %[[R1]] {dl.step = 1 : i64}
// CHECK-NEXT: %[[S1:.*]] = dl.add %[[U1]], %[[P1]] {dl.step = 1 : i64}
// CHECK-NEXT: return %[[S1]] : tensor<4x2xf32>
// CHECK-LABEL: func.func @helper
// CHECK: dl.scan(
// CHECK-NOT: dl.split
dl.model @m {
  dl.param @w : tensor<2x2xf32> = "zeros"
  func.func @forward(%xs: tensor<3x4x2xf32> {dl.input = "x"}) -> (tensor<3x4x2xf32> {dl.output = "hs"}, tensor<3xf32> {dl.output = "e"}, tensor<3x4x2xf32> {dl.output = "r"}, tensor<4x2xf32> {dl.output = "last"}) {
    %w = dl.load @w : tensor<2x2xf32>
    %h0 = dl.constant dense<0.0> : tensor<4x2xf32>
    %a:5 = dl.scan (%xs) carry (%h0) captures (%w) {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %w0: tensor<2x2xf32>):
      %p = dl.matmul %h, %w0 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %x, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %n = dl.tanh %s : tensor<4x2xf32>
      %e = dl.sum %n : (tensor<4x2xf32>) -> tensor<f32>
      %m = dl.mean %n : (tensor<4x2xf32>) -> tensor<f32>
      dl.scan_yield %n, %n, %e, %m : tensor<4x2xf32>, tensor<4x2xf32>, tensor<f32>, tensor<f32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x4x2xf32>)
    %z = dl.constant dense<0.0> : tensor<4x2xf32>
    %b:3 = dl.scan (%a#4) carry (%z) captures () attributes {reverse} {
    ^bb0(%y: tensor<4x2xf32>, %acc: tensor<4x2xf32>):
      %q = dl.add %acc, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      dl.scan_yield %q, %q : tensor<4x2xf32>, tensor<4x2xf32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>)
    return %a#1, %a#2, %b#1, %a#0 : tensor<3x4x2xf32>, tensor<3xf32>, tensor<3x4x2xf32>, tensor<4x2xf32>
  }
  func.func @eval(%xs: tensor<2x4x2xf32> {dl.input = "x"}) -> (tensor<4x2xf32> {dl.output = "last"}) {
    %w = dl.load @w : tensor<2x2xf32>
    %h0 = dl.constant dense<0.0> : tensor<4x2xf32>
    %a:2 = dl.scan (%xs) carry (%h0) captures (%w) {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %w0: tensor<2x2xf32>):
      %wt = dl.transpose %w0 {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %two = dl.constant dense<2.0> : tensor<f32>
      %ws = dl.mul %wt, %two : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
      %p = dl.matmul %h, %ws : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %r = dl.random_normal {stream = 7 : i64} : tensor<4x2xf32>
      %u = dl.add %x, %r : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %u, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      dl.scan_yield %s : tensor<4x2xf32>
    } : (tensor<2x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<2x4x2xf32>)
    return %a#0 : tensor<4x2xf32>
  }
  func.func @helper(%xs: tensor<3x2xf32>) -> tensor<3x2xf32> {
    %ys = dl.scan (%xs) carry () captures () {
    ^bb0(%x: tensor<2xf32>):
      %e = dl.exp %x : tensor<2xf32>
      dl.scan_yield %e : tensor<2xf32>
    } : (tensor<3x2xf32>) -> tensor<3x2xf32>
    return %ys : tensor<3x2xf32>
  }
}
