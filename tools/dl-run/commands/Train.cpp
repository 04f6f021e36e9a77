//===- Train.cpp - dl-run train: on a data set, or on batches from files --===//
//
// With --data: epochs over the training split in shuffled batches of the model's batch size, each
// batch taken by the scheduled train steps in turn (training/TrainSchedule.h), then the accuracy on
// both splits after each epoch (training/SplitScores.h). With --inputs: exactly --steps steps on
// fixed batches, the loss of each written to --losses for comparison with another framework. With
// --text: TextTrain.cpp. Ctrl-C stops after the current step; --save is still written, and the exit
// status is 130. A --data run from a checkpoint dl-run saved resumes at the batch after the last
// one trained, in the same order (training/TrainPosition.h); --epochs counts the epochs of this
// run, the interrupted one included, and the epochs are numbered from the start of the saved run.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Ranks.h"
#include "tools/dl-run/feeds/FileFeed.h"
#include "tools/dl-run/feeds/ImageFeed.h"
#include "tools/dl-run/output/Plot.h"
#include "tools/dl-run/output/Progress.h"
#include "tools/dl-run/training/MetricsLog.h"
#include "tools/dl-run/training/NonFinite.h"
#include "tools/dl-run/training/SplitScores.h"
#include "tools/dl-run/training/TrainOutputs.h"
#include "tools/dl-run/training/TrainPosition.h"
#include "tools/dl-run/training/TrainSchedule.h"
#include "tools/dl-run/training/Update.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

