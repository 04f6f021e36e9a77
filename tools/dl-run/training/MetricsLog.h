//===- MetricsLog.h - Training values a program can read -----------*- C++ -*-===//
//
// `dl-run train --log FILE`: every step's loss and every epoch's values, written as training goes
// (flushed after each epoch), for a notebook or a plotting tool. FILE.jsonl or FILE.json: JSON
// lines, {"event": "step", "epoch": 1, "step": 3, "loss": 0.52} and {"event": "epoch", "epoch":
// 1, "step": 60, "loss": 0.48, "val_loss": 0.51, ...}, a non-finite value as null. Any other name:
// CSV with the header `event,epoch,step,loss,<epoch columns>`, a step's row leaving the epoch
// columns empty, non-finite values as nan/inf/-inf. `step` counts updates from the start of the
// run that saved the model (dl_instance_step). Only rank 0 of a data-parallel run writes.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_METRICSLOG_H
#define DL_TOOLS_DLRUN_TRAINING_METRICSLOG_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace dlrun {

class MetricsLog {
public:
  MetricsLog() = default;
  MetricsLog(const MetricsLog &) = delete;
  MetricsLog &operator=(const MetricsLog &) = delete;
  ~MetricsLog();

  /// Opens `path` (nothing when empty or not rank 0) with the epoch columns `columns` (after loss).
  bool open(const std::string &path, std::vector<std::string> columns, std::string &error);
  void step(int64_t epoch, int64_t step, double loss);
  /// `values` in the order of the columns given to open.
  void epoch(int64_t epoch, int64_t step, double loss, const std::vector<double> &values);
  /// Flushes and closes; false with `error` when a write failed.
  bool close(std::string &error);

private:
  void row(const char *event, int64_t epoch, int64_t step, double loss,
           const std::vector<double> *values);

  std::FILE *file_ = nullptr;
  std::string path_;
  bool json_ = false;
  std::vector<std::string> columns_;
};

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_METRICSLOG_H
