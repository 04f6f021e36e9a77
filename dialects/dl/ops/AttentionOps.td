//===- AttentionOps.td - Fused scaled dot-product attention -*- tablegen -*-===//
//
// softmax(q k^T * scale [+ causal mask]) v as one op, and its gradient with respect to each
// operand, so that the code generator can compute the [Tq, Tk] scores of each head in a tile that
// stays in cache instead of writing them out whole (see compiler/codegen/halide/ops/Attention.cpp).
// The frontend emits them for `attention` when q, k and v share their leading dimensions, at any
// size (past 1024 x 1024 scores per head the code generator streams blocks of rows:
// compiler/codegen/halide/ops/AttentionStreamed.cpp); otherwise it writes attention out in matmul
// and softmax.
//
//===----------------------------------------------------------------------===//

def DL_AttentionOp : DL_Op<"attention",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Attention]> {
  let summary = "Scaled dot-product attention of one or more heads";
  let description = [{
    With q [L..., Tq, d], k [L..., Tk, d] and v [L..., Tk, dv] (one set of leading dimensions L),
    the result is [L..., Tq, dv]: `softmax(q @ k^T * scale + mask, axis = -1) @ v`, where the mask
    is 0, or with `causal` (Tq = Tk) -inf above the diagonal, so that query i attends to keys 0..i.
    The softmax subtracts each row's maximum first. The gradients are `dl.attention_grad`.

    ```mlir
    %o = dl.attention %q, %k, %v {causal = true, scale = 0.125 : f64}
        : (tensor<16x4x128x64xf32>, tensor<16x4x128x64xf32>, tensor<16x4x128x64xf32>)
        -> tensor<16x4x128x64xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$q, DL_FloatTensor:$k, DL_FloatTensor:$v, BoolAttr:$causal,
                       F64Attr:$scale);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v attr-dict `:` functional-type(operands, results)";
}

def DL_AttentionGradOp : DL_Op<"attention_grad",
    [Pure, InferTypeOpAdaptor, DL_NonDifferentiable, DL_Attention]> {
  let summary = "Gradient of attention with respect to its queries, keys or values";
  let description = [{
    For `o = dl.attention(q, k, v)` with the same `causal` and `scale`, and `grad` the gradient of
    o ([L..., Tq, dv]), the gradient with respect to operand `wrt` (0: q, 1: k, 2: v), of that
    operand's type. With P the attention weights, dP = grad @ v^T and
    dS = P * (dP - rowsum(dP * P)): dq = dS @ k * scale, dk = dS^T @ q * scale, dv = P^T @ grad.
    The three gradients of one attention read the same operands; the code generator computes P and
    dS once for the three when they are in one kernel.

    ```mlir
    %dq = dl.attention_grad %q, %k, %v, %do {causal = true, scale = 0.125 : f64, wrt = 0 : i64}
        : (tensor<16x4x128x64xf32>, tensor<16x4x128x64xf32>, tensor<16x4x128x64xf32>,
           tensor<16x4x128x64xf32>) -> tensor<16x4x128x64xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$q, DL_FloatTensor:$k, DL_FloatTensor:$v,
                       DL_FloatTensor:$grad, BoolAttr:$causal, F64Attr:$scale, I64Attr:$wrt);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v `,` $grad attr-dict `:` functional-type(operands, results)";
}
