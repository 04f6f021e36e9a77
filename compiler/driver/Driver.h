//===- Driver.h - The pipeline behind dlc -------------------------*- C++ -*-===//
//
// Parses dlc's command line and runs the stages it asks for. `tools/dlc` is a thin main() over this,
// so tests can drive the compiler in-process.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_DRIVER_DRIVER_H
#define DLC_DRIVER_DRIVER_H

#include "compiler/driver/Import.h"

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace dlc {

/// Exit statuses of dlc.
enum ExitStatus { kExitOk = 0, kExitInputError = 1, kExitUsage = 2 };

struct DriverOptions {
  std::string command;             ///< "", "check-grad", "interpret" or "import".
  ImportCommandOptions importCommand;                        ///< dlc import's arguments.
  std::string input;                                         ///< The .dl file.
  std::string output;                                        ///< -o; empty: standard output.
  std::string emit;        ///< --emit=ast|mlir|so|header|memplan|halide|llvm|obj|onnx (so by default)
  std::string cpu = "native";                                ///< --cpu
  std::string target = "cpu";                                ///< --target: cpu, cuda or cpu,cuda
  std::string model;                                         ///< --model NAME
  bool header = false;                                       ///< -H: the header beside the .so
  std::string init;    ///< --init CKPT: the weights --emit=onnx carries
  std::string onnxRandom; ///< --onnx-random=ops|inputs: how --emit=onnx writes random draws ("": ops)
  std::string depfile; ///< --depfile FILE: a Make rule, the output depends on the .dl files read
  std::string stage = "parsed";                              ///< --stage=parsed|autodiff|train
  std::vector<std::pair<std::string, std::string>> defines;  ///< -D NAME=VALUE
  bool prelude = true;                                       ///< --no-prelude turns it off.
  bool fuseAttention = true;                                 ///< --attention=fused|composed
  int64_t unrollScans = 0;                                   ///< --unroll-scans=N
  std::string trainStep;  ///< --train-step=split|fused (empty: split on the CPU, fused with CUDA)
  bool timePhases = false; ///< --time-phases: each phase's seconds to standard error
  uint64_t seed = 42;                                        ///< --seed
  double tolerance = 1e-4;                                   ///< --tolerance (check-grad)
  int64_t steps = 100;                                       ///< --steps (interpret)
  int64_t printEvery = 1;                                    ///< --print-every (interpret)
  std::string step;                                          ///< --step NAME
  std::vector<std::pair<std::string, std::string>> inputs;   ///< --input NAME=v1,v2,...
  bool help = false, version = false;
};

/// Parses `argv`; on a usage error, writes the reason to `err` and returns false.
bool parseCommandLine(int argc, char **argv, DriverOptions &options, std::ostream &err);

/// The text of `dlc --help`.
std::string helpText();

/// Runs dlc; returns its exit status.
int runDriver(const DriverOptions &options, std::ostream &out, std::ostream &err);

} // namespace dlc

#endif // DLC_DRIVER_DRIVER_H
