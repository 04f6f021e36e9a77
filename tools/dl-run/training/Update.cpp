//===- Update.cpp - One optimizer update, of one batch or accumulated -----===//
#include "tools/dl-run/training/Update.h"

namespace dlrun {

bool findSplitEntries(const Model &model, const dl_entry_info &train, int64_t accumulate,
                      const dl_entry_info *&grad, const dl_entry_info *&apply, std::string &error) {
  grad = apply = nullptr;
  if (accumulate == 1)
    return true;
  grad = model.entry(std::string(train.name) + "_grad");
  apply = model.entry(std::string(train.name) + "_apply");
  if (grad && apply && grad->kind == DL_ENTRY_GRAD && apply->kind == DL_ENTRY_APPLY)
    return true;
  error = "--accumulate needs the entries " + std::string(train.name) + "_grad and " + train.name +
          "_apply, which model '" + model.info().name + "' lacks (compile it again with this dlc)";
  return false;
}

bool runUpdate(Model &model, const dl_entry_info &train, const dl_entry_info *grad,
               const dl_entry_info *apply, int64_t accumulate, EntryBuffers &buffers,
               const std::function<void(int64_t)> &fill, std::string &error) {
  if (accumulate == 1) {
    fill(0);
    return model.call(train, buffers.inputPointers(), buffers.outputPointers(), error);
  }
  for (int64_t k = 0; k < accumulate; ++k) {
    fill(k);
    if (!model.call(*grad, buffers.inputPointers(), buffers.outputPointers(), error)) {
      error = "batch " + std::to_string(k + 1) + " of " + std::to_string(accumulate) + ": " + error;
      return false;
    }
  }
  return model.call(*apply, {}, buffers.outputPointers(), error);
}

} // namespace dlrun
