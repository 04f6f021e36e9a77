//===- ElementwiseOps.td - Elementwise ops and activations -*- tablegen -*-===//
//
// Binary ops broadcast their operands as NumPy does and infer the broadcast type; unary ops keep
// their operand's type.
//
//===----------------------------------------------------------------------===//

def DL_ConstantOp : DL_Op<"constant", [ConstantLike, Pure, InferTypeOpAdaptor, DL_GradientSource, DL_Pointwise]> {
  let summary = "A constant tensor";
  let description = [{
    ```mlir
    %half = dl.constant dense<5.000000e-01> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

class DL_BinaryOp<string mnemonic, Type operandType, string math, list<Trait> traits = [],
                  bit differentiable = 1>
    : DL_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor, DL_Pointwise],
                                  !if(differentiable, [DeclareOpInterfaceMethods<DL_VJPOpInterface>],
                                      [DL_NonDifferentiable]))> {
  let summary = "Elementwise " # math # " with broadcasting";
  let description = [{
    `}] # math # [{` of two tensors of one element type; shapes broadcast as in NumPy.

    ```mlir
    %r = dl.}] # mnemonic # [{ %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBroadcast(location, {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
                            inferred);
    }
  }];
}

def DL_AddOp : DL_BinaryOp<"add", DL_NumericTensor, "lhs + rhs", [Commutative]>;
def DL_SubOp : DL_BinaryOp<"sub", DL_NumericTensor, "lhs - rhs">;
def DL_MulOp : DL_BinaryOp<"mul", DL_NumericTensor, "lhs * rhs", [Commutative]>;
def DL_DivOp : DL_BinaryOp<"div", DL_NumericTensor, "lhs / rhs">;
def DL_PowOp : DL_BinaryOp<"pow", DL_FloatTensor, "lhs ** rhs">;
def DL_MaximumOp : DL_BinaryOp<"maximum", DL_NumericTensor, "max(lhs, rhs)", [Commutative]>;
def DL_MinimumOp : DL_BinaryOp<"minimum", DL_NumericTensor, "min(lhs, rhs)", [Commutative]>;

def DL_ModOp : DL_BinaryOp<"mod", DL_NumericTensor, "lhs mod rhs (torch.remainder)"> {
  let description = [{
    The remainder of `lhs / rhs` with the sign of `rhs`, as `torch.remainder` and Python's `%`:
    `fmod(lhs, rhs)`, plus `rhs` where that is nonzero and its sign differs from `rhs`'s. Floats:
    NaN for `rhs = 0` or an infinite `lhs`; i32: 0 for `rhs = 0` in a kernel (the interpreter
    rejects it). Gradient: 1 for `lhs`, `-floor(lhs / rhs)` for `rhs`.

    ```mlir
    %r = dl.mod %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
}
def DL_FmodOp : DL_BinaryOp<"fmod", DL_NumericTensor, "fmod(lhs, rhs) (C's, torch.fmod)"> {
  let description = [{
    The remainder of `lhs / rhs` with the sign of `lhs`, as C's `fmod` and `torch.fmod`: exact,
    `lhs - trunc(lhs / rhs) * rhs` computed without rounding. Floats: NaN for `rhs = 0` or an
    infinite `lhs`, `lhs` for an infinite `rhs`; i32: 0 for `rhs = 0` in a kernel (the interpreter
    rejects it). Gradient: 1 for `lhs`, `-trunc(lhs / rhs)` for `rhs`.

    ```mlir
    %r = dl.fmod %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

class DL_LogicalOp<string mnemonic, string math>
    : DL_BinaryOp<mnemonic, DL_BoolTensor, math, [Commutative], /*differentiable=*/0> {
  let description = [{
    `}] # math # [{` of two boolean (`i1`) tensors, elementwise; shapes broadcast as in NumPy. No
    gradient: booleans carry none.

    ```mlir
    %r = dl.}] # mnemonic # [{ %a, %b : (tensor<4x8xi1>, tensor<8xi1>) -> tensor<4x8xi1>
    ```
  }];
}
def DL_LogicalAndOp : DL_LogicalOp<"logical_and", "lhs and rhs">;
def DL_LogicalOrOp : DL_LogicalOp<"logical_or", "lhs or rhs">;
def DL_LogicalXorOp : DL_LogicalOp<"logical_xor", "lhs xor rhs (lhs != rhs)">;

