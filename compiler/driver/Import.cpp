//===- Import.cpp - dlc import --------------------------------------------===//
#include "compiler/driver/Import.h"
#include "compiler/driver/Driver.h"
#include "compiler/driver/OutputFiles.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/frontend/OpSurface.h"
#include "compiler/importer/Importer.h"
#include "compiler/transforms/Pipeline.h"

#include "dl/DLOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace dlc {

namespace {

/// The built-in layers of the prelude (compiler/frontend/prelude.dl), which a value may not shadow.
bool isPreludeLayer(const std::string &name) {
  static const std::set<std::string> layers = {
      "Dense", "Dropout", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "GaussianNoise",
      "Conv2d", "MaxPool2d", "AvgPool2d", "Embedding", "Flatten", "LayerNorm", "BatchNorm", "RNN",
      "LSTM", "GRU", "MultiHeadAttention", "PositionalEncoding"};
  return layers.count(name) > 0;
}

bool readBinary(const std::string &path, std::string &bytes, std::string &why) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    why = "cannot read '" + path + "': " + (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in && !in.eof()) {
    why = "cannot read '" + path + "'";
    return false;
  }
  bytes = buffer.str();
  return true;
}

/// Elaborates `program` and lists the model's saved state; adds a zero tensor for each optimizer
/// state and checks that every parameter and buffer has its imported tensor of the right shape.
bool completeWeights(const std::string &name, const std::string &program, bool training,
                     std::vector<importer::NamedTensor> &tensors, std::ostream &err) {
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  SourceManager sources;
  std::ostringstream diagnostics;
  DiagnosticEngine diags(sources, diagnostics);
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
    diagnostics << d.str() << "\n";
    return mlir::success();
  });
  FrontendOptions frontend;
  auto module = compileSource(context, sources, diags, name, program, frontend);
  if (module && training) {
    mlir::PassManager pm(&context);
    mlir::dl::buildPipeline(pm, *mlir::dl::parseStage("train"));
    if (mlir::failed(pm.run(*module)))
      module = nullptr;
  }
  if (!module) {
    err << "dlc: error: internal error: the imported program does not compile (please report it):\n"
        << diagnostics.str();
    return false;
  }
  std::map<std::string, const importer::NamedTensor *> byName;
  for (const auto &t : tensors)
    byName[t.name] = &t;
  std::vector<importer::NamedTensor> extra;
  std::set<std::string> seen;
  std::string problem;
  module->walk([&](mlir::Operation *op) {
    if (!mlir::isa<mlir::dl::ParamOp, mlir::dl::BufferOp>(op))
      return;
    std::string sym = op->getAttrOfType<mlir::StringAttr>(mlir::SymbolTable::getSymbolAttrName()).str();
    auto type = mlir::cast<mlir::RankedTensorType>(op->getAttrOfType<mlir::TypeAttr>("type").getValue());
    importer::Shape shape(type.getShape().begin(), type.getShape().end());
    auto role = op->getAttrOfType<mlir::StringAttr>(mlir::dl::kStateRoleAttr);
    if (role && role.getValue() == mlir::dl::kGradientRole)
      return;
    if (role) {
      importer::DType dtype = type.getElementType().isF32() ? importer::DType::F32 : importer::DType::I32;
      extra.push_back({sym, importer::makeTensor(dtype, shape, std::vector<double>(importer::numElements(shape), 0.0))});
      return;
    }
    seen.insert(sym);
    auto it = byName.find(sym);
    if (it == byName.end())
      problem = "the model's state '" + sym + "' has no imported tensor";
    else if (it->second->tensor.shape != shape)
      problem = "the model's state '" + sym + "' is " + importer::formatShape(shape) + " but its tensor " +
                importer::formatShape(it->second->tensor.shape);
  });
  for (const auto &t : tensors)
    if (!seen.count(t.name))
      problem = "the imported tensor '" + t.name + "' is no state of the model";
  if (!problem.empty()) {
    err << "dlc: error: internal error: " << problem << " (please report it)\n";
    return false;
  }
  tensors.insert(tensors.end(), extra.begin(), extra.end());
  return true;
}

} // namespace

