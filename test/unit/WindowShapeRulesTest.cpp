//===- WindowShapeRulesTest.cpp - Units of the 2-D window shape rules -----===//
//
// Checks the window rules of dialects/dl/ShapeRules.h (ShapeRulesWindow.cpp): PyTorch's output-size
// formula with its floor, stride, padding and dilation, the shapes of conv2d, the pooling ops and
// their gradients, the augmentations random_flip and random_crop (with its gradient), and each
// failure with the reason it gives. Part of the ShapeRulesTest binary;
// test/lit/dialect/conv-invalid.mlir and pooling-invalid.mlir check how the dialect reports the
// same failures.
//
//===----------------------------------------------------------------------===//
#include "dl/ShapeRules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using dl::shape::Shape;
using ::testing::HasSubstr;
namespace shape = dl::shape;

//===----------------------------------------------------------------------===//
// windowOutputSize
//===----------------------------------------------------------------------===//

int64_t outputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                   int64_t dilation) {
  int64_t out = -7;
  std::string why;
  EXPECT_TRUE(shape::windowOutputSize(in, kernel, stride, padding, dilation, out, why)) << why;
  return out;
}

TEST(WindowOutputSize, FollowsPyTorchsFormula) {
  EXPECT_EQ(outputSize(28, 3, 1, 0, 1), 26);
  EXPECT_EQ(outputSize(28, 3, 1, 1, 1), 28);  // "Same" padding.
  EXPECT_EQ(outputSize(28, 2, 2, 0, 1), 14);
  EXPECT_EQ(outputSize(7, 3, 1, 0, 2), 3);    // A dilated kernel spans 5.
  EXPECT_EQ(outputSize(5, 1, 1, 0, 1), 5);
  EXPECT_EQ(outputSize(3, 3, 1, 0, 1), 1);    // The window covers the whole input.
}

TEST(WindowOutputSize, FloorsWhenTheStrideDoesNotDivide) {
  EXPECT_EQ(outputSize(7, 3, 2, 1, 1), 4);  // (7 + 2 - 3) / 2 + 1 = 4.
  EXPECT_EQ(outputSize(8, 3, 2, 1, 1), 4);  // (8 + 2 - 3) / 2 = 3.5, floored.
  EXPECT_EQ(outputSize(7, 2, 3, 0, 1), 2);  // The last two rows are never read.
}

TEST(WindowOutputSize, RejectsAWindowLargerThanThePaddedInput) {
  int64_t out = -7;
  std::string why;
  // (2 - 3) / 1 truncates to 0 in C++: the rule must not answer 1.
  EXPECT_FALSE(shape::windowOutputSize(2, 3, 1, 0, 1, out, why));
  EXPECT_EQ(why, "the window spans 3 elements (kernel 3, dilation 1) but the padded input has 2 "
                 "(2 + 2 * 0)");
  EXPECT_FALSE(shape::windowOutputSize(4, 3, 1, 0, 2, out, why));
  EXPECT_EQ(why, "the window spans 5 elements (kernel 3, dilation 2) but the padded input has 4 "
                 "(4 + 2 * 0)");
  EXPECT_EQ(out, -7) << "a failed rule must not write its output";
  // Padding makes it fit.
  EXPECT_EQ(outputSize(2, 3, 1, 1, 1), 2);
}

TEST(WindowOutputSize, RejectsAttributesOutOfRange) {
  int64_t out;
  std::string why;
  EXPECT_FALSE(shape::windowOutputSize(8, 0, 1, 0, 1, out, why));
  EXPECT_EQ(why, "kernel size 0 is below 1");
  EXPECT_FALSE(shape::windowOutputSize(8, 3, 0, 0, 1, out, why));
  EXPECT_EQ(why, "stride 0 is below 1");
  EXPECT_FALSE(shape::windowOutputSize(8, 3, -2, 0, 1, out, why));
  EXPECT_EQ(why, "stride -2 is below 1");
  EXPECT_FALSE(shape::windowOutputSize(8, 3, 1, 0, 0, out, why));
  EXPECT_EQ(why, "dilation 0 is below 1");
  EXPECT_FALSE(shape::windowOutputSize(8, 3, 1, -1, 1, out, why));
  EXPECT_EQ(why, "padding -1 is negative");
}

//===----------------------------------------------------------------------===//
// conv2d and its gradients
//===----------------------------------------------------------------------===//

TEST(Conv2d, GivesBatchOutputChannelsAndWindowCounts) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::conv2d({8, 1, 28, 28}, {16, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, out, why))
      << why;
  EXPECT_EQ(out, (Shape{8, 16, 28, 28}));
  // Height and width each with their own stride, padding and dilation.
  ASSERT_TRUE(shape::conv2d({2, 1, 7, 8}, {2, 1, 2, 2}, {2, 3}, {0, 2}, {1, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 2, 3, 4}));
}

