//===- Bench.cpp - dl-run bench: timing one entry on random inputs --------===//
//
// Fills the entry's inputs once from the seed (f32 uniform in [0, 1), i32 class ids below the
// class count of the model's first [B, classes] output, bool 0 or 1), makes --warmup untimed calls,
// then times --steps calls one by one and prints the median and the mean in ms/step.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/feeds/EntryBuffers.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>

namespace dlrun {

namespace {

/// The class count labels are drawn below: the last dimension of the first f32 output of rank 2
/// among the entry's outputs, then the model's other entries; 2 when there is none.
int64_t classCount(const Model &model, const dl_entry_info &entry) {
  auto search = [](const dl_entry_info &e) -> int64_t {
    for (int i = 0; i < e.n_outputs; ++i)
      if (e.outputs[i].dtype == DL_F32 && e.outputs[i].rank == 2 && e.outputs[i].shape[1] >= 2)
        return e.outputs[i].shape[1];
    return 0;
  };
  if (int64_t n = search(entry))
    return n;
  for (int i = 0; i < model.info().n_entries; ++i)
    if (int64_t n = search(model.info().entries[i]))
      return n;
  return 2;
}

void fillRandom(const dl_entry_info &entry, int64_t classes, uint64_t seed, EntryBuffers &buffers) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int i = 0; i < entry.n_inputs; ++i) {
    int64_t n = elementCount(entry.inputs[i]);
    switch (entry.inputs[i].dtype) {
    case DL_F32:
      std::generate_n(buffers.input<float>(i), n, [&] { return unit(rng); });
      break;
    case DL_I32:
      std::generate_n(buffers.input<int32_t>(i), n, [&] { return int32_t(rng() % uint64_t(classes)); });
      break;
    case DL_BOOL:
      std::generate_n(buffers.input<uint8_t>(i), n, [&] { return uint8_t(rng() & 1); });
      break;
    }
  }
}

} // namespace

int runBench(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  const dl_entry_info *entry =
      model.chooseEntry(options.entry, {DL_ENTRY_TRAIN, DL_ENTRY_FORWARD}, "train or forward entry", error);
  if (!entry)
    return fail(err, error);
  EntryBuffers buffers(*entry);
  fillRandom(*entry, classCount(model, *entry), options.seed, buffers);
  for (int64_t i = 0; i < options.warmup; ++i)
    if (!model.call(*entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return fail(err, error);
  std::vector<double> ms;
  for (int64_t i = 0; i < options.steps; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!model.call(*entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return fail(err, error);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
  std::sort(ms.begin(), ms.end());
  size_t half = ms.size() / 2;
  double median = ms.size() % 2 ? ms[half] : (ms[half - 1] + ms[half]) / 2;
  int64_t batch = entry->n_inputs && entry->inputs[0].rank ? entry->inputs[0].shape[0] : 1;
  char line[256];
  std::snprintf(line, sizeof line,
                "bench %s (%s, batch %lld): %lld steps after %lld warmup: median %.4g ms/step, mean %.4g "
                "ms/step, %.0f samples/s at the median\n",
                entry->name, entryKindName(entry->kind), (long long)batch, (long long)options.steps,
                (long long)options.warmup, median, mean, median > 0 ? double(batch) * 1000.0 / median : 0.0);
  out << line;
  return kExitOk;
}

} // namespace dlrun
