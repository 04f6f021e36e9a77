//===- RuntimeTestUtil.h - Shared helpers of the runtime tests -*- C++ -*-===//
//
// Owning handles for the loader's libraries and instances, access to fake_model.so (FakeModel.c),
// snapshots of an instance's whole state, and a temporary folder that cleans up after itself.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H
#define DL_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H

#include "dl/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace dl::test {

struct LibraryCloser {
  void operator()(dl_library *lib) const { dl_library_close(lib); }
};
struct InstanceDestroyer {
  void operator()(dl_instance *inst) const { dl_instance_destroy(inst); }
};
using Library = std::unique_ptr<dl_library, LibraryCloser>;
using Instance = std::unique_ptr<dl_instance, InstanceDestroyer>;

/// Opens fake_model.so; null (with the loader's message in a test failure) if that fails.
inline Library openFakeModel() {
  dl_library *lib = nullptr;
  dl_status status = dl_library_open(DL_FAKE_MODEL, &lib);
  EXPECT_EQ(status, DL_OK) << dl_last_error();
  return Library(lib);
}

inline Instance createInstance(dl_library *lib, uint64_t seed, int threads = 1) {
  dl_options options{DL_DEVICE_CPU, threads, seed};
  dl_instance *inst = nullptr;
  dl_status status = dl_instance_create(lib, &options, &inst);
  EXPECT_EQ(status, DL_OK) << dl_last_error();
  return Instance(inst);
}

/// The storage of the parameter or buffer `name`, as `T`.
template <typename T> T *tensorData(dl_instance *inst, const char *name, size_t *count = nullptr) {
  void *data = nullptr;
  const dl_tensor_info *info = nullptr;
  EXPECT_EQ(dl_instance_tensor(inst, name, &data, &info), DL_OK) << dl_instance_last_error(inst);
  if (count)
    *count = info ? info->bytes / sizeof(T) : 0;
  return static_cast<T *>(data);
}

template <typename T> std::vector<T> tensorValues(dl_instance *inst, const char *name) {
  size_t count = 0;
  T *data = tensorData<T>(inst, name, &count);
  return data ? std::vector<T>(data, data + count) : std::vector<T>();
}

/// Every byte of every parameter and buffer, in the model's order, then the step.
inline std::vector<uint8_t> snapshot(dl_instance *inst, dl_library *lib) {
  std::vector<uint8_t> bytes;
  const dl_model_info *info = dl_library_info(lib);
  auto add = [&](const dl_tensor_info &t) {
    const uint8_t *data = tensorData<uint8_t>(inst, t.name);
    if (data)
      bytes.insert(bytes.end(), data, data + t.bytes);
  };
  for (int i = 0; i < info->n_params; ++i)
    add(info->params[i]);
  for (int i = 0; i < info->n_buffers; ++i)
    add(info->buffers[i]);
  uint64_t step = dl_instance_step(inst);
  const uint8_t *s = reinterpret_cast<const uint8_t *>(&step);
  bytes.insert(bytes.end(), s, s + sizeof step);
  return bytes;
}

/// A fresh folder under the system's temporary folder, removed with everything in it.
class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dlrt-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()))
      path_ = buffer.data();
    EXPECT_FALSE(path_.empty()) << "cannot create a temporary folder";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }
  /// The names of the files in the folder.
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    for (const auto &entry : std::filesystem::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    return names;
  }

private:
  std::string path_;
};

} // namespace dl::test

#endif // DL_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H