bool parseImportCommandLine(int argc, char **argv, int first, ImportCommandOptions &options,
                            std::ostream &err) {
  auto usage = [&](const std::string &message) {
    err << "dlc: error: " << message << "\n(run 'dlc --help' for usage)\n";
    return false;
  };
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    std::string flag = arg.substr(0, arg.find('='));
    auto value = [&]() {
      if (arg.find('=') != std::string::npos)
        return arg.substr(arg.find('=') + 1);
      return i + 1 < argc ? std::string(argv[++i]) : std::string();
    };
    if (arg == "--list-ops") {
      options.listOps = true;
      return true;
    } else if (arg == "-o") {
      if (i + 1 >= argc)
        return usage("-o needs a file name");
      options.output = argv[++i];
    } else if (flag == "--weights" || flag == "--model" || flag == "--loss" || flag == "--optimizer") {
      std::string v = value();
      if (v.empty())
        return usage(flag + " needs a value");
      (flag == "--weights" ? options.weights : flag == "--model" ? options.model
                                             : flag == "--loss"  ? options.loss
                                                                 : options.optimizer) = v;
    } else if (flag == "--freeze") {
      std::string v = value();
      if (v.empty())
        return usage("--freeze needs layer or parameter names (--freeze conv1,fc1)");
      std::istringstream names(v);
      for (std::string name; std::getline(names, name, ',');)
        if (!name.empty())
          options.freeze.push_back(name);
    } else if (flag == "--dim") {
      std::string v = value();
      size_t eq = v.find('=');
      long long n = 0;
      std::istringstream in(eq == std::string::npos ? "" : v.substr(eq + 1));
      in >> n;
      if (eq == std::string::npos || eq == 0 || !in.eof() || in.fail() || n <= 0)
        return usage("--dim expects NAME=N with N a positive integer, not '" + v + "'");
      options.dims[v.substr(0, eq)] = n;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "' for 'dlc import'");
    } else if (options.input.empty()) {
      options.input = arg;
    } else {
      return usage("more than one input file ('" + options.input + "' and '" + arg + "')");
    }
  }
  if (options.input.empty())
    return usage("no input file (dlc import MODEL.onnx -o MODEL.dl)");
  if (!options.optimizer.empty() && options.loss.empty())
    return usage("--optimizer needs --loss (the loss the train block minimizes)");
  if (!options.freeze.empty() && options.optimizer.empty())
    return usage("--freeze needs --optimizer (it chooses what the train block trains)");
  if (!options.model.empty() && importer::sanitizeName(options.model) != options.model)
    return usage("--model '" + options.model + "' is not an identifier");
  if (options.output.empty())
    options.output = std::filesystem::path(options.input).stem().string() + ".dl";
  if (options.weights.empty())
    options.weights = std::filesystem::path(options.output).replace_extension(".safetensors").string();
  return true;
}

int runImport(const ImportCommandOptions &options, std::ostream &out, std::ostream &err) {
  if (options.listOps) {
    for (const std::string &op : importer::supportedOps())
      out << op << "\n";
    return kExitOk;
  }
  for (const std::string &path : {options.output, options.weights}) {
    std::string why = unwritableOutput(path, options.input);
    if (!why.empty()) {
      err << "dlc: error: " << why << "\n";
      return kExitInputError;
    }
  }
  if (std::filesystem::absolute(options.output) == std::filesystem::absolute(options.weights)) {
    err << "dlc: error: the program and the weights would both be written to '" << options.output << "'\n";
    return kExitUsage;
  }
  std::string bytes, why;
  if (!readBinary(options.input, bytes, why)) {
    err << "dlc: error: " << why << "\n";
    return kExitInputError;
  }
  importer::ImportOptions import;
  import.sourceName = options.input;
  import.modelName = options.model;
  import.weightsName = std::filesystem::path(options.weights).filename().string();
  import.loss = options.loss;
  import.optimizer = options.optimizer;
  import.freeze = options.freeze;
  import.dims = options.dims;
  import.reserved = [](const std::string &name) { return isBuiltin(name) || isPreludeLayer(name); };
  importer::ImportResult result;
  if (!importer::importOnnx(options.input, bytes, import, result, why)) {
    err << options.input << ": error: " << why << "\n";
    return kExitInputError;
  }
  if (!completeWeights(options.output, result.program, !options.optimizer.empty(), result.tensors, err))
    return kExitInputError;
  if (!writeAtomically(options.output, result.program, why) ||
      !writeAtomically(options.weights, importer::safetensorsBytes(result.tensors), why)) {
    err << "dlc: error: " << why << "\n";
    return kExitInputError;
  }
  out << "imported " << options.input << " as model " << result.modelName << ": " << options.output << ", "
      << result.tensors.size() << " tensors in " << options.weights << "\n";
  for (size_t i = 0; i < result.inputs.size(); ++i)
    if (result.inputs[i] != result.onnxInputs[i])
      out << "  input " << result.inputs[i] << " is ONNX's '" << result.onnxInputs[i] << "'\n";
  for (size_t i = 0; i < result.outputs.size(); ++i)
    if (result.outputs[i] != result.onnxOutputs[i])
      out << "  output " << result.outputs[i] << " is ONNX's '" << result.onnxOutputs[i] << "'\n";
  return kExitOk;
}

} // namespace dlc
