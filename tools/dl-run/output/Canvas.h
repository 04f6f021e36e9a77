//===- Canvas.h - An RGB picture to draw loss plots on ------------*- C++ -*-===//
//
// The few drawing operations a loss plot (Plot.cpp) needs on a white RGB picture: pixels, filled
// rectangles, discs, lines two pixels thick, solid or dashed, and text in the built-in bitmap font
// (BitmapFont.h). Everything outside the picture is clipped. No antialiasing and no blending: a
// pixel takes the colour last drawn on it, which keeps the picture exact enough for tests to find
// a curve by its colour or a word by its pixels.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_CANVAS_H
#define DL_TOOLS_DLRUN_OUTPUT_CANVAS_H

#include "tools/dl-run/output/BitmapFont.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrun {

struct Rgb {
  uint8_t r, g, b;
  bool operator==(const Rgb &other) const { return r == other.r && g == other.g && b == other.b; }
};

class Canvas {
public:
  /// A `width` x `height` picture, all white.
  Canvas(int width, int height);

  int width() const { return width_; }
  int height() const { return height_; }
  /// Row-major RGB bytes, as writePng takes them.
  const uint8_t *data() const { return pixels_.data(); }

  void set(int x, int y, Rgb colour);
  /// Fills the rectangle with corners (x0, y0) and (x1, y1), both included.
  void fill(int x0, int y0, int x1, int y1, Rgb colour);
  /// The colour of a pixel inside the picture.
  Rgb at(int x, int y) const;
  /// A line from (x0, y0) to (x1, y1), two pixels thick (the second pixel below the first).
  void line(double x0, double y0, double x1, double y1, Rgb colour);
  /// The same line dashed: `dash` pixels drawn, `dash` skipped, along its length. `phase` is the
  /// length of the polyline drawn before this segment and is advanced past it, so that the dashes
  /// keep their rhythm across the joints.
  void dashedLine(double x0, double y0, double x1, double y1, Rgb colour, int dash, double &phase);
  /// A filled disc of radius `radius` around (x, y).
  void disc(double x, double y, double radius, Rgb colour);
  /// `text` at `scale` in the box with top-left corner (left, top) (see drawText).
  void text(const std::string &text, int left, int top, int scale, Rgb colour,
            TextDirection direction = TextDirection::Right);

private:
  int width_, height_;
  std::vector<uint8_t> pixels_;
};

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_CANVAS_H