def DL_PReluOp : DL_BinaryOp<"prelu", DL_FloatTensor, "x if x > 0 else alpha * x (alpha trained)"> {
  let description = [{
    Parametric ReLU: `lhs` where it is positive, `rhs * lhs` elsewhere; `rhs` (the learned slopes)
    broadcasts to `lhs`, and the result has the shape of `lhs`.

    ```mlir
    %r = dl.prelu %x, %alpha : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBroadcastInto(location, adaptor.getRhs().getType(), adaptor.getLhs().getType(),
                                inferred);
    }
  }];
}

def DL_CmpOp : DL_Op<"cmp", [Pure, InferTypeOpAdaptor, DL_NonDifferentiable, DL_Pointwise]> {
  let summary = "Elementwise comparison with broadcasting";
  let description = [{
    Compares two tensors of one element type; the result is an `i1` tensor of the broadcast shape.
    Comparisons have no gradient.

    ```mlir
    %m = dl.cmp gt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins DL_CmpPredicateAttr:$predicate, DL_NumericTensor:$lhs, DL_NumericTensor:$rhs);
  let results = (outs DL_BoolTensor:$result);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def DL_SelectOp : DL_Op<"select", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                  DL_Pointwise]> {
  let summary = "Elementwise choice (`where`) with broadcasting";
  let description = [{
    `cond ? a : b`, elementwise; the three operands broadcast together.

    ```mlir
    %r = dl.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins DL_BoolTensor:$cond, DL_NumericTensor:$on_true, DL_NumericTensor:$on_false);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = [{
    $cond `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
}

class DL_UnaryOp<string mnemonic, Type operandType, string math, bit differentiable = 1>
    : DL_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType, DL_Pointwise],
                                  !if(differentiable, [DeclareOpInterfaceMethods<DL_VJPOpInterface>], [DL_NonDifferentiable]))> {
  let summary = "Elementwise " # math;
  let description = [{
    `}] # math # [{`, elementwise; the result has the operand's type.

    ```mlir
    %r = dl.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def DL_NegOp : DL_UnaryOp<"neg", DL_NumericTensor, "-x">;
def DL_AbsOp : DL_UnaryOp<"abs", DL_NumericTensor, "|x|">;
def DL_ExpOp : DL_UnaryOp<"exp", DL_FloatTensor, "exp(x)">;
def DL_LogOp : DL_UnaryOp<"log", DL_FloatTensor, "log(x)">;
def DL_SqrtOp : DL_UnaryOp<"sqrt", DL_FloatTensor, "sqrt(x)">;
def DL_RsqrtOp : DL_UnaryOp<"rsqrt", DL_FloatTensor, "1 / sqrt(x)">;
def DL_SigmoidOp : DL_UnaryOp<"sigmoid", DL_FloatTensor, "1 / (1 + exp(-x))">;
def DL_TanhOp : DL_UnaryOp<"tanh", DL_FloatTensor, "tanh(x)">;
def DL_ReluOp : DL_UnaryOp<"relu", DL_FloatTensor, "max(x, 0)">;
def DL_GeluOp : DL_UnaryOp<"gelu", DL_FloatTensor, "x * Phi(x) (the exact, erf-based GELU)">;
def DL_SoftplusOp : DL_UnaryOp<"softplus", DL_FloatTensor, "log(1 + exp(x))">;
def DL_StepOp : DL_UnaryOp<"step", DL_FloatTensor,
                           "1 if x > 0 else 0 (Heaviside; the perceptron's activation, no gradient)",
                           /*differentiable=*/0>;
def DL_ErfOp : DL_UnaryOp<"erf", DL_FloatTensor, "the error function erf(x)">;
def DL_CosOp : DL_UnaryOp<"cos", DL_FloatTensor, "cos(x)">;
def DL_SinOp : DL_UnaryOp<"sin", DL_FloatTensor, "sin(x)">;
// floor, ceil and round are differentiable with a zero gradient, as in PyTorch: a loss that reaches
// a parameter only through them trains nothing, but is no error.
def DL_FloorOp : DL_UnaryOp<"floor", DL_FloatTensor,
                            "floor(x), the largest integer <= x (zero gradient)">;
def DL_CeilOp : DL_UnaryOp<"ceil", DL_FloatTensor,
                           "ceil(x), the smallest integer >= x (zero gradient)">;
def DL_RoundOp : DL_UnaryOp<"round", DL_FloatTensor,
                            "x rounded to the nearest integer, halves to even " #
                            "(torch.round; zero gradient)">;
def DL_SiluOp : DL_UnaryOp<"silu", DL_FloatTensor, "x * sigmoid(x) (SiLU, swish)">;
def DL_HardswishOp : DL_UnaryOp<"hardswish", DL_FloatTensor,
                                "x * relu6(x + 3) / 6 (torch.nn.functional.hardswish)">;
def DL_MishOp : DL_UnaryOp<"mish", DL_FloatTensor, "x * tanh(softplus(x))">;
def DL_LogicalNotOp : DL_UnaryOp<"logical_not", DL_BoolTensor, "not x, on a boolean (i1) tensor",
                                 /*differentiable=*/0>;

class DL_UnaryWithAttrOp<string mnemonic, string math, dag attrs>
    : DL_Op<mnemonic, [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                      DL_Pointwise]> {
  let summary = "Elementwise " # math;
  let arguments = !con((ins DL_FloatTensor:$input), attrs);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def DL_LeakyReluOp : DL_UnaryWithAttrOp<"leaky_relu", "x if x > 0 else alpha * x",
                                        (ins DefaultValuedAttr<F64Attr, "0.01">:$alpha)> {
  let description = [{
    ```mlir
    %r = dl.leaky_relu %x {alpha = 2.000000e-01 : f64} : tensor<4x8xf32>
    ```
  }];
}
def DL_EluOp : DL_UnaryWithAttrOp<"elu", "x if x > 0 else alpha * (exp(x) - 1)",
                                  (ins DefaultValuedAttr<F64Attr, "1.0">:$alpha)> {
  let description = [{
    ```mlir
    %r = dl.elu %x {alpha = 1.000000e+00 : f64} : tensor<4x8xf32>
    ```
  }];
}
def DL_ClampOp : DL_UnaryWithAttrOp<"clamp", "min(max(x, min), max)",
                                    (ins F64Attr:$min, F64Attr:$max)> {
  let description = [{
    ```mlir
    %r = dl.clamp %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4x8xf32>
    ```
  }];
  let hasVerifier = 1;
}

class DL_SoftmaxLikeOp<string mnemonic, string math>
    : DL_Op<mnemonic, [Pure, SameOperandsAndResultType, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                      DL_Reduction]> {
  let summary = math # " along one axis";
  let description = [{
    `}] # math # [{` along `axis` (negative counts from the end), computed stably.

    ```mlir
    %p = dl.}] # mnemonic # [{ %logits {axis = -1 : i64} : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DL_SoftmaxOp : DL_SoftmaxLikeOp<"softmax", "exp(x) / sum(exp(x))">;
def DL_LogSoftmaxOp : DL_SoftmaxLikeOp<"log_softmax", "x - logsumexp(x)">;

def DL_CastOp : DL_Op<"cast", [Pure, SameOperandsAndResultShape, DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                              DL_Pointwise]> {
  let summary = "Converts the element type, keeping the shape";
  let description = [{
    Between `f32`, `i32` and `i1` tensors (floats to integers truncate toward zero; `i1` becomes 0 or
    1). No gradient flows into an integer operand.

    ```mlir
    %f = dl.cast %labels : (tensor<4xi32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def DL_OneHotOp : DL_Op<"one_hot", [Pure, InferTypeOpAdaptor, DL_NonDifferentiable, DL_Pointwise]> {
  let summary = "One-hot encoding of class ids";
  let description = [{
    For `i32` class ids of shape `[...]`, an `f32` tensor of shape `[..., classes]` holding 1 at each
    id and 0 elsewhere (all zeros for an id outside `[0, classes)`).

    ```mlir
    %t = dl.one_hot %labels {classes = 10 : i64} : (tensor<128xi32>) -> tensor<128x10xf32>
    ```
  }];
  let arguments = (ins DL_IndexTensor:$input, I64Attr:$classes);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
