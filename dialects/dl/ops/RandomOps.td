//===- RandomOps.td - Counter-based randomness -------------*- tablegen -*-===//
//
// Random ops draw from a Philox generator keyed by (seed, stream, step): the instance's seed, the op's
// `stream` (unique within a model, assigned by the frontend) and the step counter. CPU and GPU draw the
// same numbers, and a run is reproducible (runtime/rng/Philox.h states the convention).
//
// Data augmentation: gaussian_noise draws per element like dropout; random_flip and random_crop
// (with random_crop_grad, its adjoint) make one choice per sample of an NCHW batch, keyed by the
// sample's index. Like dropout, they appear only in training-mode functions: the frontend emits
// nothing for them in inference mode.
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

def DL_GaussianNoiseOp : DL_Op<"gaussian_noise", [SameOperandsAndResultType,
                                                  DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                                  DL_Pointwise, DL_Random]> {
  let summary = "Additive Gaussian noise (training mode)";
  let description = [{
    `x + std * normal(i)`, element `i` drawing the standard normal of Philox.h's convention (the
    draw `dl.random_normal` makes for that element). NaN and infinities pass through. Its gradient
    is the identity.

    ```mlir
    %y = dl.gaussian_noise %x {std = 1.000000e-01 : f64, stream = 2 : i64} : tensor<32x1x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, F64Attr:$std, I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DL_RandomFlipOp : DL_Op<"random_flip", [SameOperandsAndResultType,
                                            DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                            DL_Reindex, DL_Random]> {
  let summary = "Flips each sample along an axis with probability p (training mode)";
  let description = [{
    `input` is [N, C, H, W]. Sample `n` is reversed along `axis` (3 or -1: the width, torchvision's
    RandomHorizontalFlip; 2 or -2: the height, RandomVerticalFlip; never 0, the batch) when the
    uniform draw of its index is below `p` (0.5 by default), and copied unchanged otherwise.
    Elements only move: NaN, infinities and signed zeros come out as they went in. Its gradient is
    the same flip of the output gradient (same stream, same step, same choices).

    ```mlir
    %y = dl.random_flip %x {axis = 3 : i64, stream = 0 : i64} : tensor<32x1x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<F64Attr, "0.5">:$p, I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DL_RandomCropOp : DL_Op<"random_crop", [InferTypeOpAdaptor,
                                            DeclareOpInterfaceMethods<DL_VJPOpInterface>,
                                            DL_Reindex, DL_Random]> {
  let summary = "A random window of each zero-padded sample (training mode)";
  let description = [{
    torchvision's `RandomCrop(size, padding)`: `input` [N, C, H, W] is padded with `padding` [ph, pw]
    zeros on each side of H and W, and sample `n` gives the window of `size` [h, w] whose top-left
    corner (top, left) is drawn uniformly from the [0, H + 2 ph - h] x [0, W + 2 pw - w] positions
    by the sample's index: `y[n,c,i,j] = x[n, c, i + top - ph, j + left - pw]`, zero outside `x`.
    The result is [N, C, h, w]. With `size` = [H, W] it is a random translation by up to `padding`
    pixels in each direction (the language's `random_translate`). Its gradient is
    `dl.random_crop_grad`.

    ```mlir
    %y = dl.random_crop %x {padding = array<i64: 2, 2>, size = array<i64: 28, 28>, stream = 1 : i64}
        : (tensor<32x1x28x28xf32>) -> tensor<32x1x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseI64ArrayAttr:$size,
                       DenseI64ArrayAttr:$padding, I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def DL_RandomCropGradOp : DL_Op<"random_crop_grad", [InferTypeOpAdaptor, DL_NonDifferentiable,
                                                     DL_Reindex, DL_Random]> {
  let summary = "Gradient of random_crop with respect to its input";
  let description = [{
    The adjoint of `dl.random_crop` with the same `padding` and `stream` (so, at the same step, the
    same windows): `grad_output` is [N, C, h, w] and the result [N, C, H, W] with [H, W] =
    `input_size`; `gx[n,c,r,s] = gy[n, c, r + ph - top, s + pw - left]` where that lies inside
    `gy`, zero elsewhere (the elements the window left out, or that only met padding). A crop
    reads each input element at most once, so the adjoint gathers and never adds.

    ```mlir
    %gx = dl.random_crop_grad %gy {input_size = array<i64: 28, 28>, padding = array<i64: 2, 2>, stream = 1 : i64}
        : (tensor<32x1x28x28xf32>) -> tensor<32x1x28x28xf32>
    ```
  }];
  let arguments = (ins DL_FloatTensor:$grad_output, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$input_size, I64Attr:$stream);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}
