//===- KernelMemory.cpp - Reusing the Halide kernels' scratch memory -------===//
#include "runtime/core/KernelMemory.h"

#include <HalideRuntime.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace dl::rt {
namespace {

/// Alignment of every block, and the guard before and after it (Halide may read past the ends).
constexpr size_t kAlign = 64;
/// Blocks at least this large are cached; smaller ones come cheaply from the C library's bins.
constexpr size_t kCachedFrom = 64 * 1024;
/// The most bytes the cache holds; a block freed beyond it goes back to the C library.
constexpr size_t kCacheLimit = size_t(1) << 30;

std::mutex cacheMutex;
std::map<size_t, std::vector<char *>> freeBlocks; ///< By rounded size: the allocations' bases.
size_t cachedBytes = 0;

/// The rounded size of a request: whole alignment units.
size_t roundedSize(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

} // namespace

void *kernelMalloc(void * /*userContext*/, size_t bytes) {
  if (bytes > SIZE_MAX - 4 * kAlign)
    return nullptr;
  size_t size = roundedSize(bytes);
  char *base = nullptr;
  if (size >= kCachedFrom) {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = freeBlocks.find(size);
    if (it != freeBlocks.end() && !it->second.empty()) {
      base = it->second.back();
      it->second.pop_back();
      cachedBytes -= size;
    }
  }
  if (!base) {
    base = static_cast<char *>(std::aligned_alloc(kAlign, size + 2 * kAlign));
    if (!base)
      return nullptr;
  }
  // The guard before the block records its size.
  *reinterpret_cast<size_t *>(base) = size;
  return base + kAlign;
}

void kernelFree(void * /*userContext*/, void *block) {
  if (!block)
    return;
  char *base = static_cast<char *>(block) - kAlign;
  size_t size = *reinterpret_cast<size_t *>(base);
  if (size >= kCachedFrom) {
    std::lock_guard<std::mutex> lock(cacheMutex);
    if (cachedBytes + size <= kCacheLimit) {
      freeBlocks[size].push_back(base);
      cachedBytes += size;
      return;
    }
  }
  std::free(base);
}

size_t kernelCachedBytes() {
  std::lock_guard<std::mutex> lock(cacheMutex);
  return cachedBytes;
}

void installKernelAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    halide_set_custom_malloc(kernelMalloc);
    halide_set_custom_free(kernelFree);
  });
}

} // namespace dl::rt
