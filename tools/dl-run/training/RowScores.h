//===- RowScores.h - Losses and metrics of a model on rows of a table -*- C++ -*-===//
//
// What `dl-run train` reports on validation and test rows, and `dl-run eval` on a row table: the
// mean of each loss of the eval entry (over the full batches only, as a padded batch's loss counts
// its padding), and the metric its outputs allow, over every row:
//   - accuracy, when an f32 output is [B, classes] and an i32 input [B] holds the labels;
//   - RMSE and MAE, when an f32 output has the shape of an f32 input, the target (the input named
//     y, target or label if several fit; else the last), for regression.
// The entry is the model's eval entry (losses and outputs), else its forward entry (metrics only).
// In a data-parallel run (Ranks.h) the ranks share the batches and sum what they count.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_ROWSCORES_H
#define DL_TOOLS_DLRUN_TRAINING_ROWSCORES_H

#include "tools/dl-run/Model.h"
#include "tools/dl-run/feeds/RowTable.h"

#include <string>
#include <vector>

namespace dlrun {

/// Which entry scores rows, and which of its tensors the metrics compare.
struct RowScoring {
  const dl_entry_info *entry = nullptr;
  int scoresOutput = -1, labelInput = -1;     ///< Accuracy.
  int predictionOutput = -1, targetInput = -1; ///< RMSE and MAE.
  int64_t classes = 0;
};

struct RowScores {
  std::vector<std::string> lossNames;
  std::vector<double> losses; ///< Means over the full batches.
  int64_t fullBatches = 0, rows = 0;
  int64_t correct = 0;
  double squaredError = 0, absoluteError = 0;
  int64_t values = 0;
  double accuracy() const { return rows ? double(correct) / double(rows) : 0; }
  double rmse() const;
  double mae() const { return values ? absoluteError / double(values) : 0; }
  /// The first loss's mean (the value --monitor val_loss watches); NaN when there is none.
  double loss() const;
};

/// Chooses the tensors of `entry` (null: the eval entry, else the forward entry; false only when
/// the model has neither).
bool chooseRowScoring(const Model &model, const dl_entry_info *entry, RowScoring &scoring,
                      std::string &error);

/// Scores `rows` of `table` (whose inputs are bound to `scoring.entry`).
bool scoreRows(Model &model, const RowScoring &scoring, const RowTable &table,
               const std::vector<int64_t> &rows, RowScores &scores, std::string &error);

/// "val_loss 0.1234  val_rmse 0.5  val_mae 0.4" with `prefix` "val_" (the metrics that apply).
std::string rowScoresText(const RowScoring &scoring, const RowScores &scores, const std::string &prefix);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_ROWSCORES_H
