//===- EntryBuffers.cpp - Allocating an entry's host buffers --------------===//
#include "tools/dl-run/feeds/EntryBuffers.h"

#include <cstring>
#include <new>

namespace dlrun {

EntryBuffers::Storage EntryBuffers::allocate(size_t bytes) {
  // aligned_alloc wants a multiple of the alignment; zeroed so padding rows hold zeros.
  size_t rounded = (bytes + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p)
    throw std::bad_alloc();
  std::memset(p, 0, rounded ? rounded : 64);
  return Storage(p);
}

EntryBuffers::EntryBuffers(const dl_entry_info &entry) : entry_(&entry) {
  for (int i = 0; i < entry.n_inputs; ++i) {
    inputs_.push_back(allocate(entry.inputs[i].bytes));
    inputPointers_.push_back(inputs_.back().get());
  }
  for (int i = 0; i < entry.n_outputs; ++i) {
    outputs_.push_back(allocate(entry.outputs[i].bytes));
    outputPointers_.push_back(outputs_.back().get());
  }
}

} // namespace dlrun
