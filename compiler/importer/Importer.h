//===- Importer.h - ONNX to .dl -------------------------------------*- C++ -*-===//
//
// `dlc import`'s library: reads an ONNX model and writes a readable .dl program with the model's
// weights as tensors named as dlc's checkpoints name parameters. MLIR-free: the driver
// (compiler/driver/Import.cpp) checks the program with the frontend and writes the files.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_IMPORTER_H
#define DLC_IMPORTER_IMPORTER_H

#include "compiler/importer/Program.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dlc::importer {

struct ImportOptions {
  std::string sourceName;  ///< The .onnx file's name, for the comment at the top.
  std::string modelName;   ///< The model's name; empty: from the graph's or the file's name.
  std::string weightsName; ///< The weights file's name, for the comment at the top.
  std::string loss;        ///< --loss NAME: a loss builtin applied to the first output.
  std::string optimizer;   ///< --optimizer SPEC: the train block's optimizer ("adam(lr = 1e-3)").
  std::map<std::string, int64_t> dims; ///< --dim NAME=VALUE: symbolic dimensions' values.
  /// --freeze: layer instances and parameters the train block leaves out of `params`.
  std::vector<std::string> freeze;
  /// Names the language reserves (builtins, built-in layers); the driver supplies them.
  std::function<bool(const std::string &)> reserved;
};

struct ImportResult {
  std::string program;              ///< The .dl text.
  std::string modelName;
  std::vector<NamedTensor> tensors; ///< Every parameter's and buffer's values.
  std::vector<std::string> inputs, outputs;   ///< The .dl names, in the graph's order.
  std::vector<std::string> onnxInputs, onnxOutputs; ///< The same, as ONNX names them.
};

/// Imports the ONNX model in `bytes` (read from `path`). False with `error` for a file that is no
/// ONNX model, or a node, attribute or dtype dlc cannot express (the error names them).
bool importOnnx(const std::string &path, const std::string &bytes, const ImportOptions &options,
                ImportResult &result, std::string &error);

/// The ONNX op types the importer translates (the conformance table's rows).
std::vector<std::string> supportedOps();

/// The bytes of a safetensors file holding `tensors` (F32, or I32 for other dtypes).
std::string safetensorsBytes(const std::vector<NamedTensor> &tensors);

} // namespace dlc::importer

#endif // DLC_IMPORTER_IMPORTER_H
