//===- Model.cpp - Opening, running and checkpointing a model.so ----------===//
#include "tools/dl-run/Model.h"

#include <cstring>

namespace dlrun {

Model::~Model() {
  dl_instance_destroy(instance_);
  dl_library_close(library_);
}

bool Model::open(const std::string &path, std::string &error) {
  path_ = path;
  dl_status status = dl_library_open(path.c_str(), &library_);
  if (status != DL_OK) {
    error = failure(status, "");
    return false;
  }
  info_ = dl_library_info(library_);
  return true;
}

bool Model::createInstance(uint64_t seed, int threads, const std::string &deviceName,
                           std::string &error) {
  // Unless --device says otherwise, the device is the first target the model was compiled for
  // ("cpu", "cuda" or "cpu,cuda"); host buffers work with either.
  std::string wanted = deviceName.empty() ? info_->target : deviceName;
  dl_device device = wanted.rfind("cuda", 0) == 0 ? DL_DEVICE_CUDA : DL_DEVICE_CPU;
  onGpu_ = device == DL_DEVICE_CUDA;
  dl_options options{device, threads, seed};
  dl_instance_destroy(instance_);
  instance_ = nullptr;
  seed_ = seed;
  dl_status status = dl_instance_create(library_, &options, &instance_);
  if (status != DL_OK) {
    error = failure(status, "creating an instance of '" + path_ + "'");
    return false;
  }
  return true;
}

const dl_entry_info *Model::entry(const std::string &name) const {
  for (int i = 0; i < info_->n_entries; ++i)
    if (name == info_->entries[i].name)
      return &info_->entries[i];
  return nullptr;
}

const dl_entry_info *Model::firstEntry(dl_entry_kind kind) const {
  for (int i = 0; i < info_->n_entries; ++i)
    if (info_->entries[i].kind == kind)
      return &info_->entries[i];
  return nullptr;
}

const dl_entry_info *Model::chooseEntry(const std::string &name, std::vector<dl_entry_kind> kinds,
                                        const std::string &purpose, std::string &error) const {
  if (!name.empty()) {
    const dl_entry_info *found = entry(name);
    if (!found)
      error = "model '" + std::string(info_->name) + "' has no entry '" + name + "' (its entries: " +
              entryNames() + ")";
    return found;
  }
  for (dl_entry_kind kind : kinds)
    if (const dl_entry_info *found = firstEntry(kind))
      return found;
  error = "model '" + std::string(info_->name) + "' has no " + purpose + " (its entries: " + entryNames() + ")";
  return nullptr;
}

bool Model::call(const dl_entry_info &entry, const std::vector<const void *> &inputs,
                 const std::vector<void *> &outputs, std::string &error) {
  dl_status status = dl_instance_call(instance_, entry.name, inputs.data(), int(inputs.size()),
                                      outputs.data(), int(outputs.size()));
  if (status != DL_OK) {
    error = failure(status, entry.name);
    return false;
  }
  return true;
}

bool Model::attach(const dl_communicator *comm, std::string &error) {
  dl_status status = dl_instance_set_communicator(instance_, comm);
  if (status != DL_OK)
    error = failure(status, "joining the other ranks");
  return status == DL_OK;
}

bool Model::tensor(const std::string &name, void *&data, std::string &error) {
  const dl_tensor_info *info = nullptr;
  dl_status status = dl_instance_tensor(instance_, name.c_str(), &data, &info);
  if (status != DL_OK)
    error = failure(status, "reading '" + name + "'");
  return status == DL_OK;
}

bool Model::load(const std::string &checkpoint, std::string &error) {
  dl_status status = dl_instance_load(instance_, checkpoint.c_str());
  if (status != DL_OK) {
    error = failure(status, "loading '" + checkpoint + "'");
    return false;
  }
  return true;
}

std::optional<std::string> Model::metadata(const std::string &key) const {
  const char *value = dl_instance_metadata(instance_, key.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

bool Model::setMetadata(const std::string &key, const std::string &value, std::string &error) {
  dl_status status = dl_instance_set_metadata(instance_, key.c_str(), value.c_str());
  if (status != DL_OK) {
    error = failure(status, "setting checkpoint metadata '" + key + "'");
    return false;
  }
  return true;
}

bool Model::save(const std::string &checkpoint, std::string &error) {
  dl_status status = dl_instance_save(instance_, checkpoint.c_str());
  if (status != DL_OK) {
    error = failure(status, "saving '" + checkpoint + "'");
    return false;
  }
  return true;
}

std::string Model::entryNames() const {
  std::string names;
  for (int i = 0; i < info_->n_entries; ++i)
    names += (i ? ", " : "") + std::string(info_->entries[i].name);
  return names.empty() ? "none" : names;
}

std::string Model::failure(dl_status status, const std::string &what) const {
  const char *message = instance_ ? dl_instance_last_error(instance_) : dl_last_error();
  std::string text = what.empty() ? "" : what + ": ";
  text += message && *message ? message : "failed";
  return text + " (" + dl_status_name(status) + ")";
}

const char *entryKindName(dl_entry_kind kind) {
  switch (kind) {
  case DL_ENTRY_FORWARD: return "forward";
  case DL_ENTRY_EVAL: return "eval";
  case DL_ENTRY_TRAIN: return "train";
  case DL_ENTRY_GRAD: return "grad";
  case DL_ENTRY_APPLY: return "apply";
  }
  return "?";
}

dldata::DType dataType(dl_dtype dtype) {
  switch (dtype) {
  case DL_F32: return dldata::DType::F32;
  case DL_I32: return dldata::DType::I32;
  case DL_BOOL: return dldata::DType::Bool;
  }
  return dldata::DType::F32;
}

std::vector<int64_t> shapeOf(const dl_tensor_info &tensor) {
  return std::vector<int64_t>(tensor.shape, tensor.shape + tensor.rank);
}

std::string typeString(const dl_tensor_info &tensor) {
  return dldata::describe(dataType(tensor.dtype), shapeOf(tensor));
}

int64_t elementCount(const dl_tensor_info &tensor) {
  int64_t n = 1;
  for (int i = 0; i < tensor.rank; ++i)
    n *= tensor.shape[i];
  return n;
}

} // namespace dlrun
