//===- Commands.h - dl-run's commands -----------------------------*- C++ -*-===//
//
// One function per command, each returning the exit status (Options.h) and defined in its file of
// commands/. Results go to `out`, errors ("dl-run: error: ...") and progress to `err`. Also, in
// Commands.cpp, the dispatch and the steps the commands share: opening the model (with --seed,
// --threads and --init) and loading --data.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_COMMANDS_H
#define DL_TOOLS_DLRUN_COMMANDS_H

#include "tools/dl-run/Model.h"
#include "tools/dl-run/Options.h"
#include "tools/dl-run/output/Progress.h"

#include "runtime/data/Dataset.h"

#include <ostream>
#include <string>

namespace dlrun {

int runTrain(const Options &options, std::ostream &out, std::ostream &err);
int runEval(const Options &options, std::ostream &out, std::ostream &err);
int runPredict(const Options &options, std::ostream &out, std::ostream &err);
int runBench(const Options &options, std::ostream &out, std::ostream &err);
int runSample(const Options &options, std::ostream &out, std::ostream &err);
int runInfo(const Options &options, std::ostream &out, std::ostream &err);

/// train --text, eval --text and sample --text (commands/TextTrain.cpp, commands/TextSample.cpp).
int trainOnText(const Options &options, std::ostream &out, std::ostream &err);
int trainOnRows(const Options &options, std::ostream &out, std::ostream &err);
int evalOnText(const Options &options, std::ostream &out, std::ostream &err);
int sampleText(const Options &options, std::ostream &out, std::ostream &err);

/// Runs the command `options` names.
int runCommand(const Options &options, std::ostream &out, std::ostream &err);

/// Writes "dl-run: error: <message>" and returns kExitError.
int fail(std::ostream &err, const std::string &message);

/// Opens options.model, creates an instance with --seed and --threads, and loads --init if given;
/// without --seed, the seed is the one --init's checkpoint records, if it records one.
bool openModel(const Options &options, Model &model, std::string &error);

/// Loads --data (first --limit samples of each split) and prints what was loaded to `out`.
bool loadDataset(const Options &options, dldata::ImageDataset &data, std::ostream &out, std::string &error);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_COMMANDS_H
