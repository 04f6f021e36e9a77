//===- Link.cpp - Linking a model.so ---------------------------------------===//
//
// Calls the system's C++ compiler driver (c++, else g++, else clang++) as a linker:
//   c++ -shared -o OUT.tmp OBJECTS -Wl,--whole-archive libdlrt.a -Wl,--no-whole-archive
//       -Wl,--version-script=exports.map -Wl,-Bsymbolic -Wl,--no-undefined -lpthread -ldl -lm
// The version script exports the model's API by name and nothing else: Halide's runtime, the C++
// library's symbols and the kernels stay inside the library, so two models loaded into one process
// never bind to each other's copies. -Bsymbolic binds the library's own references to its own
// definitions. Neither can stop a model's function from taking the name of one the library imports
// (a model named pthread_mutex defining pthread_mutex_destroy, which Halide's thread pool calls):
// inside one link there is one definition per name, so the frontend refuses such names
// (compiler/frontend/ModelNames.cpp). The result is renamed over OUT only when the link succeeded.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/link/Link.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace dl::codegen {

std::string defaultRuntimeArchive() {
  if (const char *env = std::getenv("DLC_RUNTIME_LIB"))
    return env;
  // /proc/self/exe names the running dlc even while a rebuild replaces the file (" (deleted)").
  llvm::SmallString<256> exe;
  if (llvm::sys::fs::real_path("/proc/self/exe", exe))
    exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  std::string self(exe);
  if (llvm::StringRef(self).ends_with(" (deleted)"))
    self.resize(self.size() - 10);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(llvm::sys::path::parent_path(self)));
  llvm::sys::path::append(path, "lib", "libdlrt.a");
  return std::string(path);
}

bool linkSharedLibrary(const LinkJob &job, std::string &error) {
  std::string driver;
  for (const char *name : {"c++", "g++", "clang++"})
    if (auto found = llvm::sys::findProgramByName(name)) {
      driver = *found;
      break;
    }
  if (driver.empty()) {
    error = "no C++ compiler driver (c++, g++ or clang++) on PATH to link with";
    return false;
  }
  if (!llvm::sys::fs::exists(job.runtimeArchive)) {
    error = "the runtime library '" + job.runtimeArchive +
            "' is missing (build the dlrt target, or set DLC_RUNTIME_LIB)";
    return false;
  }
  std::string script = job.scratchDir + "/exports.map";
  {
    std::ofstream out(script);
    out << "{\n  global:\n";
    for (const std::string &name : job.exports)
      out << "    " << name << ";\n";
    out << "  local: *;\n};\n";
    if (!out) {
      error = "cannot write '" + script + "'";
      return false;
    }
  }
  std::string temporary = job.output + ".tmp." + std::to_string(::getpid());
  std::vector<std::string> args = {driver, "-shared", "-o", temporary};
  args.insert(args.end(), job.objects.begin(), job.objects.end());
  for (const char *a : {"-Wl,--whole-archive"})
    args.push_back(a);
  args.push_back(job.runtimeArchive);
  for (const char *a : {"-Wl,--no-whole-archive", "-Wl,-Bsymbolic", "-Wl,--no-undefined",
                        "-lpthread", "-ldl", "-lm"})
    args.push_back(a);
  args.push_back("-Wl,--version-script=" + script);

  std::string log = job.scratchDir + "/link.log";
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(driver, argRefs, std::nullopt, redirects, 0, 0, &message);
  if (status != 0) {
    error = "linking failed";
    if (!message.empty())
      error += ": " + message;
    if (auto text = llvm::MemoryBuffer::getFile(log))
      error += "\n" + (*text)->getBuffer().str();
    std::remove(temporary.c_str());
    return false;
  }
  if (std::rename(temporary.c_str(), job.output.c_str()) != 0) {
    error = "cannot write '" + job.output + "'";
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

} // namespace dl::codegen
