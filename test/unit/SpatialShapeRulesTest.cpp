//===- SpatialShapeRulesTest.cpp - Shape rules of the decoder spatial ops --===//
//
// Checks the rules of dialects/dl/ShapeRules.h that the decoder and ONNX spatial ops add: pooling's
// dilation and ceil_mode (PyTorch's pooling_output_shape: the division rounds up, but a last window
// that would start in the right padding is dropped), average pooling's divisors (avgPoolCount),
// conv_transpose2d's output size and its output_padding rule, upsampling's shapes and bilinear
// interpolation's taps. The sizes are compared with PyTorch's over a grid of arguments
// (PoolSizes.inc, written by pool_sizes.py), refusals included. Part of the ShapeRulesTest binary.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

namespace {

using dl::shape::Shape;
using ::testing::HasSubstr;
namespace shape = dl::shape;

#include "test/unit/PoolSizes.inc"

//===----------------------------------------------------------------------===//
// Pooling: dilation and ceil_mode, against PyTorch.
//===----------------------------------------------------------------------===//

/// The height of pooling x [1, 1, in, 1] with a window (kernel, 1), or -1 when the rule refuses.
int64_t poolHeight(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                   bool ceil) {
  shape::PoolOptions options;
  options.dilation = {dilation, 1};
  options.ceilMode = ceil;
  Shape out;
  std::string why;
  if (!shape::pool2d({1, 1, in, 1}, {kernel, 1}, {stride, 1}, {padding, 0}, out, why, options))
    return -1;
  return out[2];
}

TEST(PoolSizes, MatchPyTorchOverAGridOfArguments) {
  ASSERT_GT(kPoolSizes.size(), 1000u);
  int refusals = 0, ceilDiffers = 0;
  for (const auto &[in, k, s, p, d, ceil, maxSize, avgSize] : kPoolSizes) {
    std::string args = "in " + std::to_string(in) + ", kernel " + std::to_string(k) +
                       ", stride " + std::to_string(s) + ", padding " + std::to_string(p) +
                       ", dilation " + std::to_string(d) + (ceil ? ", ceil_mode" : "");
    EXPECT_EQ(poolHeight(in, k, s, p, d, ceil), maxSize) << "max_pool2d, " << args;
    if (avgSize != -2)
      EXPECT_EQ(poolHeight(in, k, s, p, 1, ceil), avgSize) << "avg_pool2d, " << args;
    refusals += maxSize == -1;
    if (ceil && maxSize > 0 && poolHeight(in, k, s, p, d, false) != maxSize)
      ++ceilDiffers;
  }
  // The grid holds refusals and cases where ceil_mode adds a window.
  EXPECT_GT(refusals, 10);
  EXPECT_GT(ceilDiffers, 10);
}

TEST(PoolSizes, CeilModeDropsAWindowThatWouldStartInTheRightPadding) {
  // in 5, kernel 2, stride 3, padding 1: windows start at -1, 2 and 5; the one at 5 starts in the
  // right padding, so PyTorch gives 2, not ceil((5 + 2 - 2) / 3) + 1 = 3.
  EXPECT_EQ(poolHeight(5, 2, 3, 1, 1, true), 2);
  EXPECT_EQ(poolHeight(5, 2, 2, 0, 1, true), 3);  // the last window overhangs: kept
  EXPECT_EQ(poolHeight(5, 2, 2, 0, 1, false), 2);
}

TEST(PoolSizes, DilationSpreadsTheWindow) {
  // kernel 3 at dilation 2 spans 5 rows.
  EXPECT_EQ(poolHeight(7, 3, 1, 0, 2, false), 3);
  EXPECT_EQ(poolHeight(4, 3, 1, 0, 2, false), -1);
  Shape out;
  std::string why;
  shape::PoolOptions options;
  options.dilation = {0, 1};
  EXPECT_FALSE(shape::pool2d({1, 1, 8, 8}, {2, 2}, {1, 1}, {0, 0}, out, why, options));
  EXPECT_THAT(why, HasSubstr("dilation"));
}

TEST(PoolGradients, CarryTheOptions) {
  shape::PoolOptions options;
  options.ceilMode = true;
  Shape out;
  std::string why;
  // avg_pool2d_grad of [1, 1, 3, 3] with kernel 2, stride 2 over 5 x 5 in ceil_mode.
  ASSERT_TRUE(shape::avgPool2dGrad({1, 1, 3, 3}, {2, 2}, {2, 2}, {0, 0}, {5, 5}, out, why,
                                   options))
      << why;
  EXPECT_EQ(out, (Shape{1, 1, 5, 5}));
  // Without ceil_mode the same gradient does not fit.
  EXPECT_FALSE(shape::avgPool2dGrad({1, 1, 3, 3}, {2, 2}, {2, 2}, {0, 0}, {5, 5}, out, why));
  options.dilation = {2, 2};
  options.ceilMode = false;
  ASSERT_TRUE(shape::maxPool2dGrad({1, 1, 7, 7}, {1, 1, 5, 5}, {2, 2}, {1, 1}, {0, 0}, out, why,
                                   options))
      << why;
  EXPECT_EQ(out, (Shape{1, 1, 7, 7}));
  EXPECT_FALSE(shape::maxPool2dGrad({1, 1, 7, 7}, {1, 1, 6, 6}, {2, 2}, {1, 1}, {0, 0}, out, why,
                                    options));
  EXPECT_THAT(why, HasSubstr("[1, 1, 5, 5]"));
}

TEST(AvgPoolCount, FollowsPyTorchsDivisor) {
  // in 5, kernel 3, padding 1: the first window starts at -1.
  EXPECT_EQ(shape::avgPoolCount(-1, 3, 5, 1, true), 3);
  EXPECT_EQ(shape::avgPoolCount(-1, 3, 5, 1, false), 2);
  // A ceil_mode window from 4 to 7 is clipped to the padded input (end 6) with padding counted...
  EXPECT_EQ(shape::avgPoolCount(4, 3, 5, 1, true), 2);
  // ...and to the input (end 5) without.
  EXPECT_EQ(shape::avgPoolCount(4, 3, 5, 1, false), 1);
  EXPECT_EQ(shape::avgPoolCount(0, 2, 4, 0, true), 2);
}

//===----------------------------------------------------------------------===//
// conv_transpose2d
//===----------------------------------------------------------------------===//

TEST(ConvTranspose2d, MatchesPyTorchOverAGridOfArguments) {
  ASSERT_GT(kConvTransposeSizes.size(), 1000u);
  int refusals = 0;
  for (const auto &[in, k, s, p, op, d, size] : kConvTransposeSizes) {
    Shape out;
    std::string why;
    bool ok = shape::convTranspose2d({1, 1, in, 1}, {1, 1, k, 1}, {s, 1}, {p, 0}, {op, 0},
                                     {d, 1}, out, why);
    std::string args = "in " + std::to_string(in) + ", kernel " + std::to_string(k) +
                       ", stride " + std::to_string(s) + ", padding " + std::to_string(p) +
                       ", output_padding " + std::to_string(op) + ", dilation " +
                       std::to_string(d);
    EXPECT_EQ(ok ? out[2] : -1, size) << args << (ok ? "" : ": " + why);
    refusals += size == -1;
  }
  EXPECT_GT(refusals, 10);
}

TEST(ConvTranspose2d, GivesPyTorchsLayout) {
  Shape out;
  std::string why;
  // The DCGAN generator's layer: [64, 128, 7, 7] with W [128, 64, 4, 4], stride 2, padding 1.
  ASSERT_TRUE(shape::convTranspose2d({64, 128, 7, 7}, {128, 64, 4, 4}, {2, 2}, {1, 1}, {0, 0},
                                     {1, 1}, out, why))
      << why;
  EXPECT_EQ(out, (Shape{64, 64, 14, 14}));
}

TEST(ConvTranspose2d, NamesWhatIsWrong) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::convTranspose2d({1, 3, 4, 4}, {4, 2, 3, 3}, {1, 1}, {0, 0}, {0, 0}, {1, 1},
                                      out, why));
  EXPECT_THAT(why, HasSubstr("input channels differ (the input has 3, the weight 4"));
  EXPECT_FALSE(shape::convTranspose2d({1, 3, 4, 4}, {3, 2, 3, 3}, {2, 2}, {0, 0}, {2, 0}, {1, 1},
                                      out, why));
  EXPECT_THAT(why, HasSubstr("along the height, output_padding 2 must be smaller than the "
                             "stride 2 or the dilation 1"));
  EXPECT_FALSE(shape::convTranspose2d({1, 3, 4}, {3, 2, 3, 3}, {1, 1}, {0, 0}, {0, 0}, {1, 1},
                                      out, why));
  EXPECT_THAT(why, HasSubstr("rank 4"));
  // Sizes past 2^40 are refused before they overflow.
  EXPECT_FALSE(shape::convTranspose2d({1, 1, int64_t(1) << 30, 1}, {1, 1, 1, 1},
                                      {int64_t(1) << 40, 1}, {0, 0}, {0, 0}, {1, 1}, out, why));
  EXPECT_THAT(why, HasSubstr("more than 2^40"));
}

