//===- FileFeed.cpp - Reading --inputs files and cutting them into batches ===//
#include "tools/dl-run/feeds/FileFeed.h"
#include "tools/dl-run/Model.h"

#include "runtime/data/ArrayFile.h"

#include <algorithm>
#include <cstring>

namespace dlrun {

namespace {

std::string inputList(const dl_entry_info &entry) {
  std::string text;
  for (int i = 0; i < entry.n_inputs; ++i)
    text += (i ? ", " : "") + std::string(entry.inputs[i].name) + " " + typeString(entry.inputs[i]);
  return text.empty() ? "none" : text;
}

/// Reads every named file, checks the names against the entry's inputs (each input given once),
/// and converts each array to its input's dtype.
bool readNamedFiles(const dl_entry_info &entry, const NamedFiles &files, std::vector<FileInput> &out,
                    std::string &error) {
  out.clear();
  for (const auto &[name, path] : files) {
    int index = -1;
    for (int i = 0; i < entry.n_inputs; ++i)
      if (name == entry.inputs[i].name)
        index = i;
    if (index < 0) {
      error = "entry '" + std::string(entry.name) + "' has no input '" + name + "' (its inputs: " +
              inputList(entry) + ")";
      return false;
    }
    FileInput input;
    input.input = index;
    dldata::Array raw;
    if (!dldata::readArrayFile(path, raw, error))
      return false;
    const dl_tensor_info &tensor = entry.inputs[index];
    std::string why;
    if (!dldata::convert(raw, dataType(tensor.dtype), input.array, why)) {
      error = path + ": " + why + " (input '" + name + "' is " + typeString(tensor) + ")";
      return false;
    }
    out.push_back(std::move(input));
  }
  std::string missing;
  for (int i = 0; i < entry.n_inputs; ++i) {
    bool given = std::any_of(out.begin(), out.end(), [&](const FileInput &f) { return f.input == i; });
    if (!given)
      missing += (missing.empty() ? "" : ", ") + std::string(entry.inputs[i].name) + " " +
                 typeString(entry.inputs[i]);
  }
  if (!missing.empty()) {
    error = "entry '" + std::string(entry.name) + "' also needs " + missing + "; give it with --inputs NAME=FILE";
    return false;
  }
  return true;
}

/// True when `a` and `b` are equal once their dimensions of size 1 are dropped: the same elements
/// in the same order (a one-column CSV [8, 1] for an input [8], or [4] for [4, 1]).
bool sameIgnoringOnes(std::vector<int64_t> a, std::vector<int64_t> b) {
  a.erase(std::remove(a.begin(), a.end(), 1), a.end());
  b.erase(std::remove(b.begin(), b.end(), 1), b.end());
  return a == b;
}

} // namespace

bool bindStepInputs(const dl_entry_info &entry, const NamedFiles &files, std::vector<FileInput> &out,
                    std::string &error) {
  if (!readNamedFiles(entry, files, out, error))
    return false;
  for (size_t k = 0; k < out.size(); ++k) {
    FileInput &input = out[k];
    const dl_tensor_info &tensor = entry.inputs[input.input];
    std::vector<int64_t> shape = shapeOf(tensor);
    const std::vector<int64_t> &got = input.array.shape;
    if (sameIgnoringOnes(got, shape)) {
      input.batches = 0;
      continue;
    }
    if (got.size() >= 2 && got[0] > 0 && sameIgnoringOnes({got.begin() + 1, got.end()}, shape)) {
      input.batches = got[0];
      continue;
    }
    std::vector<int64_t> stacked = shape;
    stacked.insert(stacked.begin(), 0);
    std::string many = dldata::shapeString(stacked);
    many.replace(1, 1, "N");
    error = files[k].second + ": holds " + dldata::describe(input.array.dtype, got) + " but input '" +
            tensor.name + "' is " + typeString(tensor) + "; give " + dldata::shapeString(shape) +
            " (the same every step) or " + many + " (step k takes batch k mod N)";
    // A table of samples, one per row, trains in epochs instead (feeds/RowTable.h).
    int64_t sampleValues = tensor.rank > 0 && tensor.shape[0] > 0 ? elementCount(tensor) / tensor.shape[0] : 0;
    if (!got.empty() && got[0] > 0 && sampleValues > 0 && input.array.elements() / got[0] == sampleValues)
      error += ", or train on its " + std::to_string(got[0]) + " rows in epochs: leave out --steps";
    return false;
  }
  return true;
}

int64_t distinctBatches(const std::vector<FileInput> &inputs) {
  int64_t n = 1;
  for (const FileInput &input : inputs)
    n = std::max(n, input.batches);
  return n;
}

void fillStep(const std::vector<FileInput> &inputs, int64_t step, EntryBuffers &buffers) {
  for (const FileInput &input : inputs) {
    size_t bytes = buffers.entry().inputs[input.input].bytes;
    int64_t batch = input.batches ? step % input.batches : 0;
    std::memcpy(buffers.input(input.input), input.array.bytes.data() + size_t(batch) * bytes, bytes);
  }
}

bool checkRowInputs(const dl_entry_info &entry, std::vector<FileInput> &inputs,
                    const std::vector<std::string> &sources, int64_t &rows, std::string &error) {
  rows = -1;
  for (size_t k = 0; k < inputs.size(); ++k) {
    FileInput &input = inputs[k];
    const dl_tensor_info &tensor = entry.inputs[input.input];
    const std::vector<int64_t> &got = input.array.shape;
    if (tensor.rank < 1 || tensor.shape[0] <= 0) {
      error = "input '" + std::string(tensor.name) + "' is " + typeString(tensor) +
              ", with no batch dimension to feed rows through";
      return false;
    }
    int64_t sampleValues = elementCount(tensor) / tensor.shape[0];
    std::vector<int64_t> sample(tensor.shape + 1, tensor.shape + tensor.rank);
    if (got.empty() || got[0] == 0 || input.array.elements() / got[0] != sampleValues) {
      error = sources[k] + ": holds " + dldata::describe(input.array.dtype, got) + " but input '" +
              tensor.name + "' is " + typeString(tensor) + "; give [rows, ...] with " +
              std::to_string(sampleValues) + " values per row (" + dldata::shapeString(sample) + ")";
      return false;
    }
    input.rows = got[0];
    if (rows >= 0 && input.rows != rows) {
      error = sources[k] + ": " + std::to_string(input.rows) + " rows, but " + sources[0] + " has " +
              std::to_string(rows);
      return false;
    }
    rows = input.rows;
  }
  return true;
}

bool bindRowInputs(const dl_entry_info &entry, const NamedFiles &files, std::vector<FileInput> &out,
                   int64_t &rows, std::string &error) {
  if (!readNamedFiles(entry, files, out, error))
    return false;
  std::vector<std::string> sources;
  for (const auto &file : files)
    sources.push_back(file.second);
  return checkRowInputs(entry, out, sources, rows, error);
}

void fillRows(const std::vector<FileInput> &inputs, int64_t first, int64_t count, EntryBuffers &buffers) {
  for (const FileInput &input : inputs) {
    const dl_tensor_info &tensor = buffers.entry().inputs[input.input];
    size_t rowBytes = tensor.bytes / size_t(tensor.shape[0]);
    auto *target = static_cast<unsigned char *>(buffers.input(input.input));
    std::memcpy(target, input.array.bytes.data() + size_t(first) * rowBytes, size_t(count) * rowBytes);
    std::memset(target + size_t(count) * rowBytes, 0, tensor.bytes - size_t(count) * rowBytes);
  }
}

} // namespace dlrun
