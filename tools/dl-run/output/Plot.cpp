//===- Plot.cpp - Loss curves as a PNG image ------------------------------===//
#include "tools/dl-run/output/Plot.h"

#include "tools/dl-run/output/Png.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace dlrun {
namespace {

constexpr int kWidth = 640, kHeight = 360, kMargin = 20;

struct Colour {
  const char *name;
  uint8_t r, g, b;
};

constexpr Colour kColours[] = {{"blue", 31, 119, 180},  {"orange", 255, 127, 14},
                               {"green", 44, 160, 44},  {"red", 214, 39, 40},
                               {"purple", 148, 103, 189}, {"brown", 140, 86, 75}};
constexpr size_t kColourCount = sizeof(kColours) / sizeof(kColours[0]);

class Canvas {
public:
  Canvas() : pixels_(size_t(kWidth) * kHeight * 3, 255) {}

  void set(int x, int y, const Colour &c) {
    if (x < 0 || y < 0 || x >= kWidth || y >= kHeight)
      return;
    uint8_t *p = &pixels_[(size_t(y) * kWidth + x) * 3];
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
  /// A line between two points, two pixels thick, by unit steps along its longer side.
  void line(double x0, double y0, double x1, double y1, const Colour &c) {
    int steps = int(std::ceil(std::max(std::fabs(x1 - x0), std::fabs(y1 - y0)))) + 1;
    for (int i = 0; i <= steps; ++i) {
      double t = double(i) / steps;
      int x = int(std::lround(x0 + t * (x1 - x0))), y = int(std::lround(y0 + t * (y1 - y0)));
      set(x, y, c);
      set(x, y + 1, c);
    }
  }
  const uint8_t *data() const { return pixels_.data(); }

private:
  std::vector<uint8_t> pixels_;
};

} // namespace

const char *curveColourName(size_t index) { return kColours[index % kColourCount].name; }

bool writeLossPlot(const std::string &path, const std::vector<LossSeries> &curves,
                   std::string &summary, std::string &error) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  size_t calls = 0;
  for (const LossSeries &curve : curves) {
    calls = std::max(calls, curve.second.size());
    for (float v : curve.second)
      if (std::isfinite(v))
        lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
  }
  if (!(lo <= hi)) {
    error = path + ": no finite loss to plot";
    return false;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi)))
    hi = lo + std::max(1.0, std::fabs(lo)) * 1e-3;

  Canvas canvas;
  const Colour grid{"grid", 225, 225, 225}, frame{"frame", 90, 90, 90};
  int left = kMargin, right = kWidth - kMargin, top = kMargin, bottom = kHeight - kMargin;
  for (int k = 1; k < 10; ++k) {
    int y = top + (bottom - top) * k / 10;
    for (int x = left; x <= right; ++x)
      canvas.set(x, y, grid);
  }
  for (int x = left; x <= right; ++x)
    canvas.set(x, top, frame), canvas.set(x, bottom, frame);
  for (int y = top; y <= bottom; ++y)
    canvas.set(left, y, frame), canvas.set(right, y, frame);

  // Each curve: the mean of the finite losses of the calls that fall in each pixel column.
  auto yOf = [&](double v) { return bottom - (v - lo) / (hi - lo) * (bottom - top); };
  for (size_t c = 0; c < curves.size(); ++c) {
    const std::vector<float> &losses = curves[c].second;
    int columns = right - left;
    std::vector<double> sum(size_t(columns) + 1, 0);
    std::vector<int> count(size_t(columns) + 1, 0);
    for (size_t i = 0; i < losses.size(); ++i) {
      if (!std::isfinite(losses[i]))
        continue;
      size_t column = calls > 1 ? size_t(double(i) / double(calls - 1) * columns) : 0;
      sum[column] += losses[i];
      ++count[column];
    }
    bool have = false;
    double px = 0, py = 0;
    for (int column = 0; column <= columns; ++column) {
      if (!count[column])
        continue;
      double x = left + column, y = yOf(sum[column] / count[column]);
      if (have)
        canvas.line(px, py, x, y, kColours[c % kColourCount]);
      else
        canvas.set(int(x), int(std::lround(y)), kColours[c % kColourCount]);
      px = x, py = y, have = true;
    }
  }
  if (!writePng(path, kWidth, kHeight, 3, canvas.data(), error))
    return false;

  char range[96];
  std::snprintf(range, sizeof range, "; loss from %.4g (bottom) to %.4g (top) over %zu calls", lo,
                hi, calls);
  summary.clear();
  for (size_t c = 0; c < curves.size(); ++c)
    summary += (c ? ", " : "") + curves[c].first + " " + curveColourName(c);
  summary += range;
  return true;
}

} // namespace dlrun
