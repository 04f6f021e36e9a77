// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of every loss: the elementwise losses (mse, mae, huber, bce, bce_with_logits, hinge,
// kl_div), the class-indexed ones (cross_entropy, nll) and the VAE's kl_normal. Each returns a
// scalar tensor<f32>. Errors are in loss-invalid.mlir.

// Tests that every elementwise loss takes prediction and target of one shape and gives a scalar.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[P:.*]]: tensor<4x1xf32>, %[[Y:.*]]: tensor<4x1xf32>)
// CHECK: dl.mse %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.mae %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.huber %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.huber %[[P]], %[[Y]] {delta = 5.000000e-01 : f64} : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.bce %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.bce_with_logits %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.hinge %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
// CHECK: dl.kl_div %[[P]], %[[Y]] : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
func.func @elementwise(%p: tensor<4x1xf32>, %y: tensor<4x1xf32>) {
  %0 = dl.mse %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %1 = dl.mae %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %2 = dl.huber %p, %y {delta = 1.0 : f64} : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %3 = dl.huber %p, %y {delta = 0.5 : f64} : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %4 = dl.bce %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %5 = dl.bce_with_logits %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %6 = dl.hinge %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  %7 = dl.kl_div %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
  return
}

// Tests that elementwise losses take scalars and higher ranks too.
// CHECK-LABEL: func.func @elementwise_shapes
// CHECK: dl.mse %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: dl.bce %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<f32>
func.func @elementwise_shapes(%s: tensor<f32>, %t: tensor<2x3x4xf32>) {
  %0 = dl.mse %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %1 = dl.bce %t, %t : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<f32>
  return
}

// Tests that cross_entropy takes i32 class ids of the logits' shape without the class dimension, or
// f32 soft targets of the logits' own shape.
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[Z:.*]]: tensor<128x10xf32>, %[[L:.*]]: tensor<128xi32>, %[[T:.*]]: tensor<128x10xf32>, %[[S:.*]]: tensor<2x5x7xf32>, %[[M:.*]]: tensor<2x5xi32>)
// CHECK: dl.cross_entropy %[[Z]], %[[L]] : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
// CHECK: dl.cross_entropy %[[Z]], %[[T]] : (tensor<128x10xf32>, tensor<128x10xf32>) -> tensor<f32>
// CHECK: dl.cross_entropy %[[S]], %[[M]] : (tensor<2x5x7xf32>, tensor<2x5xi32>) -> tensor<f32>
func.func @cross_entropy(%logits: tensor<128x10xf32>, %labels: tensor<128xi32>,
                         %soft: tensor<128x10xf32>, %seq: tensor<2x5x7xf32>, %seq_labels: tensor<2x5xi32>) {
  %0 = dl.cross_entropy %logits, %labels : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
  %1 = dl.cross_entropy %logits, %soft : (tensor<128x10xf32>, tensor<128x10xf32>) -> tensor<f32>
  %2 = dl.cross_entropy %seq, %seq_labels : (tensor<2x5x7xf32>, tensor<2x5xi32>) -> tensor<f32>
  return
}

