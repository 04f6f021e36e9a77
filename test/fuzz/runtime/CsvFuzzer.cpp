//===- CsvFuzzer.cpp - libFuzzer target of the CSV reader ------------------===//
//
// Feeds each input to readCsv as a file (plain or gzip, as the bytes say), so the check for
// binary files and parseCsv both run. Malformed text is expected; a finding is a crash, a
// sanitizer report, a timeout, or one of these broken promises, turned into an abort:
//   - an accepted table is an f64 array [rows, columns] with rows and columns above zero, well
//     formed (ArrayChecks.h), and a header, when there is one, has one name per column;
//   - readArrayFile reads a file readCsv accepted, as CSV, into the same array. The exception is
//     a header line that starts with .npy's magic string, which readArrayFile takes for .npy, as
//     ArrayFile.h says it does (a file that starts like IDX holds a NUL, which readCsv refuses).
//
// Built and run by ../build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "ArrayChecks.h"

#include "runtime/data/Csv.h"

namespace {
dl::fuzz::MemoryFile gFile;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = gFile.hold(data, size);
  dldata::Array array;
  std::vector<std::string> header{"stale"};
  std::string error;
  if (!dldata::readCsv(path, array, &header, error)) {
    if (error.empty())
      dl::fuzz::broken("csv", "readCsv failed without a message");
    return 0;
  }
  dl::fuzz::checkArray("csv", array);
  if (array.dtype != dldata::DType::F64 || array.shape.size() != 2 || array.shape[0] < 1 ||
      array.shape[1] < 1)
    dl::fuzz::broken("csv", "returned " + dldata::describe(array.dtype, array.shape));
  if (!header.empty() && header.size() != size_t(array.shape[1]))
    dl::fuzz::broken("csv", std::to_string(header.size()) + " header names for " +
                                std::to_string(array.shape[1]) + " columns");
  dldata::FileFormat format;
  if (dldata::detectFormat(path, format, error) && format == dldata::FileFormat::Npy)
    return 0;
  dl::fuzz::checkSameThroughArrayFile("csv", path, dldata::FileFormat::Csv, array);
  return 0;
}
