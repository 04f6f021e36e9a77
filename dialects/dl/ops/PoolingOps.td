//===- PoolingOps.td - 2-D max and average pooling ---------*- tablegen -*-===//
//
// The pooling ops of convolutional networks and their gradients, NCHW like PyTorch, in the form of
// every 2-D window op (DL_WindowOp, ConvOps.td). Every spatial attribute is an
// `array<i64: height, width>`. Along each spatial dimension the output size is PyTorch's
// (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1, floored, or with `ceil_mode` rounded
// up but without a last window that would start in the right padding (ShapeRules.h); padded
// positions read as zero (average pooling) or are never chosen (max pooling). Max pooling may
// dilate its window; average pooling divides by the window's size clipped to the padded input
// (`count_include_pad`, the default) or by its taps inside the input. The attributes PyTorch
// defaults (dilation 1, ceil_mode false, count_include_pad true) may be left out. The gradient
// ops are what the forward ops' VJPs build; they have no gradient themselves.
//
// Fusion class: pooling and its gradients reduce over windows, with their element-wise producers
// inlined.
//
//===----------------------------------------------------------------------===//

def DL_MaxPool2dOp : DL_WindowOp<"maxpool2d", [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reduction]> {
  let summary = "2-D max pooling";
  let description = [{
    The maximum of each window of `input` [N, C, H, W], giving [N, C, OH, OW]; tap (p, q) of window
    (i, j) reads row i * sh - ph + p * dh and column j * sw - pw + q * dw. Padded positions are
    never chosen (`padding * 2 <= kernel_size`, as PyTorch requires, so every window holds an
    element of `x`); a window holding NaN gives NaN.

    ```mlir
    %y = dl.maxpool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>}
        : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       OptionalAttr<DenseI64ArrayAttr>:$dilation,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$ceil_mode);
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
                       DenseI64ArrayAttr:$padding, OptionalAttr<DenseI64ArrayAttr>:$dilation,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$ceil_mode);
}

def DL_AvgPool2dOp : DL_WindowOp<"avgpool2d", [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reduction]> {
  let summary = "2-D average pooling";
  let description = [{
    The sum of each window of `input` [N, C, H, W], giving [N, C, OH, OW], divided as PyTorch's
    avg_pool2d divides: with `count_include_pad` (the default) by the window's taps inside the
    padded input (KH * KW, except for a last `ceil_mode` window that overhangs the right padding),
    padded positions counting as zeros; without it by the window's taps inside `input`.

    ```mlir
    %y = dl.avgpool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
        : (tensor<8x16x28x28xf32>) -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedOptionalAttr<BoolAttr, "true">:$count_include_pad);
}

def DL_AvgPool2dGradOp : DL_WindowOp<"avgpool2d_grad", [DL_NonDifferentiable, DL_Reduction]> {
  let summary = "Gradient of avgpool2d with respect to its input";
  let description = [{
    Each element of the result [N, C, H, W] ([H, W] = `input_size`) receives each window's
    `grad_output` divided by that window's divisor (as `dl.avgpool2d` with the same attributes
    divides) from every window that contains it.

    ```mlir
    %gx = dl.avgpool2d_grad %gy {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>,
                                 padding = array<i64: 1, 1>, input_size = array<i64: 28, 28>}
        : (tensor<8x16x14x14xf32>) -> tensor<8x16x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$grad_output, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$input_size,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedOptionalAttr<BoolAttr, "true">:$count_include_pad);
}
