// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of dl.scan and dl.scan_yield: the operand groups (sequences, carries, captures), the
// body's arguments in that order, the `reverse` attribute, and the results (final carries, stacked
// emitted values, carry histories). Errors are in scan-invalid.mlir.

// Tests one sequence and one carry with a captured weight: an Elman step whose new state is both
// the next carry and the emitted value, giving the final carry, the stack and the history.
// CHECK-LABEL: func.func @elman
// CHECK-SAME: (%[[XS:.*]]: tensor<6x4x8xf32>, %[[H0:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x8xf32>)
// CHECK: %[[R:.*]]:3 = dl.scan(%[[XS]]) carry(%[[H0]]) captures(%[[W]]) {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<4x8xf32>, %[[H:.*]]: tensor<4x8xf32>, %[[W0:.*]]: tensor<8x8xf32>):
// CHECK-NEXT: %[[P:.*]] = dl.matmul %[[H]], %[[W0]] : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[S:.*]] = dl.add %[[X]], %[[P]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[N:.*]] = dl.tanh %[[S]] : tensor<4x8xf32>
// CHECK-NEXT: dl.scan_yield %[[N]], %[[N]] : tensor<4x8xf32>, tensor<4x8xf32>
// CHECK-NEXT: } : (tensor<6x4x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<6x4x8xf32>, tensor<6x4x8xf32>)
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @elman(%xs: tensor<6x4x8xf32>, %h0: tensor<4x8xf32>, %w: tensor<8x8xf32>)
    -> (tensor<4x8xf32>, tensor<6x4x8xf32>, tensor<6x4x8xf32>) {
  %h, %hs, %hist = dl.scan (%xs) carry (%h0) captures (%w) {
  ^bb0(%x: tensor<4x8xf32>, %hc: tensor<4x8xf32>, %w0: tensor<8x8xf32>):
    %p = dl.matmul %hc, %w0 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %s = dl.add %x, %p : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %n = dl.tanh %s : tensor<4x8xf32>
    dl.scan_yield %n, %n : tensor<4x8xf32>, tensor<4x8xf32>
  } : (tensor<6x4x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<6x4x8xf32>, tensor<6x4x8xf32>)
  return %h, %hs, %hist : tensor<4x8xf32>, tensor<6x4x8xf32>, tensor<6x4x8xf32>
}

// Tests two sequences of different slice shapes and element types sharing T, two carries of
// different types and two emitted values, one of them rank 0 (stacked as [T]), and a carry passed
// through unchanged: each result keeps its own type and position.
// CHECK-LABEL: func.func @two_of_each
// CHECK-SAME: (%[[A:.*]]: tensor<5x3xf32>, %[[B:.*]]: tensor<5x2x3xf64>, %[[C0:.*]]: tensor<3xf32>, %[[D0:.*]]: tensor<2x3xf64>, %[[K:.*]]: tensor<3xf32>)
// CHECK: %[[R:.*]]:6 = dl.scan(%[[A]], %[[B]]) carry(%[[C0]], %[[D0]]) captures(%[[K]]) {
// CHECK-NEXT: ^bb0(%[[SA:.*]]: tensor<3xf32>, %[[SB:.*]]: tensor<2x3xf64>, %[[C:.*]]: tensor<3xf32>, %[[D:.*]]: tensor<2x3xf64>, %[[KK:.*]]: tensor<3xf32>):
// CHECK-NEXT: %[[M:.*]] = dl.mul %[[SA]], %[[KK]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[NC:.*]] = dl.add %[[C]], %[[M]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[ND:.*]] = dl.add %[[D]], %[[SB]] : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
// CHECK-NEXT: %[[T:.*]] = dl.sum %[[NC]] : (tensor<3xf32>) -> tensor<f32>
// CHECK-NEXT: dl.scan_yield %[[NC]], %[[ND]], %[[T]], %[[SB]] : tensor<3xf32>, tensor<2x3xf64>, tensor<f32>, tensor<2x3xf64>
// CHECK-NEXT: } : (tensor<5x3xf32>, tensor<5x2x3xf64>, tensor<3xf32>, tensor<2x3xf64>, tensor<3xf32>) -> (tensor<3xf32>, tensor<2x3xf64>, tensor<5xf32>, tensor<5x2x3xf64>, tensor<5x3xf32>, tensor<5x2x3xf64>)
// CHECK: return %[[R]]#2, %[[R]]#3, %[[R]]#5
func.func @two_of_each(%a: tensor<5x3xf32>, %b: tensor<5x2x3xf64>, %c0: tensor<3xf32>, %d0: tensor<2x3xf64>, %k: tensor<3xf32>)
    -> (tensor<5xf32>, tensor<5x2x3xf64>, tensor<5x2x3xf64>) {
  %r:6 = dl.scan (%a, %b) carry (%c0, %d0) captures (%k) {
  ^bb0(%sa: tensor<3xf32>, %sb: tensor<2x3xf64>, %c: tensor<3xf32>, %d: tensor<2x3xf64>, %kk: tensor<3xf32>):
    %m = dl.mul %sa, %kk : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %nc = dl.add %c, %m : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %nd = dl.add %d, %sb : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
    %t = dl.sum %nc : (tensor<3xf32>) -> tensor<f32>
    dl.scan_yield %nc, %nd, %t, %sb : tensor<3xf32>, tensor<2x3xf64>, tensor<f32>, tensor<2x3xf64>
  } : (tensor<5x3xf32>, tensor<5x2x3xf64>, tensor<3xf32>, tensor<2x3xf64>, tensor<3xf32>) -> (tensor<3xf32>, tensor<2x3xf64>, tensor<5xf32>, tensor<5x2x3xf64>, tensor<5x3xf32>, tensor<5x2x3xf64>)
  return %r#2, %r#3, %r#5 : tensor<5xf32>, tensor<5x2x3xf64>, tensor<5x2x3xf64>
}

