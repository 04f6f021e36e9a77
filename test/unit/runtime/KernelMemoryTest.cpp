//===- KernelMemoryTest.cpp - The Halide kernels' scratch-block cache -----===//
//
// kernelMalloc's contract with Halide (alignment, readable guards) and its reuse: a freed block of
// 64 KiB or more comes back for the next request of the same size, smaller ones and other sizes do
// not, and once installed halide_malloc goes through it.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/KernelMemory.h"

#include <HalideRuntime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace dl::rt {
namespace {

TEST(KernelMemoryTest, BlocksAreAlignedWithReadableGuards) {
  for (size_t bytes : {size_t(1), size_t(100), size_t(64 * 1024), size_t(3 << 20) + 3}) {
    char *p = static_cast<char *>(kernelMalloc(nullptr, bytes));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << bytes;
    std::memset(p, 0x5a, bytes);
    volatile char before = p[-8], after = p[bytes + 7];  // Halide may read 8 bytes either side.
    (void)before;
    (void)after;
    kernelFree(nullptr, p);
  }
}

TEST(KernelMemoryTest, LargeBlocksOfTheSameSizeAreReused) {
  size_t bytes = 1 << 20;
  void *first = kernelMalloc(nullptr, bytes);
  size_t cached = kernelCachedBytes();
  kernelFree(nullptr, first);
  EXPECT_EQ(kernelCachedBytes(), cached + bytes);
  void *second = kernelMalloc(nullptr, bytes);
  EXPECT_EQ(second, first);
  EXPECT_EQ(kernelCachedBytes(), cached);
  void *other = kernelMalloc(nullptr, bytes + 4096);  // Another size: a new block.
  EXPECT_NE(other, first);
  kernelFree(nullptr, other);
  kernelFree(nullptr, second);
}

TEST(KernelMemoryTest, SmallBlocksAreNotCached) {
  size_t cached = kernelCachedBytes();
  void *p = kernelMalloc(nullptr, 1000);
  kernelFree(nullptr, p);
  EXPECT_EQ(kernelCachedBytes(), cached);
  kernelFree(nullptr, nullptr);  // Like free(NULL).
}

TEST(KernelMemoryTest, ThreadsAllocateAndFreeAtOnce) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        size_t bytes = size_t(64 + (i + t) % 5) * 1024;
        char *p = static_cast<char *>(kernelMalloc(nullptr, bytes));
        ASSERT_NE(p, nullptr);
        p[0] = p[bytes - 1] = char(t);
        kernelFree(nullptr, p);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
}

TEST(KernelMemoryTest, InstalledItServesHalideMalloc) {
  installKernelAllocator();
  installKernelAllocator();  // Idempotent.
  size_t bytes = 2 << 20;
  void *p = halide_malloc(nullptr, bytes);
  ASSERT_NE(p, nullptr);
  size_t cached = kernelCachedBytes();
  halide_free(nullptr, p);
  EXPECT_EQ(kernelCachedBytes(), cached + bytes);
  EXPECT_EQ(halide_malloc(nullptr, bytes), p);
  halide_free(nullptr, p);
}

} // namespace
} // namespace dl::rt
