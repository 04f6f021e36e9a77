//===- RandomOps.td - Counter-based randomness -------------*- tablegen -*-===//
//
// Random ops draw from a Philox generator keyed by (seed, stream, step): the instance's seed, the op's
// `stream` (unique within a model, assigned by the frontend) and the step counter. CPU and GPU draw the
// same numbers, and a run is reproducible.
//
//===----------------------------------------------------------------------===//

def DL_DropoutOp : DL_Op<"dropout", [SameOperandsAndResultType, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                    DL_Pointwise, DL_Random]> {
  let summary = "Inverted dropout (training mode)";
  let description = [{
    Zeroes each element with probability `p` and scales the others by `1 / (1 - p)`. It appears only in
    training-mode functions: the frontend emits nothing for dropout in inference mode.

    ```mlir
    %d = dl.dropout %h {p = 2.000000e-01 : f64, stream = 3 : i64} : tensor<128x256xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, F64Attr:$p, I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DL_RandomNormalOp : DL_Op<"random_normal", [DL_GradientSource, DL_Pointwise, DL_Random]> {
  let summary = "Normal samples, drawn afresh at every step";
  let description = [{
    ```mlir
    %eps = dl.random_normal {mean = 0.0 : f64, std = 1.0 : f64, stream = 0 : i64} : tensor<128x20xf32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<F64Attr, "0.0">:$mean, DefaultValuedAttr<F64Attr, "1.0">:$std,
                       I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DL_RandomUniformOp : DL_Op<"random_uniform", [DL_GradientSource, DL_Pointwise, DL_Random]> {
  let summary = "Uniform samples in [lo, hi), drawn afresh at every step";
  let description = [{
    ```mlir
    %u = dl.random_uniform {lo = -1.0 : f64, hi = 1.0 : f64, stream = 1 : i64} : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<F64Attr, "0.0">:$lo, DefaultValuedAttr<F64Attr, "1.0">:$hi,
                       I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}
