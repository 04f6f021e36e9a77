// RUN: dl-opt %s | dl-opt | FileCheck %s

// Round trip of dl.matmul in every form NumPy's matmul allows. Errors are in linalg-invalid.mlir.

// Tests that a matrix product keeps its operands and result type.
// CHECK-LABEL: func.func @matrix
// CHECK-SAME: (%[[X:.*]]: tensor<128x784xf32>, %[[W:.*]]: tensor<784x256xf32>)
// CHECK: %[[Y:.*]] = dl.matmul %[[X]], %[[W]] : (tensor<128x784xf32>, tensor<784x256xf32>) -> tensor<128x256xf32>
// CHECK: return %[[Y]]
func.func @matrix(%x: tensor<128x784xf32>, %w: tensor<784x256xf32>) -> tensor<128x256xf32> {
  %y = dl.matmul %x, %w : (tensor<128x784xf32>, tensor<784x256xf32>) -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}

// Tests that 1-D operands act as a row (left) or a column (right) whose dimension is dropped again,
// and that two vectors give a scalar.
// CHECK-LABEL: func.func @vectors
// CHECK-SAME: (%[[V:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3x5xf32>, %[[N:.*]]: tensor<4x3xf32>)
// CHECK: dl.matmul %[[V]], %[[M]] : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
// CHECK: dl.matmul %[[N]], %[[V]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4xf32>
// CHECK: dl.matmul %[[V]], %[[V]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
func.func @vectors(%v: tensor<3xf32>, %m: tensor<3x5xf32>, %n: tensor<4x3xf32>) {
  %0 = dl.matmul %v, %m : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  %1 = dl.matmul %n, %v : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4xf32>
  %2 = dl.matmul %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// Tests that leading dimensions are batch dimensions, equal or broadcast.
// CHECK-LABEL: func.func @batched
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<8x4x16x32xf32>, tensor<8x4x32x16xf32>) -> tensor<8x4x16x16xf32>
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32>
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<5x4x3xf32>, tensor<3x2xf32>) -> tensor<5x4x2xf32>
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<7x3x2xf32>) -> tensor<7x2xf32>
func.func @batched(%q: tensor<8x4x16x32xf32>, %k: tensor<8x4x32x16xf32>, %a: tensor<2x1x4x5xf32>,
                   %b: tensor<3x5x6xf32>, %c: tensor<5x4x3xf32>, %d: tensor<3x2xf32>,
                   %v: tensor<3xf32>, %e: tensor<7x3x2xf32>) {
  %0 = dl.matmul %q, %k : (tensor<8x4x16x32xf32>, tensor<8x4x32x16xf32>) -> tensor<8x4x16x16xf32>
  %1 = dl.matmul %a, %b : (tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32>
  %2 = dl.matmul %c, %d : (tensor<5x4x3xf32>, tensor<3x2xf32>) -> tensor<5x4x2xf32>
  %3 = dl.matmul %v, %e : (tensor<3xf32>, tensor<7x3x2xf32>) -> tensor<7x2xf32>
  return
}

// Tests that matmul takes the other floating-point element types.
// CHECK-LABEL: func.func @element_types
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf64>, tensor<3x4xf64>) -> tensor<2x4xf64>
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3x4xbf16>) -> tensor<2x4xbf16>
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
func.func @element_types(%a: tensor<2x3xf64>, %b: tensor<3x4xf64>, %c: tensor<2x3xbf16>,
                         %d: tensor<3x4xbf16>, %e: tensor<2x3xf16>, %f: tensor<3x4xf16>) {
  %0 = dl.matmul %a, %b : (tensor<2x3xf64>, tensor<3x4xf64>) -> tensor<2x4xf64>
  %1 = dl.matmul %c, %d : (tensor<2x3xbf16>, tensor<3x4xbf16>) -> tensor<2x4xbf16>
  %2 = dl.matmul %e, %f : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
  return
}
