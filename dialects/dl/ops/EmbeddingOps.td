//===- EmbeddingOps.td - Embedding lookup and its gradient -*- tablegen -*-===//
//
// The rows of a table picked by integer ids (PyTorch's F.embedding) and the scatter-add that is its
// gradient with respect to the table; the ids take no gradient. An id outside [0, V) is the user's
// error: the interpreter and the compiled kernels report it instead of reading or writing outside
// the table.
//
// Fusion classes: the lookup reads each result element from one table element, like a slice whose
// rows the ids pick, so it is re-indexing (DL_Reindex): it fuses into its consumers, a matmul's
// included, and it is not element-wise, which matters because a gathered table has the table's
// shape when the ids are [V] and dl-plan-memory writes in place only through element-wise ops. Its
// gradient adds rows at data-dependent places: a reduction (DL_Reduction) that absorbs its
// producers and is never another op's epilogue.
//
// gather (torch.gather, ONNX GatherElements) is the same lookup along any axis of a tensor of any
// rank, one index per result element; its gradient is the same kind of scatter-add, with the same
// fusion classes.
//
//===----------------------------------------------------------------------===//

def DL_EmbeddingOp : DL_Op<"embedding",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reindex]> {
  let summary = "Rows of a table picked by integer ids";
  let description = [{
    `ids` has any shape S and `table` is [V, D]; the result is [S..., D] with
    `result[s, :] = table[ids[s], :]`. Every id must lie in [0, V). The gradient with respect to
    the table is `dl.embedding_grad`.

    ```mlir
    %e = dl.embedding %ids, %table : (tensor<32x64xi32>, tensor<1000x128xf32>) -> tensor<32x64x128xf32>
    ```
  }];
  let arguments = (ins DL_IndexTensor:$ids, DL_FloatTensor:$table);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$ids `,` $table attr-dict `:` functional-type(operands, results)";
}

def DL_EmbeddingGradOp : DL_Op<"embedding_grad", [Pure, InferTypeOpAdaptor, DL_NonDifferentiable,
                                            DL_Reduction]> {
  let summary = "Gradient of embedding with respect to its table (a scatter-add)";
  let description = [{
    `ids` has shape S and `grad` is [S..., D]; the result is the table's gradient [rows, D]: row v
    is the sum of `grad[s, :]` over every s with `ids[s] = v` (added in row-major order of s), and
    zero where no id is v. Every id must lie in [0, rows).

    ```mlir
    %gt = dl.embedding_grad %ids, %gy {rows = 1000 : i64}
        : (tensor<32x64xi32>, tensor<32x64x128xf32>) -> tensor<1000x128xf32>
    ```
  }];
  let arguments = (ins DL_IndexTensor:$ids, DL_FloatTensor:$grad, I64Attr:$rows);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$ids `,` $grad attr-dict `:` functional-type(operands, results)";
}

def DL_GatherOp : DL_Op<"gather",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reindex]> {
  let summary = "Elements of a tensor picked along one axis by integer indices (torch.gather)";
  let description = [{
    `input` has shape [s0, ..., sn-1] (n >= 1) and `index` (i32) the same rank, with
    `index.shape[d] <= s[d]` for every d other than `axis`; the result has the index's shape and
    element type of the input: for axis 1 of a rank-2 input, `result[i][j] = input[i][index[i][j]]`.
    Every index must lie in [0, s[axis]) (torch.gather's rule; the kernels report one outside).
    The gradient with respect to the input is `dl.gather_grad`; the index takes none.

    ```mlir
    %g = dl.gather %x, %idx {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x3xi32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DL_IndexTensor:$index, I64Attr:$axis);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $index attr-dict `:` functional-type(operands, results)";
}

def DL_GatherGradOp : DL_Op<"gather_grad", [Pure, InferTypeOpAdaptor, DL_NonDifferentiable,
                                          DL_Reduction]> {
  let summary = "Gradient of gather with respect to its input (a scatter-add)";
  let description = [{
    `index` and `grad` share a shape; the result has shape `input_shape`, zero but where the
    indices point: element p of `grad` is added at p with its `axis` coordinate replaced by
    `index[p]` (in row-major order of p, from +0). Every index must lie in
    [0, input_shape[axis]).

    ```mlir
    %gx = dl.gather_grad %idx, %gy {axis = 1 : i64, input_shape = array<i64: 4, 10>}
        : (tensor<4x3xi32>, tensor<4x3xf32>) -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins DL_IndexTensor:$index, DL_FloatTensor:$grad, I64Attr:$axis,
                       DenseI64ArrayAttr:$input_shape);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$index `,` $grad attr-dict `:` functional-type(operands, results)";
}
