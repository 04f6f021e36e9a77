//===- ShapeRules.h - Static shape rules of the dl ops ------------*- C++ -*-===//
//
// The one place that says what shape an op produces from the shapes of its operands: NumPy
// broadcasting, batched matmul, reductions, transpose, reshape, concat, split, slice, embedding
// lookups, and the 2-D
// window ops (convolution and pooling with their gradients, and the augmentations random_flip and
// random_crop, in ShapeRulesWindow.cpp). Both the
// dialect's type inference and the frontend's semantic checks call these functions, so a program
// the frontend accepts always verifies, and the two never disagree about a shape.
//
// Plain C++ with no MLIR types, so the frontend (and its fuzzer) can use it without linking MLIR.
// Each rule returns false and sets `why` to a short reason when the shapes do not fit; callers add the
// shapes themselves, in the syntax of their own users (`f32[4, 8]` or `tensor<4x8xf32>`).
//
//===----------------------------------------------------------------------===//
#ifndef DL_SHAPERULES_H
#define DL_SHAPERULES_H

#include <cstdint>
#include <string>
#include <vector>

namespace dl::shape {

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a scalar).
int64_t numElements(const Shape &s);

/// Maps a possibly negative axis into [0, rank); false when it is out of range.
bool normalizeAxis(int64_t axis, int64_t rank, int64_t &out, std::string &why);

/// NumPy broadcasting of two shapes.
bool broadcast(const Shape &a, const Shape &b, Shape &out, std::string &why);

/// True when `from` broadcasts to exactly `to`.
bool broadcastsTo(const Shape &from, const Shape &to, std::string &why);

/// NumPy matmul: 1-D operands are promoted and the added dimension removed again, leading (batch)
/// dimensions broadcast.
bool matmul(const Shape &a, const Shape &b, Shape &out, std::string &why);

/// Reduction over `axes` (empty means every axis); axes may be negative and must be distinct.
bool reduce(const Shape &in, const std::vector<int64_t> &axes, bool keepdims, Shape &out,
            std::string &why);

/// Permutation of the dimensions; `perm` must be a permutation of [0, rank).
bool transpose(const Shape &in, const std::vector<int64_t> &perm, Shape &out, std::string &why);

/// Reshape to `target`, in which at most one dimension may be -1 (inferred); element counts must agree.
bool reshape(const Shape &in, const Shape &target, Shape &out, std::string &why);

/// Concatenation along `axis`: every other dimension must agree.
bool concat(const std::vector<Shape> &ins, int64_t axis, Shape &out, std::string &why);

/// Split into `parts` equal pieces along `axis`; the dimension must be divisible by `parts`.
bool split(const Shape &in, int64_t parts, int64_t axis, Shape &piece, std::string &why);

/// Strided slice; `start`, `limit`, `stride` have one entry per dimension, already in range.
bool slice(const Shape &in, const std::vector<int64_t> &start, const std::vector<int64_t> &limit,
           const std::vector<int64_t> &stride, Shape &out, std::string &why);

/// Padding with `low` and `high` elements per dimension (non-negative).
bool pad(const Shape &in, const std::vector<int64_t> &low, const std::vector<int64_t> &high,
         Shape &out, std::string &why);

/// embedding: ids of any shape S and a table [V, D] give [S..., D].
bool embedding(const Shape &ids, const Shape &table, Shape &out, std::string &why);

/// gather (torch.gather): an input of rank n >= 1 and an index of rank n whose extents are at
/// most the input's on every axis but `axis` (normalized into [0, n)) give the index's shape.
bool gather(const Shape &input, const Shape &index, int64_t &axis, Shape &out, std::string &why);

/// embedding_grad: ids of shape S and a gradient [S..., D] give the table's gradient [rows, D];
/// `rows` (the table's V) is at least 1.
bool embeddingGrad(const Shape &ids, const Shape &grad, int64_t rows, Shape &out,
                   std::string &why);

//===----------------------------------------------------------------------===//
// 2-D window ops (NCHW). Every spatial attribute has two entries, [height, width].
//===----------------------------------------------------------------------===//

/// The spatial attributes of a 2-D window op. `dilation` is {1, 1} for pooling.
struct Window2d {
  std::vector<int64_t> kernel, stride, padding, dilation = {1, 1};
};

/// The output size along one spatial dimension, PyTorch's formula with floor division:
/// (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1. With `ceilMode` (pooling) the
/// division rounds up, and a last window that would start in the right padding (at or past
/// in + padding) is dropped, as PyTorch's pooling_output_shape does. Fails when stride, kernel or
/// dilation is below 1, padding is negative, or the output would be empty.
bool windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                      int64_t dilation, int64_t &out, std::string &why, bool ceilMode = false);

/// The [OH, OW] of `window` over the spatial dims [H, W]; checks that every attribute has two
/// entries and, for pooling (`isPool`), that padding is at most half the kernel (PyTorch's rule).
bool windowOutput(const std::vector<int64_t> &spatial, const Window2d &window, bool isPool,
                  std::vector<int64_t> &out, std::string &why, bool ceilMode = false);

/// conv2d: x [N, C, H, W] and w [O, C, KH, KW] give [N, O, OH, OW] (the kernel comes from w).
bool conv2d(const Shape &x, const Shape &w, const std::vector<int64_t> &stride,
            const std::vector<int64_t> &padding, const std::vector<int64_t> &dilation, Shape &out,
            std::string &why);

