//===- UpsampleOps.td - Bilinear upsampling ----------------*- tablegen -*-===//
//
// PyTorch's F.interpolate(x, scale_factor, mode = "bilinear", align_corners) on NCHW tensors with
// whole scale factors, and its gradient. Nearest-neighbour upsampling needs no op of its own: the
// frontend writes it as a reshape and a broadcast (compiler/frontend/builtins/Upsample.cpp), whose
// gradient is a sum.
//
// The interpolation weights follow PyTorch's CPU kernel in float32 (linearTaps, ShapeRules.h):
// along each axis output index i reads input indices i0 and i1 (i1 = i0 + 1, or i0 at the last
// row) with weights l0 = 1 - l1 and l1, where src = scale' * i with align_corners and
// max(scale' * (i + 0.5) - 0.5, 0) without, scale' being (in - 1) / (out - 1) or 1 / scale, and
// i0 = floor(src), l1 = src - i0. Every output element adds all four taps, even those of weight 0,
// so an infinite neighbour gives NaN as PyTorch's does.
//
// Fusion class: each result element folds four operand elements (a reduction over a tiny window,
// like pooling); the gradient gathers from the outputs that read each input element.
//
//===----------------------------------------------------------------------===//

def DL_UpsampleBilinear2dOp : DL_WindowOp<"upsample_bilinear2d",
    [DeclareOpInterfaceMethods<DL_VJPOpInterface>, DL_Reduction]> {
  let summary = "2-D bilinear upsampling by whole factors (PyTorch's interpolate, bilinear)";
  let description = [{
    `input` [N, C, H, W] gives [N, C, H * sh, W * sw] with `scale` = [sh, sw] (each at least 1):
    `y[n,c,i,j] = lh0 (lw0 x[n,c,h0,w0] + lw1 x[n,c,h0,w1]) + lh1 (lw0 x[n,c,h1,w0] + lw1 x[n,c,h1,w1])`
    with the taps and weights of each axis as the file comment says.

    ```mlir
    %y = dl.upsample_bilinear2d %x {scale = array<i64: 2, 2>, align_corners = false}
        : (tensor<8x16x7x7xf32>) -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseI64ArrayAttr:$scale,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$align_corners);
}

def DL_UpsampleBilinear2dGradOp : DL_WindowOp<"upsample_bilinear2d_grad",
    [DL_NonDifferentiable, DL_Reduction]> {
  let summary = "Gradient of upsample_bilinear2d with respect to its input";
  let description = [{
    The result [N, C, H, W] ([H, W] = `input_size`, with `grad_output` [N, C, H * sh, W * sw]):
    each input element receives `gy[n,c,i,j] * lh * lw` from every output element (i, j) and tap
    that reads it.

    ```mlir
    %gx = dl.upsample_bilinear2d_grad %gy {scale = array<i64: 2, 2>, align_corners = false,
                                           input_size = array<i64: 7, 7>}
        : (tensor<8x16x14x14xf32>) -> tensor<8x16x7x7xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$grad_output, DenseI64ArrayAttr:$scale,
                       DenseI64ArrayAttr:$input_size,
                       DefaultValuedOptionalAttr<BoolAttr, "false">:$align_corners);
}
