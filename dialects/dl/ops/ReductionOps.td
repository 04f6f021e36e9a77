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

class DL_ArgExtremumOp<string mnemonic, string which>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor, DL_NonDifferentiable, DL_Reduction]> {
  let summary = "Index of the " # which # " element along one axis";
  let description = [{
    The first index of the }] # which # [{ along `axis`, as `i32` (a NaN counts as the }] # which # [{,
    as in PyTorch: its first NaN wins). Not differentiable.

    ```mlir
    %c = dl.}] # mnemonic # [{ %logits {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
    ```
  }];
  let arguments = (ins DL_NumericTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs DL_IndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferArgExtremum(context, location, adaptor.getInput().getType(), adaptor.getAxis(),
                              adaptor.getKeepdims(), inferred);
    }
  }];
}

def DL_ArgmaxOp : DL_ArgExtremumOp<"argmax", "largest">;
def DL_ArgminOp : DL_ArgExtremumOp<"argmin", "smallest">;

def DL_CumsumOp : DL_Op<"cumsum", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                   DL_Reduction]> {
  let summary = "Cumulative sum along one axis";
  let description = [{
    `result[..., i, ...] = sum(input[..., j, ...] for j <= i)` along `axis` (for `j >= i` with
    `reverse`), as `torch.cumsum`: the running sum starts from +0 and adds the elements in order,
    in double precision for floats (PyTorch's CPU accumulator), so NaN and infinities propagate from
    where they occur on. i32 sums wrap to 32 bits. The gradient is the reverse cumulative sum of the
    output gradient.

    ```mlir
    %c = dl.cumsum %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins DL_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferAlongAxis(location, "cumsum", adaptor.getInput().getType(), adaptor.getAxis(),
                            inferred);
    }
  }];
}
