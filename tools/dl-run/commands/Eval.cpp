//===- Eval.cpp - dl-run eval: losses and accuracy without training -------===//
//
// Runs the eval entry (else forward, or --entry) over the test split of --data or over the
// batches of --inputs (each distinct batch once) and prints the mean of each scalar output (the
// losses) and the accuracy: the argmax of the first f32 [B, classes] output against the labels
// (the i32 [B] input, with --inputs). With --text, the eval entry's loss over the validation split
// (TextTrain.cpp).
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/feeds/FileFeed.h"
#include "tools/dl-run/feeds/RowTable.h"
#include "tools/dl-run/training/RowScores.h"
#include "tools/dl-run/training/SplitScores.h"

#include <cstdio>

namespace dlrun {

namespace {

void printScores(const SplitScores &scores, std::ostream &out) {
  for (size_t k = 0; k < scores.losses.size(); ++k) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", scores.losses[k]);
    out << "loss " << scores.lossNames[k] << " " << (scores.fullBatches ? text : "-") << "\n";
  }
  if (scores.hasAccuracy) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", scores.accuracy());
    out << "accuracy " << text << " (" << scores.correct << "/" << scores.samples << ")\n";
  }
}

int evalOnData(const Options &options, const dl_entry_info &entry, Model &model, std::ostream &out,
               std::ostream &err) {
  std::string error;
  dldata::ImageDataset data;
  ImageBinding binding;
  if (!loadDataset(options, data, out, error) || !bindImages(entry, data, options.data, binding, error))
    return fail(err, error);
  SplitScores scores;
  if (!evaluateSplit(model, binding, data.test, 0, scores, error))
    return fail(err, error);
  out << "eval " << entry.name << " on " << scores.samples << " test samples";
  if (!scores.losses.empty())
    out << " (losses over the " << scores.fullBatches << " full batches)";
  out << "\n";
  printScores(scores, out);
  return kExitOk;
}

/// A table of rows (--csv, or --inputs files of one sample per row that are not batches): every
/// row scored once, in batches of B, the last one padded (training/RowScores.h).
int evalOnRows(const Options &options, const dl_entry_info &entry, Model &model, std::ostream &out,
               std::ostream &err) {
  std::string error;
  RowScoring scoring;
  if (!chooseRowScoring(model, &entry, scoring, error))
    return fail(err, error);
  RowTable table;
  bool read = options.csv.empty() ? readRowFiles(entry, options.inputs, table, error)
                                  : readCsvColumns(entry, options.csv, options.columnSpecs, table, error);
  if (!read || !checkLabels(entry, table, scoring.classes, error))
    return fail(err, error);
  std::vector<int64_t> rows(static_cast<size_t>(table.rows));
  for (int64_t r = 0; r < table.rows; ++r)
    rows[size_t(r)] = r;
  RowScores scores;
  if (!scoreRows(model, scoring, table, rows, scores, error))
    return fail(err, error);
  out << "eval " << entry.name << " on " << table.rows << " rows\n"
      << rowScoresText(scoring, scores, "") << "\n";
  return kExitOk;
}

int evalOnInputs(const Options &options, const dl_entry_info &entry, Model &model, std::ostream &out,
                 std::ostream &err) {
  std::string error;
  std::vector<FileInput> inputs;
  if (!options.csv.empty())
    return evalOnRows(options, entry, model, out, err);
  if (!bindStepInputs(entry, options.inputs, inputs, error)) {
    // Not batches: maybe a table of rows.
    RowTable table;
    std::string rowsError;
    if (readRowFiles(entry, options.inputs, table, rowsError))
      return evalOnRows(options, entry, model, out, err);
    return fail(err, error);
  }
  SplitScores scores;
  std::vector<int> lossOutputs;
  int scoresOutput = -1, labelInput = -1;
  for (int i = 0; i < entry.n_outputs; ++i) {
    const dl_tensor_info &output = entry.outputs[i];
    if (output.rank == 0 && output.dtype == DL_F32) {
      lossOutputs.push_back(i);
      scores.lossNames.push_back(output.name);
    } else if (scoresOutput < 0 && output.dtype == DL_F32 && output.rank == 2 && output.shape[1] >= 2) {
      scoresOutput = i;
    }
  }
  for (int i = 0; scoresOutput >= 0 && i < entry.n_inputs && labelInput < 0; ++i)
    if (entry.inputs[i].dtype == DL_I32 && entry.inputs[i].rank == 1 &&
        entry.inputs[i].shape[0] == entry.outputs[scoresOutput].shape[0])
      labelInput = i;
  scores.hasAccuracy = labelInput >= 0;
  scores.losses.assign(lossOutputs.size(), 0.0);
  EntryBuffers buffers(entry);
  int64_t batches = distinctBatches(inputs);
  for (int64_t step = 0; step < batches; ++step) {
    fillStep(inputs, step, buffers);
    if (!model.call(entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return fail(err, error);
    for (size_t k = 0; k < lossOutputs.size(); ++k)
      scores.losses[k] += *buffers.output<float>(lossOutputs[k]);
    if (scores.hasAccuracy) {
      const dl_tensor_info &output = entry.outputs[scoresOutput];
      scores.correct += countCorrect(buffers.output<float>(scoresOutput), output.shape[1],
                                     buffers.input<int32_t>(labelInput), output.shape[0]);
      scores.samples += output.shape[0];
    }
  }
  scores.fullBatches = batches;
  for (double &loss : scores.losses)
    loss /= double(batches);
  out << "eval " << entry.name << " on " << batches << " batch" << (batches == 1 ? "" : "es") << "\n";
  printScores(scores, out);
  return kExitOk;
}

} // namespace

int runEval(const Options &options, std::ostream &out, std::ostream &err) {
  if (!options.text.empty())
    return evalOnText(options, out, err);
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  const dl_entry_info *entry =
      model.chooseEntry(options.entry, {DL_ENTRY_EVAL, DL_ENTRY_FORWARD}, "eval or forward entry", error);
  if (!entry)
    return fail(err, error);
  if (entry->kind == DL_ENTRY_TRAIN)
    return fail(err, "entry '" + std::string(entry->name) + "' is a train step; eval runs eval or forward entries");
  return options.data.empty() ? evalOnInputs(options, *entry, model, out, err)
                              : evalOnData(options, *entry, model, out, err);
}

} // namespace dlrun
