//===- TrainOutputs.cpp - Ctrl-C, --save and --plot for every training run -===//
#include "tools/dl-run/training/TrainOutputs.h"

#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Ranks.h"
#include "tools/dl-run/training/TrainPosition.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlrun {

namespace {

/// Whether `flag`'s file `path` can be written when training ends (see checkTrainOutputs).
bool checkWritable(const std::string &flag, const std::string &path, std::string &error) {
  if (path.empty())
    return true;
  auto fail = [&](const std::string &why) {
    error = flag + " " + path + ": " + why;
    return false;
  };
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    return fail("is a folder; give a file name");
  size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::stat(folder.c_str(), &info) != 0)
    return fail("cannot write into the folder " + folder + ": " + std::strerror(errno));
  if (!S_ISDIR(info.st_mode))
    return fail(folder + " is not a folder");
  // Creating a file is the only sure test (permissions, a read-only file system, root's rights);
  // the file is removed at once.
  std::string probe = path + ".probe." + std::to_string(::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail("cannot write into the folder " + folder + ": " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

/// "fashion_mlp loss" for the model build/fashion_mlp.so.
std::string plotTitle(const std::string &modelPath) {
  std::string name = modelPath.substr(modelPath.rfind('/') + 1);
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0)
    name.resize(name.size() - 3);
  return name.empty() ? "loss" : name + " loss";
}

volatile std::sig_atomic_t interruptedFlag = 0;

void onInterrupt(int) { interruptedFlag = 1; }

} // namespace

InterruptGuard::InterruptGuard() {
  interruptedFlag = 0;
  previous_ = std::signal(SIGINT, onInterrupt);
}

InterruptGuard::~InterruptGuard() { std::signal(SIGINT, previous_); }

bool InterruptGuard::interrupted() { return interruptedFlag != 0; }

bool checkTrainOutputs(const Options &options, std::string &error) {
  return checkWritable("--save", options.save, error) &&
         checkWritable("--plot", options.plot, error) &&
         checkWritable("--losses", options.losses, error);
}

bool saveCheckpoint(const Options &options, Model &model, std::ostream &out, std::ostream &err,
                    const TrainPosition *position) {
  // Every rank holds the same state; rank 0 writes it (atomically, as every checkpoint).
  if (options.save.empty() || !ranks().isRoot())
    return true;
  std::string error;
  if (!storeSeed(model, model.seed(), error) ||
      (position && !storePosition(model, *position, error)) || !model.save(options.save, error)) {
    fail(err, error);
    return false;
  }
  out << "checkpoint written to " << options.save << "\n";
  return true;
}

bool savePlot(const Options &options, const std::vector<LossSeries> &training, std::ostream &out,
              std::ostream &err, const Curve &validation) {
  if (options.plot.empty() || !ranks().isRoot())
    return true;
  std::vector<Curve> curves;
  for (const LossSeries &series : training)
    curves.push_back({series.first, series.second, {}, false});
  if (!validation.y.empty()) {
    curves.push_back(validation);
    curves.back().markers = true;
    if (curves.back().name.empty())
      curves.back().name = "validation";
  }
  PlotLabels labels;
  labels.title = plotTitle(options.model);
  std::string summary, error;
  if (!writeLossPlot(options.plot, curves, labels, summary, error)) {
    fail(err, error);
    return false;
  }
  out << "loss plot written to " << options.plot << " (" << summary << ")\n";
  return true;
}

} // namespace dlrun
