//===- PlotTest.cpp - dl-run's loss plot, decoded and read back -----------===//
//
// Writes a loss plot (Plot.h) of a training curve and a validation curve, decodes the PNG
// (PngDecode.h) and reads it the way a person would: it looks for the exact pixels of each word
// the font (BitmapFont.h) draws (the title, the axis labels, the tick numbers, the legend's names)
// and checks where they are; it then uses the tick numbers' places to find where the curves'
// points must lie and checks their colours. Also: a plot without labels has no text where they
// would be, non-finite losses are left out, and the errors.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/BitmapFont.h"
#include "tools/dl-run/output/Plot.h"

#include "PngDecode.h"
#include "TempFolder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace dlrun;

namespace {

// Text is drawn at twice the font's size, a title that fits at three times (Plot.cpp).
constexpr int kText = 2, kTitle = 3;
constexpr int kWidth = 800, kHeight = 480;

/// The decoded plot, and where words and colours are in it.
struct Picture {
  dltest::DecodedImage image;

  const uint8_t *at(int x, int y) const {
    return &image.pixels[(size_t(y) * image.width + size_t(x)) * 3];
  }
  /// Text is near black; the frame, ticks and grid are lighter.
  bool dark(int x, int y) const {
    const uint8_t *p = at(x, y);
    return p[0] < 64 && p[1] < 64 && p[2] < 64;
  }
  bool is(int x, int y, uint8_t r, uint8_t g, uint8_t b) const {
    const uint8_t *p = at(x, y);
    return p[0] == r && p[1] == g && p[2] == b;
  }

  struct Place {
    int left, top, width, height;
  };
  /// Every place where `text` stands as a word: its box holds exactly the font's pixels (dark
  /// where the glyphs have ink, not dark elsewhere), and so does a character's width before and
  /// after it (so that "1" is not found in "1.5").
  std::vector<Place> find(const std::string &text, int scale,
                          TextDirection direction = TextDirection::Right) const {
    bool right = direction == TextDirection::Right;
    int margin = kGlyphAdvance * scale;
    std::string padded = " " + text + " ";
    int along = textWidth(padded, scale), across = textHeight(scale);
    int width = right ? along : across, height = right ? across : along;
    std::vector<bool> ink(size_t(width) * size_t(height), false);
    drawText(padded, 0, 0, scale, direction,
             [&](int x, int y) { ink[size_t(y) * size_t(width) + size_t(x)] = true; });
    std::vector<Place> places;
    for (int top = 0; top + height <= int(image.height); ++top)
      for (int left = 0; left + width <= int(image.width); ++left) {
        bool match = true;
        for (int y = 0; y < height && match; ++y)
          for (int x = 0; x < width && match; ++x)
            match = dark(left + x, top + y) == ink[size_t(y) * size_t(width) + size_t(x)];
        if (match)
          places.push_back(right ? Place{left + margin, top, width - 2 * margin, height}
                                 : Place{left, top + margin, width, height - 2 * margin});
      }
    return places;
  }
  /// The one place of `text`; a failure when there is none or several.
  Place only(const std::string &text, int scale,
             TextDirection direction = TextDirection::Right) const {
    std::vector<Place> places = find(text, scale, direction);
    EXPECT_EQ(places.size(), 1u) << "places of \"" << text << "\"";
    return places.empty() ? Place{-1000, -1000, 0, 0} : places.front();
  }
  /// Whether a pixel within `radius` of (x, y) has the colour.
  bool near(double x, double y, int radius, uint8_t r, uint8_t g, uint8_t b) const {
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx)
        if (is(int(std::lround(x)) + dx, int(std::lround(y)) + dy, r, g, b))
          return true;
    return false;
  }
  size_t count(uint8_t r, uint8_t g, uint8_t b) const {
    size_t n = 0;
    for (int y = 0; y < int(image.height); ++y)
      for (int x = 0; x < int(image.width); ++x)
        n += is(x, y, r, g, b);
    return n;
  }
  size_t darkIn(int x0, int y0, int x1, int y1) const {
    size_t n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        n += dark(x, y);
    return n;
  }
};

// The colours of the first two curves (Plot.cpp's palette, named by curveColourName).
constexpr uint8_t kBlue[] = {31, 119, 180}, kOrange[] = {255, 127, 14};

