//===- ShapeRulesWindow.cpp - Shape rules of the 2-D window ops -----------===//
//
// See ShapeRules.h: conv2d, conv_transpose2d, maxpool2d and avgpool2d (NCHW) and their gradients,
// bilinear and nearest upsampling (with the taps of bilinear interpolation), and the per-sample
// augmentations random_flip and random_crop (with its adjoint). One formula gives
// every output size of a window op, PyTorch's, with floor division (or, for pooling in ceil_mode,
// rounding up but never starting a window in the right padding):
//   out = (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1.
// conv_transpose2d inverts it: (in - 1) * stride - 2 * padding + dilation * (kernel - 1) +
// output_padding + 1.
// A gradient op takes the size its formula cannot recover (the input's [H, W], because the floor
// maps several H to one OH, or the kernel's [KH, KW]) as an attribute, and checks it by running the
// forward rule again and comparing with the gradient's shape.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

#include <algorithm>

namespace dl::shape {

namespace {

const char *const kSpatialNames[2] = {"height", "width"};

/// The most positions a random crop may choose from along one dimension: Philox.h's below()
/// draws an integer in [0, r) for r up to 2^24.
constexpr int64_t kMaxCropPositions = int64_t(1) << 24;

std::string str(int64_t v) { return std::to_string(v); }

/// Checks that a spatial attribute has exactly the two entries [height, width].
bool checkPair(const char *name, const std::vector<int64_t> &values, std::string &why) {
  if (values.size() == 2)
    return true;
  why = std::string(name) + " needs 2 values [height, width], not " + str(values.size());
  return false;
}

/// Checks that a tensor has the rank 4 of the NCHW layout; `layout` names its dimensions.
bool checkRank4(const char *operand, const Shape &s, const char *layout, std::string &why) {
  if (s.size() == 4)
    return true;
  why = std::string(operand) + " must have rank 4 " + layout + ", not rank " + str(s.size());
  return false;
}

/// Checks that a size attribute (input_size, kernel_size of a gradient) has two positive entries.
bool checkSize(const char *name, const std::vector<int64_t> &values, std::string &why) {
  if (!checkPair(name, values, why))
    return false;
  if (values[0] >= 1 && values[1] >= 1)
    return true;
  why = std::string(name) + " " + formatList(values) + " has a size below 1";
  return false;
}

/// Fails unless `got` (a gradient's spatial dims) equals `expected` (those the forward rule gives).
bool checkSpatialMatch(const Shape &expected, const Shape &got, const std::string &what,
                       std::string &why) {
  if (expected[2] == got[2] && expected[3] == got[3])
    return true;
  why = what + " gives an output of " + formatList({expected[2], expected[3]}) +
        ", but the output gradient's is " + formatList({got[2], got[3]});
  return false;
}

} // namespace

bool windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                      int64_t dilation, int64_t &out, std::string &why, bool ceilMode) {
  if (kernel < 1) {
    why = "kernel size " + str(kernel) + " is below 1";
    return false;
  }
  if (stride < 1) {
    why = "stride " + str(stride) + " is below 1";
    return false;
  }
  if (dilation < 1) {
    why = "dilation " + str(dilation) + " is below 1";
    return false;
  }
  if (padding < 0) {
    why = "padding " + str(padding) + " is negative";
    return false;
  }
  // The extent of one window, and of the input with its padding. Checked before dividing: C++
  // division truncates towards zero, so a short input would otherwise give an output of 1. In
  // ceil_mode PyTorch rounds up first, so one window may overhang an input shorter than itself.
  int64_t span = dilation * (kernel - 1) + 1, padded = in + 2 * padding;
  if (padded + (ceilMode ? stride - 1 : 0) < span) {
    why = "the window spans " + str(span) + " elements (kernel " + str(kernel) + ", dilation " +
          str(dilation) + ") but the padded input has " + str(padded) + " (" + str(in) +
          " + 2 * " + str(padding) + ")";
    return false;
  }
  out = (padded - span + (ceilMode ? stride - 1 : 0)) / stride + 1;
  // PyTorch's pooling_output_shape: in ceil_mode the last window must start inside the input or
  // its left padding.
  if (ceilMode && (out - 1) * stride >= in + padding)
    --out;
  return true;
}

