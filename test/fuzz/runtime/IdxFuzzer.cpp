//===- IdxFuzzer.cpp - libFuzzer target of the IDX reader ------------------===//
//
// Feeds each input to readIdx as a file (plain or gzip, as the bytes say). Malformed files are
// expected; a finding is a crash, a sanitizer report, a timeout, an allocation past the fuzzer's
// limit (dimensions that claim more than the file holds must be refused before allocating), or a
// broken promise, turned into an abort: an accepted array is well formed, and readArrayFile
// reads the file as IDX, into the same array (ArrayChecks.h).
//
// Built and run by ../build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "ArrayChecks.h"

#include "runtime/data/Idx.h"

namespace {
dl::fuzz::MemoryFile gFile;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = gFile.hold(data, size);
  dldata::Array array;
  std::string error;
  if (!dldata::readIdx(path, array, error)) {
    if (error.empty())
      dl::fuzz::broken("idx", "readIdx failed without a message");
    return 0;
  }
  dl::fuzz::checkArray("idx", array);
  if (array.shape.empty() || array.shape.size() > 8)
    dl::fuzz::broken("idx", "returned rank " + std::to_string(array.shape.size()));
  dl::fuzz::checkSameThroughArrayFile("idx", path, dldata::FileFormat::Idx, array);
  return 0;
}
