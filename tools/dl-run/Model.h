//===- Model.h - A compiled model opened through the generic C API -*- C++ -*-===//
//
// Owns a dl_library and one dl_instance of it (dl/runtime.h) and turns every failing dl_status into
// an error message: the instance's last error (or the thread's, before there is an instance)
// followed by the status name. Also finds entries by kind and prints tensors as dlc does
// ("x f32[128, 784]").
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_MODEL_H
#define DL_TOOLS_DLRUN_MODEL_H

#include "dl/runtime.h"
#include "runtime/data/Array.h"

#include <optional>
#include <string>
#include <vector>

namespace dlrun {

class Model {
public:
  Model() = default;
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;
  ~Model();

  /// Opens the library at `path`.
  bool open(const std::string &path, std::string &error);
  /// Creates the instance (parameters drawn from their initializers) on the device of the model's
  /// target: CUDA for "cuda", the CPU otherwise.
  bool createInstance(uint64_t seed, int threads, const std::string &device, std::string &error);

  const dl_model_info &info() const { return *info_; }
  /// Whether the instance keeps its state on a GPU (reading it from the host costs a copy).
  bool onGpu() const { return onGpu_; }
  const std::string &path() const { return path_; }

  /// The entry named `name`, or null.
  const dl_entry_info *entry(const std::string &name) const;
  /// The first entry of `kind`, or null.
  const dl_entry_info *firstEntry(dl_entry_kind kind) const;
  /// The entry `name` if not empty (an error when absent, naming the model's entries), else the
  /// first entry of each kind in `kinds` in turn; `purpose` words the error when none is found.
  const dl_entry_info *chooseEntry(const std::string &name, std::vector<dl_entry_kind> kinds,
                                   const std::string &purpose, std::string &error) const;

  /// Runs `entry`; `inputs` and `outputs` in the entry's order.
  bool call(const dl_entry_info &entry, const std::vector<const void *> &inputs,
            const std::vector<void *> &outputs, std::string &error);
  /// The train steps the instance has taken (restored by load): the step of the next train call.
  uint64_t step() const { return dl_instance_step(instance_); }
  /// The seed the instance was created with.
  uint64_t seed() const { return seed_; }
  /// The checkpoint metadata (dl_instance_metadata), saved with the next checkpoint.
  std::optional<std::string> metadata(const std::string &key) const;
  bool setMetadata(const std::string &key, const std::string &value, std::string &error);
  /// Attaches the communicator of a data-parallel run (dl_instance_set_communicator): the
  /// instance takes rank 0's state, and its train entries sum gradients over the ranks.
  bool attach(const dl_communicator *comm, std::string &error);
  /// The storage of the parameter or buffer `name` (on the host; see dl_instance_tensor).
  bool tensor(const std::string &name, void *&data, std::string &error);
  bool load(const std::string &checkpoint, std::string &error);
  bool save(const std::string &checkpoint, std::string &error);

  /// The comma-separated names of the entries, for messages.
  std::string entryNames() const;

private:
  std::string failure(dl_status status, const std::string &what) const;

  std::string path_;
  dl_library *library_ = nullptr;
  dl_instance *instance_ = nullptr;
  const dl_model_info *info_ = nullptr;
  bool onGpu_ = false;
  uint64_t seed_ = 0;
};

/// "train", "forward", "eval", "grad" or "apply".
const char *entryKindName(dl_entry_kind kind);

/// The element type of data arrays that matches a model dtype.
dldata::DType dataType(dl_dtype dtype);

/// The shape of a tensor as a vector.
std::vector<int64_t> shapeOf(const dl_tensor_info &tensor);

/// "f32[128, 784]".
std::string typeString(const dl_tensor_info &tensor);

/// The elements of a tensor (1 for a scalar).
int64_t elementCount(const dl_tensor_info &tensor);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_MODEL_H
