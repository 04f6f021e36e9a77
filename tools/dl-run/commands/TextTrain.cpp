//===- TextTrain.cpp - dl-run train|eval --text: a character language model ===//
//
// Epochs of train steps, each on B windows of T+1 characters at random offsets of the training
// split (feeds/TextFeed.h). A window's offsets are drawn from --seed and the instance's step counter, so
// one seed gives one run, and a run resumed from a checkpoint (--init) goes on to new windows
// instead of repeating the first ones, numbering its epochs after the saved run's. An epoch is floor(training characters / (B*T)) steps, as
// many characters as the split holds, unless --steps says otherwise. After each epoch: the mean
// training loss and the eval entry's loss over the consecutive windows of the validation split
// that fill whole batches (a padded batch's mean would count the padding), both in nats per
// character when the model's loss is a cross-entropy, and the seconds the train steps took.
// `dl-run eval --text` prints that validation loss alone, for a checkpoint (--init).
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Ranks.h"
#include "tools/dl-run/feeds/TextFeed.h"
#include "tools/dl-run/training/NonFinite.h"
#include "tools/dl-run/training/TrainOutputs.h"
#include "tools/dl-run/training/TrainPosition.h"
#include "tools/dl-run/training/TrainSchedule.h"
#include "tools/dl-run/training/Update.h"

#include <cmath>
#include <cstdio>

