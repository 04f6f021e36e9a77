//===- PngTest.cpp - dl-run's PNG writer and image grid -------------------===//
//
// Decodes what writePng wrote (signature, chunks and their crc32, IHDR, IDAT inflated with zlib's
// uncompress, one filter byte per row) and compares the pixels; checks that a write into a folder
// that does not exist fails and leaves no file; and checks imageGrid's layout, padding and
// clamping.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/Png.h"

#include "TempFolder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <limits>

using namespace dlrun;

namespace {

uint32_t bigEndian32(const std::string &bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i)
    value = value << 8 | uint8_t(bytes.at(at + i));
  return value;
}

struct Chunk {
  std::string type, data;
};

/// Splits a PNG file into its chunks after checking the signature and every chunk's crc32.
std::vector<Chunk> readChunks(const std::string &file) {
  std::vector<Chunk> chunks;
  EXPECT_EQ(file.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  size_t at = 8;
  while (at + 12 <= file.size()) {
    uint32_t length = bigEndian32(file, at);
    Chunk chunk{file.substr(at + 4, 4), file.substr(at + 8, length)};
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef *>(file.data() + at + 4), uInt(4 + length));
    EXPECT_EQ(bigEndian32(file, at + 8 + length), uint32_t(crc)) << "crc of chunk " << chunk.type;
    chunks.push_back(chunk);
    at += 12 + length;
  }
  EXPECT_EQ(at, file.size()) << "bytes after the last chunk";
  return chunks;
}

struct DecodedImage {
  uint32_t width = 0, height = 0;
  int colorType = -1;
  std::vector<uint8_t> pixels;
};

/// Decodes a PNG whose rows all use filter 0, as writePng writes them.
DecodedImage decodePng(const std::string &path, int channels) {
  DecodedImage image;
  std::vector<Chunk> chunks = readChunks(dltest::readBytes(path));
  if (chunks.size() != 3) {
    ADD_FAILURE() << "expected IHDR, IDAT, IEND; got " << chunks.size() << " chunks";
    return image;
  }
  EXPECT_EQ(chunks[0].type, "IHDR");
  EXPECT_EQ(chunks[1].type, "IDAT");
  EXPECT_EQ(chunks[2].type, "IEND");
  EXPECT_TRUE(chunks[2].data.empty());
  const std::string &header = chunks[0].data;
  EXPECT_EQ(header.size(), 13u);
  image.width = bigEndian32(header, 0);
  image.height = bigEndian32(header, 4);
  image.colorType = uint8_t(header[9]);
  EXPECT_EQ(header.substr(10, 3), std::string(3, '\0')) << "compression, filter, interlace";
  EXPECT_EQ(uint8_t(header[8]), 8) << "bit depth";

  size_t rowBytes = image.width * size_t(channels);
  std::vector<uint8_t> raw((rowBytes + 1) * image.height);
  uLongf rawSize = uLongf(raw.size());
  EXPECT_EQ(uncompress(raw.data(), &rawSize, reinterpret_cast<const Bytef *>(chunks[1].data.data()),
                       uLong(chunks[1].data.size())),
            Z_OK);
  EXPECT_EQ(rawSize, raw.size());
  for (uint32_t y = 0; y < image.height; ++y) {
    const uint8_t *row = raw.data() + y * (rowBytes + 1);
    EXPECT_EQ(row[0], 0) << "filter byte of row " << y;
    image.pixels.insert(image.pixels.end(), row + 1, row + 1 + rowBytes);
  }
  return image;
}

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