namespace dlrun {

namespace {

/// The train entry of --inputs: --step, or the model's first (checked as TrainSchedule.h checks the
/// steps of --data).
const dl_entry_info *trainEntry(const Options &options, const Model &model, std::string &error) {
  std::vector<ScheduledStep> steps;
  if (!resolveSchedule({}, options.step, model, steps, error))
    return nullptr;
  return steps.front().entry;
}

std::string accuracyText(const SplitScores &scores) {
  if (!scores.hasAccuracy)
    return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.4f", scores.accuracy());
  return text;
}

/// One scheduled step's binding, buffers and the sum of its losses over the epoch.
struct StepRun {
  ScheduledStep step;
  const dl_entry_info *grad = nullptr, *apply = nullptr; ///< With --accumulate.
  ImageBinding binding;
  std::unique_ptr<EntryBuffers> buffers;
  double lossSum = 0;
  int64_t calls = 0;
  std::vector<float> history; ///< Every call's loss, for --plot.
};

std::vector<LossSeries> curvesOf(const std::vector<StepRun> &runs) {
  std::vector<LossSeries> curves;
  for (const StepRun &run : runs)
    curves.emplace_back(run.step.entry->name, run.history);
  return curves;
}

/// "loss 0.4321", or with several steps "loss disc_step 1.2345 gen_step 0.8765".
std::string lossesText(const std::vector<StepRun> &runs) {
  std::string text = "loss";
  for (const StepRun &run : runs) {
    if (runs.size() > 1)
      text += " " + std::string(run.step.entry->name);
    text += " " + formatLoss(run.calls ? run.lossSum / double(run.calls) : 0.0);
  }
  return text;
}

/// Where this run starts: at the beginning, or where the run that saved --init stopped, if it
/// stopped in the same data order (the same number of samples, batch size and shuffling); says on
/// `out` where it resumes.
bool resumePosition(const Options &options, const Model &model, int64_t samples, int64_t batchSize,
                    TrainPosition &position, std::ostream &out, std::string &error) {
  position = TrainPosition{0, 0, samples, batchSize, options.shuffle};
  if (options.init.empty())
    return true;
  TrainPosition saved;
  std::optional<uint64_t> savedSeed;
  if (!loadedPosition(model, saved, error) || !loadedSeed(model, savedSeed, error)) {
    error = options.init + ": " + error;
    return false;
  }
  if (saved.epochsDone == 0 && saved.batchesDone == 0)
    return true;
  position.epochsDone = saved.epochsDone;
  bool sameOrder = saved.samples == samples && saved.batchSize == batchSize &&
                   saved.shuffle == options.shuffle && saved.batchesDone < samples / batchSize;
  if (saved.batchesDone > 0 && !sameOrder)
    out << "note: " << options.init << " stopped " << saved.batchesDone << " batches into epoch "
        << saved.epochsDone + 1 << " of another data order (" << saved.samples
        << " samples in batches of " << saved.batchSize << (saved.shuffle ? ", shuffled" : "")
        << "); this run trains epoch " << saved.epochsDone + 1 << " from its start\n";
  else
    position.batchesDone = saved.batchesDone;
  out << "resuming " << options.init << " after epoch " << position.epochsDone;
  if (position.batchesDone)
    out << " and " << position.batchesDone << (position.batchesDone == 1 ? " batch" : " batches")
        << " of epoch " << position.epochsDone + 1;
  out << " (step " << model.step() << ")\n";
  if (savedSeed && *savedSeed != model.seed() && options.shuffle)
    out << "note: --seed " << model.seed() << " is not the seed of the saved run (" << *savedSeed
        << "): the order of the data differs from the one it would have had\n";
  return true;
}

int trainOnData(const Options &options, std::ostream &out, std::ostream &err) {
  // The model first: a wrong model fails at once, before seconds of decompressing data.
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  std::vector<ScheduledStep> schedule;
  if (!resolveSchedule(options.schedule, options.step, model, schedule, error))
    return fail(err, error);
  dldata::ImageDataset data;
  if (!loadDataset(options, data, out, error))
    return fail(err, error);
  std::vector<StepRun> runs;
  for (const ScheduledStep &step : schedule) {
    StepRun run;
    run.step = step;
    if (!bindImages(*step.entry, data, options.data, run.binding, error))
      return fail(err, error);
    if (!runs.empty() && run.binding.batch != runs.front().binding.batch)
      return fail(err, "train steps '" + std::string(runs.front().step.entry->name) + "' and '" +
                           step.entry->name + "' take batches of " +
                           std::to_string(runs.front().binding.batch) + " and " +
                           std::to_string(run.binding.batch) + " samples; a schedule needs one size");
    if (!findSplitEntries(model, *step.entry, options.accumulate, run.grad, run.apply, error))
      return fail(err, error);
    run.buffers = std::make_unique<EntryBuffers>(*step.entry);
    runs.push_back(std::move(run));
  }
  const ImageBinding &train = runs.front().binding;
  // An update takes a global batch: `accumulate` batches on each rank, of B samples each. Batch k
  // of rank r is slice k * ranks + r of it, so the ranks of one accumulation step see together
  // what one process of a ranks-times larger batch would.
  const int64_t rankCount = ranks().size(), rank = ranks().rank(), accumulate = options.accumulate;
  const int64_t perUpdate = train.batch * rankCount * accumulate;

  // Accuracy comes from the forward entry, else the eval entry; a generator's forward entry, which
  // takes no inputs, has none to report.
  const dl_entry_info *scoring = model.firstEntry(DL_ENTRY_FORWARD);
  if (!scoring)
    scoring = model.firstEntry(DL_ENTRY_EVAL);
  if (scoring && scoring->n_inputs == 0)
    scoring = nullptr;
  ImageBinding score;
  if (scoring && !bindImages(*scoring, data, options.data, score, error))
    return fail(err, error);
  if (!scoring || score.scoresOutput < 0)
    out << "note: model '" << model.info().name << "' has no forward or eval entry with an f32 [B, classes] "
        << "output; accuracy is not reported\n";

  int64_t samples = data.train.size();
  int64_t batches = samples / perUpdate;
  if (batches == 0)
    return fail(err, "the training split has " + std::to_string(samples) +
                         " samples, fewer than one batch of " + std::to_string(perUpdate));
  out << "train";
  for (size_t i = 0; i < runs.size(); ++i)
    out << (i ? ", " : " ") << runs[i].step.entry->name
        << (runs[i].step.repeats > 1 ? " x" + std::to_string(runs[i].step.repeats) : "");
  out << (runs.size() > 1 ? " (in turn, on every batch)" : "") << ": " << batches << " batches of "
      << perUpdate << " per epoch";
  if (rankCount > 1 || accumulate > 1)
    out << " (" << (rankCount > 1 ? std::to_string(rankCount) + " ranks x " : "")
        << (accumulate > 1 ? std::to_string(accumulate) + " accumulated x " : "") << train.batch
        << ")";
  if (samples % perUpdate)
    out << " (the last " << samples % perUpdate << " samples of each epoch are dropped)";
  out << "\n" << std::flush;

  TrainPosition position;
  if (!resumePosition(options, model, samples, perUpdate, position, out, error))
    return fail(err, error);

  InterruptGuard guard;
  FiniteGuard finite(model, options.skipNonFinite ? NonFinitePolicy::Skip : NonFinitePolicy::Stop);
  Progress progress(err, stderrIsTerminal());
  SplitScores testScores;
  // The test split's loss after each epoch (an eval entry's), drawn beside the training curve.
  Curve testCurve{"test", {}, {}, true};
  MetricsLog log;
  if (!log.open(options.log, {"train_accuracy", "test_accuracy", "test_loss"}, error))
    return fail(err, error);
  int64_t lastEpoch = position.epochsDone + options.epochs;
  for (int64_t epoch = position.epochsDone + 1; epoch <= lastEpoch; ++epoch) {
    std::vector<int64_t> order = epochOrder(samples, model.seed(), epoch, options.shuffle);
    std::string label = "epoch " + std::to_string(epoch) + "/" + std::to_string(lastEpoch);
    progress.start(label, batches, perUpdate); // samples of every rank and accumulated batch
    for (StepRun &run : runs)
      run.lossSum = 0, run.calls = 0;
    for (int64_t b = position.batchesDone; b < batches; ++b) {
      for (StepRun &run : runs) {
        EntryBuffers &buffers = *run.buffers;
        auto fill = [&](int64_t k) {
          fillImageBatch(run.binding, data.train,
                         order.data() + b * perUpdate + (k * rankCount + rank) * train.batch,
                         train.batch, buffers);
        };
        for (int64_t r = 0; r < run.step.repeats; ++r) {
          if (!finite.beforeStep(error) ||
              !runUpdate(model, *run.step.entry, run.grad, run.apply, accumulate, buffers, fill,
                         error)) {
            progress.finish();
            return fail(err, error);
          }
          double loss = *buffers.output<float>(0);
          FiniteGuard::Verdict verdict = finite.afterStep(
              *run.step.entry, buffers.inputPointers(), loss,
              label + ", batch " + std::to_string(b + 1), error);
          if (verdict == FiniteGuard::Verdict::Stop) {
            progress.finish();
            return fail(err, error);
          }
          if (verdict == FiniteGuard::Verdict::Skipped)
            continue;
          run.lossSum += loss;
          ++run.calls;
          run.history.push_back(float(loss));
          if (&run == &runs.front())
            log.step(epoch, int64_t(model.step()), loss);
        }
      }
      position.batchesDone = b + 1;
      progress.update(b + 1, runs.front().lossSum / double(runs.front().calls));
      if (InterruptGuard::interrupted() && b + 1 < batches) {
        progress.finish();
        out << "interrupted at " << label << ", batch " << b + 1 << "/" << batches << "\n";
        saveCheckpoint(options, model, out, err, &position);
        savePlot(options, curvesOf(runs), out, err, testCurve);
        return kExitInterrupted;
      }
    }
    position.epochsDone = epoch;
    position.batchesDone = 0;
    double seconds = progress.finish();
    SplitScores trainScores;
    if (score.scoresOutput >= 0 &&
        (!evaluateSplit(model, score, data.train, 0, trainScores, error) ||
         !evaluateSplit(model, score, data.test, 0, testScores, error)))
      return fail(err, error);
    if (!testScores.losses.empty()) {
      testCurve.y.push_back(float(testScores.losses[0]));
      testCurve.x.push_back(double(runs.front().history.size()));
    }
    auto orNan = [](bool has, double v) { return has ? v : std::nan(""); };
    log.epoch(epoch, int64_t(model.step()),
              runs.front().calls ? runs.front().lossSum / double(runs.front().calls) : std::nan(""),
              {orNan(trainScores.hasAccuracy, trainScores.accuracy()),
               orNan(testScores.hasAccuracy, testScores.accuracy()),
               orNan(!testScores.losses.empty(), testScores.losses.empty() ? 0 : testScores.losses[0])});
    char time[32];
    std::snprintf(time, sizeof time, "%.1fs", seconds);
    out << label << "  " << lossesText(runs) << "  train_acc " << accuracyText(trainScores)
        << "  test_acc " << accuracyText(testScores) << "  " << time << "\n"
        << std::flush;
    if (InterruptGuard::interrupted() && epoch < lastEpoch) {
      out << "interrupted after " << label << "\n";
      saveCheckpoint(options, model, out, err, &position);
      savePlot(options, curvesOf(runs), out, err, testCurve);
      return kExitInterrupted;
    }
  }
  if (finite.skipped())
    out << finite.summary() << "\n";
  if (!log.close(error))
    return fail(err, error);
  if (!saveCheckpoint(options, model, out, err, &position) || !savePlot(options, curvesOf(runs), out, err, testCurve))
    return kExitError;
  if (testScores.hasAccuracy)
    out << "test accuracy " << accuracyText(testScores) << "\n";
  return kExitOk;
}

/// Writes "step,loss" and one line per step (%.9g: the float exactly) to `path`.
bool writeLosses(const std::string &path, const std::vector<float> &losses, std::string &error) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream csv(tmp, std::ios::trunc);
    csv << "step,loss\n";
    char line[64];
    for (size_t k = 0; k < losses.size(); ++k) {
      std::snprintf(line, sizeof line, "%zu,%.9g\n", k + 1, double(losses[k]));
      csv << line;
    }
    csv.flush();
    if (!csv) {
      error = path + ": cannot write";
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = path + ": cannot write";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

int trainOnInputs(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  const dl_entry_info *entry = trainEntry(options, model, error);
  std::vector<FileInput> inputs;
  if (!entry || !bindStepInputs(*entry, options.inputs, inputs, error))
    return fail(err, error);

  const dl_entry_info *grad = nullptr, *apply = nullptr;
  if (!findSplitEntries(model, *entry, options.accumulate, grad, apply, error))
    return fail(err, error);

  InterruptGuard guard;
  EntryBuffers buffers(*entry);
  Progress progress(err, stderrIsTerminal());
  int64_t samplesPerStep = entry->n_inputs && entry->inputs[0].rank ? entry->inputs[0].shape[0] : 1;
  // Update `step` takes batch (step * accumulate + k) * ranks + rank of the files, k < accumulate.
  const int64_t rankCount = ranks().size(), rank = ranks().rank(), accumulate = options.accumulate;
  samplesPerStep *= rankCount * accumulate;
  progress.start("train " + std::string(entry->name), options.steps, samplesPerStep, "step");
  std::vector<float> losses;
  double lossSum = 0;
  int status = kExitOk;
  FiniteGuard finite(model, options.skipNonFinite ? NonFinitePolicy::Skip : NonFinitePolicy::Stop);
  for (int64_t step = 0; step < options.steps; ++step) {
    auto fill = [&](int64_t k) {
      fillStep(inputs, (step * accumulate + k) * rankCount + rank, buffers);
    };
    if (!finite.beforeStep(error))
      return progress.finish(), fail(err, error);
    if (!runUpdate(model, *entry, grad, apply, accumulate, buffers, fill, error)) {
      // The kernel names the value and its row in the batch; the step says which batch.
      progress.finish();
      return fail(err, "step " + std::to_string(step + 1) + ": " + error);
    }
    float loss = *buffers.output<float>(0);
    FiniteGuard::Verdict verdict = finite.afterStep(*entry, buffers.inputPointers(), loss,
                                                    "step " + std::to_string(step + 1), error);
    if (verdict == FiniteGuard::Verdict::Stop) {
      progress.finish();
      status = fail(err, error);
      break;
    }
    if (verdict == FiniteGuard::Verdict::Skipped)
      continue;
    losses.push_back(loss);
    lossSum += loss;
    progress.update(step + 1, lossSum / double(losses.size()));
    if (InterruptGuard::interrupted()) {
      progress.finish();
      out << "interrupted after step " << step + 1 << "/" << options.steps << "\n";
      status = kExitInterrupted;
      break;
    }
  }
  progress.finish();
  if (!options.losses.empty() && ranks().isRoot() && !writeLosses(options.losses, losses, error))
    return fail(err, error);
  if (finite.skipped())
    out << finite.summary() << "\n";
  if (status == kExitOk && !losses.empty()) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6g", double(losses.back()));
    out << "steps " << losses.size() << "  loss " << text << "\n";
  }
  if (status != kExitError && !saveCheckpoint(options, model, out, err))
    return kExitError;
  if (!losses.empty() && !savePlot(options, {{entry->name, losses}}, out, err))
    return kExitError;
  return status;
}

} // namespace

int runTrain(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  if (!checkTrainOutputs(options, error))
    return fail(err, error);
  if (!options.text.empty())
    return trainOnText(options, out, err);
  if (options.rowTable())
    return trainOnRows(options, out, err);
  return options.data.empty() ? trainOnInputs(options, out, err) : trainOnData(options, out, err);
}

} // namespace dlrun
