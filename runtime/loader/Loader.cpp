//===- Loader.cpp - Opening any model.so through the generic API -----------===//
//
// The generic half of dl/runtime.h (libdlrt_loader): dl_library_open checks that the file is an
// ELF shared library of this machine that is not cut short (ElfCheck.h: dlopen would die of SIGBUS
// on a truncated one), dlopens it with RTLD_NOW | RTLD_LOCAL (each model keeps its own runtime and
// Halide runtime), finds dl_model_api_v1, checks that it is a function returning an api table of
// this ABI version whose every function lies in the library, and reads the model's info once.
// Instances forward to the model's api by entry name. A library stays loaded until it is closed and
// its last instance is destroyed, so closing it early never pulls code from under a live instance.
//
// Errors with no instance to live on go to a thread-local message (dl_last_error); errors on an
// instance are the model runtime's own, except those the loader finds itself (an unknown entry
// name), which the instance keeps here.
//
//===----------------------------------------------------------------------===//
#include "ElfCheck.h"
#include "dl/model_abi.h"
#include "dl/runtime.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <new>
#include <string>

struct dl_library {
  void *handle = nullptr;
  const dl_model_api *api = nullptr;
  const dl_model_info *info = nullptr;
  /// One for the open library, one per live instance.
  std::atomic<int> references{1};
};

struct dl_instance {
  dl_library *library = nullptr;
  dlrt_instance *impl = nullptr;
  /// The loader's own last error on this instance, when it is the latest one.
  std::string loaderError;
  bool loaderErrorIsLatest = false;
};

namespace {

thread_local std::string threadError;

dl_status failThread(dl_status status, std::string message) {
  threadError = std::move(message);
  return status;
}

dl_status failInstance(dl_instance *inst, dl_status status, std::string message) {
  inst->loaderError = std::move(message);
  inst->loaderErrorIsLatest = true;
  return status;
}

/// Notes that a forwarded call's error, if any, is now the latest one of the instance.
dl_status forwarded(dl_instance *inst, dl_status status) {
  if (status != DL_OK)
    inst->loaderErrorIsLatest = false;
  return status;
}

void release(dl_library *lib) {
  if (lib->references.fetch_sub(1) == 1) {
    dlclose(lib->handle);
    delete lib;
  }
}

std::string quoted(const char *s) { return std::string("'") + s + "'"; }

/// A message from the model's api, which may be null.
std::string text(const char *message) { return message ? message : "(no message)"; }

/// The loaded object that holds `address`, or null when none does.
const link_map *objectOf(const void *address) {
  Dl_info where;
  link_map *object = nullptr;
  if (!address || !dladdr1(address, &where, reinterpret_cast<void **>(&object), RTLD_DL_LINKMAP))
    return nullptr;
  return object;
}

/// Why `api` cannot be used (a null or foreign function pointer), or "" when it can. Every
/// function must lie in the library itself (`library`), as the runtime linked into a model.so
/// puts them: a pointer elsewhere is garbage or a hostile library's.
std::string checkApi(const dl_model_api &api, const link_map *library) {
  const struct {
    const char *name;
    const void *function;
  } functions[] = {
      {"info", reinterpret_cast<const void *>(api.info)},
      {"create", reinterpret_cast<const void *>(api.create)},
      {"destroy", reinterpret_cast<const void *>(api.destroy)},
      {"call", reinterpret_cast<const void *>(api.call)},
      {"tensor", reinterpret_cast<const void *>(api.tensor)},
      {"save", reinterpret_cast<const void *>(api.save)},
      {"load", reinterpret_cast<const void *>(api.load)},
      {"step", reinterpret_cast<const void *>(api.step)},
      {"last_error", reinterpret_cast<const void *>(api.last_error)},
      {"creation_error", reinterpret_cast<const void *>(api.creation_error)},
      {"set_metadata", reinterpret_cast<const void *>(api.set_metadata)},
      {"metadata", reinterpret_cast<const void *>(api.metadata)},
      {"set_communicator", reinterpret_cast<const void *>(api.set_communicator)},
      {"gradients", reinterpret_cast<const void *>(api.gradients)},
  };
  for (const auto &f : functions) {
    if (!f.function)
      return std::string("its dl_model_api_v1 table has no '") + f.name + "' function (null)";
    if (objectOf(f.function) != library)
      return std::string("its dl_model_api_v1 table's '") + f.name +
             "' function lies outside the library";
  }
  return "";
}

/// Why the symbol dl_model_api_v1 at `symbol` cannot be called, or "" when it is a function of
/// `library` (a library may export data under the name, which calling would crash).
std::string checkApiSymbol(void *symbol, const link_map *library) {
  Dl_info where;
  void *entry = nullptr;
  if (objectOf(symbol) != library || !dladdr1(symbol, &where, &entry, RTLD_DL_SYMENT) || !entry)
    return ": its dl_model_api_v1 is not defined in the library";
  // ELF32_ST_TYPE and ELF64_ST_TYPE are the same: the low four bits.
  unsigned type = ELF64_ST_TYPE(static_cast<const ElfW(Sym) *>(entry)->st_info);
  if (type != STT_FUNC)
    return std::string(": its dl_model_api_v1 is ") +
           (type == STT_OBJECT ? "data" : "a symbol of ELF type " + std::to_string(type)) +
           ", not a function";
  return "";
}

} // namespace

