//===- EarlyStopping.h - Stopping when validation stops improving ----*- C++ -*-===//
//
// `--early-stop PATIENCE [--monitor val_loss|val_accuracy|val_rmse|val_mae]`: after each epoch the
// monitored validation value is compared with the best so far (lower is better, higher for
// accuracy); an improvement keeps a copy of the parameters and buffers (optimizer state included)
// in memory, and PATIENCE epochs without one stop training. At the end the best epoch's tensors
// are restored, as Keras' EarlyStopping(restore_best_weights=True) does, so --save writes the best
// model; the step counter keeps counting the steps taken. `--save-best FILE` (with or without
// early stopping) writes a checkpoint of each new best epoch as training goes (rank 0 only).
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_EARLYSTOPPING_H
#define DL_TOOLS_DLRUN_TRAINING_EARLYSTOPPING_H

#include "tools/dl-run/Model.h"

#include <ostream>
#include <string>
#include <vector>

namespace dlrun {

class EarlyStopping {
public:
  /// `patience` 0: never stops (only tracks the best, for --save-best).
  EarlyStopping(int64_t patience, std::string monitor, std::string saveBest);

  /// Whether `monitor` names a value lower is better for ("val_accuracy" is the one that is not).
  static bool lowerIsBetter(const std::string &monitor);

  /// After `epoch` with the monitored `value`: remembers (and with --save-best writes) a new best;
  /// sets `stop` when `patience` epochs went by without one.
  bool afterEpoch(Model &model, int64_t epoch, double value, std::ostream &out, bool &stop,
                  std::string &error);
  /// Restores the best epoch's tensors, saying so on `out`; nothing when the last epoch was best.
  bool restoreBest(Model &model, std::ostream &out, std::string &error);

  int64_t bestEpoch() const { return bestEpoch_; }

private:
  int64_t patience_;
  std::string monitor_, saveBest_;
  int64_t bestEpoch_ = 0, lastEpoch_ = 0;
  double best_ = 0;
  std::vector<std::vector<unsigned char>> snapshot_; ///< Params, then buffers.
};

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_EARLYSTOPPING_H
