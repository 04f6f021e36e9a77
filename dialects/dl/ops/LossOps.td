//===- LossOps.td - Losses ---------------------------------*- tablegen -*-===//
//
// Every loss returns a scalar `tensor<f32>` and reduces as PyTorch's default does, so that dlc's
// numbers can be compared with `torch.nn.functional` directly.
//
//===----------------------------------------------------------------------===//

class DL_LossOp<string mnemonic, string math, dag extraAttrs = (ins)>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                      DL_Reduction]> {
  let summary = math;
  let arguments = !con((ins DL_FloatTensor:$prediction, DL_FloatTensor:$target), extraAttrs);
  let results = (outs DL_ScalarF32:$result);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferElementwiseLoss(location, adaptor.getPrediction().getType(),
                                  adaptor.getTarget().getType(), inferred);
    }
  }];
  let description = [{
    `}] # math # [{`. Prediction and target have the same shape.

    ```mlir
    %l = dl.}] # mnemonic # [{ %p, %y : (tensor<4x1xf32>, tensor<4x1xf32>) -> tensor<f32>
    ```
  }];
}

def DL_MseOp : DL_LossOp<"mse", "mean((p - y)^2) over all elements">;
def DL_MaeOp : DL_LossOp<"mae", "mean(|p - y|) over all elements">;
def DL_HuberOp : DL_LossOp<"huber",
    "mean of 0.5 (p - y)^2 where |p - y| < delta, else delta (|p - y| - 0.5 delta)",
    (ins DefaultValuedAttr<F64Attr, "1.0">:$delta)>;
def DL_BceOp : DL_LossOp<"bce",
    "mean(-(y log p + (1 - y) log(1 - p))), p in [0, 1], each log clamped at -100 (PyTorch)">;
def DL_BceWithLogitsOp : DL_LossOp<"bce_with_logits",
    "bce(sigmoid(z), y), computed stably from the logits z">;
def DL_HingeOp : DL_LossOp<"hinge", "mean(max(0, 1 - y p)) with targets y in {-1, +1}">;
def DL_KlDivOp : DL_LossOp<"kl_div",
    "sum(y (log y - p)) / batch, with p log-probabilities and y probabilities (PyTorch's batchmean)">;

/// The options PyTorch's class losses share: `reduction` ("mean", "sum" or "none"; with "none" the
/// result is one loss per sample, the scores' shape without the class dimension), `ignore_index`
/// (samples whose class id equals it contribute 0 and leave the mean's denominator) and an optional
/// `weight` of one f32 per class.
class DL_ClassLossOp<string mnemonic, dag scores, dag extraAttrs = (ins)> : DL_Op<mnemonic, [Pure,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reduction]> {
  let arguments = !con(scores, (ins Optional<DL_FloatTensor>:$weight,
                                    DefaultValuedStrAttr<StrAttr, "mean">:$reduction,
                                    DefaultValuedAttr<I64Attr, "-100">:$ignore_index), extraAttrs);
  let results = (outs DL_FloatTensor:$result);
}

def DL_CrossEntropyOp : DL_ClassLossOp<"cross_entropy", (ins DL_FloatTensor:$logits,
    DL_NumericTensor:$target), (ins DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing)> {
  let summary = "Softmax cross-entropy from logits (torch.nn.functional.cross_entropy)";
  let description = [{
    With the classes on the last axis of the logits `z` (C of them) and `logp = log_softmax(z)`, the
    loss of one sample is `-sum_c w_c t_c logp_c` (w = 1 without a weight), where the target `t` is:
    - for `i32` class ids y (the logits' shape without its last dimension):
      `(1 - label_smoothing) onehot(y) + label_smoothing / C`, and 0 for a sample whose id is
      `ignore_index`. "mean" divides the sum by the sum of `w[y]` over the samples not ignored
      (NaN when every sample is ignored);
    - for `f32` probabilities of the logits' shape: `(1 - label_smoothing) t + label_smoothing / C`
      (`ignore_index` does not apply); "mean" divides by the number of samples.
    These are torch 1.13's formulas.

    ```mlir
    %l = dl.cross_entropy %logits, %labels : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
    %r = dl.cross_entropy %logits, %labels weight %w {reduction = "none", label_smoothing = 1.0e-01 : f64}
        : (tensor<128x10xf32>, tensor<128xi32>, tensor<10xf32>) -> tensor<128xf32>
    ```
  }];
  let assemblyFormat = "$logits `,` $target (`weight` $weight^)? attr-dict `:` functional-type(operands, results)";
}

def DL_NllOp : DL_ClassLossOp<"nll", (ins DL_FloatTensor:$log_probs, DL_IndexTensor:$labels)> {
  let summary = "Negative log-likelihood of log-probabilities (torch.nn.functional.nll_loss)";
  let description = [{
    `-w[y] logp[y]` per sample, with the classes on the last axis and `i32` labels y of the
    log-probabilities' shape without its last dimension; 0 for a sample whose label is
    `ignore_index`. "mean" divides the sum by the sum of `w[y]` over the samples not ignored.

    ```mlir
    %l = dl.nll %logp, %labels : (tensor<128x10xf32>, tensor<128xi32>) -> tensor<f32>
    ```
  }];
  let assemblyFormat = "$log_probs `,` $labels (`weight` $weight^)? attr-dict `:` functional-type(operands, results)";
}

def DL_KlNormalOp : DL_Op<"kl_normal", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                    DL_Reduction]> {
  let summary = "KL divergence of N(mu, exp(logvar)) to N(0, I), the VAE's regularizer";
  let description = [{
    `-0.5 * sum(1 + logvar - mu^2 - exp(logvar))`, summed over every axis but the first and averaged
    over the first (the batch).

    ```mlir
    %kl = dl.kl_normal %mu, %logvar : (tensor<128x20xf32>, tensor<128x20xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$mu, DL_FloatTensor:$logvar);
  let results = (outs DL_ScalarF32:$result);
  let assemblyFormat = "$mu `,` $logvar attr-dict `:` functional-type(operands, results)";
}