bool windowOutput(const std::vector<int64_t> &spatial, const Window2d &window, bool isPool,
                  std::vector<int64_t> &out, std::string &why, bool ceilMode) {
  if (!checkPair(isPool ? "kernel_size" : "kernel", window.kernel, why) ||
      !checkPair("stride", window.stride, why) || !checkPair("padding", window.padding, why) ||
      !checkPair("dilation", window.dilation, why))
    return false;
  if (isPool)
    for (int d = 0; d < 2; ++d)
      if (window.padding[d] >= 0 && window.kernel[d] >= 1 &&
          window.padding[d] * 2 > window.kernel[d]) {
        why = "padding " + formatList(window.padding) + " is more than half of kernel_size " +
              formatList(window.kernel);
        return false;
      }
  std::vector<int64_t> result(2);
  for (int d = 0; d < 2; ++d)
    if (!windowOutputSize(spatial[d], window.kernel[d], window.stride[d], window.padding[d],
                          window.dilation[d], result[d], why, ceilMode)) {
      why = std::string("along the ") + kSpatialNames[d] + ", " + why;
      return false;
    }
  out = std::move(result);
  return true;
}

bool conv2d(const Shape &x, const Shape &w, const std::vector<int64_t> &stride,
            const std::vector<int64_t> &padding, const std::vector<int64_t> &dilation, Shape &out,
            std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why) ||
      !checkRank4("the weight", w, "[O, C, KH, KW]", why))
    return false;
  if (x[1] != w[1]) {
    why = "input channels differ (the input has " + str(x[1]) + ", the weight " + str(w[1]) + ")";
    return false;
  }
  std::vector<int64_t> spatial;
  if (!windowOutput({x[2], x[3]}, Window2d{{w[2], w[3]}, stride, padding, dilation},
                    /*isPool=*/false, spatial, why))
    return false;
  out = {x[0], w[0], spatial[0], spatial[1]};
  return true;
}

bool conv2dGradInput(const Shape &gy, const Shape &w, const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding, const std::vector<int64_t> &dilation,
                     const std::vector<int64_t> &inputSize, Shape &out, std::string &why) {
  if (!checkRank4("the output gradient", gy, "[N, O, OH, OW]", why) ||
      !checkRank4("the weight", w, "[O, C, KH, KW]", why) ||
      !checkSize("input_size", inputSize, why))
    return false;
  if (gy[1] != w[0]) {
    why = "output channels differ (the output gradient has " + str(gy[1]) + ", the weight " +
          str(w[0]) + ")";
    return false;
  }
  Shape x = {gy[0], w[1], inputSize[0], inputSize[1]}, y;
  if (!conv2d(x, w, stride, padding, dilation, y, why) ||
      !checkSpatialMatch(y, gy, "input_size " + formatList(inputSize), why))
    return false;
  out = std::move(x);
  return true;
}

bool conv2dGradWeight(const Shape &x, const Shape &gy, const std::vector<int64_t> &stride,
                      const std::vector<int64_t> &padding, const std::vector<int64_t> &dilation,
                      const std::vector<int64_t> &kernelSize, Shape &out, std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why) ||
      !checkRank4("the output gradient", gy, "[N, O, OH, OW]", why) ||
      !checkSize("kernel_size", kernelSize, why))
    return false;
  if (x[0] != gy[0]) {
    why = "batch sizes differ (the input has " + str(x[0]) + ", the output gradient " +
          str(gy[0]) + ")";
    return false;
  }
  Shape w = {gy[1], x[1], kernelSize[0], kernelSize[1]}, y;
  if (!conv2d(x, w, stride, padding, dilation, y, why) ||
      !checkSpatialMatch(y, gy, "kernel_size " + formatList(kernelSize), why))
    return false;
  out = std::move(w);
  return true;
}

bool pool2d(const Shape &x, const std::vector<int64_t> &kernelSize,
            const std::vector<int64_t> &stride, const std::vector<int64_t> &padding, Shape &out,
            std::string &why, const PoolOptions &options) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why))
    return false;
  std::vector<int64_t> spatial;
  if (!windowOutput({x[2], x[3]}, Window2d{kernelSize, stride, padding, options.dilation},
                    /*isPool=*/true, spatial, why, options.ceilMode))
    return false;
  out = {x[0], x[1], spatial[0], spatial[1]};
  return true;
}

