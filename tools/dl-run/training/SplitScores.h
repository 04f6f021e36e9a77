//===- SplitScores.h - Losses and accuracy of a model on a data split --*- C++ -*-===//
//
// Runs a forward or eval entry over a whole split of an image data set, B samples per call, the
// last partial batch padded with zeros whose rows are ignored. Accuracy is the share of samples
// whose argmax over the entry's [B, classes] output is their label. Losses (the scalar outputs of
// an eval entry) are means over the full batches only, since a padded batch's loss includes the
// padding. In a data-parallel run (Ranks.h) the ranks share the batches and sum what they count.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_SPLITSCORES_H
#define DL_TOOLS_DLRUN_TRAINING_SPLITSCORES_H

#include "tools/dl-run/feeds/ImageFeed.h"
#include "tools/dl-run/Model.h"

#include <string>
#include <vector>

namespace dlrun {

struct SplitScores {
  int64_t samples = 0;
  int64_t correct = 0;
  bool hasAccuracy = false;
  double accuracy() const { return samples ? double(correct) / double(samples) : 0; }
  std::vector<std::string> lossNames; ///< The entry's scalar outputs.
  std::vector<double> losses;         ///< Their means over the full batches.
  int64_t fullBatches = 0;
};

/// The accuracy (and losses) of `binding`'s entry over the first `limit` samples of `split` (all
/// when `limit` is 0).
bool evaluateSplit(Model &model, const ImageBinding &binding, const dldata::ImageSplit &split,
                   int64_t limit, SplitScores &scores, std::string &error);

/// Counts the rows among the first `count` of a [B, classes] `scores` output whose argmax equals
/// `labels[row]`.
int64_t countCorrect(const float *scores, int64_t classes, const int32_t *labels, int64_t count);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_SPLITSCORES_H