extern "C" {

const char *dl_last_error(void) { return threadError.c_str(); }

dl_status dl_library_open(const char *path, dl_library **out) {
  if (!out)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_library_open: out is null");
  *out = nullptr;
  if (!path)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_library_open: the path is null");
  std::string why;
  switch (dl::loader::checkSharedLibrary(path, why)) {
  case dl::loader::ElfCheck::Ok:
    break;
  case dl::loader::ElfCheck::IoError:
    return failThread(DL_ERR_IO, "cannot open model " + quoted(path) + ": " + why);
  case dl::loader::ElfCheck::BadFormat:
    return failThread(DL_ERR_FORMAT, "cannot load model " + quoted(path) + ": " + why);
  }
  // A bare file name means the file in the current folder, not a search of the library path.
  std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
  dlerror();
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *error = dlerror();
    return failThread(DL_ERR_FORMAT, "cannot load model " + quoted(path) + ": " +
                                         (error ? error : "dlopen failed"));
  }
  // `message` follows "model 'PATH'".
  auto reject = [&](const std::string &message) {
    dlclose(handle);
    return failThread(DL_ERR_FORMAT, "model " + quoted(path) + message);
  };
  void *symbol = dlsym(handle, "dl_model_api_v1");
  if (!symbol) {
    dlclose(handle);
    return failThread(DL_ERR_FORMAT,
                      quoted(path) + " is not a dlc model (it has no dl_model_api_v1)");
  }
  link_map *library = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &library) != 0 || !library)
    return reject(": the dynamic loader does not describe it");
  why = checkApiSymbol(symbol, library);
  if (!why.empty())
    return reject(why);
  using ApiFunction = const dl_model_api *(*)(void);
  const dl_model_api *api = reinterpret_cast<ApiFunction>(symbol)();
  if (!api)
    return reject(": its dl_model_api_v1 returned no api table (null)");
  if (objectOf(api) != library)
    return reject(": its dl_model_api_v1 returned an api table outside the library");
  if (api->abi_version != DL_MODEL_ABI_VERSION)
    return reject(" has ABI version " + std::to_string(api->abi_version) +
                  "; this loader reads version " + std::to_string(DL_MODEL_ABI_VERSION));
  why = checkApi(*api, library);
  if (!why.empty())
    return reject(": " + why);
  const dl_model_info *modelInfo = api->info();
  if (!modelInfo)
    return reject(": " + text(api->creation_error()));
  dl_library *lib = new (std::nothrow) dl_library;
  if (!lib) {
    dlclose(handle);
    return failThread(DL_ERR_OUT_OF_MEMORY, "out of memory");
  }
  lib->handle = handle;
  lib->api = api;
  lib->info = modelInfo;
  *out = lib;
  return DL_OK;
}

void dl_library_close(dl_library *lib) {
  if (lib)
    release(lib);
}

const dl_model_info *dl_library_info(const dl_library *lib) { return lib ? lib->info : nullptr; }

int dl_library_find_entry(const dl_library *lib, const char *entry) {
  if (!lib || !entry)
    return -1;
  for (int i = 0; i < lib->info->n_entries; ++i)
    if (std::strcmp(lib->info->entries[i].name, entry) == 0)
      return i;
  return -1;
}