TEST(Conv2d, RejectsRanksOtherThanFour) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2d({1, 28, 28}, {16, 1, 3, 3}, {1, 1}, {0, 0}, {1, 1}, out, why));
  EXPECT_EQ(why, "the input must have rank 4 [N, C, H, W], not rank 3");
  EXPECT_FALSE(shape::conv2d({8, 1, 28, 28}, {16, 3, 3}, {1, 1}, {0, 0}, {1, 1}, out, why));
  EXPECT_EQ(why, "the weight must have rank 4 [O, C, KH, KW], not rank 3");
}

TEST(Conv2d, RejectsChannelsThatDiffer) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2d({8, 3, 28, 28}, {16, 1, 3, 3}, {1, 1}, {0, 0}, {1, 1}, out, why));
  EXPECT_EQ(why, "input channels differ (the input has 3, the weight 1)");
}

TEST(Conv2d, RejectsAttributesWithoutTwoValues) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2d({8, 1, 28, 28}, {16, 1, 3, 3}, {1}, {0, 0}, {1, 1}, out, why));
  EXPECT_EQ(why, "stride needs 2 values [height, width], not 1");
  EXPECT_FALSE(shape::conv2d({8, 1, 28, 28}, {16, 1, 3, 3}, {1, 1}, {0, 0, 0}, {1, 1}, out, why));
  EXPECT_EQ(why, "padding needs 2 values [height, width], not 3");
  EXPECT_FALSE(shape::conv2d({8, 1, 28, 28}, {16, 1, 3, 3}, {1, 1}, {0, 0}, {}, out, why));
  EXPECT_EQ(why, "dilation needs 2 values [height, width], not 0");
}

TEST(Conv2d, NamesTheSpatialDimensionThatFails) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2d({1, 1, 8, 2}, {1, 1, 3, 3}, {1, 1}, {0, 0}, {1, 1}, out, why));
  EXPECT_THAT(why, HasSubstr("along the width, the window spans 3"));
  EXPECT_FALSE(shape::conv2d({1, 1, 8, 8}, {1, 1, 3, 3}, {0, 1}, {0, 0}, {1, 1}, out, why));
  EXPECT_EQ(why, "along the height, stride 0 is below 1");
}

TEST(Conv2dGradInput, TakesTheInputSizeTheFloorCannotRecover) {
  Shape out;
  std::string why;
  // Inputs of 7 and 8 both give 4 at stride 2 with kernel 3 and padding 1.
  for (int64_t h : {7, 8}) {
    ASSERT_TRUE(shape::conv2dGradInput({2, 4, 4, 4}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {h, 7},
                                       out, why))
        << why;
    EXPECT_EQ(out, (Shape{2, 3, h, 7}));
  }
}

TEST(Conv2dGradInput, RejectsAnInputSizeThatDoesNotGiveTheGradientsShape) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2dGradInput({2, 4, 4, 4}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {9, 7},
                                      out, why));
  EXPECT_EQ(why,
            "input_size [9, 7] gives an output of [5, 4], but the output gradient's is [4, 4]");
  EXPECT_FALSE(shape::conv2dGradInput({2, 4, 4, 4}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 7},
                                      out, why));
  EXPECT_EQ(why, "input_size [0, 7] has a size below 1");
  EXPECT_FALSE(shape::conv2dGradInput({2, 4, 4, 4}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {8},
                                      out, why));
  EXPECT_EQ(why, "input_size needs 2 values [height, width], not 1");
}

TEST(Conv2dGradInput, RejectsOutputChannelsThatDiffer) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2dGradInput({2, 5, 4, 4}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {8, 7},
                                      out, why));
  EXPECT_EQ(why, "output channels differ (the output gradient has 5, the weight 4)");
}

TEST(Conv2dGradWeight, GivesTheWeightsShape) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::conv2dGradWeight({2, 3, 8, 7}, {2, 4, 4, 4}, {2, 2}, {1, 1}, {1, 1}, {3, 3},
                                      out, why))
      << why;
  EXPECT_EQ(out, (Shape{4, 3, 3, 3}));
}

TEST(Conv2dGradWeight, RejectsMismatches) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::conv2dGradWeight({3, 3, 8, 7}, {2, 4, 4, 4}, {2, 2}, {1, 1}, {1, 1}, {3, 3},
                                       out, why));
  EXPECT_EQ(why, "batch sizes differ (the input has 3, the output gradient 2)");
  EXPECT_FALSE(shape::conv2dGradWeight({2, 3, 8, 7}, {2, 4, 4, 4}, {2, 2}, {1, 1}, {1, 1}, {3, 5},
                                       out, why));
  EXPECT_EQ(why,
            "kernel_size [3, 5] gives an output of [4, 3], but the output gradient's is [4, 4]");
  EXPECT_FALSE(shape::conv2dGradWeight({2, 3, 8, 7}, {2, 4, 4, 4}, {2, 2}, {1, 1}, {1, 1}, {0, 3},
                                       out, why));
  EXPECT_EQ(why, "kernel_size [0, 3] has a size below 1");
}

