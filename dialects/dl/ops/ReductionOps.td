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

def DL_TopkOp : DL_Op<"topk", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                               DL_Reduction]> {
  let summary = "The k largest (or smallest) elements along one axis, and their indices";
  let description = [{
    `torch.topk(input, k, dim = axis, largest, sorted)`: `values` holds the `k` largest elements
    along `axis` (the `k` smallest when `largest` is false), best first, and `indices` (`i32`) where
    they are in `input`; the other dimensions keep their sizes and the axis becomes `k` long. A NaN
    counts as larger than every number, as in PyTorch (first among the largest, last among the
    smallest); -0 equals +0. Equal elements come in the order of their indices (PyTorch's CPU order
    among ties can differ). `sorted = false` returns them sorted all the same. `1 <= k <= ` the
    axis's size. The gradient of `values` goes back to the elements they were taken from, zero
    elsewhere; `indices` have none.

    ```mlir
    %v, %i = dl.topk %x {k = 5 : i64, axis = -1 : i64}
        : (tensor<4x10xf32>) -> (tensor<4x5xf32>, tensor<4x5xi32>)
    ```
  }];
  let arguments = (ins DL_NumericTensor:$input, I64Attr:$k, DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs DL_NumericTensor:$values, DL_IndexTensor:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferTopk(context, location, adaptor.getInput().getType(), adaptor.getK(),
                       adaptor.getAxis(), inferred);
    }
  }];
}