// Tests that cross_entropy and nll carry PyTorch's options: a class weight after `weight`,
// reduction (with "none" one loss per sample), ignore_index and label_smoothing; the defaults
// ("mean", -100, 0) are not printed.
// CHECK-LABEL: func.func @class_loss_options
// CHECK-SAME: (%[[Z:.*]]: tensor<8x4xf32>, %[[L:.*]]: tensor<8xi32>, %[[W:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<2x5x4xf32>, %[[M:.*]]: tensor<2x5xi32>)
// CHECK: dl.cross_entropy %[[Z]], %[[L]] weight %[[W]] {ignore_index = 3 : i64, label_smoothing = 1.000000e-01 : f64} : (tensor<8x4xf32>, tensor<8xi32>, tensor<4xf32>) -> tensor<f32>
// CHECK: dl.cross_entropy %[[S]], %[[M]] {reduction = "none"} : (tensor<2x5x4xf32>, tensor<2x5xi32>) -> tensor<2x5xf32>
// CHECK: dl.cross_entropy %[[S]], %[[S]] weight %[[W]] {reduction = "sum"} : (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<4xf32>) -> tensor<f32>
// CHECK: dl.nll %[[Z]], %[[L]] weight %[[W]] {ignore_index = -1 : i64, reduction = "none"} : (tensor<8x4xf32>, tensor<8xi32>, tensor<4xf32>) -> tensor<8xf32>
// CHECK: dl.nll %[[Z]], %[[L]] : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
func.func @class_loss_options(%z: tensor<8x4xf32>, %labels: tensor<8xi32>, %w: tensor<4xf32>,
                              %seq: tensor<2x5x4xf32>, %seq_labels: tensor<2x5xi32>) {
  %0 = dl.cross_entropy %z, %labels weight %w {ignore_index = 3 : i64, label_smoothing = 0.1 : f64} : (tensor<8x4xf32>, tensor<8xi32>, tensor<4xf32>) -> tensor<f32>
  %1 = dl.cross_entropy %seq, %seq_labels {reduction = "none"} : (tensor<2x5x4xf32>, tensor<2x5xi32>) -> tensor<2x5xf32>
  %2 = dl.cross_entropy %seq, %seq weight %w {reduction = "sum"} : (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<4xf32>) -> tensor<f32>
  %3 = dl.nll %z, %labels weight %w {ignore_index = -1 : i64, reduction = "none"} : (tensor<8x4xf32>, tensor<8xi32>, tensor<4xf32>) -> tensor<8xf32>
  %4 = dl.nll %z, %labels {reduction = "mean", ignore_index = -100 : i64} : (tensor<8x4xf32>, tensor<8xi32>) -> tensor<f32>
  return
}

// Tests that nll takes log-probabilities and i32 labels, including a single sample's scalar label.
// CHECK-LABEL: func.func @nll
// CHECK-SAME: (%[[LP:.*]]: tensor<128x10xf32>, %[[L:.*]]: tensor<128xi32>, %[[ONE:.*]]: tensor<10xf32>, %[[C:.*]]: tensor<i32>)
// CHECK: dl.nll %[[LP]], %[[L]] : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
// CHECK: dl.nll %[[ONE]], %[[C]] : (tensor<10xf32>, tensor<i32>) -> tensor<f32>
func.func @nll(%logp: tensor<128x10xf32>, %labels: tensor<128xi32>, %one: tensor<10xf32>, %c: tensor<i32>) {
  %0 = dl.nll %logp, %labels : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
  %1 = dl.nll %one, %c : (tensor<10xf32>, tensor<i32>) -> tensor<f32>
  return
}

// Tests that kl_normal takes mu and logvar of one shape with a batch dimension.
// CHECK-LABEL: func.func @kl_normal
// CHECK-SAME: (%[[MU:.*]]: tensor<128x20xf32>, %[[LV:.*]]: tensor<128x20xf32>, %[[V:.*]]: tensor<16xf32>)
// CHECK: dl.kl_normal %[[MU]], %[[LV]] : (tensor<128x20xf32>, tensor<128x20xf32>) -> tensor<f32>
// CHECK: dl.kl_normal %[[V]], %[[V]] : (tensor<16xf32>, tensor<16xf32>) -> tensor<f32>
func.func @kl_normal(%mu: tensor<128x20xf32>, %logvar: tensor<128x20xf32>, %v: tensor<16xf32>) {
  %0 = dl.kl_normal %mu, %logvar : (tensor<128x20xf32>, tensor<128x20xf32>) -> tensor<f32>
  %1 = dl.kl_normal %v, %v : (tensor<16xf32>, tensor<16xf32>) -> tensor<f32>
  return
}