//===----------------------------------------------------------------------===//
// Pooling and its gradients
//===----------------------------------------------------------------------===//

TEST(Pool2d, KeepsBatchAndChannels) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::pool2d({8, 16, 28, 28}, {2, 2}, {2, 2}, {0, 0}, out, why)) << why;
  EXPECT_EQ(out, (Shape{8, 16, 14, 14}));
  ASSERT_TRUE(shape::pool2d({8, 16, 28, 28}, {3, 3}, {2, 2}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{8, 16, 14, 14}));
  ASSERT_TRUE(shape::pool2d({1, 2, 4, 5}, {3, 2}, {1, 2}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 2, 4, 3}));
}

TEST(Pool2d, AllowsPaddingOfExactlyHalfTheKernel) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::pool2d({1, 1, 4, 4}, {2, 2}, {2, 2}, {1, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{1, 1, 3, 3}));
}

TEST(Pool2d, RejectsPaddingOfMoreThanHalfTheKernel) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::pool2d({1, 1, 6, 6}, {3, 3}, {1, 1}, {1, 2}, out, why));
  EXPECT_EQ(why, "padding [1, 2] is more than half of kernel_size [3, 3]");
}

TEST(Pool2d, RejectsBadAttributesAndRanks) {
  Shape out;
  std::string why;
  EXPECT_FALSE(shape::pool2d({1, 1, 6, 6}, {0, 2}, {1, 1}, {0, 0}, out, why));
  EXPECT_EQ(why, "along the height, kernel size 0 is below 1");
  EXPECT_FALSE(shape::pool2d({1, 1, 6, 6}, {2, 2, 2}, {1, 1}, {0, 0}, out, why));
  EXPECT_EQ(why, "kernel_size needs 2 values [height, width], not 3");
  EXPECT_FALSE(shape::pool2d({6, 6}, {2, 2}, {2, 2}, {0, 0}, out, why));
  EXPECT_EQ(why, "the input must have rank 4 [N, C, H, W], not rank 2");
  EXPECT_FALSE(shape::pool2d({1, 1, 2, 6}, {3, 3}, {1, 1}, {0, 0}, out, why));
  EXPECT_THAT(why, HasSubstr("along the height, the window spans 3 elements"));
}

TEST(MaxPool2dGrad, GivesTheInputsShapeForTheMatchingGradient) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::maxPool2dGrad({1, 2, 7, 6}, {1, 2, 3, 3}, {2, 2}, {2, 2}, {0, 0}, out, why))
      << why;
  EXPECT_EQ(out, (Shape{1, 2, 7, 6}));
  EXPECT_FALSE(shape::maxPool2dGrad({1, 2, 6, 6}, {1, 2, 3, 2}, {2, 2}, {2, 2}, {0, 0}, out, why));
  EXPECT_EQ(why, "pooling the input gives [1, 2, 3, 3], but the output gradient is [1, 2, 3, 2]");
}

TEST(AvgPool2dGrad, TakesTheInputSize) {
  Shape out;
  std::string why;
  for (int64_t w : {6, 7}) {
    ASSERT_TRUE(shape::avgPool2dGrad({1, 2, 3, 3}, {2, 2}, {2, 2}, {0, 0}, {6, w}, out, why))
        << why;
    EXPECT_EQ(out, (Shape{1, 2, 6, w}));
  }
  EXPECT_FALSE(shape::avgPool2dGrad({1, 2, 3, 3}, {2, 2}, {2, 2}, {0, 0}, {6, 8}, out, why));
  EXPECT_EQ(why,
            "input_size [6, 8] gives an output of [3, 4], but the output gradient's is [3, 3]");
  EXPECT_FALSE(shape::avgPool2dGrad({2, 3, 3}, {2, 2}, {2, 2}, {0, 0}, {6, 6}, out, why));
  EXPECT_EQ(why, "the output gradient must have rank 4 [N, C, OH, OW], not rank 3");
}

//===----------------------------------------------------------------------===//
// The augmentations: random_flip, random_crop and random_crop_grad
//===----------------------------------------------------------------------===//

