//===- Info.cpp - dl-run info: what a model.so holds ----------------------===//
//
// Prints the model's name and target, each entry with its inputs and outputs, every parameter and
// buffer with its type and size, and the memory plan (parameter, state and workspace bytes). Reads
// the library's description only; no instance is created.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"

namespace dlrun {

namespace {

void printTensors(const char *heading, const dl_tensor_info *tensors, int n, std::ostream &out) {
  out << "    " << heading << ":";
  if (n == 0)
    out << " none";
  out << "\n";
  for (int i = 0; i < n; ++i)
    out << "      " << tensors[i].name << " " << typeString(tensors[i]) << "\n";
}

void printState(const char *heading, const dl_tensor_info *tensors, int n, std::ostream &out) {
  size_t bytes = 0;
  for (int i = 0; i < n; ++i)
    bytes += tensors[i].bytes;
  out << heading << " (" << n << ", " << bytes << " bytes):\n";
  for (int i = 0; i < n; ++i)
    out << "  " << tensors[i].name << " " << typeString(tensors[i]) << "  " << tensors[i].bytes << " bytes\n";
}

} // namespace

int runInfo(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!model.open(options.model, error))
    return fail(err, error);
  const dl_model_info &info = model.info();
  out << "model " << info.name << " (target " << info.target << ")\n";
  out << "entries:\n";
  for (int e = 0; e < info.n_entries; ++e) {
    const dl_entry_info &entry = info.entries[e];
    out << "  " << entry.name << " (" << entryKindName(entry.kind) << ")\n";
    printTensors("inputs", entry.inputs, entry.n_inputs, out);
    printTensors("outputs", entry.outputs, entry.n_outputs, out);
  }
  printState("params", info.params, info.n_params, out);
  printState("buffers", info.buffers, info.n_buffers, out);
  out << "memory: params " << info.param_bytes << " bytes, state " << info.state_bytes << " bytes, workspace "
      << info.workspace_bytes << " bytes\n";
  return kExitOk;
}

} // namespace dlrun
