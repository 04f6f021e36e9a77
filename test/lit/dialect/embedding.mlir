// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of the embedding lookup and its gradient with the result types the shape rules
// give. Errors are in embedding-invalid.mlir.

// Tests that embedding appends the table's row size to the ids' shape, for ids of rank 2, 1 and 0,
// and takes the table's element type.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[IDS:.*]]: tensor<32x64xi32>, %[[ONE:.*]]: tensor<7xi32>, %[[ID:.*]]: tensor<i32>, %[[T:.*]]: tensor<1000x128xf32>, %[[T64:.*]]: tensor<5x3xf64>)
// CHECK: dl.embedding %[[IDS]], %[[T]] : (tensor<32x64xi32>, tensor<1000x128xf32>) -> tensor<32x64x128xf32>
// CHECK: dl.embedding %[[ONE]], %[[T]] : (tensor<7xi32>, tensor<1000x128xf32>) -> tensor<7x128xf32>
// CHECK: dl.embedding %[[ID]], %[[T64]] : (tensor<i32>, tensor<5x3xf64>) -> tensor<3xf64>
func.func @embedding(%ids: tensor<32x64xi32>, %one: tensor<7xi32>, %id: tensor<i32>, %t: tensor<1000x128xf32>, %t64: tensor<5x3xf64>) {
  %0 = dl.embedding %ids, %t : (tensor<32x64xi32>, tensor<1000x128xf32>) -> tensor<32x64x128xf32>
  %1 = dl.embedding %one, %t : (tensor<7xi32>, tensor<1000x128xf32>) -> tensor<7x128xf32>
  %2 = dl.embedding %id, %t64 : (tensor<i32>, tensor<5x3xf64>) -> tensor<3xf64>
  return
}

// Tests that embedding_grad keeps its rows attribute and gives the table's shape [rows, D].
// CHECK-LABEL: func.func @embedding_grad
// CHECK-SAME: (%[[IDS:.*]]: tensor<32x64xi32>, %[[G:.*]]: tensor<32x64x128xf32>, %[[ID:.*]]: tensor<i32>, %[[G1:.*]]: tensor<3xf32>)
// CHECK: dl.embedding_grad %[[IDS]], %[[G]] {rows = 1000 : i64} : (tensor<32x64xi32>, tensor<32x64x128xf32>) -> tensor<1000x128xf32>
// CHECK: dl.embedding_grad %[[ID]], %[[G1]] {rows = 1 : i64} : (tensor<i32>, tensor<3xf32>) -> tensor<1x3xf32>
func.func @embedding_grad(%ids: tensor<32x64xi32>, %g: tensor<32x64x128xf32>, %id: tensor<i32>, %g1: tensor<3xf32>) {
  %0 = dl.embedding_grad %ids, %g {rows = 1000 : i64} : (tensor<32x64xi32>, tensor<32x64x128xf32>) -> tensor<1000x128xf32>
  %1 = dl.embedding_grad %id, %g1 {rows = 1 : i64} : (tensor<i32>, tensor<3xf32>) -> tensor<1x3xf32>
  return
}
