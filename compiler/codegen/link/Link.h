//===- Link.h - Linking a model.so -------------------------------*- C++ -*-===//
#ifndef DLC_CODEGEN_LINK_LINK_H
#define DLC_CODEGEN_LINK_LINK_H

#include <string>
#include <vector>

namespace dl::codegen {

struct LinkJob {
  std::vector<std::string> objects; ///< Kernels, glue and Halide's runtime.
  std::string runtimeArchive;       ///< libdlrt.a, linked whole.
  std::vector<std::string> exports;  ///< The model's API (ModelSymbols.h); the rest is local.
  std::string output;               ///< The shared library, replaced atomically.
  std::string scratchDir;           ///< For the version script and the library as linked.
};

/// The runtime archive next to the running dlc (../lib/libdlrt.a), or DLC_RUNTIME_LIB when set.
std::string defaultRuntimeArchive();

/// Links the shared library with the system C++ compiler driver, exporting only `exports` (the
/// typed entry points and dl_model_api_v1); on failure `error` holds the linker's output.
bool linkSharedLibrary(const LinkJob &job, std::string &error);

} // namespace dl::codegen

#endif // DLC_CODEGEN_LINK_LINK_H
