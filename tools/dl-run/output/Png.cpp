//===- Png.cpp - Writing images as PNG files ------------------------------===//
//
// The file is the 8-byte signature and three chunks (IHDR, IDAT, IEND), each a big-endian length,
// a 4-letter type, the data and the zlib crc32 of type and data. IDAT holds the rows, each led by
// filter byte 0 (none), compressed as one zlib stream with compress2.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/Png.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace dlrun {

namespace {

const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

void appendBigEndian32(std::string &out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(char((value >> shift) & 0xff));
}

/// Appends one chunk: length, type, data, crc32(type + data).
void appendChunk(std::string &out, const char type[4], const std::string &data) {
  appendBigEndian32(out, uint32_t(data.size()));
  size_t typeStart = out.size();
  out.append(type, 4);
  out += data;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef *>(out.data() + typeStart), uInt(4 + data.size()));
  appendBigEndian32(out, uint32_t(crc));
}

std::string headerData(int width, int height, int channels) {
  std::string data;
  appendBigEndian32(data, uint32_t(width));
  appendBigEndian32(data, uint32_t(height));
  data.push_back(8);                     // bit depth
  data.push_back(channels == 3 ? 2 : 0); // color type: RGB or grayscale
  data.push_back(0);                     // compression: deflate
  data.push_back(0);                     // filter method: adaptive (each row says which)
  data.push_back(0);                     // interlace: none
  return data;
}

/// The rows, each behind filter byte 0, as one zlib stream.
bool compressedRows(int width, int height, int channels, const uint8_t *pixels, std::string &out) {
  size_t rowBytes = size_t(width) * size_t(channels);
  std::vector<uint8_t> raw;
  raw.reserve((rowBytes + 1) * size_t(height));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels + size_t(y) * rowBytes, pixels + size_t(y + 1) * rowBytes);
  }
  uLongf size = compressBound(uLong(raw.size()));
  out.resize(size);
  if (compress2(reinterpret_cast<Bytef *>(out.data()), &size, raw.data(), uLong(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    return false;
  out.resize(size);
  return true;
}

/// Writes `bytes` to a temporary file beside `path`, then renames it to `path`.
bool writeFileAtomically(const std::string &path, const std::string &bytes, std::string &error) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  std::FILE *file = std::fopen(temp.c_str(), "wb");
  if (!file) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fclose(file) == 0 && ok;
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    error = path + ": cannot write: " + std::strerror(errno);
    std::remove(temp.c_str());
    return false;
  }
  return true;
}

uint8_t toByte(float value) {
  float unit = value >= 0.0f ? std::min(value, 1.0f) : 0.0f; // NaN fails >= and becomes 0
  return uint8_t(std::lround(unit * 255.0f));
}

} // namespace

bool writePng(const std::string &path, int width, int height, int channels, const uint8_t *pixels,
              std::string &error) {
  if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
    error = path + ": cannot write a PNG of " + std::to_string(width) + "x" +
            std::to_string(height) + " pixels with " + std::to_string(channels) +
            " channels (expected 1 or 3)";
    return false;
  }
  std::string idat;
  if (!compressedRows(width, height, channels, pixels, idat)) {
    error = path + ": cannot write: zlib could not compress the image";
    return false;
  }
  std::string bytes(reinterpret_cast<const char *>(kSignature), sizeof kSignature);
  appendChunk(bytes, "IHDR", headerData(width, height, channels));
  appendChunk(bytes, "IDAT", idat);
  appendChunk(bytes, "IEND", "");
  return writeFileAtomically(path, bytes, error);
}

Grid imageGrid(const float *images, int count, int height, int width, int columns, int padding) {
  Grid grid;
  columns = std::max(columns, 1);
  int rows = (count + columns - 1) / columns;
  grid.width = columns * width + (columns + 1) * padding;
  grid.height = rows * height + (rows + 1) * padding;
  grid.pixels.assign(size_t(grid.width) * size_t(grid.height), 0);
  for (int i = 0; i < count; ++i) {
    int left = padding + (i % columns) * (width + padding);
    int top = padding + (i / columns) * (height + padding);
    const float *image = images + size_t(i) * size_t(height) * size_t(width);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        grid.pixels[size_t(top + y) * size_t(grid.width) + size_t(left + x)] =
            toByte(image[size_t(y) * size_t(width) + size_t(x)]);
  }
  return grid;
}

} // namespace dlrun
