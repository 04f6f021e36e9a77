//===- ModelSymbols.h - The symbols a model.so exports ------------*- C++ -*-===//
//
// The names of the typed C API of a model (dl/model_abi.h): the glue defines them, the generated
// header declares them, the link exports exactly these and makes everything else local, and the
// frontend refuses model names whose symbols would take a name the library itself calls. Plain C++,
// so the frontend can ask without linking the code generator.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_MODELSYMBOLS_H
#define DLC_CODEGEN_MODELSYMBOLS_H

#include <string>
#include <vector>

namespace dl::codegen {

/// The functions of every model besides its entry points: `<model>_<suffix>`.
inline const std::vector<std::string> &modelApiSuffixes() {
  static const std::vector<std::string> suffixes = {
      "create", "destroy", "param", "save", "load", "step", "last_error", "info",
      "set_communicator", "gradients"};
  return suffixes;
}

/// The entry point of a train block: `train_step` for `train m`, `<step>_step` for
/// `train m.<step>`.
inline std::string trainEntryName(const std::string &step) {
  return step.empty() ? "train_step" : step + "_step";
}

/// Every symbol a model.so of `model` exports: its API, one function per entry point
/// (`<model>_forward`, ...), and the loader's dl_model_api_v1.
inline std::vector<std::string> modelExports(const std::string &model,
                                             const std::vector<std::string> &entries) {
  std::vector<std::string> out;
  for (const std::string &suffix : modelApiSuffixes())
    out.push_back(model + "_" + suffix);
  for (const std::string &entry : entries)
    out.push_back(model + "_" + entry);
  out.push_back("dl_model_api_v1");
  return out;
}

} // namespace dl::codegen

#endif // DLC_CODEGEN_MODELSYMBOLS_H
