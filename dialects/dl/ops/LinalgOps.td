//===- LinalgOps.td - Matrix products ----------------------*- tablegen -*-===//

def DL_MatmulOp : DL_Op<"matmul", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                  DL_Contraction]> {
  let summary = "Matrix product, batched over leading dimensions (`@`)";
  let description = [{
    NumPy's `matmul`: the last two dimensions multiply, leading dimensions broadcast, and a 1-D operand
    is treated as a row (left) or column (right) vector whose added dimension is dropped again.

    ```mlir
    %y = dl.matmul %x, %w : (tensor<128x784xf32>, tensor<784x256xf32>) -> tensor<128x256xf32>
    %z = dl.matmul %q, %k : (tensor<8x4x16x32xf32>, tensor<8x4x32x16xf32>) -> tensor<8x4x16x16xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$lhs, DL_FloatTensor:$rhs);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}
