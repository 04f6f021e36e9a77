//===- EntryBuffers.h - Host memory for one entry's inputs and outputs --*- C++ -*-===//
//
// One 64-byte-aligned buffer per input and per output of an entry, sized from the entry's
// dl_tensor_info, and the pointer arrays dl_instance_call takes.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_FEEDS_ENTRYBUFFERS_H
#define DL_TOOLS_DLRUN_FEEDS_ENTRYBUFFERS_H

#include "dl/runtime.h"

#include <cstdlib>
#include <memory>
#include <vector>

namespace dlrun {

class EntryBuffers {
public:
  explicit EntryBuffers(const dl_entry_info &entry);

  const dl_entry_info &entry() const { return *entry_; }
  void *input(int i) { return inputs_[size_t(i)].get(); }
  void *output(int i) { return outputs_[size_t(i)].get(); }
  template <typename T> T *input(int i) { return static_cast<T *>(input(i)); }
  template <typename T> T *output(int i) { return static_cast<T *>(output(i)); }

  const std::vector<const void *> &inputPointers() const { return inputPointers_; }
  const std::vector<void *> &outputPointers() const { return outputPointers_; }

private:
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  using Storage = std::unique_ptr<void, Free>;
  static Storage allocate(size_t bytes);

  const dl_entry_info *entry_;
  std::vector<Storage> inputs_, outputs_;
  std::vector<const void *> inputPointers_;
  std::vector<void *> outputPointers_;
};

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_FEEDS_ENTRYBUFFERS_H