bool maxPool2dGrad(const Shape &x, const Shape &gy, const std::vector<int64_t> &kernelSize,
                   const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
                   Shape &out, std::string &why, const PoolOptions &options) {
  Shape y;
  if (!pool2d(x, kernelSize, stride, padding, y, why, options))
    return false;
  if (gy != y) {
    why = "pooling the input gives " + formatList(y) + ", but the output gradient is " +
          formatList(gy);
    return false;
  }
  out = x;
  return true;
}

bool avgPool2dGrad(const Shape &gy, const std::vector<int64_t> &kernelSize,
                   const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
                   const std::vector<int64_t> &inputSize, Shape &out, std::string &why,
                   const PoolOptions &options) {
  if (!checkRank4("the output gradient", gy, "[N, C, OH, OW]", why) ||
      !checkSize("input_size", inputSize, why))
    return false;
  Shape x = {gy[0], gy[1], inputSize[0], inputSize[1]}, y;
  if (!pool2d(x, kernelSize, stride, padding, y, why, options) ||
      !checkSpatialMatch(y, gy, "input_size " + formatList(inputSize), why))
    return false;
  out = std::move(x);
  return true;
}

int64_t avgPoolCount(int64_t start, int64_t kernel, int64_t in, int64_t padding,
                     bool countIncludePad) {
  // PyTorch's avg_pool2d: the window clipped to the padded input, then (without
  // count_include_pad) to the input.
  int64_t end = std::min(start + kernel, in + padding);
  if (countIncludePad)
    return end - start;
  return std::min(end, in) - std::max<int64_t>(start, 0);
}

bool convTranspose2d(const Shape &x, const Shape &w, const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> &outputPadding,
                     const std::vector<int64_t> &dilation, Shape &out, std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why) ||
      !checkRank4("the weight", w, "[C, O, KH, KW]", why) || !checkPair("stride", stride, why) ||
      !checkPair("padding", padding, why) || !checkPair("output_padding", outputPadding, why) ||
      !checkPair("dilation", dilation, why))
    return false;
  if (x[1] != w[0]) {
    why = "input channels differ (the input has " + str(x[1]) + ", the weight " + str(w[0]) +
          "; conv_transpose2d's weight is [C, O, KH, KW])";
    return false;
  }
  Shape result = {x[0], w[1], 0, 0};
  for (int d = 0; d < 2; ++d) {
    std::string along = std::string("along the ") + kSpatialNames[d] + ", ";
    if (w[2 + d] < 1 || stride[d] < 1 || dilation[d] < 1) {
      why = along + "kernel size, stride and dilation must be at least 1, not " +
            str(w[2 + d]) + ", " + str(stride[d]) + " and " + str(dilation[d]);
      return false;
    }
    if (padding[d] < 0 || outputPadding[d] < 0) {
      why = along + "padding " + str(padding[d]) + " and output_padding " +
            str(outputPadding[d]) + " must not be negative";
      return false;
    }
    if (outputPadding[d] >= stride[d] && outputPadding[d] >= dilation[d]) {
      why = along + "output_padding " + str(outputPadding[d]) +
            " must be smaller than the stride " + str(stride[d]) + " or the dilation " +
            str(dilation[d]);
      return false;
    }
    // In 128 bits: attributes written in IR are unbounded.
    __int128 wide = __int128(x[2 + d] - 1) * stride[d] - __int128(2) * padding[d] +
                    __int128(dilation[d]) * (w[2 + d] - 1) + outputPadding[d] + 1;
    if (wide > (__int128(1) << 40)) {
      why = along + "the output would have more than 2^40 elements";
      return false;
    }
    int64_t size = wide < 1 ? 0 : static_cast<int64_t>(wide);
    if (size < 1) {
      why = along + "the output would have " + str(size) + " elements ((" + str(x[2 + d]) +
            " - 1) * " + str(stride[d]) + " - 2 * " + str(padding[d]) + " + " +
            str(dilation[d]) + " * (" + str(w[2 + d]) + " - 1) + " + str(outputPadding[d]) +
            " + 1)";
      return false;
    }
    result[2 + d] = size;
  }
  out = std::move(result);
  return true;
}

bool upsample2d(const Shape &x, const std::vector<int64_t> &scale, Shape &out, std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why) || !checkSize("scale", scale, why))
    return false;
  // 2^20 keeps every size within the 2^40 elements of a tensor's bounds checks.
  if (scale[0] > (int64_t(1) << 20) || scale[1] > (int64_t(1) << 20)) {
    why = "scale " + formatList(scale) + " is above 2^20";
    return false;
  }
  out = {x[0], x[1], x[2] * scale[0], x[3] * scale[1]};
  return true;
}

