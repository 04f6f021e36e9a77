//===- ArrayFile.h - Any data file, by its contents ---------------*- C++ -*-===//
//
// Reads a .npy, IDX or CSV file (each possibly gzip-compressed), telling them apart by their first
// bytes rather than their names: "\x93NUMPY" is .npy, two zero bytes and a known IDX type byte is
// IDX, and anything else is read as CSV text.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_ARRAYFILE_H
#define DL_RUNTIME_DATA_ARRAYFILE_H

#include "runtime/data/Array.h"

#include <string>

namespace dldata {

enum class FileFormat { Npy, Idx, Csv };

/// The format of `path` by its first (decompressed) bytes; false when it cannot be read.
bool detectFormat(const std::string &path, FileFormat &format, std::string &error);

/// Reads `path` in the format its first bytes show.
bool readArrayFile(const std::string &path, Array &out, std::string &error);

} // namespace dldata

#endif // DL_RUNTIME_DATA_ARRAYFILE_H
