//===- TrainPosition.cpp - Where a training run stands, kept in its checkpoint ===//
#include "tools/dl-run/training/TrainPosition.h"

#include <cerrno>
#include <cstdlib>
#include <numeric>
#include <random>

namespace dlrun {

namespace {

// The metadata keys; "dl-run." keeps them apart from an application's own.
constexpr const char *kSeed = "dl-run.seed";
constexpr const char *kEpochsDone = "dl-run.epochs_done";
constexpr const char *kBatchesDone = "dl-run.batches_done";
constexpr const char *kSamples = "dl-run.train_samples";
constexpr const char *kBatchSize = "dl-run.batch_size";
constexpr const char *kShuffle = "dl-run.shuffle";

/// A uniform draw below `n` without modulo bias.
uint64_t drawBelow(std::mt19937_64 &rng, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do
    r = rng();
  while (r >= limit);
  return r % n;
}

/// Reads metadata `key` as a decimal integer in [0, max]; absent leaves `value` as it is.
bool readInteger(const Model &model, const char *key, uint64_t max, uint64_t &value,
                 std::string &error) {
  std::optional<std::string> text = model.metadata(key);
  if (!text)
    return true;
  errno = 0;
  char *end = nullptr;
  unsigned long long parsed = std::strtoull(text->c_str(), &end, 10);
  if (text->empty() || (*text)[0] < '0' || (*text)[0] > '9' || *end || errno || parsed > max) {
    error = "the checkpoint's metadata " + std::string(key) + " is '" + *text +
            "', not an integer between 0 and " + std::to_string(max);
    return false;
  }
  value = parsed;
  return true;
}

bool readCount(const Model &model, const char *key, int64_t &value, std::string &error) {
  uint64_t n = static_cast<uint64_t>(value);
  if (!readInteger(model, key, INT64_MAX, n, error))
    return false;
  value = static_cast<int64_t>(n);
  return true;
}

} // namespace

std::vector<int64_t> epochOrder(int64_t samples, uint64_t seed, int64_t epoch, bool shuffle) {
  std::vector<int64_t> order(static_cast<size_t>(samples));
  std::iota(order.begin(), order.end(), 0);
  if (!shuffle)
    return order;
  std::seed_seq words{uint32_t(seed), uint32_t(seed >> 32), uint32_t(epoch), uint32_t(uint64_t(epoch) >> 32)};
  std::mt19937_64 rng(words);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[drawBelow(rng, i)]);
  return order;
}

bool storePosition(Model &model, const TrainPosition &position, std::string &error) {
  return model.setMetadata(kEpochsDone, std::to_string(position.epochsDone), error) &&
         model.setMetadata(kBatchesDone, std::to_string(position.batchesDone), error) &&
         model.setMetadata(kSamples, std::to_string(position.samples), error) &&
         model.setMetadata(kBatchSize, std::to_string(position.batchSize), error) &&
         model.setMetadata(kShuffle, position.shuffle ? "1" : "0", error);
}

bool loadedPosition(const Model &model, TrainPosition &position, std::string &error) {
  position = TrainPosition();
  uint64_t shuffle = 1;
  if (!readCount(model, kEpochsDone, position.epochsDone, error) ||
      !readCount(model, kBatchesDone, position.batchesDone, error) ||
      !readCount(model, kSamples, position.samples, error) ||
      !readCount(model, kBatchSize, position.batchSize, error) ||
      !readInteger(model, kShuffle, 1, shuffle, error))
    return false;
  position.shuffle = shuffle == 1;
  return true;
}

bool loadedSeed(const Model &model, std::optional<uint64_t> &seed, std::string &error) {
  seed.reset();
  uint64_t value = 0;
  if (!model.metadata(kSeed))
    return true;
  if (!readInteger(model, kSeed, UINT64_MAX, value, error))
    return false;
  seed = value;
  return true;
}

bool storeSeed(Model &model, uint64_t seed, std::string &error) {
  return model.setMetadata(kSeed, std::to_string(seed), error);
}

} // namespace dlrun
