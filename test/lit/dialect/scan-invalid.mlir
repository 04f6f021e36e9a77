// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error of dl.scan and dl.scan_yield: the sequences (at least one, a shared leading
// dimension, at least one step), the body's arguments, its terminator and what it yields, the
// result types, and the isolation of the body from the values around it.

// Tests that a scan needs a sequence to scan over.
func.func @no_sequence(%h0: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op needs at least one sequence to scan over}}
  %h, %hist = dl.scan () carry (%h0) captures () {
  ^bb0(%h: tensor<2xf32>):
    dl.scan_yield %h : tensor<2xf32>
  } : (tensor<2xf32>) -> (tensor<2xf32>, tensor<1x2xf32>)
  return
}

// -----

// Tests that the sequences must agree on their number of steps, naming the first that does not.
func.func @mismatched_steps(%a: tensor<4x2xf32>, %b: tensor<5x2xf32>) {
  // expected-error @+1 {{'dl.scan' op sequences must share their leading (time) dimension; got 'tensor<5x2xf32>'}}
  %ys = dl.scan (%a, %b) carry () captures () {
  ^bb0(%x: tensor<2xf32>, %y: tensor<2xf32>):
    dl.scan_yield %x : tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<5x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

// Tests that a rank-0 sequence, which has no time dimension, is rejected.
func.func @scalar_sequence(%a: tensor<f32>) {
  // expected-error @+1 {{'dl.scan' op sequences must share their leading (time) dimension; got 'tensor<f32>'}}
  %ys = dl.scan (%a) carry () captures () {
  ^bb0(%x: tensor<f32>):
    dl.scan_yield %x : tensor<f32>
  } : (tensor<f32>) -> tensor<1xf32>
  return
}

// -----

// Tests that a sequence of zero steps is rejected.
func.func @zero_steps(%a: tensor<0x2xf32>) {
  // expected-error @+1 {{'dl.scan' op needs at least one step}}
  %ys = dl.scan (%a) carry () captures () {
  ^bb0(%x: tensor<2xf32>):
    dl.scan_yield %x : tensor<2xf32>
  } : (tensor<0x2xf32>) -> tensor<0x2xf32>
  return
}

// -----

// Tests that the body's first argument must be the sequence's slice (here it keeps the time
// dimension).
func.func @slice_argument(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op body arguments must be the sequences' slices, the carries and the captures, in that order and of their types}}
  %h, %hs, %hist = dl.scan (%xs) carry (%h0) captures () {
  ^bb0(%x: tensor<4x2xf32>, %c: tensor<2xf32>):
    dl.scan_yield %c, %c : tensor<2xf32>, tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that the body must take the captures as arguments too, after the carries.
func.func @missing_capture_argument(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>, %w: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op body arguments must be the sequences' slices, the carries and the captures, in that order and of their types}}
  %h, %hist = dl.scan (%xs) carry (%h0) captures (%w) {
  ^bb0(%x: tensor<2xf32>, %c: tensor<2xf32>):
    dl.scan_yield %c : tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that the carries come before the captures among the body's arguments.
func.func @argument_order(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>, %w: tensor<3xf32>) {
  // expected-error @+1 {{'dl.scan' op body arguments must be the sequences' slices, the carries and the captures, in that order and of their types}}
  %h, %hist = dl.scan (%xs) carry (%h0) captures (%w) {
  ^bb0(%x: tensor<2xf32>, %w0: tensor<3xf32>, %c: tensor<2xf32>):
    dl.scan_yield %c : tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>, tensor<3xf32>) -> (tensor<2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that a body that does not end with dl.scan_yield is rejected at the scan.
func.func @no_yield(%xs: tensor<4x2xf32>) {
  // expected-error @+1 {{'dl.scan' op body must end with dl.scan_yield}}
  %ys = dl.scan (%xs) carry () captures () {
  ^bb0(%x: tensor<2xf32>):
    func.return
  } : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

// Tests that the body must yield at least one value per carry.
func.func @too_few_yields(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>, %c0: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op body yields 1 values for 2 carries}}
  %h, %c, %hh, %ch = dl.scan (%xs) carry (%h0, %c0) captures () {
  ^bb0(%x: tensor<2xf32>, %h: tensor<2xf32>, %c: tensor<2xf32>):
    dl.scan_yield %h : tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that a yielded carry must keep the type it entered with, naming the carry and both types.
func.func @carry_type(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>, %c0: tensor<2x1xf32>) {
  // expected-error @+1 {{'dl.scan' op carry 1 enters as 'tensor<2x1xf32>' but the body yields 'tensor<2x2xf32>'}}
  %h, %c, %hh, %ch = dl.scan (%xs) carry (%h0, %c0) captures () {
  ^bb0(%x: tensor<2xf32>, %h: tensor<2xf32>, %c: tensor<2x1xf32>):
    %n = dl.add %c, %h : (tensor<2x1xf32>, tensor<2xf32>) -> tensor<2x2xf32>
    dl.scan_yield %h, %n : tensor<2xf32>, tensor<2x2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>, tensor<2x1xf32>) -> (tensor<2xf32>, tensor<2x1xf32>, tensor<4x2xf32>, tensor<4x2x1xf32>)
  return
}

// -----

// Tests that a stacked emitted value must have the number of steps as its leading dimension.
func.func @stack_type(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op results must be the final carries, the stacked emitted values and the carries' histories}}
  %h, %hs, %hist = dl.scan (%xs) carry (%h0) captures () {
  ^bb0(%x: tensor<2xf32>, %h: tensor<2xf32>):
    dl.scan_yield %h, %x : tensor<2xf32>, tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that the carries' histories are results too: a scan whose results stop after the stacks
// is rejected.
func.func @missing_history(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op results must be the final carries, the stacked emitted values and the carries' histories}}
  %h, %hs = dl.scan (%xs) carry (%h0) captures () {
  ^bb0(%x: tensor<2xf32>, %h: tensor<2xf32>):
    dl.scan_yield %h, %x : tensor<2xf32>, tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that the final carry must have the carry's type (not its stacked type).
func.func @final_type(%xs: tensor<4x2xf32>, %h0: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan' op results must be the final carries, the stacked emitted values and the carries' histories}}
  %h, %hist = dl.scan (%xs) carry (%h0) captures () {
  ^bb0(%x: tensor<2xf32>, %h: tensor<2xf32>):
    dl.scan_yield %h : tensor<2xf32>
  } : (tensor<4x2xf32>, tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>)
  return
}

// -----

// Tests that the body may not read a value from around the scan without capturing it: the op is
// isolated from above.
func.func @not_captured(%xs: tensor<4x2xf32>, %w: tensor<2xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %ys = dl.scan (%xs) carry () captures () {
  ^bb0(%x: tensor<2xf32>):
    // expected-error @+1 {{'dl.mul' op using value defined outside the region}}
    %m = dl.mul %x, %w : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    dl.scan_yield %m : tensor<2xf32>
  } : (tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

// Tests that dl.scan_yield belongs in a scan's body.
func.func @yield_outside(%x: tensor<2xf32>) {
  // expected-error @+1 {{'dl.scan_yield' op expects parent op 'dl.scan'}}
  dl.scan_yield %x : tensor<2xf32>
}
