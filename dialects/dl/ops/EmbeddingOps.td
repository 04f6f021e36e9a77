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
