//===- RowTable.h - A table of samples, one row each, for an entry ---*- C++ -*-===//
//
// `dl-run train|eval MODEL.so --inputs x=x.csv,y=y.csv` where each file holds one sample per row
// ([rows, ...sample shape], every file the same number of rows), or `--csv FILE --columns
// x=0:8,y=8` where one CSV's columns feed several inputs (indices from 0, `a:b` half-open as in
// Python; or the header line's names, `first:last` inclusive as in pandas' .loc). The rows are
// batched to the model's batch size by the training loop (in a shuffled order) and by evaluation
// (in order, the last batch padded with zeros and its padding ignored).
//
// Labels are checked on reading: an i32 input of one value per sample that feeds a model with a
// [B, classes] output must hold class ids below the class count, each error naming the file, the
// row and the value.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_FEEDS_ROWTABLE_H
#define DL_TOOLS_DLRUN_FEEDS_ROWTABLE_H

#include "tools/dl-run/feeds/FileFeed.h"

#include <string>
#include <utility>
#include <vector>

namespace dlrun {

struct RowTable {
  std::vector<FileInput> inputs; ///< Row-form arrays, one per entry input.
  std::vector<std::string> sources; ///< Per input, the file (and columns) it came from.
  int64_t rows = 0;
};

/// Reads --inputs files as rows for `entry`.
bool readRowFiles(const dl_entry_info &entry, const NamedFiles &files, RowTable &table,
                  std::string &error);

/// Reads one CSV and slices its columns into `entry`'s inputs: `columns` maps each input to
/// "i", "a:b", "name" or "first:last".
bool readCsvColumns(const dl_entry_info &entry, const std::string &csv,
                    const std::vector<std::pair<std::string, std::string>> &columns,
                    RowTable &table, std::string &error);

/// Checks every i32 input of one value per sample against `classes` (skipped when 0).
bool checkLabels(const dl_entry_info &entry, const RowTable &table, int64_t classes,
                 std::string &error);

/// Copies the rows `rows[0..count)` of every input into `buffers` (count <= B); zeros after.
void fillRowBatch(const RowTable &table, const int64_t *rows, int64_t count, EntryBuffers &buffers);

/// The table's rows `[0, rows)` split into training and validation rows: `fraction` of them,
/// rounded up, chosen by a permutation drawn from `seed` (the same for every epoch and rank).
void splitRows(int64_t rows, double fraction, uint64_t seed, std::vector<int64_t> &train,
               std::vector<int64_t> &validation);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_FEEDS_ROWTABLE_H
