//===- ModelNames.cpp - Model names that cannot break their library -------===//
//
// A model's symbols (`<model>_create`, ..., compiler/codegen/ModelSymbols.h) are refused when
//  - they begin with '_' (reserved to the C implementation: __cxa_*, _Unwind_*, _IO_*);
//  - they fall in a namespace the library or its header uses, whatever the C library at hand:
//      dl_ (in any case: DL_ macros, Dl_info)  dlc's runtime API, dl/runtime.h
//      dlrt_                                   dlc's runtime inside every model.so
//      halide_                                 Halide's runtime inside every model.so
//      pthread_                                POSIX threads (Halide's thread pool)
//      sem_ mtx_ cnd_ thrd_ tss_               POSIX semaphores, C11 threads
//      timer_ sched_ posix_                    POSIX timers, scheduling, posix_memalign and kin
//  - or they name a function of the C and C++ runtime libraries a model.so links (libc, libm,
//    libstdc++, libgcc_s), as found in this process: dlc links the same ones (malloc_info of a
//    model named malloc, epoll_create of one named epoll).
// -Bsymbolic and the export list (compiler/codegen/link) keep a model's own references local, but
// cannot help here: inside one link there is one definition per name.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ModelNames.h"
#include "compiler/codegen/ModelSymbols.h"

#include <cctype>
#include <dlfcn.h>

namespace dlc {
namespace {

struct ReservedPrefix {
  const char *prefix;
  const char *owner;
};

const ReservedPrefix kReservedPrefixes[] = {
    {"dl_", "dlc's runtime API (dl/runtime.h; DL_ and Dl_ too)"},
    {"dlrt_", "dlc's runtime inside the library"},
    {"halide_", "Halide's runtime inside the library"},
    {"pthread_", "POSIX threads, which the library itself calls"},
    {"sem_", "POSIX semaphores"},
    {"mtx_", "C11 threads"},
    {"cnd_", "C11 threads"},
    {"thrd_", "C11 threads"},
    {"tss_", "C11 threads"},
    {"timer_", "POSIX timers"},
    {"sched_", "POSIX scheduling, which the library itself calls"},
    {"posix_", "POSIX functions, which the library itself calls"},
};

/// The file name of a C or C++ runtime library a model.so links, from a path ("" otherwise).
std::string runtimeLibrary(const char *path) {
  std::string name = path ? path : "";
  name = name.substr(name.rfind('/') + 1);
  for (const char *lib : {"libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "libpthread.so",
                          "libdl.so", "librt.so"})
    if (name.rfind(lib, 0) == 0)
      return name;
  return "";
}

/// Why `symbol` is taken ("'pthread_create' in the 'pthread_' namespace of ..."), or "".
std::string taken(const std::string &symbol) {
  if (symbol[0] == '_')
    return "'" + symbol + "', a name reserved to the C implementation (a leading '_')";
  std::string lower;
  for (char c : symbol)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const ReservedPrefix &r : kReservedPrefixes) {
    const std::string &compared = std::string(r.prefix) == "dl_" ? lower : symbol;
    if (compared.rfind(r.prefix, 0) == 0)
      return "'" + symbol + "' in the '" + r.prefix + "' namespace of " + r.owner;
  }
  if (void *address = ::dlsym(RTLD_DEFAULT, symbol.c_str())) {
    Dl_info info;
    std::string library = ::dladdr(address, &info) ? runtimeLibrary(info.dli_fname) : "";
    if (!library.empty())
      return "'" + symbol + "', which " + library + " already defines";
  }
  return "";
}

} // namespace

std::string reservedModelName(const std::string &model, const std::vector<std::string> &entries) {
  for (const std::string &symbol : dl::codegen::modelExports(model, entries)) {
    if (symbol == "dl_model_api_v1")
      continue;
    std::string why = taken(symbol);
    if (!why.empty())
      return "model name '" + model + "' would give the library a function " + why +
             "; rename the model";
  }
  return "";
}

} // namespace dlc
