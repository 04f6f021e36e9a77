//===- TrainOutputs.h - What every training run leaves behind ---*- C++ -*-===//
//
// Training on images (--data), on files (--inputs) and on text (--text) end the same way: Ctrl-C
// stops after the current step, --save writes a checkpoint (also after Ctrl-C) and --plot draws
// the losses, both checked to be writable before the first step. This file holds those pieces;
// the loops themselves live in commands/Train.cpp and commands/TextTrain.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_TRAINOUTPUTS_H
#define DL_TOOLS_DLRUN_TRAINING_TRAINOUTPUTS_H

#include "tools/dl-run/Model.h"
#include "tools/dl-run/Options.h"
#include "tools/dl-run/output/Plot.h"
#include "tools/dl-run/training/TrainPosition.h"

#include <csignal>
#include <ostream>
#include <vector>

namespace dlrun {

/// Catches Ctrl-C for the lifetime of a training run, then restores what was there.
class InterruptGuard {
public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard &) = delete;
  InterruptGuard &operator=(const InterruptGuard &) = delete;

  /// Whether Ctrl-C was pressed since the guard was made.
  static bool interrupted();

private:
  void (*previous_)(int);
};

/// Checks, before training, that the files a run writes at its end (--save, --plot, --losses) can
/// be written: each path's folder exists and takes a new file, and the path is no folder. A run
/// that trained for hours and then found the folder missing lost what it learned.
bool checkTrainOutputs(const Options &options, std::string &error);

/// Writes --save, if given, and says so on `out`; reports a failure as an error line on `err`.
/// The checkpoint records the run's seed and, when given, where the run stands in its data
/// (TrainPosition.h), so that --init resumes it exactly.
bool saveCheckpoint(const Options &options, Model &model, std::ostream &out, std::ostream &err,
                    const TrainPosition *position = nullptr);

/// Writes --plot, if given, and says so on `out`; reports a failure as an error line on `err`.
/// `training` holds one solid curve per train step, a loss per call. `validation`, when it has
/// losses, is drawn beside them as dots joined by a dashed line, each at its x position: the
/// number of calls of the first train step done when it was measured (at the end of epoch k,
/// k x the calls of an epoch). The title is the model's file name and "loss".
bool savePlot(const Options &options, const std::vector<LossSeries> &training, std::ostream &out,
              std::ostream &err, const Curve &validation = Curve());

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_TRAINOUTPUTS_H
