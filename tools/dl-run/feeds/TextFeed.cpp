//===- TextFeed.cpp - Matching entry inputs to character text -------------===//
#include "tools/dl-run/feeds/TextFeed.h"
#include "tools/dl-run/Model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dlrun {

namespace {

const char *const kTextInputs =
    "--text feeds a language model's i32 [B, T] inputs x (character ids) and y (the next characters)";

std::string inputList(const dl_entry_info &entry) {
  std::string inputs;
  for (int i = 0; i < entry.n_inputs; ++i)
    inputs += (i ? ", " : "") + std::string(entry.inputs[i].name) + " " + typeString(entry.inputs[i]);
  return inputs.empty() ? "it has no inputs" : "its inputs: " + inputs;
}

bool isCharacterIds(const dl_tensor_info &input) {
  return input.dtype == DL_I32 && input.rank == 2 && input.shape[0] > 0 && input.shape[1] > 0;
}

} // namespace

bool bindText(const dl_entry_info &entry, bool needTargets, TextBinding &out, std::string &error) {
  std::vector<int> ids;
  for (int i = 0; i < entry.n_inputs; ++i)
    if (isCharacterIds(entry.inputs[i]))
      ids.push_back(i);
  std::string where = "entry '" + std::string(entry.name) + "'";
  if (ids.empty()) {
    error = where + " has no i32 [B, T] input for the characters (" + inputList(entry) + "); " + kTextInputs;
    return false;
  }
  for (int i = 0; i < entry.n_inputs; ++i)
    if (!isCharacterIds(entry.inputs[i])) {
      error = "model input '" + std::string(entry.inputs[i].name) + "' is " + typeString(entry.inputs[i]) +
              ", which text does not fill; " + kTextInputs;
      return false;
    }
  const dl_tensor_info &first = entry.inputs[ids[0]];
  for (int i : ids)
    if (entry.inputs[i].shape[0] != first.shape[0] || entry.inputs[i].shape[1] != first.shape[1]) {
      error = "model inputs '" + std::string(first.name) + "' " + typeString(first) + " and '" +
              entry.inputs[i].name + "' " + typeString(entry.inputs[i]) +
              " differ; the context and the targets of --text have one shape [B, T]";
      return false;
    }
  if (ids.size() > 2) {
    error = where + " has " + std::to_string(ids.size()) + " i32 [B, T] inputs (" + inputList(entry) +
            "); --text fills two: the context x and the targets y";
    return false;
  }
  if (needTargets && ids.size() < 2) {
    error = where + " has one i32 [B, T] input, '" + std::string(first.name) +
            "', and no second one for the targets; " + kTextInputs;
    return false;
  }
  TextBinding binding;
  binding.entry = &entry;
  binding.batch = first.shape[0];
  binding.length = first.shape[1];
  // The input named x is the context; else the first not named y. (Input names are unique.)
  auto named = [&](int i, const char *name) { return std::strcmp(entry.inputs[i].name, name) == 0; };
  bool swapped = ids.size() == 2 && (named(ids[1], "x") || named(ids[0], "y"));
  binding.contextInput = swapped ? ids[1] : ids[0];
  if (ids.size() == 2)
    binding.targetInput = swapped ? ids[0] : ids[1];
  out = binding;
  return true;
}

bool findLogits(const TextBinding &binding, int &output, int64_t &classes, std::string &error) {
  const dl_entry_info &entry = *binding.entry;
  int64_t b = binding.batch, t = binding.length;
  std::string outputs;
  for (int i = 0; i < entry.n_outputs; ++i) {
    const dl_tensor_info &o = entry.outputs[i];
    outputs += (i ? ", " : "") + std::string(o.name) + " " + typeString(o);
    bool perPosition = o.rank == 3 && o.shape[0] == b && o.shape[1] == t;
    bool flattened = o.rank == 2 && o.shape[0] == b * t;
    if (o.dtype == DL_F32 && (perPosition || flattened) && o.shape[o.rank - 1] > 0) {
      output = i;
      classes = o.shape[o.rank - 1];
      return true;
    }
  }
  std::string shape = std::to_string(b) + ", " + std::to_string(t);
  error = "entry '" + std::string(entry.name) + "' has no output of logits f32[" + shape + ", V] or f32[" +
          std::to_string(b * t) + ", V] (its outputs: " + (outputs.empty() ? "none" : outputs) +
          "); --text needs them for V and for sampling";
  return false;
}

bool checkVocabulary(const dl_tensor_info &logits, int64_t classes, const dldata::Vocabulary &vocabulary,
                     const std::string &path, std::string &error) {
  if (classes >= vocabulary.size())
    return true;
  error = "the text " + path + " has a vocabulary of " + std::to_string(vocabulary.size()) +
          " characters but model output '" + logits.name + "' is " + typeString(logits) + ", V = " +
          std::to_string(classes) + "; the model's V must be at least " + std::to_string(vocabulary.size());
  return false;
}

void fillRandomWindows(const TextBinding &binding, const std::vector<int32_t> &split, uint64_t seed,
                       uint64_t step, EntryBuffers &buffers) {
  int64_t t = binding.length;
  int32_t *x = buffers.input<int32_t>(binding.contextInput);
  int32_t *y = buffers.input<int32_t>(binding.targetInput);
  for (int64_t row = 0; row < binding.batch; ++row) {
    int64_t start = dldata::randomWindowStart(seed, step, row, int64_t(split.size()), t);
    dldata::copyWindow(split, start, t, x + row * t, y + row * t);
  }
}

void fillConsecutiveWindows(const TextBinding &binding, const std::vector<int32_t> &split, int64_t first,
                            EntryBuffers &buffers) {
  int64_t t = binding.length;
  int32_t *x = buffers.input<int32_t>(binding.contextInput);
  int32_t *y = buffers.input<int32_t>(binding.targetInput);
  for (int64_t row = 0; row < binding.batch; ++row)
    dldata::copyWindow(split, (first + row) * t, t, x + row * t, y + row * t);
}

void contextRow(const std::vector<int32_t> &ids, int64_t length, int32_t padding, int32_t *row) {
  int64_t known = std::min<int64_t>(int64_t(ids.size()), length);
  std::fill(row, row + (length - known), padding);
  std::copy(ids.end() - known, ids.end(), row + (length - known));
}

int32_t drawCharacter(const float *logits, int64_t count, double temperature, double u) {
  int64_t best = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (!std::isfinite(logits[i]))
      return -1;
    if (logits[i] > logits[best])
      best = i;
  }
  if (temperature == 0)
    return int32_t(best);
  // Shifted by the largest logit, so the exponentials neither overflow nor all underflow.
  std::vector<double> weights(static_cast<size_t>(count));
  double total = 0;
  for (int64_t i = 0; i < count; ++i)
    total += weights[size_t(i)] = std::exp((double(logits[i]) - double(logits[best])) / temperature);
  double target = u * total, sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    sum += weights[size_t(i)];
    if (sum > target)
      return int32_t(i);
  }
  // Rounding left the sum at or below u * total: the last id with any weight.
  for (int64_t i = count - 1; i > 0; --i)
    if (weights[size_t(i)] > 0)
      return int32_t(i);
  return 0;
}

} // namespace dlrun
