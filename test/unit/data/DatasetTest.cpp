//===- DatasetTest.cpp - IDX image data sets and their normalization ------===//
//
// A tiny data set written by the test (statistics checked by hand: the test split must be
// normalized with the training split's mean and standard deviation), its error cases, and the real
// Fashion-MNIST files when Debian's dataset-fashion-mnist is installed.
//
//===----------------------------------------------------------------------===//
#include "runtime/data/Dataset.h"

#include "TempFolder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sys/stat.h>

using namespace dldata;
using ::testing::HasSubstr;

namespace {

std::string idx(unsigned char rank, std::vector<uint32_t> dims, const std::string &data) {
  std::string h{char(0), char(0), char(0x08), char(rank)};
  for (uint32_t d : dims)
    h += std::string{char(d >> 24), char(d >> 16), char(d >> 8), char(d)};
  return h + data;
}

/// Training images of 1x2 pixels: {0, 255}, {255, 255}: mean 0.75, std sqrt(3)/4 (population).
/// Test images are all 0: they must not move the statistics.
void writeTinyDataset(const dltest::TempFolder &dir) {
  dir.writeGzip("train-images-idx3-ubyte.gz", idx(3, {2, 1, 2}, std::string("\x00\xff\xff\xff", 4)));
  dir.write("train-labels-idx1-ubyte", idx(1, {2}, std::string("\x01\x03", 2)));
  dir.write("t10k-images-idx3-ubyte", idx(3, {1, 1, 2}, std::string("\x00\x00", 2)));
  dir.writeGzip("t10k-labels-idx1-ubyte.gz", idx(1, {1}, std::string("\x02", 1)));
}

TEST(Dataset, NormalizesWithTrainingStatisticsOnly) {
  dltest::TempFolder dir;
  writeTinyDataset(dir);
  ImageDataset data;
  std::string error;
  ASSERT_TRUE(loadImageDataset(dir.path(), data, error)) << error;
  EXPECT_EQ(data.train.size(), 2);
  EXPECT_EQ(data.test.size(), 1);
  EXPECT_EQ(data.height, 1);
  EXPECT_EQ(data.width, 2);
  EXPECT_EQ(data.pixelsPerImage(), 2);
  EXPECT_EQ(data.classes, 4);
  EXPECT_DOUBLE_EQ(data.mean, 0.75);
  EXPECT_DOUBLE_EQ(data.std, std::sqrt(3.0) / 4);
  EXPECT_EQ(data.train.images.shape, (std::vector<int64_t>{2, 1, 2}));
  const float *train = data.train.images.data<float>();
  EXPECT_FLOAT_EQ(train[0], float(-0.75 / (std::sqrt(3.0) / 4)));
  EXPECT_FLOAT_EQ(train[1], float(0.25 / (std::sqrt(3.0) / 4)));
  EXPECT_FLOAT_EQ(data.test.images.data<float>()[0], float(-0.75 / (std::sqrt(3.0) / 4)));
  EXPECT_EQ(data.train.labels.dtype, DType::I32);
  EXPECT_EQ(data.train.labels.data<int32_t>()[1], 3);
  EXPECT_EQ(data.test.labels.data<int32_t>()[0], 2);
}

TEST(Dataset, UnitPixelsAreThePixelsOver255) {
  dltest::TempFolder dir;
  writeTinyDataset(dir);
  ImageDataset data;
  std::string error;
  ASSERT_TRUE(loadImageDataset(dir.path(), data, error, Pixels::Unit)) << error;
  EXPECT_EQ(data.pixels, Pixels::Unit);
  EXPECT_DOUBLE_EQ(data.mean, 0.75);  // Still reported.
  const float *train = data.train.images.data<float>();
  EXPECT_FLOAT_EQ(train[0], 0.0f);
  EXPECT_FLOAT_EQ(train[1], 1.0f);
  EXPECT_FLOAT_EQ(train[3], 1.0f);
  EXPECT_FLOAT_EQ(data.test.images.data<float>()[1], 0.0f);
}

TEST(Dataset, ErrorsNameTheFileAtFault) {
  dltest::TempFolder dir;
  ImageDataset data;
  std::string error;
  EXPECT_FALSE(loadImageDataset(dir.file("absent"), data, error));
  EXPECT_THAT(error, HasSubstr(dir.file("absent") + ": no such folder (--data takes fashion-mnist or a folder"));

  writeTinyDataset(dir);
  std::remove(dir.file("t10k-images-idx3-ubyte").c_str());
  EXPECT_FALSE(loadImageDataset(dir.path(), data, error));
  EXPECT_THAT(error, HasSubstr(dir.path() + ": no t10k-images-idx3-ubyte[.gz]"));

  dir.write("t10k-images-idx3-ubyte", idx(3, {2, 1, 2}, std::string(4, '\0')));
  EXPECT_FALSE(loadImageDataset(dir.path(), data, error));
  EXPECT_EQ(error, dir.file("t10k-labels-idx1-ubyte.gz") + ": 1 labels for 2 images in " +
                       dir.file("t10k-images-idx3-ubyte"));

  dir.write("t10k-images-idx3-ubyte", idx(3, {1, 2, 1}, std::string(2, '\0')));
  EXPECT_FALSE(loadImageDataset(dir.path(), data, error));
  EXPECT_EQ(error, dir.path() + ": the training images are 1x2 but the test images 2x1");

  dir.write("t10k-images-idx3-ubyte", idx(2, {1, 2}, std::string(2, '\0')));
  EXPECT_FALSE(loadImageDataset(dir.path(), data, error));
  EXPECT_EQ(error, dir.file("t10k-images-idx3-ubyte") +
                       ": expected u8 images of shape [N, height, width], found u8[1, 2]");

  dir.write("t10k-images-idx3-ubyte", idx(3, {1, 1, 2}, std::string(1, '\0')));
  EXPECT_FALSE(loadImageDataset(dir.path(), data, error));
  EXPECT_THAT(error, HasSubstr("t10k-images-idx3-ubyte: truncated"));
}

TEST(Dataset, FashionMnistFromDebian) {
  struct stat info;
  if (::stat(kFashionMnistFolder, &info) != 0)
    GTEST_SKIP() << kFashionMnistFolder << " is absent (Debian package dataset-fashion-mnist)";
  ImageDataset data;
  std::string error;
  ASSERT_TRUE(loadImageDataset("fashion-mnist", data, error)) << error;
  EXPECT_EQ(data.train.size(), 60000);
  EXPECT_EQ(data.test.size(), 10000);
  EXPECT_EQ(data.height, 28);
  EXPECT_EQ(data.width, 28);
  EXPECT_EQ(data.classes, 10);
  // NumPy on the same files: x.mean() and x.std() of the training pixels / 255.
  EXPECT_NEAR(data.mean, 0.2860405969887955, 1e-12);
  EXPECT_NEAR(data.std, 0.35302424451492237, 1e-12);
  // The first labels of each split, and the normalized training split's own statistics.
  EXPECT_EQ(data.train.labels.data<int32_t>()[0], 9);
  EXPECT_EQ(data.train.labels.data<int32_t>()[3], 3);
  EXPECT_EQ(data.test.labels.data<int32_t>()[1], 2);
  double sum = 0, sumSquares = 0;
  const float *x = data.train.images.data<float>();
  int64_t n = data.train.images.elements();
  for (int64_t i = 0; i < n; ++i) {
    sum += x[i];
    sumSquares += double(x[i]) * x[i];
  }
  EXPECT_NEAR(sum / n, 0.0, 1e-6);
  EXPECT_NEAR(sumSquares / n, 1.0, 1e-5);
}

} // namespace