//===----------------------------------------------------------------------===//
// Upsampling
//===----------------------------------------------------------------------===//

TEST(Upsample2d, MultipliesTheSpatialDimensions) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::upsample2d({2, 3, 4, 5}, {2, 3}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3, 8, 15}));
  EXPECT_FALSE(shape::upsample2d({2, 3, 4, 5}, {0, 3}, out, why));
  EXPECT_FALSE(shape::upsample2d({2, 3, 4}, {2, 2}, out, why));
  ASSERT_TRUE(shape::upsample2dGrad({2, 3, 8, 15}, {2, 3}, {4, 5}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 3, 4, 5}));
  EXPECT_FALSE(shape::upsample2dGrad({2, 3, 8, 16}, {2, 3}, {4, 5}, out, why));
}

TEST(LinearTaps, FollowPyTorchsSourceIndices) {
  // in 3, scale 2, align_corners = false: src = max(0.5 (i + 0.5) - 0.5, 0).
  std::vector<shape::LinearTap> t = shape::linearTaps(3, 2, false);
  ASSERT_EQ(t.size(), 6u);
  std::vector<int64_t> i0, i1;
  std::vector<float> l1;
  for (const shape::LinearTap &tap : t) {
    i0.push_back(tap.i0);
    i1.push_back(tap.i1);
    l1.push_back(tap.l1);
    EXPECT_EQ(tap.l0, 1.0f - tap.l1);
  }
  EXPECT_EQ(i0, (std::vector<int64_t>{0, 0, 0, 1, 1, 2}));
  EXPECT_EQ(i1, (std::vector<int64_t>{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(l1, (std::vector<float>{0, 0.25f, 0.75f, 0.25f, 0.75f, 0.25f}));
  // align_corners = true: src = i (in - 1) / (out - 1), the corners exact.
  t = shape::linearTaps(3, 2, true);
  EXPECT_EQ(t[0].i0, 0);
  EXPECT_EQ(t[0].l1, 0.0f);
  EXPECT_EQ(t[5].i0, 2);
  EXPECT_EQ(t[5].i1, 2);
  // Scale 1 reads each element once with weight 1 (twice, the second with weight 0, as PyTorch).
  t = shape::linearTaps(4, 1, false);
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(t[i].i0, i);
    EXPECT_EQ(t[i].i1, i);
    EXPECT_EQ(t[i].l0, 1.0f);
  }
}

} // namespace
