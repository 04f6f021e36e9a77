//===- Progress.h - Progress of a run of batches ------------------*- C++ -*-===//
//
// On a terminal, one line redrawn in place at most ten times a second: a label ("epoch 1/2"), a bar,
// batch i/n, the running loss, samples per second and the time left. Elsewhere (a pipe, a log
// file, a test), a plain line at every tenth of the run, so logs stay short and readable. Either
// way, nothing is left of the bar once the run finishes; callers print their own summary line.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OUTPUT_PROGRESS_H
#define DL_TOOLS_DLRUN_OUTPUT_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace dlrun {

/// True when standard error is a terminal.
bool stderrIsTerminal();

/// "7s", "2m05s", "1h02m".
std::string formatDuration(double seconds);

/// A loss for people: four decimals ("0.5120"), small ones in scientific notation ("1.234e-05"),
/// and "nan" or "inf".
std::string formatLoss(double loss);

class Progress {
public:
  Progress(std::ostream &out, bool terminal) : out_(out), terminal_(terminal) {}

  /// Starts a run of `total` batches (or steps: `unit`) of `samplesPerBatch` samples (or
  /// characters: `sampleUnit`, as the rate names them).
  void start(const std::string &label, int64_t total, int64_t samplesPerBatch,
             const std::string &unit = "batch", const std::string &sampleUnit = "samples");
  /// Reports that `done` batches are finished; `loss` is the running mean loss.
  void update(int64_t done, double loss);
  /// Clears the bar. Returns the seconds since start.
  double finish();

private:
  std::string line(int64_t done, double loss, double elapsed) const;

  std::ostream &out_;
  bool terminal_;
  std::string label_, unit_, sampleUnit_;
  int64_t total_ = 0, samplesPerBatch_ = 0, nextPlainLine_ = 0;
  std::chrono::steady_clock::time_point start_, lastDraw_;
  bool drawn_ = false;
};

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OUTPUT_PROGRESS_H
