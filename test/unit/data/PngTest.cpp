//===- PngTest.cpp - dl-run's PNG writer and image grid -------------------===//
//
// Decodes what writePng wrote (PngDecode.h: signature, chunks and their crc32, IHDR, IDAT inflated
// with zlib's uncompress, one filter byte per row) and compares the pixels; checks that a write
// into a folder that does not exist fails and leaves no file; and checks imageGrid's layout,
// padding and clamping.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/Png.h"

#include "PngDecode.h"
#include "TempFolder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

using namespace dlrun;
using dltest::decodePng;
using dltest::DecodedImage;

namespace {

TEST(PngTest, GrayscaleRoundTrips) {
  dltest::TempFolder folder;
  const int width = 5, height = 3;
  std::vector<uint8_t> pixels(width * height);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = uint8_t(i * 17);
  std::string error;
  std::string path = folder.file("gray.png");
  ASSERT_TRUE(writePng(path, width, height, 1, pixels.data(), error)) << error;
  DecodedImage image = decodePng(path, 1);
  EXPECT_EQ(image.width, 5u);
  EXPECT_EQ(image.height, 3u);
  EXPECT_EQ(image.colorType, 0);
  EXPECT_EQ(image.pixels, pixels);
}

TEST(PngTest, RgbRoundTrips) {
  dltest::TempFolder folder;
  const int width = 4, height = 2;
  std::vector<uint8_t> pixels(width * height * 3);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = uint8_t(255 - i * 7);
  std::string error;
  std::string path = folder.file("rgb.png");
  ASSERT_TRUE(writePng(path, width, height, 3, pixels.data(), error)) << error;
  DecodedImage image = decodePng(path, 3);
  EXPECT_EQ(image.width, 4u);
  EXPECT_EQ(image.height, 2u);
  EXPECT_EQ(image.colorType, 2);
  EXPECT_EQ(image.pixels, pixels);
}

TEST(PngTest, OverwritesAndLeavesNoTemporaryFile) {
  dltest::TempFolder folder;
  std::string path = folder.write("out.png", "old contents");
  uint8_t pixel = 200;
  std::string error;
  ASSERT_TRUE(writePng(path, 1, 1, 1, &pixel, error)) << error;
  EXPECT_EQ(decodePng(path, 1).pixels, std::vector<uint8_t>{200});
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(folder.path()))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST(PngTest, FailedWriteReturnsFalseAndLeavesNoFile) {
  dltest::TempFolder folder;
  std::string path = folder.file("missing/out.png");
  uint8_t pixel = 0;
  std::string error;
  EXPECT_FALSE(writePng(path, 1, 1, 1, &pixel, error));
  EXPECT_EQ(error, path + ": cannot write: No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(folder.path()));
}

TEST(PngTest, RejectsBadDimensions) {
  dltest::TempFolder folder;
  std::string path = folder.file("bad.png");
  uint8_t pixel = 0;
  std::string error;
  EXPECT_FALSE(writePng(path, 1, 1, 2, &pixel, error));
  EXPECT_NE(error.find("expected 1 or 3"), std::string::npos) << error;
  EXPECT_FALSE(writePng(path, 0, 1, 1, &pixel, error));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ImageGridTest, TilesImagesWithPadding) {
  // Three 2x2 images, two columns, padding 1: 2 * 2 + 3 = 7 wide, 2 * 2 + 3 = 7 high.
  std::vector<float> images = {0.0f, 1.0f, 0.5f, 1.0f,  // image 0
                               1.0f, 1.0f, 1.0f, 1.0f,  // image 1
                               0.2f, 0.4f, 0.6f, 0.8f}; // image 2
  Grid grid = imageGrid(images.data(), 3, 2, 2, 2, 1);
  ASSERT_EQ(grid.width, 7);
  ASSERT_EQ(grid.height, 7);
  const uint8_t h = 128, a = 51, b = 102, c = 153, d = 204, F = 255;
  std::vector<uint8_t> expected = {
      0, 0, 0, 0, 0, 0, 0, //
      0, 0, F, 0, F, F, 0, //
      0, h, F, 0, F, F, 0, //
      0, 0, 0, 0, 0, 0, 0, //
      0, a, b, 0, 0, 0, 0, //
      0, c, d, 0, 0, 0, 0, //
      0, 0, 0, 0, 0, 0, 0, //
  };
  EXPECT_EQ(grid.pixels, expected);
}

TEST(ImageGridTest, ClampsOutOfRangeValues) {
  std::vector<float> image = {-3.0f, 7.0f, std::numeric_limits<float>::quiet_NaN(),
                              std::numeric_limits<float>::infinity()};
  Grid grid = imageGrid(image.data(), 1, 1, 4, 1, 0);
  ASSERT_EQ(grid.width, 4);
  ASSERT_EQ(grid.height, 1);
  EXPECT_EQ(grid.pixels, (std::vector<uint8_t>{0, 255, 0, 255}));
}

} // namespace
