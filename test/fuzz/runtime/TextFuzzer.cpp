//===- TextFuzzer.cpp - libFuzzer target of the character text reader ------===//
//
// Feeds each input to loadTextDataset as a file (plain or gzip, as the bytes say), then cuts it
// into the windows dl-run feeds a language model, as TextFeed does: random training windows and
// the consecutive validation windows, for a few window lengths. A finding is a crash, a sanitizer
// report (a window read past its split), a timeout, or one of these broken promises, turned into
// an abort:
//   - the vocabulary is the sorted distinct bytes of the text, and every id names one of them;
//   - the splits hold 90% (rounded down) and the rest of the characters, and decode back to the
//     file's bytes when it is not compressed;
//   - a random window starts in [0, size - length - 1].
//
// Built and run by ../build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "MemoryFile.h"

#include "runtime/data/Text.h"

#include <vector>

namespace {

dl::fuzz::MemoryFile gFile;

void check(bool ok, const std::string &what) {
  if (!ok)
    dl::fuzz::broken("text", what);
}

/// Cuts `split` into windows of `length` + 1 characters as dl-run does.
void cutWindows(const std::vector<int32_t> &split, int64_t length, uint64_t seed) {
  int64_t size = int64_t(split.size());
  std::vector<int32_t> x(static_cast<size_t>(length)), y(static_cast<size_t>(length));
  if (size > length) {
    for (int64_t row = 0; row < 4; ++row) {
      int64_t start = dldata::randomWindowStart(seed, uint64_t(row) << 31, row, size, length);
      check(start >= 0 && start <= size - length - 1,
            "window start " + std::to_string(start) + " outside a split of " +
                std::to_string(size) + " for length " + std::to_string(length));
      dldata::copyWindow(split, start, length, x.data(), y.data());
    }
  }
  int64_t windows = dldata::consecutiveWindows(size, length);
  for (int64_t w = 0; w < windows; ++w)
    dldata::copyWindow(split, w * length, length, x.data(), y.data());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = gFile.hold(data, size);
  dldata::TextDataset text;
  std::string error;
  if (!dldata::loadTextDataset(path, text, error)) {
    check(!error.empty(), "loadTextDataset failed without a message");
    return 0;
  }
  const dldata::Vocabulary &vocabulary = text.vocabulary;
  const std::string &characters = vocabulary.characters();
  check(vocabulary.size() >= 1 && vocabulary.size() <= 256, "a vocabulary of " +
                                                                 std::to_string(vocabulary.size()));
  for (int64_t k = 0; k < vocabulary.size(); ++k) {
    auto c = static_cast<unsigned char>(characters[size_t(k)]);
    check(k == 0 || static_cast<unsigned char>(characters[size_t(k - 1)]) < c,
          "the vocabulary is not sorted and distinct");
    check(vocabulary.id(c) == k, "the id of a character is not its rank");
  }
  int64_t total = text.characters();
  check(int64_t(text.train.size()) == dldata::trainingCharacters(total),
        "the training split is not 90% of the text");
  for (const std::vector<int32_t> *split : {&text.train, &text.validation})
    for (int32_t id : *split)
      check(id >= 0 && id < vocabulary.size(), "id " + std::to_string(id) + " names no character");
  bool compressed = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (!compressed)
    check(vocabulary.decode(text.train) + vocabulary.decode(text.validation) ==
              std::string(reinterpret_cast<const char *>(data), size),
          "the splits do not decode to the file");

  uint64_t seed = size ? data[0] : 0;
  for (int64_t length : {int64_t(1), int64_t(3), int64_t(16), total - 1, total})
    if (length >= 1) {
      cutWindows(text.train, length, seed);
      cutWindows(text.validation, length, seed);
    }
  return 0;
}
