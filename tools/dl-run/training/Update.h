//===- Update.h - One optimizer update, of one batch or accumulated -*- C++ -*-===//
//
// What the training loops call for each update of a train entry. With --accumulate 1 it is one
// call of the entry. With --accumulate K it is K calls of the entry's `<name>_grad` (each adding
// one batch's gradient into the step's gradient area) and one of `<name>_apply` (the update from
// their mean; with a communicator attached, the mean over the ranks too), as PyTorch users do with
// loss.backward() K times before optimizer.step(): the update of a K times larger batch in the
// memory of one.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_UPDATE_H
#define DL_TOOLS_DLRUN_TRAINING_UPDATE_H

#include "tools/dl-run/Model.h"
#include "tools/dl-run/feeds/EntryBuffers.h"

#include <functional>
#include <string>

namespace dlrun {

/// The grad and apply entries an update of `train` needs with `accumulate` batches (null when
/// `accumulate` is 1); false with `error` when the library has none.
bool findSplitEntries(const Model &model, const dl_entry_info &train, int64_t accumulate,
                      const dl_entry_info *&grad, const dl_entry_info *&apply, std::string &error);

/// One update of `train`: for k = 0 .. accumulate - 1, `fill(k)` writes batch k into `buffers`
/// (the train entry's), which `train` (accumulate 1) or `grad` then takes; then `apply`. The loss
/// of the update (of the batch; the mean of the batches accumulated) is left in `buffers`' output.
bool runUpdate(Model &model, const dl_entry_info &train, const dl_entry_info *grad,
               const dl_entry_info *apply, int64_t accumulate, EntryBuffers &buffers,
               const std::function<void(int64_t)> &fill, std::string &error);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_UPDATE_H
