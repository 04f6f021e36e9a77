//===- KernelMemory.cpp - Reusing the Halide kernels' scratch memory -------===//
#include "runtime/core/KernelMemory.h"

#include <HalideRuntime.h>

#include <atomic>
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

/// The cache of one model.so's runtime. Its destructor runs when that library is unloaded
/// (dl_library_close) or the process exits, and gives every cached block back to the C library:
/// without it each library closed lost up to kCacheLimit bytes (LeakSanitizer found it). Blocks
/// freed after that go straight to the C library (`closed`, constant-initialized and trivially
/// destroyed, stays readable).
struct BlockCache {
  std::mutex mutex;
  std::map<size_t, std::vector<char *>> freeBlocks; ///< By rounded size: the allocations' bases.
  size_t cachedBytes = 0;

  ~BlockCache();
};
std::atomic<bool> closed{false};
BlockCache cache;

BlockCache::~BlockCache() {
  std::lock_guard<std::mutex> lock(mutex);
  closed = true;
  for (auto &[size, blocks] : freeBlocks)
    for (char *base : blocks)
      std::free(base);
  freeBlocks.clear();
  cachedBytes = 0;
}

/// The rounded size of a request: whole alignment units.
size_t roundedSize(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

} // namespace

void *kernelMalloc(void * /*userContext*/, size_t bytes) {
  if (bytes > SIZE_MAX - 4 * kAlign)
    return nullptr;
  size_t size = roundedSize(bytes);
  char *base = nullptr;
  if (size >= kCachedFrom && !closed) {
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto it = cache.freeBlocks.find(size);
    if (it != cache.freeBlocks.end() && !it->second.empty()) {
      base = it->second.back();
      it->second.pop_back();
      cache.cachedBytes -= size;
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
  if (size >= kCachedFrom && !closed) {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.cachedBytes + size <= kCacheLimit) {
      cache.freeBlocks[size].push_back(base);
      cache.cachedBytes += size;
      return;
    }
  }
  std::free(base);
}

size_t kernelCachedBytes() {
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.cachedBytes;
}

void installKernelAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    halide_set_custom_malloc(kernelMalloc);
    halide_set_custom_free(kernelFree);
  });
}

} // namespace dl::rt