dl_status dl_instance_create(dl_library *lib, const dl_options *options, dl_instance **out) {
  if (!out)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_create: out is null");
  *out = nullptr;
  if (!lib)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_create: the library is null");
  dl_instance *inst = new (std::nothrow) dl_instance;
  if (!inst)
    return failThread(DL_ERR_OUT_OF_MEMORY, "out of memory");
  dl_status status = lib->api->create(options, &inst->impl);
  if (status != DL_OK) {
    delete inst;
    return failThread(status, text(lib->api->creation_error()));
  }
  inst->library = lib;
  lib->references.fetch_add(1);
  *out = inst;
  return DL_OK;
}

void dl_instance_destroy(dl_instance *inst) {
  if (!inst)
    return;
  inst->library->api->destroy(inst->impl);
  dl_library *lib = inst->library;
  delete inst;
  release(lib);
}

dl_status dl_instance_call(dl_instance *inst, const char *entry, const void *const *inputs,
                           int n_inputs, void *const *outputs, int n_outputs) {
  if (!inst)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_call: the instance is null");
  if (!entry)
    return failInstance(inst, DL_ERR_INVALID_ARGUMENT, "dl_instance_call: the entry name is null");
  int index = dl_library_find_entry(inst->library, entry);
  if (index < 0) {
    const dl_model_info *info = inst->library->info;
    std::string known;
    for (int i = 0; i < info->n_entries; ++i)
      known += (i ? ", " : "") + std::string(info->entries[i].name);
    return failInstance(inst, DL_ERR_INVALID_ARGUMENT,
                        "model '" + std::string(info->name) + "' has no entry " + quoted(entry) +
                            " (its entries: " + known + ")");
  }
  return forwarded(inst, inst->library->api->call(inst->impl, index, inputs, n_inputs, outputs,
                                                  n_outputs));
}

dl_status dl_instance_tensor(dl_instance *inst, const char *name, void **data,
                             const dl_tensor_info **info) {
  if (!inst) {
    if (data)
      *data = nullptr;
    if (info)
      *info = nullptr;
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_tensor: the instance is null");
  }
  return forwarded(inst, inst->library->api->tensor(inst->impl, name, data, info));
}

dl_status dl_instance_save(dl_instance *inst, const char *path) {
  if (!inst)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_save: the instance is null");
  return forwarded(inst, inst->library->api->save(inst->impl, path));
}

dl_status dl_instance_load(dl_instance *inst, const char *path) {
  if (!inst)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_load: the instance is null");
  return forwarded(inst, inst->library->api->load(inst->impl, path));
}

uint64_t dl_instance_step(const dl_instance *inst) {
  return inst ? inst->library->api->step(inst->impl) : 0;
}

dl_status dl_instance_set_metadata(dl_instance *inst, const char *key, const char *value) {
  if (!inst)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_set_metadata: the instance is null");
  return forwarded(inst, inst->library->api->set_metadata(inst->impl, key, value));
}

const char *dl_instance_metadata(const dl_instance *inst, const char *key) {
  return inst ? inst->library->api->metadata(inst->impl, key) : nullptr;
}

dl_status dl_instance_set_communicator(dl_instance *inst, const dl_communicator *comm) {
  if (!inst)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_set_communicator: the instance is null");
  return forwarded(inst, inst->library->api->set_communicator(inst->impl, comm));
}

dl_status dl_instance_gradients(dl_instance *inst, const char *entry, float **data,
                                size_t *count) {
  if (data)
    *data = nullptr;
  if (count)
    *count = 0;
  if (!inst)
    return failThread(DL_ERR_INVALID_ARGUMENT, "dl_instance_gradients: the instance is null");
  if (!entry)
    return failInstance(inst, DL_ERR_INVALID_ARGUMENT, "dl_instance_gradients: the entry name is null");
  int index = dl_library_find_entry(inst->library, entry);
  if (index < 0)
    return failInstance(inst, DL_ERR_INVALID_ARGUMENT,
                        "model '" + std::string(inst->library->info->name) + "' has no entry " +
                            quoted(entry));
  return forwarded(inst, inst->library->api->gradients(inst->impl, index, data, count));
}

const char *dl_instance_last_error(const dl_instance *inst) {
  if (!inst)
    return dl_last_error();
  return inst->loaderErrorIsLatest ? inst->loaderError.c_str()
                                   : inst->library->api->last_error(inst->impl);
}

} // extern "C"
