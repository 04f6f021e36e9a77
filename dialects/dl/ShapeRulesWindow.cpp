//===- ShapeRulesWindow.cpp - Shape rules of the 2-D window ops -----------===//
//
// See ShapeRules.h: conv2d, maxpool2d and avgpool2d (NCHW) and their gradients, and the per-sample
// augmentations random_flip and random_crop (with its adjoint). One formula gives
// every output size, PyTorch's, with floor division:
//   out = (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1.
// A gradient op takes the size its formula cannot recover (the input's [H, W], because the floor
// maps several H to one OH, or the kernel's [KH, KW]) as an attribute, and checks it by running the
// forward rule again and comparing with the gradient's shape.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

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
                      int64_t dilation, int64_t &out, std::string &why) {
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
  // division truncates towards zero, so a short input would otherwise give an output of 1.
  int64_t span = dilation * (kernel - 1) + 1, padded = in + 2 * padding;
  if (padded < span) {
    why = "the window spans " + str(span) + " elements (kernel " + str(kernel) + ", dilation " +
          str(dilation) + ") but the padded input has " + str(padded) + " (" + str(in) +
          " + 2 * " + str(padding) + ")";
    return false;
  }
  out = (padded - span) / stride + 1;
  return true;
}

bool windowOutput(const std::vector<int64_t> &spatial, const Window2d &window, bool isPool,
                  std::vector<int64_t> &out, std::string &why) {
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
                          window.dilation[d], result[d], why)) {
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
            std::string &why) {
  if (!checkRank4("the input", x, "[N, C, H, W]", why))
    return false;
  std::vector<int64_t> spatial;
  if (!windowOutput({x[2], x[3]}, Window2d{kernelSize, stride, padding}, /*isPool=*/true, spatial,
                    why))
    return false;
  out = {x[0], x[1], spatial[0], spatial[1]};
  return true;
}

bool maxPool2dGrad(const Shape &x, const Shape &gy, const std::vector<int64_t> &kernelSize,
                   const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
                   Shape &out, std::string &why) {
  Shape y;
  if (!pool2d(x, kernelSize, stride, padding, y, why))
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
                   const std::vector<int64_t> &inputSize, Shape &out, std::string &why) {
  if (!checkRank4("the output gradient", gy, "[N, C, OH, OW]", why) ||
      !checkSize("input_size", inputSize, why))
    return false;
  Shape x = {gy[0], gy[1], inputSize[0], inputSize[1]}, y;
  if (!pool2d(x, kernelSize, stride, padding, y, why) ||
      !checkSpatialMatch(y, gy, "input_size " + formatList(inputSize), why))
    return false;
  out = std::move(x);
  return true;
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
