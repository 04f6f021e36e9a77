//===- Commands.cpp - What dl-run's commands share ------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/Ranks.h"
#include "tools/dl-run/training/TrainPosition.h"

#include <cstdio>

namespace dlrun {

namespace {

bool joinRanks(Model &model, std::string &error) {
  const dl_communicator *comm = ranks().communicator();
  return !comm || model.attach(comm, error);
}

} // namespace

int fail(std::ostream &err, const std::string &message) {
  err << "dl-run: error: " << message << "\n";
  return kExitError;
}

bool openModel(const Options &options, Model &model, std::string &error) {
  // In a data-parallel run every rank opens the model as one process would, then takes rank 0's
  // state (and the seed it resumed with) when it joins the others.
  int threads = options.threads > 0 ? options.threads : ranks().defaultThreads();
  if (!model.open(options.model, error) ||
      !model.createInstance(options.seed, threads, options.device, error))
    return false;
  if (options.init.empty())
    return joinRanks(model, error);
  if (!model.load(options.init, error))
    return false;
  // A checkpoint dl-run train wrote records the seed its run drew from (the data order, dropout's
  // masks, --text's windows); unless --seed says otherwise, a run from it goes on with that seed.
  std::optional<uint64_t> saved;
  if (!loadedSeed(model, saved, error)) {
    error = options.init + ": " + error;
    return false;
  }
  if (!saved || *saved == model.seed() || options.isGiven("--seed"))
    return joinRanks(model, error);
  return model.createInstance(*saved, threads, options.device, error) &&
         model.load(options.init, error) && joinRanks(model, error);
}

namespace {

/// Keeps the first `limit` samples of a split.
void truncateSplit(dldata::ImageSplit &split, int64_t limit) {
  if (limit <= 0 || limit >= split.size())
    return;
  int64_t pixels = split.images.elements() / split.size();
  split.images.shape[0] = limit;
  split.images.bytes.resize(size_t(limit * pixels) * sizeof(float));
  split.labels.shape[0] = limit;
  split.labels.bytes.resize(size_t(limit) * sizeof(int32_t));
}

} // namespace

bool loadDataset(const Options &options, dldata::ImageDataset &data, std::ostream &out, std::string &error) {
  dldata::Pixels pixels = options.unitPixels ? dldata::Pixels::Unit : dldata::Pixels::Standardized;
  if (!dldata::loadImageDataset(options.data, data, error, pixels))
    return false;
  // The statistics stay those of the whole training split: --limit shortens a run, it does not
  // change the data.
  truncateSplit(data.train, options.limit);
  truncateSplit(data.test, options.limit);
  char stats[96];
  std::snprintf(stats, sizeof stats, "mean %.4f std %.4f", data.mean, data.std);
  out << "data " << options.data << ": " << data.train.size() << " training and " << data.test.size()
      << " test images of " << data.height << "x" << data.width << ", " << data.classes << " classes; ";
  if (options.unitPixels)
    out << "pixels in [0, 1]\n";
  else
    out << "normalized with the training split's " << stats << "\n";
  return true;
}

int runCommand(const Options &options, std::ostream &out, std::ostream &err) {
  if (options.command == "train")
    return runTrain(options, out, err);
  if (options.command == "eval")
    return runEval(options, out, err);
  if (options.command == "predict")
    return runPredict(options, out, err);
  if (options.command == "bench")
    return runBench(options, out, err);
  if (options.command == "sample")
    return runSample(options, out, err);
  return runInfo(options, out, err);
}

} // namespace dlrun
