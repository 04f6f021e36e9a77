// RUN: dl-opt %s -split-input-file -verify-diagnostics

// Every error the losses report. A failed type inference reports the reason at the op and then
// MLIR's generic "failed to infer returned types", so those cases expect both.

// Tests that an elementwise loss rejects prediction and target of different shapes, even ones that
// would broadcast.
func.func @mse_shape_mismatch(%p: tensor<4x1xf32>, %y: tensor<4xf32>) {
  // expected-error @+2 {{prediction and target differ: 'tensor<4x1xf32>' and 'tensor<4xf32>'}}
  // expected-error @+1 {{'dl.mse' op failed to infer returned types}}
  %0 = dl.mse %p, %y : (tensor<4x1xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

// Tests that an elementwise loss rejects prediction and target of different element types.
func.func @bce_element_type_mismatch(%p: tensor<4xf32>, %y: tensor<4xf64>) {
  // expected-error @+2 {{prediction and target differ: 'tensor<4xf32>' and 'tensor<4xf64>'}}
  // expected-error @+1 {{'dl.bce' op failed to infer returned types}}
  %0 = dl.bce %p, %y : (tensor<4xf32>, tensor<4xf64>) -> tensor<f32>
  return
}

// -----

// Tests that a loss returns a scalar, not a one-element tensor.
func.func @huber_not_scalar(%p: tensor<4xf32>) {
  // expected-error @+1 {{'dl.huber' op result #0 must be 0D tensor of 32-bit float values, but got 'tensor<1xf32>'}}
  %0 = dl.huber %p, %p : (tensor<4xf32>, tensor<4xf32>) -> tensor<1xf32>
  return
}

// -----

// Tests that elementwise losses take floating-point targets only.
func.func @hinge_integer_target(%p: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{'dl.hinge' op operand #1 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = dl.hinge %p, %y : (tensor<4xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

// Tests that cross_entropy rejects class ids whose shape is not the logits' without the last dimension.
func.func @cross_entropy_label_shape(%z: tensor<128x10xf32>, %l: tensor<64xi32>) {
  // expected-error @+2 {{labels 'tensor<64xi32>' do not fit class scores 'tensor<128x10xf32>': expected labels of shape i32[128]}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %l : (tensor<128x10xf32>, tensor<64xi32>) -> tensor<f32>
  return
}

// -----

// Tests that cross_entropy rejects class ids that keep the class dimension.
func.func @cross_entropy_label_rank(%z: tensor<128x10xf32>, %l: tensor<128x10xi32>) {
  // expected-error @+2 {{labels 'tensor<128x10xi32>' do not fit class scores 'tensor<128x10xf32>': expected labels of shape i32[128]}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %l : (tensor<128x10xf32>, tensor<128x10xi32>) -> tensor<f32>
  return
}

// -----

// Tests that cross_entropy rejects soft targets of another shape than the logits.
func.func @cross_entropy_soft_target_shape(%z: tensor<128x10xf32>, %t: tensor<128x5xf32>) {
  // expected-error @+2 {{soft targets 'tensor<128x5xf32>' must have the logits' type 'tensor<128x10xf32>'}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %t : (tensor<128x10xf32>, tensor<128x5xf32>) -> tensor<f32>
  return
}

// -----

// Tests that cross_entropy needs a class dimension.
func.func @cross_entropy_scalar_logits(%z: tensor<f32>, %l: tensor<i32>) {
  // expected-error @+2 {{class scores 'tensor<f32>' need a class dimension}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %l : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return
}

// -----

// Tests that cross_entropy rejects boolean targets.
func.func @cross_entropy_bool_target(%z: tensor<4x10xf32>, %t: tensor<4xi1>) {
  // expected-error @+1 {{'dl.cross_entropy' op operand #1 must be statically shaped tensor of 32-bit float or 64-bit float or 16-bit float or bfloat16 type or 32-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = dl.cross_entropy %z, %t : (tensor<4x10xf32>, tensor<4xi1>) -> tensor<f32>
  return
}

// -----

// Tests that nll rejects labels whose shape is not the scores' without the last dimension.
func.func @nll_label_shape(%lp: tensor<128x10xf32>, %l: tensor<10xi32>) {
  // expected-error @+2 {{labels 'tensor<10xi32>' do not fit class scores 'tensor<128x10xf32>': expected labels of shape i32[128]}}
  // expected-error @+1 {{'dl.nll' op failed to infer returned types}}
  %0 = dl.nll %lp, %l : (tensor<128x10xf32>, tensor<10xi32>) -> tensor<f32>
  return
}

// -----

// Tests that nll needs a class dimension.
func.func @nll_scalar_scores(%lp: tensor<f32>, %l: tensor<i32>) {
  // expected-error @+2 {{class scores 'tensor<f32>' need a class dimension}}
  // expected-error @+1 {{'dl.nll' op failed to infer returned types}}
  %0 = dl.nll %lp, %l : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return
}

// -----

// Tests that nll takes i32 labels only, not soft targets.
func.func @nll_float_labels(%lp: tensor<4x10xf32>, %t: tensor<4x10xf32>) {
  // expected-error @+1 {{'dl.nll' op operand #1 must be statically shaped tensor of 32-bit signless integer values, but got 'tensor<4x10xf32>'}}
  %0 = dl.nll %lp, %t : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<f32>
  return
}

// -----

// Tests that kl_normal rejects mu and logvar of different types.
func.func @kl_normal_mismatch(%mu: tensor<128x20xf32>, %lv: tensor<128x10xf32>) {
  // expected-error @+2 {{mu and logvar differ: 'tensor<128x20xf32>' and 'tensor<128x10xf32>'}}
  // expected-error @+1 {{'dl.kl_normal' op failed to infer returned types}}
  %0 = dl.kl_normal %mu, %lv : (tensor<128x20xf32>, tensor<128x10xf32>) -> tensor<f32>
  return
}

// -----

// Tests that kl_normal needs a batch dimension to average over.
func.func @kl_normal_scalar(%mu: tensor<f32>) {
  // expected-error @+2 {{kl_normal needs a batch dimension}}
  // expected-error @+1 {{'dl.kl_normal' op failed to infer returned types}}
  %0 = dl.kl_normal %mu, %mu : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

// Tests that a class weight must have one element per class.
func.func @cross_entropy_weight_shape(%z: tensor<8x4xf32>, %l: tensor<8xi32>, %w: tensor<8xf32>) {
  // expected-error @+2 {{the class weight 'tensor<8xf32>' must have one element per class of 'tensor<8x4xf32>'}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %l weight %w : (tensor<8x4xf32>, tensor<8xi32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

// Tests that the reduction is one of PyTorch's.
func.func @nll_unknown_reduction(%z: tensor<8x4xf32>, %l: tensor<8xi32>) {
  // expected-error @+2 {{reduction "avg" is not one of "mean", "sum", "none"}}
  // expected-error @+1 {{'dl.nll' op failed to infer returned types}}
  %0 = dl.nll %z, %l {reduction = "avg"} : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return
}

// -----

// Tests that label smoothing lies in [0, 1].
func.func @cross_entropy_smoothing_range(%z: tensor<8x4xf32>, %l: tensor<8xi32>) {
  // expected-error @+2 {{label_smoothing -0.500000 is outside [0, 1]}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %l {label_smoothing = -0.5 : f64} : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return
}

// -----

// Tests that reduction "none" returns one loss per sample, not a scalar.
func.func @cross_entropy_none_shape(%z: tensor<8x4xf32>, %l: tensor<8xi32>) {
  // expected-error @+2 {{'dl.cross_entropy' op inferred type(s) 'tensor<8xf32>' are incompatible with return type(s) of operation 'tensor<f32>'}}
  // expected-error @+1 {{'dl.cross_entropy' op failed to infer returned types}}
  %0 = dl.cross_entropy %z, %l {reduction = "none"} : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return
}