/// A training loss falling from 2 to 0.5 over 100 calls, and a validation loss after each
/// quarter of them.
std::vector<Curve> trainingAndValidation() {
  Curve training{"train_step", {}, {}, false};
  for (int i = 0; i < 100; ++i)
    training.y.push_back(2.0f - 1.5f * float(i) / 99.0f);
  Curve validation{"validation", {1.8f, 1.2f, 0.9f, 0.7f}, {25, 50, 75, 100}, true};
  return {training, validation};
}

Picture writeAndDecode(const std::string &path, const std::vector<Curve> &curves,
                       const PlotLabels &labels, std::string &summary) {
  std::string error;
  EXPECT_TRUE(writeLossPlot(path, curves, labels, summary, error)) << error;
  Picture picture{dltest::decodePng(path, 3)};
  EXPECT_EQ(picture.image.width, uint32_t(kWidth));
  EXPECT_EQ(picture.image.height, uint32_t(kHeight));
  EXPECT_EQ(picture.image.colorType, 2);
  return picture;
}

TEST(PlotTest, ExplainsItself) {
  dltest::TempFolder folder;
  PlotLabels labels;
  labels.title = "toy loss";
  std::string summary;
  Picture picture =
      writeAndDecode(folder.file("loss.png"), trainingAndValidation(), labels, summary);
  EXPECT_EQ(summary, "train_step blue, validation orange dots; loss from 0.5 (bottom) to 2 (top) "
                     "over 100 calls");

  // The title on top, the x label at the bottom, the y label reading up on the left.
  Picture::Place title = picture.only("toy loss", kTitle);
  EXPECT_LT(title.top, 30);
  Picture::Place xLabel = picture.only("step", kText);
  EXPECT_GT(xLabel.top, kHeight - 40);
  Picture::Place yLabel = picture.only("loss", kText, TextDirection::Up);
  EXPECT_LT(yLabel.left, 30);
  EXPECT_GT(yLabel.top, kHeight / 4);
  EXPECT_LT(yLabel.top + yLabel.height, kHeight * 3 / 4);

  // The y axis: 0.5 to 2 in steps of 0.5, from the bottom up, left of the plot area.
  std::vector<Picture::Place> y;
  for (const char *tick : {"0.5", "1", "1.5", "2"}) {
    std::vector<Picture::Place> places = picture.find(tick, kText);
    ASSERT_FALSE(places.empty()) << "y tick " << tick;
    y.push_back(places.front()); // the topmost: the left column comes before the x axis's
    EXPECT_LT(y.back().left, 100) << "y tick " << tick;
  }
  for (size_t i = 1; i < y.size(); ++i)
    EXPECT_LT(y[i].top, y[i - 1].top - 50) << "y ticks go up";
  // The x axis: 0 to 100 in steps of 20, left to right, below the plot area.
  std::vector<Picture::Place> x;
  for (const char *tick : {"0", "20", "40", "60", "80", "100"}) {
    std::vector<Picture::Place> places = picture.find(tick, kText);
    ASSERT_FALSE(places.empty()) << "x tick " << tick;
    x.push_back(places.back()); // the bottommost
    EXPECT_GT(x.back().top, kHeight - 70) << "x tick " << tick;
    EXPECT_LT(x.back().top, xLabel.top) << "x tick " << tick;
  }
  for (size_t i = 1; i < x.size(); ++i)
    EXPECT_GT(x[i].left, x[i - 1].left + 80) << "x ticks go right";

  // The legend names both curves, inside the plot area.
  Picture::Place train = picture.only("train_step", kText);
  Picture::Place validation = picture.only("validation", kText);
  EXPECT_GT(train.left, y.front().left + 50);
  EXPECT_LT(train.top, validation.top);

  // Numbers are centred on their ticks (the digits' seven rows on the line), so the curves'
  // points can be found from them.
  auto px = [&](double step) {
    double x0 = x[0].left + x[0].width / 2.0, x100 = x[5].left + x[5].width / 2.0;
    return x0 + step / 100.0 * (x100 - x0);
  };
  auto py = [&](double loss) {
    double y05 = y[0].top + kGlyphAscent * kText / 2.0, y2 = y[3].top + kGlyphAscent * kText / 2.0;
    return y05 + (loss - 0.5) / 1.5 * (y2 - y05);
  };
  // Training: solid blue from (1, 2) to (100, 0.5), through (50, 2 - 1.5 * 49 / 99).
  EXPECT_TRUE(picture.near(px(1), py(2.0), 2, kBlue[0], kBlue[1], kBlue[2]));
  EXPECT_TRUE(picture.near(px(50), py(2.0 - 1.5 * 49 / 99), 2, kBlue[0], kBlue[1], kBlue[2]));
  // Validation: an orange dot at each point...
  const double points[][2] = {{25, 1.8}, {50, 1.2}, {75, 0.9}, {100, 0.7}};
  for (const auto &point : points)
    EXPECT_TRUE(picture.near(px(point[0]), py(point[1]), 1, kOrange[0], kOrange[1], kOrange[2]))
        << "validation point at step " << point[0];
  // ...and a dashed line between them: halfway from one dot to the next, orange within a dash.
  EXPECT_TRUE(picture.near(px(37.5), py(1.5), 7, kOrange[0], kOrange[1], kOrange[2]));
  // Nowhere near the validation curve's path where it has no point.
  EXPECT_FALSE(picture.near(px(10), py(1.0), 8, kOrange[0], kOrange[1], kOrange[2]));
}

