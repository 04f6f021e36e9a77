//===- Plot.cpp - Loss curves as a PNG image ------------------------------===//
//
// The picture is laid out from the outside in: the title on top, the x label at the bottom and the
// y label (reading upward) on the left, then the tick numbers, whose widths set the margins of the
// plot area. The curves are drawn next, and the legend last, in the corner of the plot area that
// hides the fewest curve pixels.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/Plot.h"

#include "tools/dl-run/output/AxisTicks.h"
#include "tools/dl-run/output/Canvas.h"
#include "tools/dl-run/output/Png.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dlrun {

namespace {

constexpr int kWidth = 800, kHeight = 480;
/// Text is drawn at twice the font's size, the title at three times when it fits.
constexpr int kTextScale = 2, kTitleScale = 3;
/// Blank border of the picture, gap between text and what it labels, length of a tick mark.
constexpr int kEdge = 12, kGap = 8, kTick = 5;
constexpr int kDash = 6;
constexpr double kMarkerRadius = 3.5;

struct Colour {
  const char *name;
  Rgb rgb;
};

constexpr Colour kColours[] = {{"blue", {31, 119, 180}},    {"orange", {255, 127, 14}},
                               {"green", {44, 160, 44}},    {"red", {214, 39, 40}},
                               {"purple", {148, 103, 189}}, {"brown", {140, 86, 75}}};
constexpr size_t kColourCount = sizeof(kColours) / sizeof(kColours[0]);
constexpr Rgb kWhite{255, 255, 255}, kGrid{225, 225, 225}, kFrame{90, 90, 90}, kInk{30, 30, 30};

Rgb colourOf(size_t curve) { return kColours[curve % kColourCount].rgb; }

struct Point {
  double x, y;
};

/// The finite points of `curve`, x defaulting to 1, 2, 3, ...
std::vector<Point> finitePoints(const Curve &curve) {
  std::vector<Point> points;
  for (size_t i = 0; i < curve.y.size(); ++i) {
    double x = curve.x.empty() ? double(i + 1) : curve.x[i];
    if (std::isfinite(curve.y[i]) && std::isfinite(x))
      points.push_back({x, double(curve.y[i])});
  }
  return points;
}

/// Where everything goes: the title as it fits, the plot area inside the frame (pixels, both
/// edges included) and the ticks of both axes.
struct Layout {
  std::string title;
  int titleScale = kTitleScale;
  int left = 0, right = 0, top = 0, bottom = 0;
  AxisTicks x, y;

