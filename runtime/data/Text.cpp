//===- Text.cpp - Reading, encoding and windowing character text ----------===//
#include "runtime/data/Text.h"
#include "runtime/data/InputFile.h"

#include "runtime/rng/Philox.h"

#include <cstdio>
#include <cstring>

namespace dldata {

Vocabulary Vocabulary::of(const std::string &text) {
  bool present[256] = {};
  for (char c : text)
    present[static_cast<unsigned char>(c)] = true;
  Vocabulary vocabulary;
  for (int c = 0; c < 256; ++c)
    if (present[c]) {
      vocabulary.ids_[size_t(c)] = int32_t(vocabulary.characters_.size());
      vocabulary.characters_ += char(c);
    }
  return vocabulary;
}

bool Vocabulary::encode(const std::string &text, std::vector<int32_t> &ids, std::string &error) const {
  ids.resize(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    int32_t id = ids_[static_cast<unsigned char>(text[i])];
    if (id < 0) {
      error = "character " + describeCharacter(static_cast<unsigned char>(text[i])) + " (at position " +
              std::to_string(i + 1) + ") is not in the vocabulary";
      return false;
    }
    ids[i] = id;
  }
  return true;
}

std::string Vocabulary::decode(const std::vector<int32_t> &ids) const {
  std::string text(ids.size(), '\0');
  for (size_t i = 0; i < ids.size(); ++i)
    text[i] = char(character(ids[i]));
  return text;
}

std::string describeCharacter(unsigned char c) {
  switch (c) {
  case '\n': return "'\\n'";
  case '\t': return "'\\t'";
  case '\r': return "'\\r'";
  default: break;
  }
  if (c >= 0x20 && c < 0x7f)
    return std::string("'") + char(c) + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02x", unsigned(c));
  return text;
}

int64_t trainingCharacters(int64_t characters) { return characters * 9 / 10; }

bool loadTextDataset(const std::string &path, TextDataset &out, std::string &error) {
  std::string text;
  if (!readWholeFile(path, kMaxTextBytes, text, error))
    return false;
  if (text.empty()) {
    error = path + ": the text is empty";
    return false;
  }
  TextDataset data;
  data.path = path;
  data.vocabulary = Vocabulary::of(text);
  if (!data.vocabulary.encode(text, data.train, error))
    return false; // unreachable: the vocabulary holds every byte of the text
  // The ids are encoded once, into the training split, which then gives up its last tenth.
  size_t split = size_t(trainingCharacters(int64_t(text.size())));
  data.validation.assign(data.train.begin() + std::ptrdiff_t(split), data.train.end());
  data.train.resize(split);
  out = std::move(data);
  return true;
}

int64_t randomWindowStart(uint64_t seed, uint64_t step, int64_t row, int64_t size, int64_t length) {
  uint64_t starts = uint64_t(size - length);
  // Philox's 32-bit step word takes the step's low half, the index's high word its high half.
  uint64_t index = uint64_t(uint32_t(row)) | (step >> 32) << 32;
  dl::rng::Words4 words = dl::rng::drawWords(seed, index, kTextWindowStream, uint32_t(step));
  // 64 random bits modulo the number of starts: the bias is below starts / 2^64 (2^-34 for
  // kMaxTextBytes), far under anything a run could show.
  uint64_t bits = uint64_t(words.w[1]) << 32 | words.w[0];
  return int64_t(bits % starts);
}

int64_t consecutiveWindows(int64_t size, int64_t length) { return size > length ? (size - 1) / length : 0; }

void copyWindow(const std::vector<int32_t> &ids, int64_t start, int64_t length, int32_t *x, int32_t *y) {
  std::memcpy(x, ids.data() + start, size_t(length) * sizeof(int32_t));
  std::memcpy(y, ids.data() + start + 1, size_t(length) * sizeof(int32_t));
}

} // namespace dldata
