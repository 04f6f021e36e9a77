//===- BitmapFont.h - A 5x8 pixel font for the text of loss plots -*- C++ -*-===//
//
// The plots dl-run draws (Plot.h) carry a title, axis labels, tick numbers and a legend, and dl-run
// links no font library, so it holds its own: one 5x8 bitmap per printable ASCII character (32 to
// 126), seven rows above the baseline and one for descenders, drawn at an integer scale, left to
// right or turned a quarter turn to read bottom to top (a y-axis label). The font only says which
// pixels are ink; the caller paints them. There is no kerning, no antialiasing and no character
// outside printable ASCII (those draw as '?').
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_BITMAPFONT_H
#define DL_TOOLS_DLRUN_OUTPUT_BITMAPFONT_H

#include <cstdint>
#include <functional>
#include <string>

namespace dlrun {

/// Ink columns and rows of a glyph at scale 1, the rows above the baseline (all of a capital or a
/// digit), and the step from one glyph to the next (the ink and one blank column).
constexpr int kGlyphWidth = 5, kGlyphHeight = 8, kGlyphAscent = 7, kGlyphAdvance = 6;

/// The kGlyphHeight rows of `c`'s glyph, top first; bit 4 of a row is its leftmost column. A
/// character outside printable ASCII gets the glyph of '?'.
const uint8_t *glyphRows(char c);

/// The width in pixels of `text` drawn at `scale`: kGlyphAdvance per character, less the blank
/// column after the last one; 0 for no text.
int textWidth(const std::string &text, int scale);

/// The height in pixels of a line of text at `scale`.
inline int textHeight(int scale) { return kGlyphHeight * scale; }

/// Which way text reads.
enum class TextDirection { Right, Up };

/// Calls `ink(x, y)` for every ink pixel of `text` drawn at `scale` (each glyph pixel a scale x
/// scale square) into the box whose top-left corner is (`left`, `top`): textWidth wide and
/// textHeight high reading Right, textHeight wide and textWidth high reading Up (the first
/// character at the bottom).
void drawText(const std::string &text, int left, int top, int scale, TextDirection direction,
              const std::function<void(int x, int y)> &ink);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_BITMAPFONT_H
