//===- Png.h - Writing images as PNG files ------------------------*- C++ -*-===//
//
// A minimal PNG writer (8-bit grayscale or RGB, one zlib-compressed IDAT chunk, filter 0 on every
// row) that writes a temporary file next to the target and renames it, so a failed write never
// leaves a half-written image; and imageGrid, which tiles grayscale images in [0, 1] into one
// picture for `dl-run sample`.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_PNG_H
#define DL_TOOLS_DLRUN_OUTPUT_PNG_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlrun {

/// Writes `pixels` (row-major, `channels` bytes per pixel: 1 gray, 3 RGB) to `path` as a PNG.
/// On failure sets `error` ("PATH: cannot write: ...") and leaves no file behind.
bool writePng(const std::string &path, int width, int height, int channels, const uint8_t *pixels,
              std::string &error);

/// An 8-bit grayscale picture.
struct Grid {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels; ///< width * height bytes, row-major.
};

/// Tiles `count` grayscale images of height x width floats each (consecutive in `images`) into a
/// grid of `columns` columns, row by row, with `padding` black pixels between and around them.
/// Values are clamped to [0, 1] (NaN counts as 0) and scaled to 0..255.
Grid imageGrid(const float *images, int count, int height, int width, int columns, int padding);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_PNG_H
