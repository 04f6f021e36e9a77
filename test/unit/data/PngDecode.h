//===- PngDecode.h - Reading back the PNG files dl-run writes -----*- C++ -*-===//
//
// Just enough of a PNG decoder to check dl-run's writer (Png.h) and what is drawn with it (the
// loss plot): it checks the signature and every chunk's crc32, reads IHDR, inflates the one IDAT
// with zlib and strips the filter byte of each row, which must be 0 as writePng writes them. It
// records failures as gtest failures rather than returning errors.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TEST_UNIT_DATA_PNGDECODE_H
#define DL_TEST_UNIT_DATA_PNGDECODE_H

#include <cstdint>
#include <string>
#include <vector>

namespace dltest {

struct PngChunk {
  std::string type, data;
};

/// Splits a PNG file's bytes into its chunks after checking the signature and every chunk's crc32.
std::vector<PngChunk> readPngChunks(const std::string &file);

struct DecodedImage {
  uint32_t width = 0, height = 0;
  int colorType = -1;
  std::vector<uint8_t> pixels; ///< Row-major, `channels` bytes a pixel.
};

/// Decodes the PNG at `path`, `channels` bytes a pixel, whose rows all use filter 0.
DecodedImage decodePng(const std::string &path, int channels);

} // namespace dltest

#endif // DL_TEST_UNIT_DATA_PNGDECODE_H
