//===- RowTrain.cpp - dl-run train on a table of rows: epochs, validation ===//
//
// `dl-run train MODEL.so --inputs x=x.csv,y=y.csv` (no --steps) or `--csv FILE --columns ...`: the
// rows of the table (feeds/RowTable.h) are shuffled every epoch (from --seed; --no-shuffle keeps
// their order) and cut into batches of the model's batch size, the last partial batch dropped; in a
// data-parallel run the batches of one update are shared by the ranks as --data shares them. With
// --val FRACTION (rows held out by a seeded permutation, the same for every epoch) or --val-inputs,
// each epoch ends with the validation loss and metric (training/RowScores.h); --early-stop and
// --save-best watch it (training/EarlyStopping.h); --test-inputs are scored at the end; --log
// records every step and epoch (training/MetricsLog.h). A run from a checkpoint goes on for
// --epochs more epochs, numbered on from the saved run's.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Ranks.h"
#include "tools/dl-run/feeds/RowTable.h"
#include "tools/dl-run/output/Progress.h"
#include "tools/dl-run/training/EarlyStopping.h"
#include "tools/dl-run/training/MetricsLog.h"
#include "tools/dl-run/training/NonFinite.h"
#include "tools/dl-run/training/RowScores.h"
#include "tools/dl-run/training/TrainOutputs.h"
#include "tools/dl-run/training/TrainPosition.h"
#include "tools/dl-run/training/TrainSchedule.h"
#include "tools/dl-run/training/Update.h"

#include <cmath>
#include <cstdio>

