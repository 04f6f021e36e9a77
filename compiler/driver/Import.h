//===- Import.h - dlc import ----------------------------------------*- C++ -*-===//
//
// `dlc import MODEL.onnx -o MODEL.dl [--weights W.safetensors] ...`: runs the ONNX importer
// (compiler/importer), checks the program it writes with the frontend (and, with a train block,
// dl-expand-optimizers, to learn the optimizer state's names), and writes the .dl file and the
// weights, which hold every parameter, buffer and (zero) optimizer state of the model, so that
// `dl-run --init` loads them as they are.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_DRIVER_IMPORT_H
#define DLC_DRIVER_IMPORT_H

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace dlc {

struct ImportCommandOptions {
  std::string input;      ///< The .onnx file.
  std::string output;     ///< -o: the .dl file (MODEL.dl beside the current folder by default).
  std::string weights;    ///< --weights: the safetensors file (the .dl file's name, .safetensors).
  std::string model;      ///< --model NAME: the model's name (the .onnx file's stem).
  std::string loss;       ///< --loss NAME
  std::string optimizer;  ///< --optimizer SPEC
  std::map<std::string, int64_t> dims; ///< --dim NAME=N
  std::vector<std::string> freeze; ///< --freeze NAME[,NAME...]: kept out of the train block's params
  bool listOps = false;   ///< --list-ops: print the ONNX ops the importer translates.
};

/// Parses `dlc import`'s arguments argv[first...]; on a usage error, writes the reason to `err`
/// and returns false.
bool parseImportCommandLine(int argc, char **argv, int first, ImportCommandOptions &options,
                            std::ostream &err);

/// Runs `dlc import`; returns dlc's exit status.
int runImport(const ImportCommandOptions &options, std::ostream &out, std::ostream &err);

} // namespace dlc

#endif // DLC_DRIVER_IMPORT_H
