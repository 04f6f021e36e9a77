//===- PhaseTimes.h - Where a compile's time goes (dlc --time-phases) -*- C++ -*-===//
//
// The phases of one dlc run, in order, with their wall-clock seconds, and the seconds each kernel's
// compile (done in a child process, ForkedJobs.h) spent lowering in Halide and in LLVM. The report
// is what `dlc --time-phases` prints to standard error, as LLVM's -time-passes does. Standard
// library only: the driver, the codegen and the tests include it.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_PHASETIMES_H
#define DLC_CODEGEN_PHASETIMES_H

#include <chrono>
#include <string>
#include <vector>

namespace dl::codegen {

class PhaseTimes {
public:
  using Clock = std::chrono::steady_clock;

  /// A compile job run in a child: a kernel, or Halide's runtime (`nodes` 0).
  struct Job {
    std::string name;
    size_t nodes = 0;
    double lower = 0, llvm = 0; ///< CPU seconds in the child (HalideCodegen.h's CompileTimes).
  };

  PhaseTimes() : start_(Clock::now()), last_(start_) {}

  /// Ends the current phase, named `name`, at now (it began where the previous one ended).
  void phase(const std::string &name);
  /// Records one child's job.
  void job(Job job) { jobs_.push_back(std::move(job)); }

  /// The report: every phase's wall seconds, the jobs' sums and the slowest jobs, and the CPU
  /// seconds of this process and its children (getrusage).
  std::string report() const;

private:
  Clock::time_point start_, last_;
  std::vector<std::pair<std::string, double>> phases_;
  std::vector<Job> jobs_;
};

/// "LOWER LLVM" as a child sends its job's seconds back; false when `text` is not that.
std::string encodeJobSeconds(double lower, double llvm);
bool decodeJobSeconds(const std::string &text, double &lower, double &llvm);

} // namespace dl::codegen

#endif // DLC_CODEGEN_PHASETIMES_H
