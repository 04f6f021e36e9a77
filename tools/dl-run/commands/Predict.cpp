//===- Predict.cpp - dl-run predict: a forward entry over every input row -===//
//
// Feeds the rows of the --inputs files B at a time (the last batch padded with zeros) through the
// forward entry (or --entry) and writes the first output's rows for the real samples, shape
// [rows, ...output shape without B], as .npy.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/feeds/RowTable.h"
#include "tools/dl-run/feeds/FileFeed.h"

#include "runtime/data/Npy.h"

#include <algorithm>
#include <cstring>

namespace dlrun {

int runPredict(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  const dl_entry_info *entry = model.chooseEntry(options.entry, {DL_ENTRY_FORWARD}, "forward entry", error);
  if (!entry)
    return fail(err, error);
  if (entry->n_outputs < 1)
    return fail(err, "entry '" + std::string(entry->name) + "' has no outputs");
  if (entry->n_inputs < 1)
    return fail(err, "entry '" + std::string(entry->name) + "' has no inputs to feed rows through");
  const dl_tensor_info &output = entry->outputs[0];
  int64_t batch = entry->inputs[0].rank ? entry->inputs[0].shape[0] : 0;
  if (output.rank < 1 || output.shape[0] != batch)
    return fail(err, "the first output of entry '" + std::string(entry->name) + "', " + output.name + " " +
                         typeString(output) + ", has no batch dimension of " + std::to_string(batch) +
                         " to split into rows");
  std::vector<FileInput> inputs;
  int64_t rows = 0;
  if (!options.csv.empty()) {
    RowTable table;
    if (!readCsvColumns(*entry, options.csv, options.columnSpecs, table, error))
      return fail(err, error);
    inputs = std::move(table.inputs);
    rows = table.rows;
  } else if (!bindRowInputs(*entry, options.inputs, inputs, rows, error)) {
    return fail(err, error);
  }
  for (int i = 1; i < entry->n_inputs; ++i)
    if (entry->inputs[i].rank < 1 || entry->inputs[i].shape[0] != batch)
      return fail(err, "the inputs of entry '" + std::string(entry->name) + "' do not share one batch size (" +
                           entry->inputs[0].name + " " + typeString(entry->inputs[0]) + ", " +
                           entry->inputs[i].name + " " + typeString(entry->inputs[i]) + ")");

  std::vector<int64_t> shape = shapeOf(output);
  shape[0] = rows;
  dldata::Array result = dldata::makeArray(dataType(output.dtype), shape);
  size_t rowBytes = output.bytes / size_t(batch);
  EntryBuffers buffers(*entry);
  for (int64_t first = 0; first < rows; first += batch) {
    int64_t count = std::min(batch, rows - first);
    fillRows(inputs, first, count, buffers);
    if (!model.call(*entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return fail(err, error);
    std::memcpy(result.bytes.data() + size_t(first) * rowBytes, buffers.output(0), size_t(count) * rowBytes);
  }
  if (!dldata::writeNpy(options.out, result, error))
    return fail(err, error);
  out << "predict " << entry->name << ": " << rows << " rows -> " << options.out << " ("
      << dldata::describe(result.dtype, result.shape) << ")\n";
  return kExitOk;
}

} // namespace dlrun
