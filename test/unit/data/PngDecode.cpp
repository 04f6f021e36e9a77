//===- PngDecode.cpp - Reading back the PNG files dl-run writes -----------===//
#include "PngDecode.h"

#include "TempFolder.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace dltest {

namespace {

uint32_t bigEndian32(const std::string &bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i)
    value = value << 8 | uint8_t(bytes.at(at + i));
  return value;
}

} // namespace

std::vector<PngChunk> readPngChunks(const std::string &file) {
  std::vector<PngChunk> chunks;
  EXPECT_EQ(file.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  size_t at = 8;
  while (at + 12 <= file.size()) {
    uint32_t length = bigEndian32(file, at);
    PngChunk chunk{file.substr(at + 4, 4), file.substr(at + 8, length)};
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef *>(file.data() + at + 4), uInt(4 + length));
    EXPECT_EQ(bigEndian32(file, at + 8 + length), uint32_t(crc)) << "crc of chunk " << chunk.type;
    chunks.push_back(chunk);
    at += 12 + length;
  }
  EXPECT_EQ(at, file.size()) << "bytes after the last chunk";
  return chunks;
}

DecodedImage decodePng(const std::string &path, int channels) {
  DecodedImage image;
  std::vector<PngChunk> chunks = readPngChunks(readBytes(path));
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

} // namespace dltest
