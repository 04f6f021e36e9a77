//===- NpyFuzzer.cpp - libFuzzer target of the .npy reader -----------------===//
//
// Feeds each input to readNpy as a file (plain or gzip, as the bytes say). Malformed files are
// expected; a finding is a crash, a sanitizer report, a timeout, an allocation past the fuzzer's
// limit (a header that claims more than the file holds must be refused before allocating), or
// one of these broken promises, turned into an abort:
//   - an accepted array is well formed (ArrayChecks.h) and readArrayFile reads it the same;
//   - writing it back (npyHeader, then the bytes) gives a file readNpy reads as the same array.
//
// Built and run by ../build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "ArrayChecks.h"

#include "runtime/data/Npy.h"

namespace {
dl::fuzz::MemoryFile gFile;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = gFile.hold(data, size);
  dldata::Array array;
  std::string error;
  if (!dldata::readNpy(path, array, error)) {
    if (error.empty())
      dl::fuzz::broken("npy", "readNpy failed without a message");
    return 0;
  }
  dl::fuzz::checkArray("npy", array);
  dl::fuzz::checkSameThroughArrayFile("npy", path, dldata::FileFormat::Npy, array);

  std::string written = dldata::npyHeader(array.dtype, array.shape);
  written.append(reinterpret_cast<const char *>(array.bytes.data()), array.bytes.size());
  dldata::Array again;
  if (!dldata::readNpy(gFile.hold(written.data(), written.size()), again, error))
    dl::fuzz::broken("npy", "the array written back does not read: " + error);
  if (again.dtype != array.dtype || again.shape != array.shape || again.bytes != array.bytes)
    dl::fuzz::broken("npy", "the array written back reads as another array");
  return 0;
}
