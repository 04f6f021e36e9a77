//===- SplitScores.cpp - Running an entry over a split for accuracy -------===//
#include "tools/dl-run/training/SplitScores.h"

#include "tools/dl-run/Ranks.h"

#include <algorithm>
#include <numeric>

namespace dlrun {

int64_t countCorrect(const float *scores, int64_t classes, const int32_t *labels, int64_t count) {
  int64_t correct = 0;
  for (int64_t row = 0; row < count; ++row)
    correct += argmax(scores + row * classes, classes) == labels[row];
  return correct;
}

bool evaluateSplit(Model &model, const ImageBinding &binding, const dldata::ImageSplit &split,
                   int64_t limit, SplitScores &scores, std::string &error) {
  const dl_entry_info &entry = *binding.entry;
  scores = SplitScores();
  scores.hasAccuracy = binding.scoresOutput >= 0;
  std::vector<int> lossOutputs;
  for (int i = 0; i < entry.n_outputs; ++i)
    if (entry.outputs[i].rank == 0 && entry.outputs[i].dtype == DL_F32) {
      lossOutputs.push_back(i);
      scores.lossNames.push_back(entry.outputs[i].name);
    }
  scores.losses.assign(lossOutputs.size(), 0.0);
  int64_t n = limit > 0 ? std::min(limit, split.size()) : split.size();
  std::vector<int64_t> order(size_t(binding.batch));
  std::vector<int32_t> labels(size_t(binding.batch));
  EntryBuffers buffers(entry);
  int64_t classes = scores.hasAccuracy ? entry.outputs[binding.scoresOutput].shape[1] : 0;
  // In a data-parallel run rank r takes batches r, r + ranks, ...; the sums meet below.
  const int64_t rankCount = ranks().size(), rank = ranks().rank();
  for (int64_t first = rank * binding.batch; first < n; first += rankCount * binding.batch) {
    int64_t count = std::min(binding.batch, n - first);
    std::iota(order.begin(), order.begin() + count, first);
    fillImageBatch(binding, split, order.data(), count, buffers);
    if (!model.call(entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return false;
    if (scores.hasAccuracy) {
      for (int64_t row = 0; row < count; ++row)
        labels[size_t(row)] = split.labels.data<int32_t>()[first + row];
      scores.correct += countCorrect(buffers.output<float>(binding.scoresOutput), classes, labels.data(), count);
    }
    if (count == binding.batch) {
      ++scores.fullBatches;
      for (size_t k = 0; k < lossOutputs.size(); ++k)
        scores.losses[k] += *buffers.output<float>(lossOutputs[k]);
    }
  }
  scores.samples = n;
  std::vector<double> sums = scores.losses;
  sums.push_back(double(scores.correct));
  sums.push_back(double(scores.fullBatches));
  if (!ranks().sum(sums, error))
    return false;
  scores.fullBatches = int64_t(sums.back());
  scores.correct = int64_t(sums[sums.size() - 2]);
  sums.resize(scores.losses.size());
  scores.losses = sums;
  for (double &loss : scores.losses)
    loss = scores.fullBatches ? loss / double(scores.fullBatches) : 0;
  return true;
}

} // namespace dlrun