TEST(RandomFlip, NormalizesTheAxisAndRefusesTheBatch) {
  std::string why;
  int64_t axis = -7;
  for (auto [given, normalized] : std::vector<std::pair<int64_t, int64_t>>{
           {3, 3}, {-1, 3}, {2, 2}, {-2, 2}, {1, 1}, {-3, 1}}) {
    ASSERT_TRUE(shape::randomFlip({8, 3, 5, 7}, given, axis, why)) << why;
    EXPECT_EQ(axis, normalized) << given;
  }
  EXPECT_FALSE(shape::randomFlip({8, 3, 5, 7}, 0, axis, why));
  EXPECT_EQ(why, "axis 0 is the batch dimension; a sample flips along 1, 2 or 3 (-3, -2 or -1)");
  EXPECT_FALSE(shape::randomFlip({8, 3, 5, 7}, -4, axis, why));
  EXPECT_THAT(why, HasSubstr("axis -4 is the batch dimension"));
  EXPECT_FALSE(shape::randomFlip({8, 3, 5, 7}, 4, axis, why));
  EXPECT_EQ(why, "axis 4 is out of range for rank 4");
  EXPECT_FALSE(shape::randomFlip({8, 5, 7}, 2, axis, why));
  EXPECT_EQ(why, "the input must have rank 4 [N, C, H, W], not rank 3");
}

TEST(RandomCrop, GivesTheWindowsShape) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::randomCrop({32, 1, 28, 28}, {28, 28}, {2, 2}, out, why)) << why;
  EXPECT_EQ(out, (Shape{32, 1, 28, 28}));
  ASSERT_TRUE(shape::randomCrop({32, 3, 28, 20}, {24, 22}, {0, 1}, out, why)) << why;
  EXPECT_EQ(out, (Shape{32, 3, 24, 22})); // wider than the input: the padding allows it
  ASSERT_TRUE(shape::randomCrop({2, 1, 5, 5}, {9, 5}, {2, 0}, out, why)) << why;
  EXPECT_EQ(out, (Shape{2, 1, 9, 5})); // the whole padded height: one position
}

TEST(RandomCrop, RejectsWindowsThatDoNotFitAndBadAttributes) {
  Shape out = {-7};
  std::string why;
  EXPECT_FALSE(shape::randomCrop({2, 1, 28, 28}, {31, 28}, {1, 1}, out, why));
  EXPECT_EQ(why, "along the height, the crop of 31 is larger than the padded input's 30 (28 + 2 * 1)");
  EXPECT_FALSE(shape::randomCrop({2, 1, 28, 28}, {28, 29}, {0, 0}, out, why));
  EXPECT_EQ(why, "along the width, the crop of 29 is larger than the padded input's 28 (28 + 2 * 0)");
  EXPECT_FALSE(shape::randomCrop({2, 1, 28, 28}, {0, 28}, {0, 0}, out, why));
  EXPECT_EQ(why, "size [0, 28] has a size below 1");
  EXPECT_FALSE(shape::randomCrop({2, 1, 28, 28}, {28}, {0, 0}, out, why));
  EXPECT_EQ(why, "size needs 2 values [height, width], not 1");
  EXPECT_FALSE(shape::randomCrop({2, 1, 28, 28}, {28, 28}, {-1, 0}, out, why));
  EXPECT_EQ(why, "padding [-1, 0] must lie in [0, 2^24]");
  EXPECT_FALSE(shape::randomCrop({2, 1, 28, 28}, {1, 1}, {1 << 23, 0}, out, why));
  EXPECT_EQ(why, "along the height, the crop has 16777244 positions, more than 2^24");
  EXPECT_FALSE(shape::randomCrop({2, 28, 28}, {28, 28}, {0, 0}, out, why));
  EXPECT_EQ(why, "the input must have rank 4 [N, C, H, W], not rank 3");
  EXPECT_EQ(out, (Shape{-7})) << "a failed rule must not write its output";
}

TEST(RandomCropGrad, TakesTheInputSizeAndChecksTheWindow) {
  Shape out;
  std::string why;
  ASSERT_TRUE(shape::randomCropGrad({8, 2, 24, 20}, {0, 1}, {28, 28}, out, why)) << why;
  EXPECT_EQ(out, (Shape{8, 2, 28, 28}));
  EXPECT_FALSE(shape::randomCropGrad({8, 2, 30, 28}, {0, 0}, {28, 28}, out, why));
  EXPECT_EQ(why, "along the height, the crop of 30 is larger than the padded input's 28 (28 + 2 * 0)");
  EXPECT_FALSE(shape::randomCropGrad({8, 2, 4, 4}, {2, 2}, {0, 4}, out, why));
  EXPECT_EQ(why, "input_size [0, 4] has a size below 1");
  EXPECT_FALSE(shape::randomCropGrad({8, 4, 4}, {2, 2}, {4, 4}, out, why));
  EXPECT_EQ(why, "the output gradient must have rank 4 [N, C, h, w], not rank 3");
}

TEST(FormatList, WritesBrackets) {
  EXPECT_EQ(shape::formatList({1, 2}), "[1, 2]");
  EXPECT_EQ(shape::formatList({}), "[]");
}

} // namespace
