//===- ReductionOps.td - Reductions ------------------------*- tablegen -*-===//
//
// Reductions over a set of axes (empty: all of them), with or without the reduced dimensions kept
// as size 1.
//
//===----------------------------------------------------------------------===//

class DL_ReduceOp<string mnemonic, string math, Type operandType = DL_FloatTensor>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                      DL_Reduction]> {
  let summary = math # " over axes";
  let description = [{
    `}] # math # [{` over `axes` (all axes when empty; negative axes count from the end). With
    `keepdims`, reduced dimensions stay as size 1.

    ```mlir
    %s = dl.}] # mnemonic # [{ %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins operandType:$input, DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferReduction(location, adaptor.getInput().getType(), adaptor.getAxes(),
                            adaptor.getKeepdims(), inferred);
    }
  }];
}

def DL_SumOp : DL_ReduceOp<"sum", "sum", DL_NumericTensor>;
def DL_MeanOp : DL_ReduceOp<"mean", "arithmetic mean">;
def DL_ReduceMaxOp : DL_ReduceOp<"reduce_max", "maximum", DL_NumericTensor>;
def DL_ReduceMinOp : DL_ReduceOp<"reduce_min", "minimum", DL_NumericTensor>;
def DL_LogSumExpOp : DL_ReduceOp<"logsumexp", "log(sum(exp(x))), computed stably">;

def DL_ArgmaxOp : DL_Op<"argmax", [Pure, InferTypeOpAdaptor, DL_NonDifferentiable, DL_Reduction]> {
  let summary = "Index of the largest element along one axis";
  let description = [{
    The first index of the maximum along `axis`, as `i32`. Not differentiable.

    ```mlir
    %c = dl.argmax %logits {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
    ```
  }];
  let arguments = (ins DL_NumericTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs DL_IndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
