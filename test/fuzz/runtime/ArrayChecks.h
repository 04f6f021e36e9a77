//===- ArrayChecks.h - What every array a data reader returns must satisfy -*- C++ -*-===//
//
// Shared by the .npy, IDX and CSV fuzzers: a returned array's bytes match its shape and element
// type, and a file one reader accepts is read the same by readArrayFile, which picks the reader
// by the file's first bytes (ArrayFile.h) as dl-run does for --inputs.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TEST_FUZZ_RUNTIME_ARRAYCHECKS_H
#define DL_TEST_FUZZ_RUNTIME_ARRAYCHECKS_H

#include "MemoryFile.h"

#include "runtime/data/ArrayFile.h"

namespace dl::fuzz {

/// Aborts unless `array` is well formed: non-negative dimensions whose product times the element
/// size is its byte count, within kMaxArrayBytes, bools 0 or 1.
inline void checkArray(const char *target, const dldata::Array &array) {
  uint64_t count = 0;
  if (!dldata::checkedElementCount(array.shape, dldata::dtypeSize(array.dtype), count))
    broken(target, "returned shape " + dldata::shapeString(array.shape) + " fails checkedElementCount");
  if (uint64_t(array.elements()) != count ||
      array.bytes.size() != count * dldata::dtypeSize(array.dtype))
    broken(target, "returned " + dldata::describe(array.dtype, array.shape) + " with " +
                       std::to_string(array.bytes.size()) + " bytes");
  if (array.dtype == dldata::DType::Bool)
    for (unsigned char b : array.bytes)
      if (b > 1)
        broken(target, "returned a bool array holding " + std::to_string(b));
}

/// Aborts unless readArrayFile reads `path` (which `array` was read from by the reader of
/// `format`) as that format, into the same array.
inline void checkSameThroughArrayFile(const char *target, const std::string &path,
                                      dldata::FileFormat format, const dldata::Array &array) {
  dldata::FileFormat detected;
  dldata::Array again;
  std::string error;
  if (!dldata::detectFormat(path, detected, error))
    broken(target, "detectFormat failed on a file the reader accepted: " + error);
  if (detected != format)
    broken(target, "detectFormat names another format than the reader that accepted the file");
  if (!dldata::readArrayFile(path, again, error))
    broken(target, "readArrayFile refused a file the reader accepted: " + error);
  if (again.dtype != array.dtype || again.shape != array.shape || again.bytes != array.bytes)
    broken(target, "readArrayFile read another array than the reader");
}

} // namespace dl::fuzz

#endif // DL_TEST_FUZZ_RUNTIME_ARRAYCHECKS_H
