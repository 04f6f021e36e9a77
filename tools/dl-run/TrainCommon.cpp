//===- TrainCommon.cpp - Ctrl-C, --save and --plot for every training run -===//
#include "tools/dl-run/TrainCommon.h"
#include "tools/dl-run/Commands.h"

namespace dlrun {

namespace {

volatile std::sig_atomic_t interruptedFlag = 0;

void onInterrupt(int) { interruptedFlag = 1; }

} // namespace

InterruptGuard::InterruptGuard() {
  interruptedFlag = 0;
  previous_ = std::signal(SIGINT, onInterrupt);
}

InterruptGuard::~InterruptGuard() { std::signal(SIGINT, previous_); }

bool InterruptGuard::interrupted() { return interruptedFlag != 0; }

bool saveCheckpoint(const Options &options, Model &model, std::ostream &out, std::ostream &err) {
  if (options.save.empty())
    return true;
  std::string error;
  if (!model.save(options.save, error)) {
    fail(err, error);
    return false;
  }
  out << "checkpoint written to " << options.save << "\n";
  return true;
}

bool savePlot(const Options &options, const std::vector<LossSeries> &curves, std::ostream &out,
              std::ostream &err) {
  if (options.plot.empty())
    return true;
  std::string summary, error;
  if (!writeLossPlot(options.plot, curves, summary, error)) {
    fail(err, error);
    return false;
  }
  out << "loss plot written to " << options.plot << " (" << summary << ")\n";
  return true;
}

} // namespace dlrun