bool upsample2dGrad(const Shape &gy, const std::vector<int64_t> &scale,
                    const std::vector<int64_t> &inputSize, Shape &out, std::string &why) {
  if (!checkRank4("the output gradient", gy, "[N, C, OH, OW]", why) ||
      !checkSize("input_size", inputSize, why))
    return false;
  Shape x = {gy[0], gy[1], inputSize[0], inputSize[1]}, y;
  if (!upsample2d(x, scale, y, why) ||
      !checkSpatialMatch(y, gy, "input_size " + formatList(inputSize), why))
    return false;
  out = std::move(x);
  return true;
}

std::vector<LinearTap> linearTaps(int64_t in, int64_t scale, bool alignCorners) {
  int64_t outSize = in * scale;
  std::vector<LinearTap> taps(outSize);
  // PyTorch's area_pixel_compute_scale and compute_source_index_and_lambda, in float32 (the
  // source index of align_corners = false in double, then rounded), so that a weight is exactly
  // zero where PyTorch's is.
  float ratio = alignCorners ? (outSize > 1 ? float(in - 1) / float(outSize - 1) : 0.0f)
                             : float(1.0 / double(scale));
  for (int64_t i = 0; i < outSize; ++i) {
    LinearTap &t = taps[i];
    if (outSize == in) {
      t = {i, i, 1.0f, 0.0f};
      continue;
    }
    float src = alignCorners ? ratio * float(i) : float(double(ratio) * (double(i) + 0.5) - 0.5);
    if (!alignCorners && src < 0)
      src = 0;
    t.i0 = static_cast<int64_t>(src);
    t.i1 = t.i0 + (t.i0 < in - 1 ? 1 : 0);
    t.l1 = src - float(t.i0);
    t.l0 = 1.0f - t.l1;
  }
  return taps;
}

bool randomFlip(const Shape &x, int64_t axis, int64_t &normalized, std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why) || !normalizeAxis(axis, 4, normalized, why))
    return false;
  if (normalized == 0) {
    why = "axis " + str(axis) + " is the batch dimension; a sample flips along 1, 2 or 3 (-3, -2 or -1)";
    return false;
  }
  return true;
}

bool randomCrop(const Shape &x, const std::vector<int64_t> &size,
                const std::vector<int64_t> &padding, Shape &out, std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why) || !checkSize("size", size, why) ||
      !checkPair("padding", padding, why))
    return false;
  for (int d = 0; d < 2; ++d) {
    if (padding[d] < 0 || padding[d] > kMaxCropPositions) {
      why = "padding " + formatList(padding) + " must lie in [0, 2^24]";
      return false;
    }
    int64_t padded = x[2 + d] + 2 * padding[d];
    if (size[d] > padded) {
      why = std::string("along the ") + kSpatialNames[d] + ", the crop of " + str(size[d]) +
            " is larger than the padded input's " + str(padded) + " (" + str(x[2 + d]) +
            " + 2 * " + str(padding[d]) + ")";
      return false;
    }
    if (padded - size[d] + 1 > kMaxCropPositions) {
      why = std::string("along the ") + kSpatialNames[d] + ", the crop has " +
            str(padded - size[d] + 1) + " positions, more than 2^24";
      return false;
    }
  }
  out = {x[0], x[1], size[0], size[1]};
  return true;
}

bool randomCropGrad(const Shape &gy, const std::vector<int64_t> &padding,
                    const std::vector<int64_t> &inputSize, Shape &out, std::string &why) {
  if (!checkRank4("the output gradient", gy, "[N, C, h, w]", why) ||
      !checkSize("input_size", inputSize, why))
    return false;
  Shape x = {gy[0], gy[1], inputSize[0], inputSize[1]}, y;
  if (!randomCrop(x, {gy[2], gy[3]}, padding, y, why))
    return false;
  out = std::move(x);
  return true;
}

std::string formatList(const std::vector<int64_t> &values) {
  std::string r = "[";
  for (size_t i = 0; i < values.size(); ++i)
    r += (i ? ", " : "") + str(values[i]);
  return r + "]";
}

} // namespace dl::shape
