//===- NonFinite.cpp - Train steps whose numbers are not finite ------------===//
#include "tools/dl-run/training/NonFinite.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace dlrun {
namespace {

/// Steps skipped in a row before a skipping run gives up: nothing is being learned.
constexpr int64_t kMaxConsecutiveSkips = 100;

/// The index of the first element of `count` floats that is not finite, or -1.
int64_t firstNonFinite(const float *data, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(data[i]))
      return i;
  return -1;
}

/// Tensor `i` of the state that a skipped step restores: the parameters, then the buffers.
const dl_tensor_info &stateTensor(const dl_model_info &info, int i) {
  return i < info.n_params ? info.params[i] : info.buffers[i - info.n_params];
}

} // namespace

std::string describeNumber(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

std::string firstNonFiniteInput(const dl_entry_info &entry,
                                const std::vector<const void *> &inputs) {
  for (int i = 0; i < entry.n_inputs && i < int(inputs.size()); ++i) {
    const dl_tensor_info &t = entry.inputs[i];
    if (t.dtype != DL_F32 || !inputs[i])
      continue;
    const float *data = static_cast<const float *>(inputs[i]);
    int64_t bad = firstNonFinite(data, elementCount(t));
    if (bad >= 0)
      return "input '" + std::string(t.name) + "' holds " + describeNumber(data[bad]) +
             " (element " + std::to_string(bad) + " of this batch)";
  }
  return "";
}

bool FiniteGuard::beforeStep(std::string &error) {
  if (policy_ != NonFinitePolicy::Skip)
    return true;
  const dl_model_info &info = model_.info();
  saved_.resize(size_t(info.n_params + info.n_buffers));
  for (int i = 0; i < info.n_params + info.n_buffers; ++i) {
    const dl_tensor_info &t = stateTensor(info, i);
    void *data = nullptr;
    if (!model_.tensor(t.name, data, error))
      return false;
    saved_[i].assign(static_cast<char *>(data), static_cast<char *>(data) + t.bytes);
  }
  return true;
}

std::string FiniteGuard::firstNonFiniteParameter() {
  const dl_model_info &info = model_.info();
  for (int i = 0; i < info.n_params; ++i) {
    const dl_tensor_info &t = info.params[i];
    void *data = nullptr;
    std::string error;
    if (t.dtype != DL_F32 || !model_.tensor(t.name, data, error))
      continue;
    const float *values = static_cast<const float *>(data);
    int64_t bad = firstNonFinite(values, elementCount(t));
    if (bad >= 0)
      return "'" + std::string(t.name) + "' (element " + std::to_string(bad) + " is " +
             describeNumber(values[bad]) + ")";
  }
  return "";
}

FiniteGuard::Verdict FiniteGuard::afterStep(const dl_entry_info &entry,
                                            const std::vector<const void *> &inputs, double loss,
                                            const std::string &where, std::string &message) {
  // On the CPU the parameters are read in place after every step; on a GPU only when the loss
  // says something is wrong (or to skip), since each look copies the state to the host.
  bool everyStep = policy_ == NonFinitePolicy::Skip || !model_.onGpu();
  std::string parameter = everyStep || !std::isfinite(loss) ? firstNonFiniteParameter() : "";
  if (std::isfinite(loss) && parameter.empty()) {
    consecutive_ = 0;
    return Verdict::Finite;
  }
  std::string what = std::isfinite(loss)
                         ? "the parameters of " + std::string(entry.name) +
                               " are not finite after " + where
                         : "the loss of " + std::string(entry.name) + " is " +
                               describeNumber(loss) + " at " + where;
  std::string input = firstNonFiniteInput(entry, inputs);
  std::string why = !input.empty() ? "; " + input
                    : !parameter.empty()
                        ? "; the first parameter that is not finite is " + parameter +
                              " (training diverged: a lower learning rate may help)"
                        : "; the parameters are still finite (training diverged: a lower "
                          "learning rate may help)";
  if (policy_ == NonFinitePolicy::Skip && consecutive_ < kMaxConsecutiveSkips) {
    const dl_model_info &info = model_.info();
    for (int i = 0; i < info.n_params + info.n_buffers && size_t(i) < saved_.size(); ++i) {
      const dl_tensor_info &t = stateTensor(info, i);
      void *data = nullptr;
      std::string error;
      if (!model_.tensor(t.name, data, error)) {
        message = error;
        return Verdict::Stop;
      }
      std::memcpy(data, saved_[i].data(), t.bytes);
    }
    if (skipped_++ == 0)
      firstSkipped_ = what + why;
    ++consecutive_;
    return Verdict::Skipped;
  }
  message = what + why;
  if (policy_ == NonFinitePolicy::Skip)
    message += "; stopped after " + std::to_string(kMaxConsecutiveSkips) +
               " steps in a row were skipped";
  else
    message += " (--on-nonfinite=skip skips such steps)";
  return Verdict::Stop;
}

std::string FiniteGuard::summary() const {
  if (!skipped_)
    return "";
  return "skipped " + std::to_string(skipped_) + " step" + (skipped_ == 1 ? "" : "s") +
         " whose numbers were not finite; the first: " + firstSkipped_;
}

} // namespace dlrun
