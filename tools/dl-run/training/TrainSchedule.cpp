//===- TrainSchedule.cpp - Which train steps dl-run takes on each batch ---===//
#include "tools/dl-run/training/TrainSchedule.h"

#include <cstdlib>

namespace dlrun {
namespace {

/// The model's train entries by name, for messages: "disc_step, gen_step".
std::string trainEntryNames(const Model &model) {
  std::string names;
  const dl_model_info &info = model.info();
  for (int i = 0; i < info.n_entries; ++i)
    if (info.entries[i].kind == DL_ENTRY_TRAIN)
      names += (names.empty() ? "" : ", ") + std::string(info.entries[i].name);
  return names.empty() ? "none" : names;
}

/// The train entry `name` names: itself, or `name` + "_step".
const dl_entry_info *findTrainEntry(const Model &model, const std::string &name) {
  for (const std::string &candidate : {name, name + "_step"})
    if (const dl_entry_info *e = model.entry(candidate))
      if (e->kind == DL_ENTRY_TRAIN)
        return e;
  return nullptr;
}

/// Why `name` is not a train step: an entry of another kind, or no entry at all.
std::string notATrainStep(const Model &model, const std::string &name, const std::string &what) {
  if (const dl_entry_info *e = model.entry(name))
    return "entry '" + name + "' is a " + entryKindName(e->kind) + " entry, not a train step";
  return what + " (its train steps: " + trainEntryNames(model) + ")";
}

} // namespace

bool parseSchedule(const std::string &text, std::vector<ScheduleItem> &items, std::string &error) {
  items.clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t colon = item.find(':');
    std::string name = item.substr(0, colon);
    int64_t count = 1;
    if (colon != std::string::npos) {
      std::string digits = item.substr(colon + 1);
      char *end = nullptr;
      long long value = digits.empty() ? 0 : std::strtoll(digits.c_str(), &end, 10);
      if (digits.empty() || *end != '\0' || value < 1 || value > 1000) {
        error = "--schedule item '" + item + "' needs a count from 1 to 1000 after ':'";
        return false;
      }
      count = value;
    }
    if (name.empty()) {
      error = "--schedule '" + text + "' has an item without a step name (expected NAME:COUNT,...)";
      return false;
    }
    items.emplace_back(name, count);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return true;
}

bool resolveSchedule(const std::vector<ScheduleItem> &items, const std::string &step,
                     const Model &model, std::vector<ScheduledStep> &out, std::string &error) {
  out.clear();
  const dl_model_info &info = model.info();
  if (!items.empty()) {
    for (const auto &[name, count] : items) {
      const dl_entry_info *entry = findTrainEntry(model, name);
      if (!entry) {
        error = notATrainStep(model, name,
                              "--schedule names '" + name + "', which is not a train step of model '" +
                                  std::string(info.name) + "'");
        return false;
      }
      out.push_back({entry, count});
    }
  } else if (!step.empty()) {
    const dl_entry_info *entry = findTrainEntry(model, step);
    if (!entry) {
      error = notATrainStep(model, step,
                            "model '" + std::string(info.name) + "' has no train step '" + step + "'");
      return false;
    }
    out.push_back({entry, 1});
  } else {
    for (int i = 0; i < info.n_entries; ++i)
      if (info.entries[i].kind == DL_ENTRY_TRAIN)
        out.push_back({&info.entries[i], 1});
    if (out.empty()) {
      error = "model '" + std::string(info.name) + "' has no train entry (its entries: " +
              model.entryNames() + ")";
      return false;
    }
  }
  for (const ScheduledStep &s : out)
    if (s.entry->n_outputs < 1 || s.entry->outputs[0].rank != 0 ||
        s.entry->outputs[0].dtype != DL_F32) {
      error = "train entry '" + std::string(s.entry->name) + "' has no scalar f32 loss output";
      return false;
    }
  return true;
}

} // namespace dlrun
