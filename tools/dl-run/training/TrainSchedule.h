//===- TrainSchedule.h - Which train steps dl-run takes on each batch --*- C++ -*-===//
//
// A model with several train blocks (a GAN's `train gan.disc` and `train gan.gen`) has one train
// entry per block. `dl-run train --schedule disc:1,gen:1` takes, on every batch, the listed steps in
// order, each the given number of times; every step of one round sees the same batch. A name is an
// entry's name or that name without its `_step` suffix. Without --schedule, --step NAME takes that
// step alone; without either, every train entry takes one step per batch, in the model's order.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_TRAINING_TRAINSCHEDULE_H
#define DL_TOOLS_DLRUN_TRAINING_TRAINSCHEDULE_H

#include "tools/dl-run/Model.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlrun {

/// One item of --schedule as written: a step name and how many times it runs per batch.
using ScheduleItem = std::pair<std::string, int64_t>;

/// Parses "NAME:COUNT,NAME:COUNT,..." (COUNT from 1 to 1000; ":COUNT" may be left out for 1).
/// False with a message naming the malformed item.
bool parseSchedule(const std::string &text, std::vector<ScheduleItem> &items, std::string &error);

struct ScheduledStep {
  const dl_entry_info *entry = nullptr;
  int64_t repeats = 1;
};

/// The train steps of one batch, from --schedule, --step or the model's train entries. False with
/// an error naming the model's train entries when a name matches none.
bool resolveSchedule(const std::vector<ScheduleItem> &items, const std::string &step,
                     const Model &model, std::vector<ScheduledStep> &out, std::string &error);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_TRAINING_TRAINSCHEDULE_H
