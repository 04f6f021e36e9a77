//===- ConvOps.td - Convolution and pooling ----------------*- tablegen -*-===//
//
// The 2-D window ops of convolutional networks and their gradients, all NCHW like PyTorch. Every
// spatial attribute is an `array<i64: height, width>`. Along each spatial dimension the output size
// is PyTorch's (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1, floored (ShapeRules.h);
// positions outside the input read as zero (convolution, average pooling) or are never chosen (max
// pooling). The gradient ops are what the forward ops' VJPs build; they have no gradient themselves.
//
// Fusion classes: convolutions and their gradients are contractions like matmul (one per kernel,
// element-wise consumers as epilogue); pooling and its gradients reduce over windows, with their
// element-wise producers inlined.
//
//===----------------------------------------------------------------------===//

class DL_WindowOp<string mnemonic, list<Trait> traits = []>
    : DL_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor], traits)> {
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def DL_Conv2dOp : DL_WindowOp<"conv2d",
    [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Contraction]> {
  let summary = "2-D convolution (cross-correlation, PyTorch's conv2d without bias or groups)";
  let description = [{
    `x` is [N, C, H, W] and `weight` [O, C, KH, KW]; the result is [N, O, OH, OW] with
    `y[n,o,i,j] = sum_{c,p,q} x[n, c, i*sh - ph + p*dh, j*sw - pw + q*dw] * w[o,c,p,q]`, reading
    zero outside `x`. The bias is a separate broadcast add.

    ```mlir
    %y = dl.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
        : (tensor<8x1x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<8x16x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$weight, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation);
}

def DL_Conv2dGradInputOp : DL_WindowOp<"conv2d_grad_input",
    [DL_NonDifferentiable, DL_Contraction]> {
  let summary = "Gradient of conv2d with respect to its input";
  let description = [{
    The vector-Jacobian product of `dl.conv2d` with respect to `x`: `grad_output` is [N, O, OH, OW],
    `weight` [O, C, KH, KW], and the result [N, C, H, W] with [H, W] = `input_size` (the floor in the
    output size maps several H to one OH). Each input element receives `gy[n,o,i,j] * w[o,c,p,q]`
    from every tap that reads it.

    ```mlir
    %gx = dl.conv2d_grad_input %gy, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                                         dilation = array<i64: 1, 1>, input_size = array<i64: 7, 7>}
        : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x3x7x7xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$grad_output, DL_FloatTensor:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, DenseI64ArrayAttr:$input_size);
}

def DL_Conv2dGradWeightOp : DL_WindowOp<"conv2d_grad_weight",
    [DL_NonDifferentiable, DL_Contraction]> {
  let summary = "Gradient of conv2d with respect to its weight";
  let description = [{
    `gw[o,c,p,q] = sum_{n,i,j} gy[n,o,i,j] * x[n, c, i*sh - ph + p*dh, j*sw - pw + q*dw]` (zero
    outside `x`): `input` is [N, C, H, W], `grad_output` [N, O, OH, OW], and the result
    [O, C, KH, KW] with [KH, KW] = `kernel_size`.

    ```mlir
    %gw = dl.conv2d_grad_weight %x, %gy {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                                          dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>}
        : (tensor<2x3x7x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$grad_output,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, DenseI64ArrayAttr:$kernel_size);
}

def DL_MaxPool2dOp : DL_WindowOp<"maxpool2d", [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reduction]> {
  let summary = "2-D max pooling";
  let description = [{
    The maximum of each window of `input` [N, C, H, W], giving [N, C, OH, OW]. Padded positions are
    never chosen (`padding * 2 <= kernel_size`, as PyTorch requires, so every window holds an
    element of `x`); a window holding NaN gives NaN.

    ```mlir
    %y = dl.maxpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>}
        : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
}

def DL_MaxPool2dGradOp : DL_WindowOp<"maxpool2d_grad", [DL_NonDifferentiable, DL_Reduction]> {
  let summary = "Gradient of maxpool2d with respect to its input";
  let description = [{
    Each window sends its `grad_output` element to one element of `input`: the first maximal one in
    row-major window order (p outer, q inner), as PyTorch's CPU kernel does. Precisely: the window's
    first tap inside `input` is the candidate, and each later tap inside `input` replaces it when its
    value compares `x[tap] > x[candidate]`. Where windows overlap the gradients add up. The result
    has the shape of `input`.

    ```mlir
    %gx = dl.maxpool2d_grad %x, %gy {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>}
        : (tensor<8x16x28x28xf32>, tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$grad_output,
                       DenseI64ArrayAttr:$kernel_size, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding);
}

def DL_AvgPool2dOp : DL_WindowOp<"avgpool2d", [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reduction]> {
  let summary = "2-D average pooling (padding counted in the mean)";
  let description = [{
    The sum of each window of `input` [N, C, H, W] divided by KH * KW always, padded positions
    counting as zeros (PyTorch's `count_include_pad = True`), giving [N, C, OH, OW].

    ```mlir
    %y = dl.avgpool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
        : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
}

def DL_AvgPool2dGradOp : DL_WindowOp<"avgpool2d_grad", [DL_NonDifferentiable, DL_Reduction]> {
  let summary = "Gradient of avgpool2d with respect to its input";
  let description = [{
    Each element of the result [N, C, H, W] ([H, W] = `input_size`) receives
    `grad_output / (KH * KW)` from every window that contains it.

    ```mlir
    %gx = dl.avgpool2d_grad %gy {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>,
                                 padding = array<i64: 1, 1>, input_size = array<i64: 28, 28>}
        : (tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$grad_output, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$input_size);
}
