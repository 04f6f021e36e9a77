// RUN: dl-opt %s -dl-sum-scan-accumulators | FileCheck %s

// Tests that dl-sum-scan-accumulators takes a loop's running sums out of it: `dw + xᵀ n` (x a
// slice: its stack is the sequence; n already emitted) and `dv + hᵀ s` (h a carry: its stack is
// its history; s emitted anew) become one tall product each after the loop, [12, 2]ᵀ @ [12, 2]
// for 3 steps of 4 rows; `db + sum(n)` (no product) is emitted and summed over the steps; each is
// added to its carry's initial value. `dc + w` reads a capture and stays a carry.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[XS:.*]]: tensor<3x4x2xf32>
// CHECK: %[[Z:.*]] = dl.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK: %[[ZB:.*]] = dl.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: %[[A:.*]]:7 = dl.scan(%[[XS]]) carry(%{{.*}}, %[[Z]]) captures(%{{.*}}) attributes {reverse} {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<4x2xf32>, %{{.*}}: tensor<4x2xf32>, %[[DC:.*]]: tensor<2x2xf32>, %[[W:.*]]: tensor<2x2xf32>):
// CHECK-NOT: dl.transpose
// CHECK: %[[S:.*]] = dl.add
// CHECK-NEXT: %[[N:.*]] = dl.tanh %[[S]]
// CHECK-NEXT: %[[SB:.*]] = dl.sum %[[N]]
// CHECK-NEXT: %[[DC1:.*]] = dl.add %[[DC]], %[[W]]
// CHECK-NEXT: dl.scan_yield %[[N]], %[[DC1]], %[[N]], %[[S]], %[[SB]]
// CHECK: %[[X2:.*]] = dl.reshape %[[XS]] : (tensor<3x4x2xf32>) -> tensor<12x2xf32>
// CHECK-NEXT: %[[XT:.*]] = dl.transpose %[[X2]] {perm = array<i64: 1, 0>}
// CHECK-NEXT: %[[N2:.*]] = dl.reshape %[[A]]#2 : (tensor<3x4x2xf32>) -> tensor<12x2xf32>
// CHECK-NEXT: %[[DW:.*]] = dl.matmul %[[XT]], %[[N2]] : (tensor<2x12xf32>, tensor<12x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[DWF:.*]] = dl.add %[[Z]], %[[DW]]
// CHECK-NEXT: %[[H2:.*]] = dl.reshape %[[A]]#5 : (tensor<3x4x2xf32>) -> tensor<12x2xf32>
// CHECK-NEXT: %[[HT:.*]] = dl.transpose %[[H2]]
// CHECK-NEXT: %[[S2:.*]] = dl.reshape %[[A]]#3
// CHECK-NEXT: %[[DV:.*]] = dl.matmul %[[HT]], %[[S2]]
// CHECK-NEXT: %[[DVF:.*]] = dl.add %[[Z]], %[[DV]]
// CHECK-NEXT: %[[DB:.*]] = dl.sum %[[A]]#4 {axes = array<i64: 0>} : (tensor<3x2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[DBF:.*]] = dl.add %[[ZB]], %[[DB]]
// CHECK-NEXT: return %[[A]]#0, %[[DWF]], %[[DVF]], %[[DBF]], %[[A]]#1
dl.model @m {
  dl.param @w : tensor<2x2xf32> = "zeros"
  func.func @forward(%xs: tensor<3x4x2xf32> {dl.input = "x"}) -> (tensor<4x2xf32> {dl.output = "h"}, tensor<2x2xf32> {dl.output = "dw"}, tensor<2x2xf32> {dl.output = "dv"}, tensor<2xf32> {dl.output = "db"}, tensor<2x2xf32> {dl.output = "dc"}) {
    %w = dl.load @w : tensor<2x2xf32>
    %h0 = dl.constant dense<0.0> : tensor<4x2xf32>
    %z = dl.constant dense<0.0> : tensor<2x2xf32>
    %zb = dl.constant dense<0.0> : tensor<2xf32>
    %a:11 = dl.scan (%xs) carry (%h0, %z, %z, %zb, %z) captures (%w) attributes {reverse} {
    ^bb0(%x: tensor<4x2xf32>, %h: tensor<4x2xf32>, %dw: tensor<2x2xf32>, %dv: tensor<2x2xf32>, %db: tensor<2xf32>, %dc: tensor<2x2xf32>, %w0: tensor<2x2xf32>):
      %p = dl.matmul %h, %w0 : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      %s = dl.add %x, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
      %n = dl.tanh %s : tensor<4x2xf32>
      %xt = dl.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
      %g = dl.matmul %xt, %n : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
      %dw1 = dl.add %dw, %g : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
      %ht = dl.transpose %h {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
      %gv = dl.matmul %ht, %s : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
      %dv1 = dl.add %gv, %dv : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
      %sb = dl.sum %n {axes = array<i64: 0>} : (tensor<4x2xf32>) -> tensor<2xf32>
      %db1 = dl.add %db, %sb : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      %dc1 = dl.add %dc, %w0 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
      dl.scan_yield %n, %dw1, %dv1, %db1, %dc1, %n : tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xf32>, tensor<4x2xf32>
    } : (tensor<3x4x2xf32>, tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>, tensor<3x2x2xf32>, tensor<3x2x2xf32>, tensor<3x2xf32>, tensor<3x2x2xf32>)
    return %a#0, %a#1, %a#2, %a#3, %a#4 : tensor<4x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xf32>
  }
}