// Tests that `reverse` is kept, printed with the attribute keyword after the captures and before
// the body, and that a scan without it prints no attribute dictionary.
// CHECK-LABEL: func.func @reverse
// CHECK: dl.scan(%{{.*}}) carry(%{{.*}}) captures() attributes {reverse} {
// CHECK: dl.scan_yield
// CHECK-NEXT: } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
// CHECK: dl.scan(%{{.*}}) carry(%{{.*}}) captures() {
func.func @reverse(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %h, %hs, %hist = dl.scan (%xs) carry (%h0) captures () attributes {reverse} {
  ^bb0(%x: tensor<2xf32>, %c: tensor<2xf32>):
    %n = dl.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    dl.scan_yield %n, %n : tensor<2xf32>, tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
  %g, %gs, %ghist = dl.scan (%xs) carry (%h0) captures () {
  ^bb0(%x: tensor<2xf32>, %c: tensor<2xf32>):
    %n = dl.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    dl.scan_yield %n, %n : tensor<2xf32>, tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
  return %hs, %gs : tensor<4x2xf32>, tensor<4x2xf32>
}

// Tests a scan with neither carries nor captures (a map over the steps): the body has only the
// slice, and the only result is the stack.
// CHECK-LABEL: func.func @no_captures
// CHECK-SAME: (%[[XS:.*]]: tensor<3x2x2xf32>)
// CHECK: %[[R:.*]] = dl.scan(%[[XS]]) carry() captures() {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<2x2xf32>):
// CHECK-NEXT: %[[E:.*]] = dl.exp %[[X]] : tensor<2x2xf32>
// CHECK-NEXT: dl.scan_yield %[[E]] : tensor<2x2xf32>
// CHECK-NEXT: } : (tensor<3x2x2xf32>) -> tensor<3x2x2xf32>
// CHECK: return %[[R]]
func.func @no_captures(%xs: tensor<3x2x2xf32>) -> tensor<3x2x2xf32> {
  %ys = dl.scan (%xs) carry () captures () {
  ^bb0(%x: tensor<2x2xf32>):
    %e = dl.exp %x : tensor<2x2xf32>
    dl.scan_yield %e : tensor<2x2xf32>
  } : (tensor<3x2x2xf32>) -> tensor<3x2x2xf32>
  return %ys : tensor<3x2x2xf32>
}

// Tests a scan that emits nothing (a fold): the results are the final carry and its history only.
// CHECK-LABEL: func.func @no_emits
// CHECK: %[[R:.*]]:2 = dl.scan(%{{.*}}) carry(%{{.*}}) captures() {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<4xf32>, %[[ACC:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[N:.*]] = dl.add %[[ACC]], %[[X]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: dl.scan_yield %[[N]] : tensor<4xf32>
// CHECK-NEXT: } : (tensor<7x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<7x4xf32>)
// CHECK: return %[[R]]#0
func.func @no_emits(%xs: tensor<7x4xf32>, %z: tensor<4xf32>) -> tensor<4xf32> {
  %acc, %hist = dl.scan (%xs) carry (%z) captures () {
  ^bb0(%x: tensor<4xf32>, %a: tensor<4xf32>):
    %n = dl.add %a, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    dl.scan_yield %n : tensor<4xf32>
  } : (tensor<7x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<7x4xf32>)
  return %acc : tensor<4xf32>
}