namespace dlrun {

namespace {

/// The eval entry's bindings and where its losses are.
struct Validation {
  TextBinding binding;
  std::vector<int> lossOutputs;
  std::vector<std::string> lossNames;
  int64_t batches = 0; ///< Full batches of consecutive windows in the validation split.
};

/// The mean of each loss of the eval entry over the validation batches.
bool validate(Model &model, const Validation &validation, const std::vector<int32_t> &split,
              std::vector<double> &losses, std::string &error) {
  const TextBinding &binding = validation.binding;
  EntryBuffers buffers(*binding.entry);
  losses.assign(validation.lossOutputs.size(), 0.0);
  for (int64_t b = 0; b < validation.batches; ++b) {
    fillConsecutiveWindows(binding, split, b * binding.batch, buffers);
    if (!model.call(*binding.entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return false;
    for (size_t k = 0; k < losses.size(); ++k)
      losses[k] += *buffers.output<float>(validation.lossOutputs[k]);
  }
  for (double &loss : losses)
    loss /= double(validation.batches);
  return true;
}

/// "3.1234", or with several losses "ce 3.1234 aux 0.1000"; "-" when there are none.
std::string lossesText(const Validation &validation, const std::vector<double> &losses) {
  if (losses.empty())
    return "-";
  if (losses.size() == 1)
    return formatLoss(losses[0]);
  std::string text;
  for (size_t k = 0; k < losses.size(); ++k)
    text += (k ? " " : "") + validation.lossNames[k] + " " + formatLoss(losses[k]);
  return text;
}

/// Binds the eval entry and counts the validation batches; prints what validation will do, or
/// why there is none.
bool prepareValidation(const Model &model, const dldata::TextDataset &text,
                       Validation &validation, std::ostream &out, std::string &error) {
  const dl_entry_info *eval = model.firstEntry(DL_ENTRY_EVAL);
  if (!eval) {
    out << "note: model '" << model.info().name << "' has no eval entry; no validation loss\n";
    return true;
  }
  if (!bindText(*eval, true, validation.binding, error))
    return false;
  for (int i = 0; i < eval->n_outputs; ++i)
    if (eval->outputs[i].rank == 0 && eval->outputs[i].dtype == DL_F32) {
      validation.lossOutputs.push_back(i);
      validation.lossNames.push_back(eval->outputs[i].name);
    }
  int64_t b = validation.binding.batch, t = validation.binding.length;
  int64_t windows = dldata::consecutiveWindows(int64_t(text.validation.size()), t);
  if (validation.lossOutputs.empty() || windows < b) {
    out << "note: " << (validation.lossOutputs.empty()
                            ? "entry '" + std::string(eval->name) + "' returns no loss"
                            : "the validation split holds " + std::to_string(windows) + " windows of " +
                                  std::to_string(t) + " characters, fewer than one batch of " + std::to_string(b))
        << "; no validation loss\n";
    validation.lossOutputs.clear();
    return true;
  }
  validation.batches = windows / b;
  out << "validation " << eval->name << ": " << validation.batches << " batches of " << b
      << " consecutive windows of " << t << " characters (" << validation.batches * b * t
      << " characters predicted)\n";
  return true;
}

/// Reads --text, prints its splits and vocabulary, and checks the vocabulary against the V of the
/// forward entry's logits.
bool loadTextFor(const Options &options, const Model &model, dldata::TextDataset &text,
                 std::ostream &out, std::string &error) {
  const dl_entry_info *forwardEntry = model.firstEntry(DL_ENTRY_FORWARD);
  if (!forwardEntry) {
    error = "model '" + std::string(model.info().name) + "' has no forward entry; --text needs its "
            "logits for V";
    return false;
  }
  TextBinding forward;
  int logits = -1;
  int64_t classes = 0;
  if (!bindText(*forwardEntry, false, forward, error) || !findLogits(forward, logits, classes, error))
    return false;
  if (!dldata::loadTextDataset(options.text, text, error))
    return false;
  out << "text " << options.text << ": " << text.characters() << " characters, " << text.train.size()
      << " for training and " << text.validation.size() << " for validation\n";
  out << "vocabulary: " << text.vocabulary.size() << " characters (model output '"
      << forwardEntry->outputs[logits].name << "' has V = " << classes << ")\n";
  return checkVocabulary(forwardEntry->outputs[logits], classes, text.vocabulary, options.text, error);
}

} // namespace

int evalOnText(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  if (!model.firstEntry(DL_ENTRY_EVAL))
    return fail(err, "model '" + std::string(model.info().name) + "' has no eval entry to score the text with");
  dldata::TextDataset text;
  Validation validation;
  std::vector<double> losses;
  if (!loadTextFor(options, model, text, out, error) ||
      !prepareValidation(model, text, validation, out, error))
    return fail(err, error);
  if (validation.batches == 0)
    return fail(err, "nothing to score in the validation split of " + options.text);
  if (!validate(model, validation, text.validation, losses, error))
    return fail(err, error);
  out << "validation loss " << lossesText(validation, losses) << "\n";
  return kExitOk;
}

int trainOnText(const Options &options, std::ostream &out, std::ostream &err) {
  // The model first: a model that takes no text fails before the file is read.
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  std::vector<ScheduledStep> steps;
  if (!resolveSchedule({}, options.step, model, steps, error))
    return fail(err, error);
  const dl_entry_info &entry = *steps.front().entry;
  TextBinding train;
  if (!bindText(entry, true, train, error))
    return fail(err, error);
  dldata::TextDataset text;
  if (!loadTextFor(options, model, text, out, error))
    return fail(err, error);
  int64_t b = train.batch, t = train.length;
  if (int64_t(text.train.size()) <= t)
    return fail(err, "the training split of " + options.text + " has " + std::to_string(text.train.size()) +
                         " characters, fewer than one window of T + 1 = " + std::to_string(t + 1));
  int64_t stepsPerEpoch = options.steps > 0 ? options.steps : int64_t(text.train.size()) / (b * t);
  if (stepsPerEpoch == 0)
    return fail(err, "the training split of " + options.text + " has " + std::to_string(text.train.size()) +
                         " characters, fewer than one batch of B x T = " + std::to_string(b * t) +
                         "; give --steps N");
  out << "train " << entry.name << ": " << stepsPerEpoch << (stepsPerEpoch == 1 ? " step" : " steps") << " per epoch"
      << (options.steps > 0 ? " (--steps)" : "") << ", each on " << b << " random windows of " << t
      << " characters\n";
  Validation validation;
  if (!prepareValidation(model, text, validation, out, error))
    return fail(err, error);
  out << std::flush;

  // The windows come from the seed and the step counter, so a resumed run needs only its epochs.
  TrainPosition position;
  if (!options.init.empty() && !loadedPosition(model, position, error))
    return fail(err, options.init + ": " + error);
  position = TrainPosition{position.epochsDone, 0, 0, 0, true};
  if (position.epochsDone > 0)
    out << "resuming " << options.init << " after epoch " << position.epochsDone << " (step "
        << model.step() << ")\n";

  const int64_t accumulate = options.accumulate;
  const dl_entry_info *grad = nullptr, *apply = nullptr;
  if (!findSplitEntries(model, entry, accumulate, grad, apply, error))
    return fail(err, error);

  InterruptGuard guard;
  EntryBuffers buffers(entry);
  Progress progress(err, stderrIsTerminal());
  std::vector<float> history;
  std::vector<double> validationLosses;
  FiniteGuard finite(model, options.skipNonFinite ? NonFinitePolicy::Skip : NonFinitePolicy::Stop);
  int64_t lastEpoch = position.epochsDone + options.epochs;
  for (int64_t epoch = position.epochsDone + 1; epoch <= lastEpoch; ++epoch) {
    std::string label = "epoch " + std::to_string(epoch) + "/" + std::to_string(lastEpoch);
    progress.start(label, stepsPerEpoch, b * t * ranks().size() * accumulate, "step", "chars");
    double lossSum = 0;
    for (int64_t k = 0; k < stepsPerEpoch; ++k) {
      // Each rank, and each batch of an accumulation, draws its own windows: the rank and the
      // batch are folded into the seed and the step (rank 0 of one process keeps both).
      auto fill = [&](int64_t batch) {
        uint64_t seed = model.seed() + uint64_t(ranks().rank()) * 0x9E3779B97F4A7C15ull;
        fillRandomWindows(train, text.train, seed, model.step() * accumulate + batch, buffers);
      };
      if (!finite.beforeStep(error) ||
          !runUpdate(model, entry, grad, apply, accumulate, buffers, fill, error)) {
        progress.finish();
        return fail(err, error);
      }
      double loss = *buffers.output<float>(0);
      FiniteGuard::Verdict verdict = finite.afterStep(
          entry, buffers.inputPointers(), loss, label + ", step " + std::to_string(k + 1), error);
      if (verdict == FiniteGuard::Verdict::Stop) {
        progress.finish();
        return fail(err, error);
      }
      if (verdict == FiniteGuard::Verdict::Skipped)
        continue;
      lossSum += loss;
      if (!options.plot.empty())
        history.push_back(float(loss));
      progress.update(k + 1, lossSum / double(k + 1));
      if (InterruptGuard::interrupted()) {
        progress.finish();
        out << "interrupted at " << label << ", step " << k + 1 << "/" << stepsPerEpoch << "\n";
        saveCheckpoint(options, model, out, err, &position);
        savePlot(options, {{entry.name, history}}, out, err);
        return kExitInterrupted;
      }
    }
    position.epochsDone = epoch;
    double seconds = progress.finish();
    if (validation.batches > 0 && !validate(model, validation, text.validation, validationLosses, error))
      return fail(err, error);
    char time[32];
    std::snprintf(time, sizeof time, "%.1fs", seconds);
    out << label << "  loss " << formatLoss(lossSum / double(stepsPerEpoch)) << "  val_loss "
        << lossesText(validation, validationLosses) << "  " << time << "\n"
        << std::flush;
  }
  if (!saveCheckpoint(options, model, out, err, &position) || !savePlot(options, {{entry.name, history}}, out, err))
    return kExitError;
  if (!validationLosses.empty())
    out << "validation loss " << lossesText(validation, validationLosses) << "\n";
  return kExitOk;
}

} // namespace dlrun