  double px(double value) const { return left + (value - x.lo) / (x.hi - x.lo) * (right - left); }
  double py(double value) const { return bottom - (value - y.lo) / (y.hi - y.lo) * (bottom - top); }
};

int widestTick(const AxisTicks &ticks) {
  int widest = 0;
  for (double value : ticks.values)
    widest = std::max(widest, textWidth(formatTick(value, ticks.step), kTextScale));
  return widest;
}

Layout layOut(const std::vector<std::vector<Point>> &curves, const PlotLabels &labels) {
  double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf;
  bool whole = true; // x only at whole numbers (call numbers): no ticks between them
  for (const std::vector<Point> &points : curves)
    for (const Point &p : points) {
      xlo = std::min(xlo, p.x), xhi = std::max(xhi, p.x);
      ylo = std::min(ylo, p.y), yhi = std::max(yhi, p.y);
      whole = whole && p.x == std::floor(p.x);
    }

  Layout layout;
  int textHigh = textHeight(kTextScale);
  // A title too wide for the picture shrinks, then loses its end.
  layout.title = labels.title;
  if (textWidth(layout.title, kTitleScale) > kWidth - 2 * kEdge)
    layout.titleScale = kTextScale;
  while (textWidth(layout.title, layout.titleScale) > kWidth - 2 * kEdge)
    layout.title = layout.title.substr(0, layout.title.size() - 4) + "...";
  // Without a title, room above the plot for half the top tick's number.
  layout.top = layout.title.empty() ? kEdge + textHigh / 2
                                    : kEdge + textHeight(layout.titleScale) + 2 * kGap;
  layout.bottom =
      kHeight - kEdge - (labels.xLabel.empty() ? 0 : textHigh + kGap) - textHigh - kGap / 2 - kTick;

  layout.y = niceTicks(ylo, yhi, 8);
  layout.left = kEdge + (labels.yLabel.empty() ? 0 : textHigh + kGap) + widestTick(layout.y) +
                kGap / 2 + kTick;
  // As many x ticks as leave room between their numbers; the last number may reach past the
  // plot area's right edge by half its width.
  for (int maxTicks = 10;; --maxTicks) {
    layout.x = niceTicks(xlo, xhi, maxTicks, whole ? 1 : 0);
    int last = textWidth(formatTick(layout.x.hi, layout.x.step), kTextScale);
    layout.right = kWidth - std::max(2 * kEdge, last / 2 + kEdge);
    double spacing = double(layout.right - layout.left) / double(layout.x.values.size() - 1);
    if (maxTicks == 2 || spacing >= widestTick(layout.x) + 2 * kGap)
      break;
  }
  return layout;
}

/// Grid, frame, ticks and their numbers, axis labels and title.
void drawAxes(Canvas &canvas, const Layout &layout, const PlotLabels &labels) {
  const Layout &l = layout;
  int textHigh = textHeight(kTextScale);
  for (double value : l.y.values) {
    int y = int(std::lround(l.py(value)));
    canvas.fill(l.left, y, l.right, y, kGrid);
    canvas.fill(l.left - kTick, y, l.left - 1, y, kFrame);
    std::string text = formatTick(value, l.y.step);
    // Digits sit above the baseline: centre those rows on the tick.
    canvas.text(text, l.left - kTick - kGap / 2 - textWidth(text, kTextScale),
                y - kGlyphAscent * kTextScale / 2, kTextScale, kInk);
  }
  for (double value : l.x.values) {
    int x = int(std::lround(l.px(value)));
    canvas.fill(x, l.top, x, l.bottom, kGrid);
    canvas.fill(x, l.bottom + 1, x, l.bottom + kTick, kFrame);
    std::string text = formatTick(value, l.x.step);
    canvas.text(text, x - textWidth(text, kTextScale) / 2, l.bottom + kTick + kGap / 2, kTextScale,
                kInk);
  }
  canvas.fill(l.left, l.top, l.right, l.top, kFrame);
  canvas.fill(l.left, l.bottom, l.right, l.bottom, kFrame);
  canvas.fill(l.left, l.top, l.left, l.bottom, kFrame);
  canvas.fill(l.right, l.top, l.right, l.bottom, kFrame);

  int middleX = (l.left + l.right) / 2, middleY = (l.top + l.bottom) / 2;
  canvas.text(labels.xLabel, middleX - textWidth(labels.xLabel, kTextScale) / 2,
              kHeight - kEdge - textHigh, kTextScale, kInk);
  canvas.text(labels.yLabel, kEdge, middleY - textWidth(labels.yLabel, kTextScale) / 2, kTextScale,
              kInk, TextDirection::Up);
  // Centred over the plot area when it fits there, else over the picture.
  int titleWidth = textWidth(l.title, l.titleScale);
  int titleLeft = std::clamp(middleX - titleWidth / 2, kEdge, kWidth - kEdge - titleWidth);
  canvas.text(l.title, titleLeft, kEdge, l.titleScale, kInk);
}

/// A dense curve: the mean of the points that fall in each pixel column, joined by a solid line.
void drawLine(Canvas &canvas, const Layout &layout, const std::vector<Point> &points, Rgb colour) {
  int columns = layout.right - layout.left;
  std::vector<double> sum(size_t(columns) + 1, 0);
  std::vector<int> count(size_t(columns) + 1, 0);
  for (const Point &p : points) {
    int column = std::clamp(int(std::lround(layout.px(p.x))) - layout.left, 0, columns);
    sum[size_t(column)] += p.y;
    ++count[size_t(column)];
  }
  bool have = false;
  double px = 0, py = 0;
  for (int column = 0; column <= columns; ++column) {
    if (!count[size_t(column)])
      continue;
    double x = layout.left + column, y = layout.py(sum[size_t(column)] / count[size_t(column)]);
    if (have)
      canvas.line(px, py, x, y, colour);
    else
      canvas.line(x, y, x, y, colour);
    px = x, py = y, have = true;
  }
}

/// A sparse curve: a dot on every point, the points joined in order by a dashed line.
void drawMarkers(Canvas &canvas, const Layout &layout, const std::vector<Point> &points,
                 Rgb colour) {
  double phase = 0;
  for (size_t i = 1; i < points.size(); ++i)
    canvas.dashedLine(layout.px(points[i - 1].x), layout.py(points[i - 1].y),
                      layout.px(points[i].x), layout.py(points[i].y), colour, kDash, phase);
  for (const Point &p : points)
    canvas.disc(layout.px(p.x), layout.py(p.y), kMarkerRadius, colour);
}

/// The legend: a swatch of each curve's line and its name, in a framed white box in the corner
/// of the plot area where it covers the fewest curve pixels (top right on a tie, where falling
/// losses leave room).
void drawLegend(Canvas &canvas, const Layout &layout, const std::vector<Curve> &curves) {
  int textHigh = textHeight(kTextScale), swatch = 4 * kDash, row = textHigh + kGap;
  int widest = 0;
  for (const Curve &curve : curves)
    widest = std::max(widest, textWidth(curve.name, kTextScale));
  int width = kGap + swatch + kGap + widest + kGap, height = int(curves.size()) * row + kGap;
  int inset = kGap + 2;
  struct Corner {
    int left, top;
  };
  Corner corners[] = {{layout.right - inset - width, layout.top + inset},
                      {layout.left + inset, layout.top + inset},
                      {layout.right - inset - width, layout.bottom - inset - height},
                      {layout.left + inset, layout.bottom - inset - height}};
  auto covered = [&](const Corner &c) {
    int count = 0;
    for (int y = std::max(c.top, 0); y <= std::min(c.top + height, kHeight - 1); ++y)
      for (int x = std::max(c.left, 0); x <= std::min(c.left + width, kWidth - 1); ++x)
        for (size_t k = 0; k < std::min(curves.size(), kColourCount); ++k)
          count += canvas.at(x, y) == colourOf(k);
    return count;
  };
  Corner best = corners[0];
  int fewest = covered(best);
  for (const Corner &c : corners)
    if (int n = covered(c); n < fewest)
      best = c, fewest = n;

  canvas.fill(best.left, best.top, best.left + width, best.top + height, kFrame);
  canvas.fill(best.left + 1, best.top + 1, best.left + width - 1, best.top + height - 1, kWhite);
  for (size_t i = 0; i < curves.size(); ++i) {
    int top = best.top + kGap + int(i) * row, middle = top + kGlyphAscent * kTextScale / 2;
    int x0 = best.left + kGap, x1 = x0 + swatch;
    if (curves[i].markers) {
      double phase = 0;
      canvas.dashedLine(x0, middle - 1, x1, middle - 1, colourOf(i), kDash, phase);
      canvas.disc((x0 + x1) / 2.0, middle, kMarkerRadius, colourOf(i));
    } else {
      canvas.line(x0, middle - 1, x1, middle - 1, colourOf(i));
    }
    canvas.text(curves[i].name, x1 + kGap, top, kTextScale, kInk);
  }
}

} // namespace

