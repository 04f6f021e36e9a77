//===- Link.cpp - Linking a model.so ---------------------------------------===//
//
// Calls the system's C++ compiler driver (c++, else g++, else clang++) as a linker:
//   c++ -shared -o SCRATCH/model.so OBJECTS -Wl,--whole-archive libdlrt.a -Wl,--no-whole-archive
//       -Wl,--version-script=exports.map -Wl,-Bsymbolic -Wl,--no-undefined -lpthread -ldl -lm
// The version script exports the model's API by name and nothing else: Halide's runtime, the C++
// library's symbols and the kernels stay inside the library, so two models loaded into one process
// never bind to each other's copies. -Bsymbolic binds the library's own references to its own
// definitions. Neither can stop a model's function from taking the name of one the library imports
// (a model named pthread_mutex defining pthread_mutex_destroy, which Halide's thread pool calls):
// inside one link there is one definition per name, so the frontend refuses such names
// (compiler/frontend/ModelNames.cpp). The result is moved over OUT only when the link succeeded.
// It is linked inside the scratch folder, not beside OUT, so a dlc killed while the linker runs
// leaves nothing beside OUT: the folder is removed on the signal (Temporaries.h), and a linker that
// outlives dlc cannot write into a removed folder.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/link/Link.h"
#include "compiler/codegen/link/Temporaries.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

/// Moves `from` to `to`: a rename on one file system; else a copy into a temporary file beside
/// `to` (registered for removal if dlc is killed) that is then renamed over it.
static bool moveIntoPlace(const std::string &from, const std::string &to, std::string &error) {
  if (std::rename(from.c_str(), to.c_str()) == 0)
    return true;
  if (errno != EXDEV) {
    error = "cannot write '" + to + "': " + std::strerror(errno);
    return false;
  }
  std::string temporary = to + ".tmp." + std::to_string(::getpid());
  TemporaryPath tracked(temporary);
  std::error_code ec = llvm::sys::fs::copy_file(from, temporary);
  if (!ec) {
    if (auto permissions = llvm::sys::fs::getPermissions(from))
      ec = llvm::sys::fs::setPermissions(temporary, *permissions);
  }
  if (!ec && std::rename(temporary.c_str(), to.c_str()) != 0)
    ec = std::error_code(errno, std::generic_category());
  if (ec) {
    error = "cannot write '" + to + "': " + ec.message();
    std::remove(temporary.c_str());
    return false;
  }
  return true;
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
  std::string linked = job.scratchDir + "/model.so";
  std::vector<std::string> args = {driver, "-shared", "-o", linked};
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
    return false;
  }
  return moveIntoPlace(linked, job.output, error);
}

} // namespace dl::codegen
