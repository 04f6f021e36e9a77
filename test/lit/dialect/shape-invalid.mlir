// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the data-movement ops report. A failed type inference reports the reason at the op
// and then MLIR's generic "failed to infer returned types", so those cases expect both.

// Tests that reshape rejects a target with another number of elements.
func.func @reshape_element_count(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dl.reshape' op cannot reshape 'tensor<4x6xf32>' to 'tensor<5x4xf32>': element counts differ (24 vs 20)}}
  %0 = dl.reshape %x : (tensor<4x6xf32>) -> tensor<5x4xf32>
  return
}

// -----

// Tests that reshape keeps the element type.
func.func @reshape_element_type(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{'dl.reshape' op requires the same element type for all operands and results}}
  %0 = dl.reshape %x : (tensor<4x6xf32>) -> tensor<24xi32>
  return
}

// -----

// Tests that transpose rejects a permutation that repeats a dimension.
func.func @transpose_repeated(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot transpose 'tensor<4x8xf32>': the permutation is not a permutation of 0..1}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 0, 0>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

// Tests that transpose rejects a permutation naming a dimension that does not exist.
func.func @transpose_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot transpose 'tensor<4x8xf32>': the permutation is not a permutation of 0..1}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return
}

// -----

// Tests that transpose rejects a permutation of the wrong length.
func.func @transpose_wrong_length(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot transpose 'tensor<4x8xf32>': the permutation has 3 entries for rank 2}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return
}

// -----

// Tests that transpose rejects a written result type other than the permuted one.
func.func @transpose_wrong_result(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'dl.transpose' op inferred type(s) 'tensor<8x4xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf32>'}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that broadcast_to cannot shrink a tensor.
func.func @broadcast_to_shrink(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'dl.broadcast_to' op cannot broadcast 'tensor<4x8xf32>' to 'tensor<8xf32>': it would have to grow to f32[4, 8]}}
  %0 = dl.broadcast_to %x : (tensor<4x8xf32>) -> tensor<8xf32>
  return
}

// -----

// Tests that broadcast_to cannot change a dimension other than 1.
func.func @broadcast_to_incompatible(%x: tensor<3xf32>) {
  // expected-error @+1 {{'dl.broadcast_to' op cannot broadcast 'tensor<3xf32>' to 'tensor<2x4xf32>': dimension 1 is 3 on one side and 4 on the other}}
  %0 = dl.broadcast_to %x : (tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Tests that broadcast_to keeps the element type.
func.func @broadcast_to_element_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'dl.broadcast_to' op requires the same element type for all operands and results}}
  %0 = dl.broadcast_to %x : (tensor<3xf32>) -> tensor<2x3xf64>
  return
}

// -----

// Tests that concat rejects operands that differ outside the axis.
func.func @concat_dimension_mismatch(%a: tensor<4x3xf32>, %b: tensor<5x5xf32>) {
  // expected-error @+2 {{cannot concatenate 'tensor<4x3xf32>', 'tensor<5x5xf32>': operand 1 differs in dimension 0}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 1 : i64} : (tensor<4x3xf32>, tensor<5x5xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that concat rejects operands of different ranks.
func.func @concat_rank_mismatch(%a: tensor<4x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{cannot concatenate 'tensor<4x3xf32>', 'tensor<4xf32>': operand 1 has rank 1 instead of 2}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xf32>) -> tensor<8x3xf32>
  return
}

// -----

// Tests that concat rejects operands of different element types.
func.func @concat_element_type_mismatch(%a: tensor<4x3xf32>, %b: tensor<4x3xi32>) {
  // expected-error @+2 {{concat operands have different element types}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<4x3xf32>, tensor<4x3xi32>) -> tensor<8x3xf32>
  return
}

// -----

// Tests that concat rejects an axis out of range.
func.func @concat_bad_axis(%a: tensor<4x3xf32>) {
  // expected-error @+2 {{cannot concatenate 'tensor<4x3xf32>', 'tensor<4x3xf32>': axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %a {axis = 2 : i64} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x6xf32>
  return
}

// -----

