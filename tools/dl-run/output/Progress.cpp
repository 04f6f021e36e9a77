//===- Progress.cpp - Progress bar and plain progress lines ---------------===//
#include "tools/dl-run/output/Progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <unistd.h>

namespace dlrun {

bool stderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string formatDuration(double seconds) {
  char text[32];
  long s = long(seconds + 0.5);
  if (s < 60)
    std::snprintf(text, sizeof text, "%lds", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return text;
}

std::string formatLoss(double loss) {
  char text[32];
  double magnitude = std::fabs(loss);
  std::snprintf(text, sizeof text, magnitude >= 1e-3 || magnitude == 0 || !std::isfinite(loss) ? "%.4f" : "%.3e",
                loss);
  return text;
}

void Progress::start(const std::string &label, int64_t total, int64_t samplesPerBatch, const std::string &unit,
                     const std::string &sampleUnit) {
  label_ = label;
  unit_ = unit;
  sampleUnit_ = sampleUnit;
  total_ = total;
  samplesPerBatch_ = samplesPerBatch;
  nextPlainLine_ = 1;
  start_ = lastDraw_ = std::chrono::steady_clock::now();
  drawn_ = false;
}

std::string Progress::line(int64_t done, double loss, double elapsed) const {
  std::ostringstream text;
  text << label_;
  if (terminal_) {
    constexpr int kWidth = 24;
    int filled = total_ ? int(done * kWidth / total_) : kWidth;
    text << " [" << std::string(size_t(filled), '=') << (filled < kWidth ? ">" : "")
         << std::string(size_t(std::max(0, kWidth - filled - 1)), ' ') << "]";
  }
  text << "  " << unit_ << " " << done << "/" << total_ << "  loss " << formatLoss(loss);
  if (elapsed > 0 && done > 0) {
    double rate = double(done * samplesPerBatch_) / elapsed;
    text << "  " << int64_t(rate + 0.5) << " " << sampleUnit_ << "/s  ETA "
         << formatDuration(elapsed / double(done) * double(total_ - done));
  }
  return text.str();
}

void Progress::update(int64_t done, double loss) {
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (terminal_) {
    if (done < total_ && drawn_ && now - lastDraw_ < std::chrono::milliseconds(100))
      return;
    lastDraw_ = now;
    drawn_ = true;
    out_ << "\r" << line(done, loss, elapsed) << "\033[K" << std::flush;
    return;
  }
  // Plain lines at each tenth of the run (every batch of runs shorter than ten batches).
  if (total_ < 10 || done * 10 >= nextPlainLine_ * total_) {
    while (nextPlainLine_ * total_ <= done * 10)
      ++nextPlainLine_;
    out_ << line(done, loss, elapsed) << "\n" << std::flush;
  }
}

double Progress::finish() {
  if (terminal_ && drawn_)
    out_ << "\r\033[K" << std::flush;
  drawn_ = false;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

} // namespace dlrun