namespace dlrun {

namespace {

/// The table of `files` (or of --csv) for `entry`, labels checked against `classes`.
bool readTable(const Options &options, const dl_entry_info &entry, const NamedFiles &files,
               int64_t classes, RowTable &table, std::string &error) {
  bool read = files.empty() ? readCsvColumns(entry, options.csv, options.columnSpecs, table, error)
                            : readRowFiles(entry, files, table, error);
  return read && checkLabels(entry, table, classes, error);
}

std::vector<int64_t> allRows(int64_t rows) {
  std::vector<int64_t> all(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r)
    all[size_t(r)] = r;
  return all;
}

/// The columns --log writes after an epoch's training loss, as the scoring allows.
std::vector<std::string> logColumns(const RowScoring &scoring, bool validation) {
  std::vector<std::string> columns;
  if (!validation)
    return columns;
  columns.push_back("val_loss");
  if (scoring.scoresOutput >= 0)
    columns.push_back("val_accuracy");
  if (scoring.predictionOutput >= 0) {
    columns.push_back("val_rmse");
    columns.push_back("val_mae");
  }
  return columns;
}

std::vector<double> logValues(const RowScoring &scoring, const RowScores &scores) {
  std::vector<double> values{scores.loss()};
  if (scoring.scoresOutput >= 0)
    values.push_back(scores.accuracy());
  if (scoring.predictionOutput >= 0) {
    values.push_back(scores.rmse());
    values.push_back(scores.mae());
  }
  return values;
}

/// The value --monitor names, or an error when the scoring has no such metric.
bool monitored(const std::string &monitor, const RowScoring &scoring, const RowScores &scores,
               double &value, std::string &error) {
  if (monitor == "val_loss" && !scores.losses.empty())
    value = scores.loss();
  else if (monitor == "val_accuracy" && scoring.scoresOutput >= 0)
    value = scores.accuracy();
  else if (monitor == "val_rmse" && scoring.predictionOutput >= 0)
    value = scores.rmse();
  else if (monitor == "val_mae" && scoring.predictionOutput >= 0)
    value = scores.mae();
  else {
    error = "--monitor " + monitor + ": entry '" + std::string(scoring.entry->name) +
            "' does not give it (" + (monitor == "val_loss" ? "no loss output" : "no matching output") + ")";
    return false;
  }
  return true;
}

} // namespace

int trainOnRows(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  std::vector<ScheduledStep> steps;
  if (!resolveSchedule({}, options.step, model, steps, error))
    return fail(err, error);
  const dl_entry_info &entry = *steps.front().entry;
  const dl_entry_info *grad = nullptr, *apply = nullptr;
  if (!findSplitEntries(model, entry, options.accumulate, grad, apply, error))
    return fail(err, error);
  RowScoring scoring;
  if (!chooseRowScoring(model, nullptr, scoring, error))
    return fail(err, error);
  bool validation = options.valFraction > 0 || !options.valInputs.empty();
  if (validation && scoring.scoresOutput < 0 && scoring.predictionOutput < 0 &&
      scoring.entry->kind != DL_ENTRY_EVAL)
    return fail(err, "validation needs an eval entry (losses) or a forward entry whose output "
                     "can be compared with a target; model '" + std::string(model.info().name) +
                     "' has neither");

  // The training table, and the validation and test tables (the scoring entry's inputs).
  RowTable table, valTable, testTable;
  if (!readTable(options, entry, options.inputs, scoring.classes, table, error))
    return fail(err, error);
  std::vector<int64_t> trainRows, valRows;
  splitRows(table.rows, options.valFraction, model.seed(), trainRows, valRows);
  const RowTable *valSource = &valTable;
  if (options.valFraction > 0) {
    // Held-out rows of the training table, read again for the scoring entry's inputs.
    if (!readTable(options, *scoring.entry, options.inputs, scoring.classes, valTable, error))
      return fail(err, error);
  } else if (!options.valInputs.empty()) {
    if (!readTable(options, *scoring.entry, options.valInputs, scoring.classes, valTable, error))
      return fail(err, error);
    valRows = allRows(valTable.rows);
  }
  if (!options.testInputs.empty() &&
      !readTable(options, *scoring.entry, options.testInputs, scoring.classes, testTable, error))
    return fail(err, error);

  int64_t batch = entry.inputs[0].shape[0];
  const int64_t rankCount = ranks().size(), rank = ranks().rank(), accumulate = options.accumulate;
  const int64_t perUpdate = batch * rankCount * accumulate;
  int64_t samples = int64_t(trainRows.size());
  int64_t updates = samples / perUpdate;
  if (updates == 0)
    return fail(err, "the table has " + std::to_string(samples) + " training rows, fewer than one batch of " +
                         std::to_string(perUpdate));
  out << "rows: " << table.rows << " (" << table.sources.front() << (table.sources.size() > 1 ? ", ..." : "")
      << ")";
  if (options.valFraction > 0)
    out << ", " << samples << " for training and " << valRows.size() << " held out for validation";
  else if (!options.valInputs.empty())
    out << "; validation: " << valRows.size() << " rows";
  out << "\ntrain " << entry.name << ": " << updates << " batches of " << perUpdate << " per epoch";
  if (samples % perUpdate)
    out << " (the last " << samples % perUpdate << " rows of each epoch are dropped)";
  out << "\n" << std::flush;

  TrainPosition position;
  if (!options.init.empty() && !loadedPosition(model, position, error))
    return fail(err, options.init + ": " + error);
  position = TrainPosition{position.epochsDone, 0, samples, perUpdate, options.shuffle};

  MetricsLog log;
  if (!log.open(options.log, logColumns(scoring, validation), error))
    return fail(err, error);
  EarlyStopping stopping(options.earlyStop, options.monitor, options.saveBest);
  InterruptGuard guard;
  EntryBuffers buffers(entry);
  Progress progress(err, stderrIsTerminal());
  FiniteGuard finite(model, options.skipNonFinite ? NonFinitePolicy::Skip : NonFinitePolicy::Stop);
  std::vector<float> history;
  Curve valCurve{"validation", {}, {}, true}; // at the training step count of each epoch's end
  int64_t lastEpoch = position.epochsDone + options.epochs;
  for (int64_t epoch = position.epochsDone + 1; epoch <= lastEpoch; ++epoch) {
    std::vector<int64_t> order = epochOrder(samples, model.seed(), epoch, options.shuffle);
    for (int64_t &i : order)
      i = trainRows[size_t(i)];
    std::string label = "epoch " + std::to_string(epoch) + "/" + std::to_string(lastEpoch);
    progress.start(label, updates, perUpdate);
    double lossSum = 0;
    int64_t losses = 0;
    for (int64_t b = 0; b < updates; ++b) {
      auto fill = [&](int64_t k) {
        fillRowBatch(table, order.data() + b * perUpdate + (k * rankCount + rank) * batch, batch, buffers);
      };
      if (!finite.beforeStep(error) || !runUpdate(model, entry, grad, apply, accumulate, buffers, fill, error)) {
        progress.finish();
        return fail(err, label + ", batch " + std::to_string(b + 1) + ": " + error);
      }
      double loss = *buffers.output<float>(0);
      FiniteGuard::Verdict verdict = finite.afterStep(entry, buffers.inputPointers(), loss,
                                                      label + ", batch " + std::to_string(b + 1), error);
      if (verdict == FiniteGuard::Verdict::Stop) {
        progress.finish();
        return fail(err, error);
      }
      if (verdict == FiniteGuard::Verdict::Skipped)
        continue;
      lossSum += loss;
      ++losses;
      history.push_back(float(loss));
      log.step(epoch, int64_t(model.step()), loss);
      progress.update(b + 1, lossSum / double(losses));
      if (InterruptGuard::interrupted()) {
        progress.finish();
        out << "interrupted at " << label << ", batch " << b + 1 << "/" << updates << "\n";
        saveCheckpoint(options, model, out, err, &position);
        return kExitInterrupted;
      }
    }
    position.epochsDone = epoch;
    double seconds = progress.finish();
    double trainLoss = losses ? lossSum / double(losses) : std::nan("");
    std::string line = label + "  loss " + formatLoss(trainLoss);
    RowScores scores;
    if (validation) {
      if (!scoreRows(model, scoring, *valSource, valRows, scores, error))
        return fail(err, "validation: " + error);
      line += "  " + rowScoresText(scoring, scores, "val_");
      valCurve.y.push_back(float(scores.loss()));
      valCurve.x.push_back(double(history.size()));
    }
    char time[32];
    std::snprintf(time, sizeof time, "%.1fs", seconds);
    out << line << "  " << time << "\n" << std::flush;
    log.epoch(epoch, int64_t(model.step()), trainLoss,
              validation ? logValues(scoring, scores) : std::vector<double>());
    if (validation && (options.earlyStop > 0 || !options.saveBest.empty())) {
      double value = 0;
      bool stop = false;
      if (!monitored(options.monitor, scoring, scores, value, error) ||
          !stopping.afterEpoch(model, epoch, value, out, stop, error))
        return fail(err, error);
      if (stop) {
        out << "early stop: " << options.monitor << " has not improved for " << options.earlyStop
            << (options.earlyStop == 1 ? " epoch" : " epochs") << " (best: epoch "
            << stopping.bestEpoch() << ")\n";
        break;
      }
    }
  }
  if (options.earlyStop > 0 && !stopping.restoreBest(model, out, error))
    return fail(err, error);
  if (!options.testInputs.empty()) {
    RowScores scores;
    if (!scoreRows(model, scoring, testTable, allRows(testTable.rows), scores, error))
      return fail(err, "test: " + error);
    out << "test  " << rowScoresText(scoring, scores, "") << "\n";
  }
  if (finite.skipped())
    out << finite.summary() << "\n";
  if (!log.close(error))
    return fail(err, error);
  if (!saveCheckpoint(options, model, out, err, &position) ||
      !savePlot(options, {{entry.name, history}}, out, err, valCurve))
    return kExitError;
  return kExitOk;
}

} // namespace dlrun