/// conv2d_grad_input: gy [N, O, OH, OW] and w [O, C, KH, KW] give [N, C, H, W] with
/// [H, W] = `inputSize`, after checking that conv2d of that input gives gy's shape.
bool conv2dGradInput(const Shape &gy, const Shape &w, const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding, const std::vector<int64_t> &dilation,
                     const std::vector<int64_t> &inputSize, Shape &out, std::string &why);

/// conv2d_grad_weight: x [N, C, H, W] and gy [N, O, OH, OW] give [O, C, KH, KW] with
/// [KH, KW] = `kernelSize`, after checking that conv2d with that kernel gives gy's shape.
bool conv2dGradWeight(const Shape &x, const Shape &gy, const std::vector<int64_t> &stride,
                      const std::vector<int64_t> &padding, const std::vector<int64_t> &dilation,
                      const std::vector<int64_t> &kernelSize, Shape &out, std::string &why);

/// conv_transpose2d: x [N, C, H, W] and w [C, O, KH, KW] (PyTorch's layout) give [N, O, OH, OW]
/// with OH = (H - 1) sh - 2 ph + dh (KH - 1) + output_padding_h + 1 (likewise OW). Each output
/// padding must be below its stride or its dilation (PyTorch's rule), and the output not empty.
bool convTranspose2d(const Shape &x, const Shape &w, const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> &outputPadding,
                     const std::vector<int64_t> &dilation, Shape &out, std::string &why);

/// The options of pooling beyond kernel, stride and padding, with PyTorch's defaults. `dilation`
/// applies to max pooling only.
struct PoolOptions {
  std::vector<int64_t> dilation = {1, 1};
  bool ceilMode = false;
};

/// maxpool2d and avgpool2d: x [N, C, H, W] gives [N, C, OH, OW]; padding * 2 <= kernel_size.
bool pool2d(const Shape &x, const std::vector<int64_t> &kernelSize,
            const std::vector<int64_t> &stride, const std::vector<int64_t> &padding, Shape &out,
            std::string &why, const PoolOptions &options = {});

/// maxpool2d_grad: x [N, C, H, W] and gy, which must be pool2d's result for x, give x's shape.
bool maxPool2dGrad(const Shape &x, const Shape &gy, const std::vector<int64_t> &kernelSize,
                   const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
                   Shape &out, std::string &why, const PoolOptions &options = {});

/// avgpool2d_grad: gy [N, C, OH, OW] gives [N, C, H, W] with [H, W] = `inputSize`, after checking
/// that pool2d of that input gives gy's shape.
bool avgPool2dGrad(const Shape &gy, const std::vector<int64_t> &kernelSize,
                   const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
                   const std::vector<int64_t> &inputSize, Shape &out, std::string &why,
                   const PoolOptions &options = {});

/// The divisor PyTorch's avg_pool2d uses for the window that starts at `start` (= i * stride -
/// padding) along one dimension of size `in`: the taps inside the padded input with
/// `countIncludePad`, else those inside the input. The window's divisor is the product of its
/// two dimensions' counts.
int64_t avgPoolCount(int64_t start, int64_t kernel, int64_t in, int64_t padding,
                     bool countIncludePad);

/// upsample (bilinear or nearest) by whole factors: x [N, C, H, W] gives [N, C, H sh, W sw];
/// `scale` [sh, sw] each at least 1.
bool upsample2d(const Shape &x, const std::vector<int64_t> &scale, Shape &out, std::string &why);

/// upsample_bilinear2d_grad: gy [N, C, H sh, W sw] gives [N, C, H, W] with [H, W] = `inputSize`.
bool upsample2dGrad(const Shape &gy, const std::vector<int64_t> &scale,
                    const std::vector<int64_t> &inputSize, Shape &out, std::string &why);

/// One output index of bilinear interpolation along one axis: it reads input indices i0 and i1
/// with weights l0 and l1 (float32, computed as PyTorch's CPU kernel computes them).
struct LinearTap {
  int64_t i0, i1;
  float l0, l1;
};

/// The taps of every output index along an axis of `in` elements upsampled by `scale` (UpsampleOps.td).
std::vector<LinearTap> linearTaps(int64_t in, int64_t scale, bool alignCorners);

/// random_flip: x must be [N, C, H, W]; `axis` (negative counts from the end) must name C, H or W,
/// not the batch. Sets `normalized` to the axis in [1, 4).
bool randomFlip(const Shape &x, int64_t axis, int64_t &normalized, std::string &why);

/// random_crop: x [N, C, H, W] zero-padded by `padding` [ph, pw] (each >= 0), then a window of
/// `size` [h, w] (each >= 1, at most H + 2 ph and W + 2 pw): [N, C, h, w]. At most 2^24 window
/// positions along each dimension (the per-sample draw of runtime/rng/Philox.h).
bool randomCrop(const Shape &x, const std::vector<int64_t> &size,
                const std::vector<int64_t> &padding, Shape &out, std::string &why);

/// random_crop_grad: gy [N, C, h, w] gives [N, C, H, W] with [H, W] = `inputSize`, after checking
/// that random_crop of that input with `padding` and size [h, w] gives gy's shape.
bool randomCropGrad(const Shape &gy, const std::vector<int64_t> &padding,
                    const std::vector<int64_t> &inputSize, Shape &out, std::string &why);

/// Formats a list of integers as attributes print in messages: `[1, 2]`.
std::string formatList(const std::vector<int64_t> &values);

/// Formats a shape as the language writes it: `f32[4, 8]`, or `f32[]` for a scalar.
std::string format(const Shape &s, const std::string &elementType = "f32");

} // namespace dl::shape

#endif // DL_SHAPERULES_H
