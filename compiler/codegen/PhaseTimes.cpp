//===- PhaseTimes.cpp - Where a compile's time goes (dlc --time-phases) ----===//
#include "compiler/codegen/PhaseTimes.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <sstream>
#include <sys/resource.h>

namespace dl::codegen {

namespace {

std::string line(const char *format, ...) __attribute__((format(printf, 1, 2)));
std::string line(const char *format, ...) {
  char buffer[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return std::string(buffer) + "\n";
}

double cpuSeconds(int who) {
  struct rusage usage {};
  ::getrusage(who, &usage);
  auto s = [](const timeval &t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

} // namespace

void PhaseTimes::phase(const std::string &name) {
  Clock::time_point now = Clock::now();
  phases_.emplace_back(name, std::chrono::duration<double>(now - last_).count());
  last_ = now;
}

std::string PhaseTimes::report() const {
  std::string out = "===-- dlc --time-phases --===\n";
  double total = std::chrono::duration<double>(last_ - start_).count();
  out += line("%10s  %s", "wall (s)", "phase");
  for (const auto &[name, seconds] : phases_)
    out += line("%10.3f  %s", seconds, name.c_str());
  out += line("%10.3f  %s", total, "total");
  out += line("CPU: %.3f s in dlc, %.3f s in its compiling children", cpuSeconds(RUSAGE_SELF),
              cpuSeconds(RUSAGE_CHILDREN));
  if (jobs_.empty())
    return out;
  double lower = 0, llvm = 0;
  for (const Job &j : jobs_) {
    lower += j.lower;
    llvm += j.llvm;
  }
  out += line("%zu compile jobs (in children, CPU s): %.3f lowering in Halide, %.3f in LLVM",
              jobs_.size(), lower, llvm);
  std::vector<Job> slowest = jobs_;
  std::stable_sort(slowest.begin(), slowest.end(), [](const Job &a, const Job &b) {
    return a.lower + a.llvm > b.lower + b.llvm;
  });
  slowest.resize(std::min<size_t>(slowest.size(), 10));
  out += line("%10s %10s %6s  %s", "lower", "llvm", "nodes", "slowest jobs (CPU s)");
  for (const Job &j : slowest)
    out += line("%10.3f %10.3f %6zu  %s", j.lower, j.llvm, j.nodes, j.name.c_str());
  return out;
}

std::string encodeJobSeconds(double lower, double llvm) {
  std::ostringstream os;
  os.precision(9);
  os << lower << " " << llvm;
  return os.str();
}

bool decodeJobSeconds(const std::string &text, double &lower, double &llvm) {
  std::istringstream in(text);
  return static_cast<bool>(in >> lower >> llvm);
}

} // namespace dl::codegen
