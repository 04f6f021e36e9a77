//===- BitmapFontTest.cpp - The font of dl-run's plots --------------------===//
//
// The bitmap font (BitmapFont.h): every printable glyph has ink but the space, no two glyphs are
// alike, ink stays in the 5-column cell and below the baseline only where a descender belongs;
// text widths, and the pixels drawText yields reading right and reading up.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/output/BitmapFont.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

using namespace dlrun;

namespace {

std::vector<uint8_t> glyph(char c) {
  const uint8_t *rows = glyphRows(c);
  return std::vector<uint8_t>(rows, rows + kGlyphHeight);
}

/// The pixels `text` inks, relative to the top-left corner of its box.
std::set<std::pair<int, int>> inked(const std::string &text, int scale, TextDirection direction) {
  std::set<std::pair<int, int>> pixels;
  drawText(text, 100, 200, scale, direction, [&](int x, int y) {
    pixels.insert({x - 100, y - 200});
  });
  return pixels;
}

TEST(BitmapFontTest, EveryPrintableGlyphHasInkButTheSpace) {
  for (char c = ' '; c <= '~'; ++c) {
    std::vector<uint8_t> rows = glyph(c);
    bool ink = std::any_of(rows.begin(), rows.end(), [](uint8_t row) { return row != 0; });
    EXPECT_EQ(ink, c != ' ') << "glyph '" << c << "'";
    for (uint8_t row : rows)
      EXPECT_LT(row, 1u << kGlyphWidth) << "glyph '" << c << "' is wider than its cell";
  }
}

TEST(BitmapFontTest, NoTwoGlyphsAreAlike) {
  std::set<std::vector<uint8_t>> seen;
  for (char c = ' '; c <= '~'; ++c)
    EXPECT_TRUE(seen.insert(glyph(c)).second) << "glyph '" << c << "' repeats an earlier one";
}

TEST(BitmapFontTest, OnlyDescendersReachBelowTheBaseline) {
  const std::string descenders = ",;gjpqy";
  for (char c = ' '; c <= '~'; ++c)
    EXPECT_EQ(glyph(c)[kGlyphAscent] != 0, descenders.find(c) != std::string::npos)
        << "glyph '" << c << "'";
}

TEST(BitmapFontTest, CharactersOutsidePrintableAsciiDrawAsQuestionMarks) {
  EXPECT_EQ(glyphRows('\t'), glyphRows('?'));
  EXPECT_EQ(glyphRows('\x7f'), glyphRows('?'));
  EXPECT_EQ(glyphRows(char(0xe9)), glyphRows('?'));
}

TEST(BitmapFontTest, TextWidthLeavesOutTheLastGap) {
  EXPECT_EQ(textWidth("", 2), 0);
  EXPECT_EQ(textWidth("1", 1), 5);
  EXPECT_EQ(textWidth("abc", 1), 17);
  EXPECT_EQ(textWidth("abc", 2), 34);
  EXPECT_EQ(textHeight(3), 24);
}

TEST(BitmapFontTest, DrawsGlyphPixelsAtScale) {
  // '-' is the middle row (3) of the cell, all five columns: at scale 2, a 10 x 2 bar.
  std::set<std::pair<int, int>> bar;
  for (int x = 0; x < 10; ++x)
    bar.insert({x, 6}), bar.insert({x, 7});
  EXPECT_EQ(inked("-", 2, TextDirection::Right), bar);
  // The second character starts kGlyphAdvance columns on.
  std::set<std::pair<int, int>> two = inked(" -", 1, TextDirection::Right);
  EXPECT_EQ(two.size(), 5u);
  EXPECT_EQ(two.begin()->first, kGlyphAdvance);
}

TEST(BitmapFontTest, TextReadingUpIsTurnedAQuarterCounterClockwise) {
  std::string text = "step";
  std::set<std::pair<int, int>> right = inked(text, 2, TextDirection::Right);
  std::set<std::pair<int, int>> up = inked(text, 2, TextDirection::Up);
  ASSERT_EQ(up.size(), right.size());
  int width = textWidth(text, 2);
  for (auto [x, y] : right)
    EXPECT_EQ(up.count({y, width - 1 - x}), 1u) << "pixel " << x << "," << y;
  // The box is textHeight wide and textWidth high, the first letter at the bottom.
  for (auto [x, y] : up) {
    EXPECT_LT(x, textHeight(2));
    EXPECT_LT(y, width);
  }
}

} // namespace
