// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the memory plan reports: a malformed #dl.slot, slots that do not match their kernel,
// and byte counts that are not non-negative multiples of 64.

// Tests that an arena offset must be a multiple of 64 bytes.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{arena offset 96 is not a non-negative multiple of 64 bytes}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<arena 96>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a slot names one of the three places.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{expected 'arena', 'state', 'output' or 'step', not 'heap'}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<heap 0>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that an output index is not negative.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{output index -1 is negative}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<output -1>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a kernel has one slot per result.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dl.fusion' op has 1 results but 2 slots in 'dl.slots'}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<output 0>, #dl.slot<arena 0>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that the slots are #dl.slot, not the dictionaries of an older plan.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dl.fusion' op slot 0 is {arena = 0 : i64}, not a #dl.slot}}
    %y = dl.fusion "k"(%x) {dl.slots = [{arena = 0 : i64}]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a state slot names a parameter or buffer of the model.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dl.fusion' op writes result 0 in place into 'w', which is not a parameter or buffer of the model}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<state @w>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a result written in place has the type of the state it overwrites.
dl.model @m {
  dl.param @w : tensor<8xf32> = "zeros"
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dl.fusion' op writes result 0 of type 'tensor<4xf32>' in place into 'w', which holds 'tensor<8xf32>'}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<state @w>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that an output slot names one of the function's results.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dl.fusion' op writes result 0 to output 1 of a function with 1 results}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<output 1>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a result written to an output has the output's type.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
    // expected-error @+1 {{'dl.fusion' op writes result 0 of type 'tensor<4xf32>' to output 1, of type 'tensor<4xi1>'}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<output 1>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    %c = dl.constant dense<true> : tensor<4xi1>
    return %y, %c : tensor<4xf32>, tensor<4xi1>
  }
}

// -----

// Tests that only a kernel carries slots.
dl.model @m {
  // expected-error @+1 {{'dl.param' op carries 'dl.slots', which only a dl.fusion has}}
  dl.param @w : tensor<4xf32> = "zeros" attributes {dl.slots = [#dl.slot<arena 0>]}
}

// -----

// Tests that a state offset is a multiple of 64 bytes.
dl.model @m {
  // expected-error @+1 {{'dl.param' op 'dl.offset' is 32 bytes, not a non-negative multiple of 64}}
  dl.param @w : tensor<4xf32> = "zeros" attributes {dl.offset = 32 : i64}
}

// -----

// Tests that the model's byte counts are i64 integers.
// expected-error @+1 {{'dl.model' op 'dl.workspace_bytes' must be an i64 byte count}}
dl.model @m attributes {dl.workspace_bytes = "big"} {
}

// -----

// Tests that the model's byte counts sit on the model.
dl.model @m {
  // expected-error @+1 {{'dl.param' op carries 'dl.param_bytes', which only a dl.model has}}
  dl.param @w : tensor<4xf32> = "zeros" attributes {dl.param_bytes = 64 : i64}
}

// -----

// Tests that a step slot belongs to a kernel in the body of a scan.
dl.model @m {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{writes result 0 to a step's row of a scan's storage outside a dl.scan body}}
    %y = dl.fusion "k"(%x) {dl.slots = [#dl.slot<step 0>]} : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x0: tensor<4xf32>):
      %t = dl.tanh %x0 : tensor<4xf32>
      dl.yield %t : tensor<4xf32>
    }
    return %y : tensor<4xf32>
  }
}

// -----

// Tests that a step slot names the yield operand that yields the kernel's result.
dl.model @m {
  func.func @forward(%xs: tensor<3x4xf32>, %h0: tensor<4xf32>) -> tensor<4xf32> {
    %a:2 = dl.scan (%xs) carry (%h0) captures () {
    ^bb0(%x: tensor<4xf32>, %h: tensor<4xf32>):
      // expected-error @+1 {{writes result 0 to yield operand 1 of a scan body that yields 1}}
      %y = dl.fusion "k"(%x, %h) {dl.slots = [#dl.slot<step 1>]} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
      ^bb0(%x0: tensor<4xf32>, %h1: tensor<4xf32>):
        %t = dl.add %x0, %h1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
        dl.yield %t : tensor<4xf32>
      }
      dl.scan_yield %y : tensor<4xf32>
    } : (tensor<3x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>)
    return %a#0 : tensor<4xf32>
  }
}

// -----

// Tests that a scan's storage has one offset per yield operand.
dl.model @m {
  func.func @forward(%xs: tensor<3x4xf32>, %h0: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{'dl.scan_storage' must hold 1 offsets, one per yield operand}}
    %a:2 = dl.scan (%xs) carry (%h0) captures () attributes {dl.scan_storage = array<i64: 0, 64>} {
    ^bb0(%x: tensor<4xf32>, %h: tensor<4xf32>):
      %y = dl.add %x, %h : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      dl.scan_yield %y : tensor<4xf32>
    } : (tensor<3x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>)
    return %a#0 : tensor<4xf32>
  }
}

// -----

// Tests that a carry's storage is in the arena (-1, no storage of its own, is for emitted values).
dl.model @m {
  func.func @forward(%xs: tensor<3x4xf32>, %h0: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{storage 0 at -1 is not a non-negative multiple of 64}}
    %a:2 = dl.scan (%xs) carry (%h0) captures () attributes {dl.scan_storage = array<i64: -1>} {
    ^bb0(%x: tensor<4xf32>, %h: tensor<4xf32>):
      %y = dl.add %x, %h : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      dl.scan_yield %y : tensor<4xf32>
    } : (tensor<3x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>)
    return %a#0 : tensor<4xf32>
  }
}
