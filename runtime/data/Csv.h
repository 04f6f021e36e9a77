//===- Csv.h - Numeric CSV files ----------------------------------*- C++ -*-===//
//
// A table of numbers, one row per line, comma-separated, every row as wide as the first. The first
// line is a header when any of its fields is not a number; no later line may be. Blank lines are
// skipped, spaces around values and Windows line ends are allowed, and gzip-compressed files are
// read too. Errors name the file, the line and the column ("data.csv:7: column 3: 'abc' is not a
// number").
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_CSV_H
#define DL_RUNTIME_DATA_CSV_H

#include "runtime/data/Array.h"

#include <string>
#include <vector>

namespace dldata {

/// The largest CSV file read (bytes, decompressed).
constexpr uint64_t kMaxCsvBytes = uint64_t(1) << 32;

/// Reads `path` into an f64 array of shape [rows, columns]; the header's names, when there is a
/// header, go to `header` (if not null; cleared otherwise).
bool readCsv(const std::string &path, Array &out, std::vector<std::string> *header,
             std::string &error);

/// Parses CSV text as readCsv does; `name` prefixes the errors.
bool parseCsv(const std::string &name, const std::string &text, Array &out,
              std::vector<std::string> *header, std::string &error);

} // namespace dldata

#endif // DL_RUNTIME_DATA_CSV_H