TEST(PlotTest, NoLabelsNoText) {
  dltest::TempFolder folder;
  PlotLabels none;
  none.xLabel = none.yLabel = "";
  std::string summary;
  Picture picture = writeAndDecode(folder.file("bare.png"), trainingAndValidation(), none, summary);
  EXPECT_TRUE(picture.find("step", kText).empty());
  EXPECT_TRUE(picture.find("loss", kText, TextDirection::Up).empty());
  // The ticks' numbers and the legend stay.
  EXPECT_FALSE(picture.find("1.5", kText).empty());
  EXPECT_FALSE(picture.find("validation", kText).empty());
  // No dark pixel above the top tick's number, left of the ticks' numbers or below them.
  Picture::Place top = picture.find("2", kText).front();
  EXPECT_EQ(picture.darkIn(0, 0, kWidth, top.top), 0u);
  EXPECT_EQ(picture.darkIn(0, 0, 12, kHeight), 0u);
  Picture::Place zero = picture.find("0", kText).back();
  EXPECT_EQ(picture.darkIn(0, zero.top + zero.height, kWidth, kHeight), 0u);

  // With labels, there is ink in each of those bands.
  PlotLabels labels;
  labels.title = "toy loss";
  Picture labelled =
      writeAndDecode(folder.file("labelled.png"), trainingAndValidation(), labels, summary);
  EXPECT_GT(labelled.darkIn(0, 0, kWidth, 30), 100u) << "title";
  EXPECT_GT(labelled.darkIn(0, kHeight - 30, kWidth, kHeight), 50u) << "x label";
  EXPECT_GT(labelled.darkIn(0, 0, 30, kHeight), 50u) << "y label";
}

TEST(PlotTest, LeavesOutNonFiniteLosses) {
  dltest::TempFolder folder;
  float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<Curve> curves = {{"a", {1.0f, nan, 3.0f, inf, 2.0f}, {}, false},
                               {"b", {nan, 2.5f}, {2, 4}, true}};
  std::string summary;
  Picture picture = writeAndDecode(folder.file("nan.png"), curves, PlotLabels(), summary);
  EXPECT_EQ(summary, "a blue, b orange dots; loss from 1 (bottom) to 3 (top) over 5 calls");
  EXPECT_GT(picture.count(kBlue[0], kBlue[1], kBlue[2]), 100u);
  EXPECT_GT(picture.count(kOrange[0], kOrange[1], kOrange[2]), 30u);
}

TEST(PlotTest, Errors) {
  dltest::TempFolder folder;
  std::string summary, error;
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::string path = folder.file("bad.png");
  EXPECT_FALSE(writeLossPlot(path, {{"a", {nan, nan}, {}, false}}, PlotLabels(), summary, error));
  EXPECT_EQ(error, path + ": no finite loss to plot");
  EXPECT_FALSE(writeLossPlot(path, {{"v", {1, 2}, {3}, true}}, PlotLabels(), summary, error));
  EXPECT_EQ(error, path + ": curve v has 1 x positions for 2 losses");
  std::string missing = folder.file("missing/loss.png");
  EXPECT_FALSE(writeLossPlot(missing, {{"a", {1, 2}, {}, false}}, PlotLabels(), summary, error));
  EXPECT_EQ(error, missing + ": cannot write: No such file or directory");
}

} // namespace
