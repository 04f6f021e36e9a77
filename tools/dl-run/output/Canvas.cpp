//===- Canvas.cpp - An RGB picture to draw loss plots on ------------------===//
#include "tools/dl-run/output/Canvas.h"

#include <algorithm>
#include <cmath>

namespace dlrun {

Canvas::Canvas(int width, int height)
    : width_(width), height_(height), pixels_(size_t(width) * size_t(height) * 3, 255) {}

void Canvas::set(int x, int y, Rgb colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_)
    return;
  uint8_t *p = &pixels_[(size_t(y) * size_t(width_) + size_t(x)) * 3];
  p[0] = colour.r, p[1] = colour.g, p[2] = colour.b;
}

Rgb Canvas::at(int x, int y) const {
  const uint8_t *p = &pixels_[(size_t(y) * size_t(width_) + size_t(x)) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::fill(int x0, int y0, int x1, int y1, Rgb colour) {
  for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y)
    for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x)
      set(x, y, colour);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb colour) {
  double phase = 0;
  dashedLine(x0, y0, x1, y1, colour, 0, phase);
}

void Canvas::dashedLine(double x0, double y0, double x1, double y1, Rgb colour, int dash,
                        double &phase) {
  // Unit steps along the longer side leave no gap between the pixels of a steep line.
  double length = std::hypot(x1 - x0, y1 - y0);
  int steps = int(std::ceil(std::max(std::fabs(x1 - x0), std::fabs(y1 - y0)))) + 1;
  for (int i = 0; i <= steps; ++i) {
    double t = double(i) / steps;
    if (dash > 0 && int(std::floor((phase + t * length) / dash)) % 2)
      continue;
    int x = int(std::lround(x0 + t * (x1 - x0))), y = int(std::lround(y0 + t * (y1 - y0)));
    set(x, y, colour);
    set(x, y + 1, colour);
  }
  phase += length;
}

void Canvas::disc(double x, double y, double radius, Rgb colour) {
  int r = int(std::ceil(radius));
  int cx = int(std::lround(x)), cy = int(std::lround(y));
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx)
      if (dx * dx + dy * dy <= radius * radius)
        set(cx + dx, cy + dy, colour);
}

void Canvas::text(const std::string &text, int left, int top, int scale, Rgb colour,
                  TextDirection direction) {
  drawText(text, left, top, scale, direction, [&](int x, int y) { set(x, y, colour); });
}

} // namespace dlrun
