//===- Text.h - Character-level text for language models ----------*- C++ -*-===//
//
// The data behind `dl-run train|sample --text FILE`. The file is read as bytes (decompressed when
// it is gzip) and every byte is one character: UTF-8 text gives one id per byte, which is what a
// byte-level model learns. The vocabulary is the sorted set of distinct bytes of the whole file,
// so character id k is the k-th smallest byte value that occurs in it; a model with V >= K
// classes sees ids below K only.
//
// The first 90% of the characters (rounded down) are the training split, the rest the validation
// split. A language model is fed windows of T+1 consecutive characters: x is the window's first T
// characters, y its last T (the character after each of x's). Training windows start at offsets
// drawn by Philox (runtime/rng) from the seed, the step and the row, so a run is a function of its
// seed; validation windows are consecutive and do not overlap (window w starts at w*T).
//
// This file does not know about models; tools/dl-run/TextFeed.h matches a model's inputs to it.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_TEXT_H
#define DL_RUNTIME_DATA_TEXT_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dldata {

/// The largest text file accepted (its ids take four times as much memory).
constexpr uint64_t kMaxTextBytes = uint64_t(1) << 30;

/// The Philox stream of the training windows' offsets. The model's own random ops use small
/// stream numbers and its initializers 0x80000000 and up, so the draws never coincide.
constexpr uint32_t kTextWindowStream = 0x7e000000u;
/// The Philox stream of `dl-run sample --text`'s draws, one per generated character.
constexpr uint32_t kTextSampleStream = 0x7e000001u;

/// The sorted distinct bytes of a text and the id of each.
class Vocabulary {
public:
  Vocabulary() { ids_.fill(-1); }

  /// The vocabulary of `text`: its distinct bytes in increasing order.
  static Vocabulary of(const std::string &text);

  int64_t size() const { return int64_t(characters_.size()); }
  /// The id of byte `c`; -1 when `c` does not occur in the text.
  int32_t id(unsigned char c) const { return ids_[c]; }
  /// The byte of id `id` (0 <= id < size()).
  unsigned char character(int32_t id) const { return static_cast<unsigned char>(characters_[size_t(id)]); }
  /// Every character, in id order.
  const std::string &characters() const { return characters_; }

  /// The ids of `text`; false with an error naming the first character that is not in the
  /// vocabulary and its position.
  bool encode(const std::string &text, std::vector<int32_t> &ids, std::string &error) const;
  /// The characters of `ids` (each below size()).
  std::string decode(const std::vector<int32_t> &ids) const;

private:
  std::string characters_;
  std::array<int32_t, 256> ids_;
};

/// How messages name a character: 'a', ' ', '\n', '\t', or 'byte 0xc3' for a non-printable byte.
std::string describeCharacter(unsigned char c);

struct TextDataset {
  std::string path;
  Vocabulary vocabulary;
  std::vector<int32_t> train;      ///< The ids of the first 90% of the characters.
  std::vector<int32_t> validation; ///< The ids of the rest.

  int64_t characters() const { return int64_t(train.size() + validation.size()); }
};

/// The characters of a text of `characters` that go to the training split: 90%, rounded down.
int64_t trainingCharacters(int64_t characters);

/// Reads `path`, builds its vocabulary and splits its ids. False with an error naming the file
/// when it cannot be read, is empty or is larger than kMaxTextBytes.
bool loadTextDataset(const std::string &path, TextDataset &out, std::string &error);

/// The start of training window `row` of step `step` in a split of `size` characters, for windows
/// of `length` + 1 characters: uniform over [0, size - length - 1] (size > length). A function of
/// (seed, step, row) only.
int64_t randomWindowStart(uint64_t seed, uint64_t step, int64_t row, int64_t size, int64_t length);

/// The consecutive, non-overlapping windows of `length` + 1 characters a split of `size`
/// characters holds: window w starts at w * length, so floor((size - 1) / length).
int64_t consecutiveWindows(int64_t size, int64_t length);

/// Copies the window at `start`: x[t] = ids[start + t] and y[t] = ids[start + t + 1] for
/// t < length.
void copyWindow(const std::vector<int32_t> &ids, int64_t start, int64_t length, int32_t *x, int32_t *y);

} // namespace dldata

#endif // DL_RUNTIME_DATA_TEXT_H
