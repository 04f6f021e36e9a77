//===- RowScores.cpp - Losses and metrics of a model on rows of a table ---===//
#include "tools/dl-run/training/RowScores.h"

#include "tools/dl-run/Ranks.h"
#include "tools/dl-run/feeds/ImageFeed.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace dlrun {

double RowScores::rmse() const { return values ? std::sqrt(squaredError / double(values)) : 0; }

double RowScores::loss() const {
  return losses.empty() ? std::numeric_limits<double>::quiet_NaN() : losses.front();
}

bool chooseRowScoring(const Model &model, const dl_entry_info *entry, RowScoring &scoring,
                      std::string &error) {
  scoring = RowScoring();
  scoring.entry = entry ? entry : model.firstEntry(DL_ENTRY_EVAL);
  if (!scoring.entry)
    scoring.entry = model.firstEntry(DL_ENTRY_FORWARD);
  if (!scoring.entry) {
    error = "model '" + std::string(model.info().name) + "' has no eval or forward entry to score rows with";
    return false;
  }
  const dl_entry_info &e = *scoring.entry;
  int64_t batch = e.n_inputs && e.inputs[0].rank ? e.inputs[0].shape[0] : 0;
  for (int o = 0; o < e.n_outputs && scoring.scoresOutput < 0; ++o) {
    const dl_tensor_info &out = e.outputs[o];
    if (out.dtype != DL_F32 || out.rank != 2 || out.shape[0] != batch || out.shape[1] < 2)
      continue;
    for (int i = 0; i < e.n_inputs; ++i)
      if (e.inputs[i].dtype == DL_I32 && e.inputs[i].rank == 1 && e.inputs[i].shape[0] == batch) {
        scoring.scoresOutput = o;
        scoring.labelInput = i;
        scoring.classes = out.shape[1];
      }
  }
  auto preferred = [](const std::string &name) {
    return name == "y" || name == "target" || name == "targets" || name == "label" || name == "labels";
  };
  for (int o = 0; o < e.n_outputs && scoring.scoresOutput < 0 && scoring.predictionOutput < 0; ++o) {
    const dl_tensor_info &out = e.outputs[o];
    if (out.dtype != DL_F32 || out.rank == 0)
      continue;
    for (int i = 0; i < e.n_inputs; ++i)
      if (e.inputs[i].dtype == DL_F32 && shapeOf(e.inputs[i]) == shapeOf(out) &&
          (scoring.targetInput < 0 || preferred(e.inputs[i].name))) {
        scoring.predictionOutput = o;
        scoring.targetInput = i;
      }
  }
  return true;
}

bool scoreRows(Model &model, const RowScoring &scoring, const RowTable &table,
               const std::vector<int64_t> &rows, RowScores &scores, std::string &error) {
  const dl_entry_info &entry = *scoring.entry;
  scores = RowScores();
  std::vector<int> lossOutputs;
  for (int i = 0; i < entry.n_outputs; ++i)
    if (entry.outputs[i].rank == 0 && entry.outputs[i].dtype == DL_F32) {
      lossOutputs.push_back(i);
      scores.lossNames.push_back(entry.outputs[i].name);
    }
  std::vector<double> lossSums(lossOutputs.size(), 0.0);
  int64_t batch = entry.inputs[0].shape[0], n = int64_t(rows.size());
  EntryBuffers buffers(entry);
  const int64_t rankCount = ranks().size(), rank = ranks().rank();
  for (int64_t first = rank * batch; first < n; first += rankCount * batch) {
    int64_t count = std::min(batch, n - first);
    fillRowBatch(table, rows.data() + first, count, buffers);
    if (!model.call(entry, buffers.inputPointers(), buffers.outputPointers(), error))
      return false;
    if (scoring.scoresOutput >= 0) {
      const float *out = buffers.output<float>(scoring.scoresOutput);
      const int32_t *labels = buffers.input<int32_t>(scoring.labelInput);
      for (int64_t r = 0; r < count; ++r)
        scores.correct += argmax(out + r * scoring.classes, scoring.classes) == labels[r];
    }
    if (scoring.predictionOutput >= 0) {
      const float *predicted = buffers.output<float>(scoring.predictionOutput);
      const float *target = buffers.input<float>(scoring.targetInput);
      int64_t perRow = elementCount(entry.outputs[scoring.predictionOutput]) / batch;
      for (int64_t v = 0; v < count * perRow; ++v) {
        double d = double(predicted[v]) - double(target[v]);
        scores.squaredError += d * d;
        scores.absoluteError += std::fabs(d);
      }
      scores.values += count * perRow;
    }
    if (count == batch) {
      ++scores.fullBatches;
      for (size_t k = 0; k < lossOutputs.size(); ++k)
        lossSums[k] += *buffers.output<float>(lossOutputs[k]);
    }
  }
  std::vector<double> sums = lossSums;
  for (double v : {double(scores.fullBatches), double(scores.correct), scores.squaredError,
                   scores.absoluteError, double(scores.values)})
    sums.push_back(v);
  if (!ranks().sum(sums, error))
    return false;
  size_t k = lossSums.size();
  scores.fullBatches = int64_t(sums[k]);
  scores.correct = int64_t(sums[k + 1]);
  scores.squaredError = sums[k + 2];
  scores.absoluteError = sums[k + 3];
  scores.values = int64_t(sums[k + 4]);
  scores.rows = n;
  for (size_t i = 0; i < lossSums.size(); ++i)
    scores.losses.push_back(scores.fullBatches ? sums[i] / double(scores.fullBatches)
                                               : std::numeric_limits<double>::quiet_NaN());
  return true;
}

std::string rowScoresText(const RowScoring &scoring, const RowScores &scores, const std::string &prefix) {
  std::string text;
  char number[64];
  auto add = [&](const std::string &name, double value) {
    std::snprintf(number, sizeof number, "%.4f", value);
    text += (text.empty() ? "" : "  ") + prefix + name + " " + number;
  };
  for (size_t i = 0; i < scores.losses.size(); ++i)
    add(scores.losses.size() == 1 ? "loss" : "loss_" + scores.lossNames[i], scores.losses[i]);
  if (scoring.scoresOutput >= 0)
    add("accuracy", scores.accuracy());
  if (scoring.predictionOutput >= 0) {
    add("rmse", scores.rmse());
    add("mae", scores.mae());
  }
  return text;
}

} // namespace dlrun
