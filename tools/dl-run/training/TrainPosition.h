//===- TrainPosition.h - Where a training run stands, kept in its checkpoint -*- C++ -*-===//
//
// A run resumed from a checkpoint (--init) goes on exactly where the saved run stopped: training
// N epochs equals training k, saving, and resuming for N - k, byte for byte. For that, --save
// writes into the checkpoint's metadata (dl_instance_set_metadata) the seed the run drew from,
// the epochs it finished and, with --data, the batches of the next epoch it trained; each epoch's
// order of samples is a function of the seed and the epoch's number alone, so the resumed run
// rebuilds the order of the epoch it resumes in and skips what was trained. The step counter,
// which the checkpoint holds anyway, gives dropout's masks and --text's windows.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_TRAINPOSITION_H
#define DL_TOOLS_DLRUN_TRAINING_TRAINPOSITION_H

#include "tools/dl-run/Model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dlrun {

/// How far a run got through its data.
struct TrainPosition {
  int64_t epochsDone = 0;  ///< Epochs finished.
  int64_t batchesDone = 0; ///< Batches of the next epoch trained (--data).
  // What the batch count refers to (--data): a position in another data set means nothing.
  int64_t samples = 0, batchSize = 0;
  bool shuffle = true;
};

/// The order of the samples 0..samples-1 in epoch `epoch` (1-based): shuffled (Fisher-Yates over
/// mt19937_64 seeded from `seed` and `epoch` through std::seed_seq, all three fixed by the C++
/// standard, so one seed gives one order on every platform), or in order without `shuffle`.
std::vector<int64_t> epochOrder(int64_t samples, uint64_t seed, int64_t epoch, bool shuffle);

/// Writes `position` into the model's metadata, to be saved with its next checkpoint.
bool storePosition(Model &model, const TrainPosition &position, std::string &error);

/// Reads the position a checkpoint loaded into `model` holds; a checkpoint without one (not
/// written by dl-run train, or by Python) gives the start. False with `error` for metadata that
/// is not dl-run's.
bool loadedPosition(const Model &model, TrainPosition &position, std::string &error);

/// The seed a checkpoint loaded into `model` records, if it records one (else `seed` is empty).
bool loadedSeed(const Model &model, std::optional<uint64_t> &seed, std::string &error);

/// Records `seed` in the model's metadata, to be saved with its next checkpoint.
bool storeSeed(Model &model, uint64_t seed, std::string &error);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_TRAINPOSITION_H
