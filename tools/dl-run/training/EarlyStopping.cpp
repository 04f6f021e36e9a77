//===- EarlyStopping.cpp - Stopping when validation stops improving -------===//
#include "tools/dl-run/training/EarlyStopping.h"

#include "tools/dl-run/Ranks.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace dlrun {

namespace {

const dl_tensor_info &stateTensor(const dl_model_info &info, int i) {
  return i < info.n_params ? info.params[i] : info.buffers[i - info.n_params];
}

} // namespace

EarlyStopping::EarlyStopping(int64_t patience, std::string monitor, std::string saveBest)
    : patience_(patience), monitor_(std::move(monitor)), saveBest_(std::move(saveBest)) {}

bool EarlyStopping::lowerIsBetter(const std::string &monitor) { return monitor != "val_accuracy"; }

bool EarlyStopping::afterEpoch(Model &model, int64_t epoch, double value, std::ostream &out,
                               bool &stop, std::string &error) {
  stop = false;
  lastEpoch_ = epoch;
  bool improved = std::isfinite(value) &&
                  (bestEpoch_ == 0 || (lowerIsBetter(monitor_) ? value < best_ : value > best_));
  if (improved) {
    best_ = value;
    bestEpoch_ = epoch;
    const dl_model_info &info = model.info();
    snapshot_.resize(size_t(info.n_params + info.n_buffers));
    for (int i = 0; i < info.n_params + info.n_buffers; ++i) {
      const dl_tensor_info &t = stateTensor(info, i);
      void *data = nullptr;
      if (!model.tensor(t.name, data, error))
        return false;
      auto *bytes = static_cast<const unsigned char *>(data);
      snapshot_[size_t(i)].assign(bytes, bytes + t.bytes);
    }
    if (!saveBest_.empty() && ranks().isRoot()) {
      if (!model.save(saveBest_, error))
        return false;
      char text[32];
      std::snprintf(text, sizeof text, "%.4f", value);
      out << "best " << monitor_ << " " << text << " so far: epoch " << epoch << " saved to "
          << saveBest_ << "\n";
    }
  }
  stop = patience_ > 0 && epoch - bestEpoch_ >= patience_;
  return true;
}

bool EarlyStopping::restoreBest(Model &model, std::ostream &out, std::string &error) {
  if (bestEpoch_ == 0 || bestEpoch_ == lastEpoch_)
    return true;
  const dl_model_info &info = model.info();
  for (int i = 0; i < info.n_params + info.n_buffers; ++i) {
    const dl_tensor_info &t = stateTensor(info, i);
    void *data = nullptr;
    if (!model.tensor(t.name, data, error))
      return false;
    std::memcpy(data, snapshot_[size_t(i)].data(), t.bytes);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", best_);
  out << "restored epoch " << bestEpoch_ << " (best " << monitor_ << " " << text << ")\n";
  return true;
}

} // namespace dlrun
