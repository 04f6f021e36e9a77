//===- Options.h - dl-run's command line --------------------------*- C++ -*-===//
//
// The commands (train, eval, predict, bench, sample, info), their flags, and the checks that make
// a wrong command line a usage error (exit status 2) before any file is opened: a missing or
// unknown flag, a flag that does not apply to the command, a malformed number or NAME=FILE list.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_OPTIONS_H
#define DL_TOOLS_DLRUN_OPTIONS_H

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace dlrun {

/// Exit statuses, as dlc's: 1 for errors in the user's files or model, 2 for a wrong command line.
enum ExitStatus { kExitOk = 0, kExitError = 1, kExitUsage = 2, kExitInterrupted = 130 };

struct Options {
  std::string command;                                     ///< the command, e.g. train or sample
  std::string model;                                       ///< MODEL.so
  std::string data;                                        ///< --data fashion-mnist|PATH
  std::string text;                                        ///< --text FILE (train, sample)
  std::string prompt;                                      ///< --prompt TEXT (sample --text)
  int64_t length = 200;                                    ///< --length N (sample --text)
  double temperature = 1.0;                                ///< --temperature T (sample --text)
  std::vector<std::pair<std::string, std::string>> inputs; ///< --inputs name=file,...
  int64_t epochs = 1;                                      ///< --epochs
  int64_t steps = -1;                                      ///< --steps (-1: not given)
  int64_t warmup = 5;                                      ///< --warmup (bench)
  int64_t limit = 0;                                       ///< --limit (0: every sample)
  std::string init, save;                                  ///< --init CKPT, --save CKPT
  std::string losses;                                      ///< --losses FILE.csv
  std::string plot;                                        ///< --plot FILE.png (train)
  std::string out;                                         ///< --out FILE.npy|FILE.png
  std::string output;                                      ///< --output NAME (sample)
  int64_t columns = 0;                                     ///< --columns (0: ceil(sqrt(B)))
  std::string step;                                        ///< --step NAME (train)
  std::vector<std::pair<std::string, int64_t>> schedule;   ///< --schedule NAME:N,... (train)
  bool unitPixels = false;                                 ///< --pixels unit (else standardized)
  std::string entry;                                       ///< --entry NAME (not train)
  uint64_t seed = 42;                                      ///< --seed
  int threads = 0;                                         ///< --threads (0: one per core)
  std::string device; ///< --device cpu|cuda; empty: the library's (its first target)
  bool shuffle = true;                                     ///< --shuffle / --no-shuffle
  bool skipNonFinite = false;                              ///< --on-nonfinite skip (else stop)
  int64_t accumulate = 1;                                  ///< --accumulate K (train)
  std::string csv;                                         ///< --csv FILE (train, eval, predict)
  std::vector<std::pair<std::string, std::string>> columnSpecs; ///< --columns NAME=COLS,... (--csv)
  double valFraction = 0;                                  ///< --val FRACTION (train, rows)
  std::vector<std::pair<std::string, std::string>> valInputs, testInputs; ///< --val-inputs, --test-inputs
  int64_t earlyStop = 0;                                   ///< --early-stop PATIENCE (0: off)
  std::string monitor = "val_loss";                        ///< --monitor
  std::string saveBest;                                    ///< --save-best FILE
  std::string log;                                         ///< --log FILE.csv|FILE.jsonl (train)
  std::string distributed; ///< --distributed mpi|none (train, eval); empty: mpi under mpirun
  bool help = false, version = false;
  std::vector<std::string> given; ///< The flags given, for the "does not apply" check.

  bool isGiven(const std::string &flag) const;
  /// train --inputs without --steps, or --csv: epochs over a table of rows (feeds/RowTable.h).
  bool rowTable() const;
};

/// Parses `argv`; on a usage error writes "dl-run: error: ..." and a hint to `err` and returns false.
bool parseOptions(int argc, char **argv, Options &options, std::ostream &err);

/// The text of `dl-run --help`.
std::string helpText();

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_OPTIONS_H
