//===- NonFinite.h - Train steps whose numbers are not finite -------*- C++ -*-===//
//
// A train step whose loss is NaN or infinite, or after which a parameter is (an infinite or NaN
// gradient reaches the parameters through the update), is caught by a FiniteGuard: it says which
// it was, at which step, and why it may be so (the batch's inputs hold NaN or inf, or the first
// parameter that is not finite). With `--on-nonfinite=skip` the guard copies the model's state
// before each step and restores it after a bad one, so training goes on without that batch; with
// `stop` (the default) training ends with that message.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_NONFINITE_H
#define DL_TOOLS_DLRUN_TRAINING_NONFINITE_H

#include "tools/dl-run/Model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlrun {

enum class NonFinitePolicy { Stop, Skip };

class FiniteGuard {
public:
  FiniteGuard(Model &model, NonFinitePolicy policy) : model_(model), policy_(policy) {}

  /// Before a train call: with Skip, keeps a copy of the parameters and buffers.
  bool beforeStep(std::string &error);

  enum class Verdict { Finite, Skipped, Stop };
  /// After a train call of `entry` with `inputs` (the entry's order) that returned `loss`, at
  /// `where` ("epoch 1/2, batch 3"). Stop: `message` says what is not finite and why.
  Verdict afterStep(const dl_entry_info &entry, const std::vector<const void *> &inputs,
                    double loss, const std::string &where, std::string &message);

  /// How many steps were skipped, and a line saying so (empty when none).
  int64_t skipped() const { return skipped_; }
  std::string summary() const;

private:
  /// The first f32 parameter holding a value that is not finite: "'fc1.W' (element 17 is nan)".
  std::string firstNonFiniteParameter();

  Model &model_;
  NonFinitePolicy policy_;
  std::vector<std::vector<char>> saved_; // params, then buffers, in the model's order
  int64_t skipped_ = 0;
  int64_t consecutive_ = 0;
  std::string firstSkipped_;
};

/// "nan", "inf" or "-inf" for a value that is not finite, else "%g".
std::string describeNumber(double v);

/// "input 'x' holds nan (element 5)" for the first f32 input of `entry` holding a value that is
/// not finite, or empty.
std::string firstNonFiniteInput(const dl_entry_info &entry,
                                const std::vector<const void *> &inputs);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_NONFINITE_H