const char *curveColourName(size_t index) { return kColours[index % kColourCount].name; }

bool writeLossPlot(const std::string &path, const std::vector<Curve> &curves,
                   const PlotLabels &labels, std::string &summary, std::string &error) {
  std::vector<std::vector<Point>> points;
  size_t calls = 0, finite = 0;
  for (const Curve &curve : curves) {
    if (!curve.x.empty() && curve.x.size() != curve.y.size()) {
      error = path + ": curve " + curve.name + " has " + std::to_string(curve.x.size()) +
              " x positions for " + std::to_string(curve.y.size()) + " losses";
      return false;
    }
    points.push_back(finitePoints(curve));
    finite += points.back().size();
    calls = std::max(calls, curve.y.size());
  }
  if (!finite) {
    error = path + ": no finite loss to plot";
    return false;
  }

  Layout layout = layOut(points, labels);
  Canvas canvas(kWidth, kHeight);
  drawAxes(canvas, layout, labels);
  for (size_t c = 0; c < curves.size(); ++c)
    (curves[c].markers ? drawMarkers : drawLine)(canvas, layout, points[c], colourOf(c));
  drawLegend(canvas, layout, curves);
  if (!writePng(path, kWidth, kHeight, 3, canvas.data(), error))
    return false;

  char range[96];
  std::snprintf(range, sizeof range, "; loss from %.4g (bottom) to %.4g (top) over %zu calls",
                layout.y.lo, layout.y.hi, calls);
  summary.clear();
  for (size_t c = 0; c < curves.size(); ++c)
    summary += (c ? ", " : "") + curves[c].name + " " + curveColourName(c) +
               (curves[c].markers ? " dots" : "");
  summary += range;
  return true;
}

} // namespace dlrun
