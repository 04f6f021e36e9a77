// RUN: dl-opt %s -dl-unroll-scans | FileCheck %s --check-prefix=LOOP
// RUN: dl-opt %s -dl-unroll-scans -dl-fuse -dl-plan-memory | FileCheck %s --check-prefix=PLAN

// Tests that a scan stays a loop by default (dl-unroll-scans without max-steps), with the ops of
// its body that read only captures moved out of it (the transposed weight: computed once, then
// captured; the weight itself, no longer read in the body, is no longer captured); that dl-fuse
// makes kernels of the loop's body and keeps the kernels before and after the loop apart; and that
// dl-plan-memory gives each loop its storage (dl.scan_storage: per yield operand, a carry's T + 1
// rows, or an emitted value's stack, or -1 where the emit is the carry's own rows) and writes the
// body's kernels to the step's row (#dl.slot<step N>, N the yield operand).

// LOOP-LABEL: func.func @forward
// LOOP: %[[W:.*]] = dl.load @w
// LOOP: %[[WT:.*]] = dl.transpose %[[W]]
// LOOP-NEXT: %[[A:.*]]:4 = dl.scan(%{{.*}}) carry(%{{.*}}) captures(%[[WT]]) {
// LOOP-NEXT: ^bb0(%[[X:.*]]: tensor<4x2xf32>, %[[H:.*]]: tensor<4x2xf32>, %[[WT0:.*]]: tensor<2x2xf32>):
// LOOP-NEXT: dl.matmul %[[H]], %[[WT0]]
// LOOP-NOT: dl.transpose
// LOOP: dl.scan_yield
// LOOP: dl.scan(%[[A]]#3) carry(%{{.*}}) captures() attributes {reverse}
// LOOP-NOT: dl.split
// LOOP-NOT: dl.concat

// PLAN-LABEL: func.func @forward
// PLAN: dl.fusion "m_forward_k{{[0-9]+}}"
// PLAN: dl.transpose
// PLAN: %[[A:.*]]:4 = dl.scan({{.*}}) attributes {dl.scan_storage = array<i64: [[CARRY:[0-9]+]], -1, [[STACK:[0-9]+]]>}
// The step's kernel: matmul, add, tanh and the sum in one, writing the next carry's row (the emit
// of the same value reads those rows) and the step's row of the sums' stack.
// PLAN: dl.fusion "m_forward_k{{[0-9]+}}"({{.*}}) {dl.slots = [#dl.slot<step 0>, #dl.slot<step 2>]}
// PLAN-NEXT: ^bb0
// PLAN-NEXT: dl.matmul
// PLAN-NEXT: dl.add
// PLAN-NEXT: dl.tanh
// PLAN-NEXT: dl.sum
// PLAN: dl.scan_yield
// The zeros of the reverse scan's initial carry: a kernel of its own, between the loops.
// PLAN: dl.fusion "m_forward_k{{[0-9]+}}"() {dl.slots = [#dl.slot<arena {{[0-9]+}}>]}
// PLAN-NEXT: dl.constant
// PLAN: dl.scan(%[[A]]#3) {{.*}} attributes {dl.scan_storage = array<i64: {{[0-9]+}}, -1>, reverse}
// PLAN: dl.fusion {{.*}} {dl.slots = [#dl.slot<step 0>]}
// PLAN-NEXT: ^bb0
// PLAN-NEXT: dl.add
dl.model @m {
  dl.param @w : tensor<2x2xf32> = "zeros"
  func.func @forward(%xs: tensor<3x4x2xf32> {dl.input = "x"}) -> (tensor<3x4x2xf32> {dl.output = "hs"}, tensor<3xf32> {dl.output = "e"}, tensor<4x2xf32> {dl.output = "last"}) {
    %w = dl.load @w : tensor<2x2xf32>
    %h0 = dl.constant dense<0.0> : tensor<4x2xf32>
    %a:4 = dl.scan (%xs) carry (%h0) captures (%w) {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %w0: tensor<2x2xf32>):
      %wt = dl.transpose %w0 {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %p = dl.matmul %h, %wt : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %x, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %n = dl.tanh %s : tensor<4x2xf32>
      %e = dl.sum %n : (tensor<4x2xf32>) -> tensor<f32>
      dl.scan_yield %n, %n, %e : tensor<4x2xf32>, tensor<4x2xf32>, tensor<f32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3xf32>, tensor<3x4x2xf32>)
    %z = dl.constant dense<0.0> : tensor<4x2xf32>
    %b:3 = dl.scan (%a#3) carry (%z) captures () attributes {reverse} {
    ^bb0(%y: tensor<4x2xf32>, %acc: tensor<4x2xf32>):
      %q = dl.add %acc, %y : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      dl.scan_yield %q, %q : tensor<4x2xf32>, tensor<4x2xf32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>)
    return %b#1, %a#2, %a#0 : tensor<3x4x2xf32>, tensor<3xf32>, tensor<4x2xf32>
  }
}
