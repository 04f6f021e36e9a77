// RUN: dl-opt %s -dl-save-scan-products | FileCheck %s

// Tests that dl-save-scan-products has the reverse loop read what it recomputes of the forward
// loop: the reverse step's `tanh(x + h @ w)` (on a slice of the same sequence, the forward carry's
// history and the same capture) is the forward step's, so the forward loop emits it (a new
// stack) and the reverse loop reads it as a sequence, the recomputation gone; the product after
// it (`ds @ wᵀ`, of reverse values) stays.
// CHECK-LABEL: func.func @forward
// CHECK: %[[A:.*]]:3 = dl.scan(%[[XS:.*]]) carry(%{{.*}}) captures(%{{.*}}) {
// CHECK: %[[N:.*]] = dl.tanh
// CHECK-NEXT: dl.scan_yield %[[N]], %[[N]] : tensor<4x2xf32>, tensor<4x2xf32>
// CHECK-NEXT: } : {{.*}} -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>)
// CHECK: dl.scan(%[[XS]], %[[A]]#2, %[[A]]#1) carry(%{{.*}}) captures(%{{.*}}) attributes {reverse} {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<4x2xf32>, %{{.*}}: tensor<4x2xf32>, %[[NR:.*]]: tensor<4x2xf32>, %[[DN:.*]]: tensor<4x2xf32>, %[[W:.*]]: tensor<2x2xf32>):
// CHECK-NEXT: %[[NN:.*]] = dl.mul %[[NR]], %[[NR]]
// CHECK-NEXT: %[[DS:.*]] = dl.mul %[[DN]], %[[NN]]
// CHECK-NEXT: %[[WT:.*]] = dl.transpose %[[W]]
// CHECK-NEXT: %[[DH:.*]] = dl.matmul %[[DS]], %[[WT]]
// CHECK-NEXT: dl.scan_yield %[[DH]], %[[DS]]
dl.model @m {
  dl.param @w : tensor<2x2xf32> = "zeros"
  func.func @forward(%xs: tensor<3x4x2xf32> {dl.input = "x"}) -> (tensor<4x2xf32> {dl.output = "dh"}) {
    %w = dl.load @w : tensor<2x2xf32>
    %h0 = dl.constant dense<0.0> : tensor<4x2xf32>
    %a:2 = dl.scan (%xs) carry (%h0) captures (%w) {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %w0: tensor<2x2xf32>):
      %p = dl.matmul %h, %w0 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %x, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %n = dl.tanh %s : tensor<4x2xf32>
      dl.scan_yield %n : tensor<4x2xf32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>)
    %z = dl.constant dense<1.0> : tensor<4x2xf32>
    %b:3 = dl.scan (%xs, %a#1) carry (%z) captures (%w) attributes {reverse} {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %dn: tensor<4x2xf32>, %w0: tensor<2x2xf32>):
      %p = dl.matmul %h, %w0 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %x, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %n = dl.tanh %s : tensor<4x2xf32>
      %nn = dl.mul %n, %n : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %ds = dl.mul %dn, %nn : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %wt = dl.transpose %w0 {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %dh = dl.matmul %ds, %wt : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      dl.scan_yield %dh, %ds : tensor<4x2xf32>, tensor<4x2xf32>
    } : (tensor<3x4x2xf32>, tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>)
    return %b#0 : tensor<4x2xf32>
  }
}
