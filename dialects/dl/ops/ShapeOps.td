//===- ShapeOps.td - Data movement -------------------------*- tablegen -*-===//
//
// Ops that move data without computing on it: reshape, transpose, broadcast, concat, split, slice
// and pad.
//
//===----------------------------------------------------------------------===//

def DL_ReshapeOp : DL_Op<"reshape", [Pure, SameOperandsAndResultElementType,
                                    DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reindex]> {
  let summary = "Same elements, row-major, in another shape";
  let description = [{
    ```mlir
    %f = dl.reshape %x : (tensor<4x28x28xf32>) -> tensor<4x784xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_TransposeOp : DL_Op<"transpose", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                        DL_Reindex]> {
  let summary = "Permutes dimensions";
  let description = [{
    Result dimension `i` is operand dimension `perm[i]`.

    ```mlir
    %t = dl.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def DL_BroadcastToOp : DL_Op<"broadcast_to", [Pure, SameOperandsAndResultElementType,
                                              DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reindex]> {
  let summary = "Broadcasts a tensor to a larger shape, as NumPy does";
  let description = [{
    ```mlir
    %b = dl.broadcast_to %bias : (tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_ConcatOp : DL_Op<"concat", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                  DL_Reindex]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    ```mlir
    %c = dl.concat %a, %b {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Variadic<DL_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def DL_SplitOp : DL_Op<"split", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                DL_Reindex]> {
  let summary = "Cuts a tensor into equal parts along one axis";
  let description = [{
    ```mlir
    %i, %f, %g, %o = dl.split %gates {parts = 4 : i64, axis = -1 : i64}
        : (tensor<4x32xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
    ```
  }];
  let arguments = (ins DL_Tensor:$input, I64Attr:$parts, I64Attr:$axis);
  let results = (outs Variadic<DL_Tensor>:$results);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def DL_SliceOp : DL_Op<"slice", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                DL_Reindex]> {
  let summary = "Strided slice (`x[a:b:s, ...]`)";
  let description = [{
    Takes `start[d] <= i < limit[d]` with step `stride[d]` in every dimension `d`; bounds are already
    resolved (no negative indices).

    ```mlir
    %s = dl.slice %x {start = array<i64: 0, 2>, limit = array<i64: 4, 6>, stride = array<i64: 1, 1>}
        : (tensor<4x8xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$start, DenseI64ArrayAttr:$limit,
                       DenseI64ArrayAttr:$stride);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def DL_PadOp : DL_Op<"pad", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                              DL_Reindex]> {
  let summary = "Pads with a constant";
  let description = [{
    Adds `low[d]` elements before and `high[d]` after every dimension `d`, filled with `value`.

    ```mlir
    %p = dl.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 1>, value = 0.0 : f64}
        : (tensor<4x8xf32>) -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
