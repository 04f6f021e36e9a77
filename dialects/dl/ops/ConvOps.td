//===- ConvOps.td - 2-D convolution ------------------------*- tablegen -*-===//
//
// The convolution of convolutional networks, its gradients and the transposed convolution of
// decoders and generators (conv_transpose2d), NCHW like PyTorch. Every spatial
// attribute is an `array<i64: height, width>`. Along each spatial dimension the output size is
// PyTorch's (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1, floored (ShapeRules.h);
// positions outside the input read as zero. The gradient ops are what conv2d's VJP builds; they
// have no gradient themselves. DL_WindowOp, the form of every 2-D window op, is shared with
// pooling (PoolingOps.td).
//
// Fusion class: convolutions (transposed ones too) and their gradients are contractions like matmul (one per kernel,
// element-wise consumers as epilogue).
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

def DL_ConvTranspose2dOp : DL_WindowOp<"conv_transpose2d",
    [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Contraction]> {
  let summary = "2-D transposed convolution (PyTorch's conv_transpose2d without bias or groups)";
  let description = [{
    `x` is [N, C, H, W] and `weight` [C, O, KH, KW] (PyTorch's layout: input channels first); the
    result is [N, O, OH, OW] with OH = (H - 1) sh - 2 ph + dh (KH - 1) + output_padding_h + 1 (and
    likewise OW). Each input element spreads over the output:
    `y[n, o, i*sh - ph + p*dh, j*sw - pw + q*dw] += x[n,c,i,j] * w[c,o,p,q]`, taps that land
    outside the output dropped. It is conv2d's gradient with respect to its input, as an op of its
    own: `output_padding` (each below the stride or the dilation, as PyTorch requires) picks among
    the output sizes that conv2d would map onto [H, W]; rows and columns no tap reaches are zero.

    ```mlir
    %y = dl.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
                                     output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>}
        : (tensor<64x128x7x7xf32>, tensor<128x64x4x4xf32>) -> tensor<64x64x14x14xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$weight, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$output_padding,
                       DenseI64ArrayAttr:$dilation);
}