// Tests that concat needs at least one operand.
func.func @concat_nothing() {
  // expected-error @+2 {{concat needs at least one operand}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat {axis = 0 : i64} : () -> tensor<4xf32>
  return
}

// -----

// Tests that split rejects a dimension that does not divide into the parts.
func.func @split_not_divisible(%x: tensor<4x30xf32>) {
  // expected-error @+2 {{cannot split 'tensor<4x30xf32>': dimension 1 of size 30 does not split into 4 equal parts}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:4 = dl.split %x {parts = 4 : i64, axis = 1 : i64} : (tensor<4x30xf32>) -> (tensor<4x7xf32>, tensor<4x7xf32>, tensor<4x7xf32>, tensor<4x7xf32>)
  return
}

// -----

// Tests that split rejects zero parts.
func.func @split_zero_parts(%x: tensor<4x32xf32>) {
  // expected-error @+2 {{cannot split 'tensor<4x32xf32>': dimension 1 of size 32 does not split into 0 equal parts}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  dl.split %x {parts = 0 : i64, axis = 1 : i64} : (tensor<4x32xf32>) -> ()
  return
}

// -----

// Tests that split rejects an axis out of range.
func.func @split_bad_axis(%x: tensor<4x32xf32>) {
  // expected-error @+2 {{cannot split 'tensor<4x32xf32>': axis -3 is out of range for rank 2}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:2 = dl.split %x {parts = 2 : i64, axis = -3 : i64} : (tensor<4x32xf32>) -> (tensor<2x32xf32>, tensor<2x32xf32>)
  return
}

// -----

// Tests that split has exactly one result per part.
func.func @split_wrong_result_count(%x: tensor<4x32xf32>) {
  // expected-error @+2 {{'dl.split' op inferred type(s) 'tensor<4x8xf32>', 'tensor<4x8xf32>', 'tensor<4x8xf32>', 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf32>', 'tensor<4x8xf32>'}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:2 = dl.split %x {parts = 4 : i64, axis = 1 : i64} : (tensor<4x32xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
  return
}

// -----

// Tests that slice rejects a limit past the end of a dimension.
func.func @slice_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot slice 'tensor<4x8xf32>': dimension 1 of size 8 cannot be sliced 2:9:1}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {start = array<i64: 0, 2>, limit = array<i64: 4, 9>, stride = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x7xf32>
  return
}

// -----

// Tests that slice rejects negative starts: bounds are resolved before the op is built.
func.func @slice_negative_start(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot slice 'tensor<4x8xf32>': dimension 0 of size 4 cannot be sliced -1:4:1}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {start = array<i64: -1, 0>, limit = array<i64: 4, 8>, stride = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<5x8xf32>
  return
}

// -----

// Tests that slice rejects an empty window.
func.func @slice_empty(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot slice 'tensor<4x8xf32>': dimension 0 of size 4 cannot be sliced 2:2:1}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {start = array<i64: 2, 0>, limit = array<i64: 2, 8>, stride = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<0x8xf32>
  return
}

// -----

// Tests that slice rejects a stride of zero.
func.func @slice_zero_stride(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot slice 'tensor<4x8xf32>': dimension 1 of size 8 cannot be sliced 0:8:0}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {start = array<i64: 0, 0>, limit = array<i64: 4, 8>, stride = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that slice needs one start, limit and stride per dimension.
func.func @slice_wrong_entry_count(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot slice 'tensor<4x8xf32>': start, limit and stride need one entry per dimension (2)}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {start = array<i64: 0>, limit = array<i64: 4>, stride = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that pad rejects negative padding.
func.func @pad_negative(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot pad 'tensor<4x8xf32>': padding of dimension 1 is negative}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {low = array<i64: 0, -1>, high = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Tests that pad needs one low and one high entry per dimension.
func.func @pad_wrong_entry_count(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{cannot pad 'tensor<4x8xf32>': padding needs one low and one high entry per dimension (2)}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {low = array<i64: 1>, high = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<6x10xf32>
  return
}

// -----

// Tests that pad rejects a written result type other than the padded one.
func.func @pad_wrong_result(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'dl.pad' op inferred type(s) 'tensor<6x10xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf32>'}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {low = array<i64: 1, 1>, high = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}
