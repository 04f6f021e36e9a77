// RUN: dl-opt %s -split-input-file | FileCheck %s
// RUN: dl-opt %s -split-input-file | dl-opt -split-input-file | FileCheck %s

// The memory plan dl-plan-memory writes, as the dialect parses, verifies and prints it.

// Tests that each kind of #dl.slot and the plan's byte counts round-trip.
// CHECK-LABEL: dl.model @m
// CHECK-SAME: dl.param_bytes = 64 : i64, dl.state_bytes = 0 : i64, dl.workspace_bytes = 64 : i64
// CHECK: dl.param @w {{.*}}dl.offset = 0 : i64
// CHECK: func.func @forward{{.*}}dl.workspace_bytes = 64 : i64
// CHECK: dl.fusion "k0"{{.*}}{dl.slots = [#dl.slot<arena 0>, #dl.slot<state @w>]}
// CHECK: dl.fusion "k1"{{.*}}{dl.slots = [#dl.slot<output 0>]}
dl.model @m attributes {dl.param_bytes = 64 : i64, dl.state_bytes = 0 : i64, dl.workspace_bytes = 64 : i64} {
  dl.param @w : tensor<4xf32> = "zeros" attributes {dl.offset = 0 : i64}
  func.func @forward(%x: tensor<4xf32> {dl.input = "x"}) -> (tensor<4xf32> {dl.output = "y"}) attributes {dl.workspace_bytes = 64 : i64} {
    %a, %b = dl.fusion "k0"(%x) {dl.slots = [#dl.slot<arena 0>, #dl.slot<state @w>]} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t, %t : tensor<4xf32>, tensor<4xf32>
    }
    %y = dl.fusion "k1"(%a) {dl.slots = [#dl.slot<output 0>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%a0: tensor<4xf32>):
      %t = dl.tanh %a0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    dl.store %b, @w : tensor<4xf32>
    return %y : tensor<4xf32>
  }
}
