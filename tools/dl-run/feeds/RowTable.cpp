//===- RowTable.cpp - A table of samples, one row each, for an entry ------===//
#include "tools/dl-run/feeds/RowTable.h"

#include "tools/dl-run/Model.h"
#include "tools/dl-run/training/TrainPosition.h"

#include "runtime/data/Csv.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace dlrun {

namespace {

/// Parses a column index: digits only.
bool parseIndex(const std::string &text, int64_t &out) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), ::isdigit))
    return false;
  out = std::atoll(text.c_str());
  return true;
}

/// The columns [begin, end) `spec` names in a CSV of `width` columns with `header` (maybe empty).
bool columnRange(const std::string &spec, const std::vector<std::string> &header, int64_t width,
                 const std::string &csv, int64_t &begin, int64_t &end, std::string &error) {
  size_t colon = spec.find(':');
  std::string first = spec.substr(0, colon), last = colon == std::string::npos ? "" : spec.substr(colon + 1);
  auto byName = [&](const std::string &name, int64_t &index) {
    auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end())
      return false;
    index = found - header.begin();
    return true;
  };
  int64_t a = 0, b = 0;
  if (parseIndex(first, a)) {
    if (colon == std::string::npos)
      b = a + 1;
    else if (last.empty() ? (b = width, true) : parseIndex(last, b))
      ;
    else {
      error = "--columns '" + spec + "': '" + last + "' is not a column index (indices from 0, a:b half-open)";
      return false;
    }
  } else if (byName(first, a)) {
    if (colon == std::string::npos)
      b = a + 1;
    else if (byName(last, b))
      ++b; // Names are inclusive, as pandas' .loc.
    else {
      error = "--columns '" + spec + "': " + csv + " has no column '" + last + "'" +
              (header.empty() ? " (it has no header line)" : "");
      return false;
    }
  } else {
    error = "--columns '" + spec + "': " + csv + " has no column '" + first + "'" +
            (header.empty() ? " (it has no header line; give indices from 0)" : "");
    return false;
  }
  if (a >= b || b > width) {
    error = "--columns '" + spec + "': columns " + std::to_string(a) + " to " + std::to_string(b - 1) +
            " are outside " + csv + "'s " + std::to_string(width) + " columns (0 to " +
            std::to_string(width - 1) + ")";
    return false;
  }
  begin = a;
  end = b;
  return true;
}

} // namespace

bool readRowFiles(const dl_entry_info &entry, const NamedFiles &files, RowTable &table,
                  std::string &error) {
  table = RowTable();
  int64_t rows = 0;
  if (!bindRowInputs(entry, files, table.inputs, rows, error))
    return false;
  for (const auto &file : files)
    table.sources.push_back(file.second);
  table.rows = rows;
  return true;
}

bool readCsvColumns(const dl_entry_info &entry, const std::string &csv,
                    const std::vector<std::pair<std::string, std::string>> &columns,
                    RowTable &table, std::string &error) {
  table = RowTable();
  dldata::Array all;
  std::vector<std::string> header;
  if (!dldata::readCsv(csv, all, &header, error))
    return false;
  int64_t rows = all.shape[0], width = all.shape[1];
  const double *values = reinterpret_cast<const double *>(all.bytes.data());
  std::vector<bool> given(size_t(entry.n_inputs), false);
  for (const auto &[name, spec] : columns) {
    int index = -1;
    for (int i = 0; i < entry.n_inputs; ++i)
      if (name == entry.inputs[i].name)
        index = i;
    if (index < 0) {
      error = "--columns: entry '" + std::string(entry.name) + "' has no input '" + name + "'";
      return false;
    }
    given[size_t(index)] = true;
    int64_t begin = 0, end = 0;
    if (!columnRange(spec, header, width, csv, begin, end, error))
      return false;
    dldata::Array slice = dldata::makeArray(dldata::DType::F64, {rows, end - begin});
    auto *out = reinterpret_cast<double *>(slice.bytes.data());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = begin; c < end; ++c)
        *out++ = values[r * width + c];
    FileInput input;
    input.input = index;
    const dl_tensor_info &tensor = entry.inputs[index];
    std::string source = csv + " columns " + spec;
    std::string why;
    if (!dldata::convert(slice, dataType(tensor.dtype), input.array, why)) {
      error = source + ": " + why + " (input '" + name + "' is " + typeString(tensor) + ")";
      return false;
    }
    table.inputs.push_back(std::move(input));
    table.sources.push_back(source);
  }
  for (int i = 0; i < entry.n_inputs; ++i)
    if (!given[size_t(i)]) {
      error = "--columns gives no columns for input '" + std::string(entry.inputs[i].name) + "' " +
              typeString(entry.inputs[i]) + " of entry '" + entry.name + "'";
      return false;
    }
  return checkRowInputs(entry, table.inputs, table.sources, table.rows, error);
}

bool checkLabels(const dl_entry_info &entry, const RowTable &table, int64_t classes,
                 std::string &error) {
  if (classes <= 0)
    return true;
  for (size_t k = 0; k < table.inputs.size(); ++k) {
    const FileInput &input = table.inputs[k];
    const dl_tensor_info &tensor = entry.inputs[input.input];
    if (tensor.dtype != DL_I32 || elementCount(tensor) != tensor.shape[0])
      continue;
    const int32_t *labels = reinterpret_cast<const int32_t *>(input.array.bytes.data());
    for (int64_t r = 0; r < input.rows; ++r)
      if (labels[r] < 0 || labels[r] >= classes) {
        error = table.sources[k] + ": row " + std::to_string(r + 1) + ": label " +
                std::to_string(labels[r]) + " of input '" + tensor.name +
                "' is not a class of the model (0 to " + std::to_string(classes - 1) + ")";
        return false;
      }
  }
  return true;
}

void fillRowBatch(const RowTable &table, const int64_t *rows, int64_t count, EntryBuffers &buffers) {
  for (const FileInput &input : table.inputs) {
    const dl_tensor_info &tensor = buffers.entry().inputs[input.input];
    size_t rowBytes = tensor.bytes / size_t(tensor.shape[0]);
    auto *target = static_cast<unsigned char *>(buffers.input(input.input));
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(target + size_t(i) * rowBytes, input.array.bytes.data() + size_t(rows[i]) * rowBytes,
                  rowBytes);
    std::memset(target + size_t(count) * rowBytes, 0, tensor.bytes - size_t(count) * rowBytes);
  }
}

void splitRows(int64_t rows, double fraction, uint64_t seed, std::vector<int64_t> &train,
               std::vector<int64_t> &validation) {
  // Epoch 0's order: the training epochs are numbered from 1, so it is a permutation of its own.
  std::vector<int64_t> order = epochOrder(rows, seed, 0, fraction > 0);
  int64_t held = fraction > 0 ? std::min(rows, int64_t(std::ceil(fraction * double(rows)))) : 0;
  train.assign(order.begin(), order.end() - held);
  validation.assign(order.end() - held, order.end());
  std::sort(validation.begin(), validation.end());
}

} // namespace dlrun
