//===- FileFeed.h - Feeding arrays from files to an entry ---------*- C++ -*-===//
//
// `--inputs NAME=FILE,...` for two uses:
//   - steps (train --inputs, eval --inputs): a file of the input's shape is the input of every
//     step; a file of shape [N, ...input shape] gives step k its batch k mod N (dimensions of size
//     1 aside: a one-column CSV [8, 1] fits an input [8]);
//   - rows (predict): a file of shape [M, ...] holds M samples, each with as many values as one
//     sample of the input ([B, ...] without B); they are fed B at a time, the last batch padded
//     with zeros.
// Files are read by content (.npy, CSV, IDX) and converted to the input's dtype; a value the
// conversion would change (2.5 for an i32 input) is an error, as are unknown and missing names.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_FEEDS_FILEFEED_H
#define DL_TOOLS_DLRUN_FEEDS_FILEFEED_H

#include "tools/dl-run/feeds/EntryBuffers.h"

#include "dl/runtime.h"
#include "runtime/data/Array.h"

#include <string>
#include <utility>
#include <vector>

namespace dlrun {

using NamedFiles = std::vector<std::pair<std::string, std::string>>;

struct FileInput {
  int input = -1;       ///< The entry's input index.
  dldata::Array array;  ///< Converted to the input's dtype.
  int64_t batches = 0;  ///< Steps: 0 when the file is one batch for every step, else N.
  int64_t rows = 0;     ///< Rows: M.
};

/// Reads the files of `files` for `entry` as per-step batches.
bool bindStepInputs(const dl_entry_info &entry, const NamedFiles &files, std::vector<FileInput> &out,
                    std::string &error);

/// The number of distinct batches the step inputs hold: the largest N, or 1.
int64_t distinctBatches(const std::vector<FileInput> &inputs);

/// Copies step `step`'s batch of every input into `buffers`.
void fillStep(const std::vector<FileInput> &inputs, int64_t step, EntryBuffers &buffers);

/// Reads the files of `files` for `entry` as rows of samples; every file must hold the same number
/// of rows, returned in `rows`.
bool bindRowInputs(const dl_entry_info &entry, const NamedFiles &files, std::vector<FileInput> &out,
                   int64_t &rows, std::string &error);

/// Checks `inputs` (read from `sources`, in order) as rows of samples for `entry`: each holds
/// [M, ...] with one sample's values per row, every one the same M, returned in `rows`.
bool checkRowInputs(const dl_entry_info &entry, std::vector<FileInput> &inputs,
                    const std::vector<std::string> &sources, int64_t &rows, std::string &error);

/// Copies rows [first, first + count) of every input into `buffers` (count <= B), zeros after.
void fillRows(const std::vector<FileInput> &inputs, int64_t first, int64_t count, EntryBuffers &buffers);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_FEEDS_FILEFEED_H
