//===- KernelMemory.h - Reusing the Halide kernels' scratch memory -*- C++ -*-===//
//
// A Halide kernel allocates the intermediate buffers of its pipeline (a padded input, a value
// computed once for several readers) with halide_malloc on every call, and frees them before it
// returns. glibc serves blocks that large with mmap and unmaps them on free, so every train step
// faulted in and zeroed fresh pages: about a fifth of the CNN's step went to the kernel's page
// fault handler. installKernelAllocator() makes halide_malloc keep freed blocks of 64 KiB or more
// for the next request of the same size (the sizes are static, so steps after the first allocate
// nothing new), up to 1 GiB in all per model.so; the rest goes to the C library. The cached blocks
// go back to the C library when the model.so is unloaded or the process exits.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_KERNELMEMORY_H
#define DL_RUNTIME_CORE_KERNELMEMORY_H

#include <cstddef>

namespace dl::rt {

/// Routes halide_malloc and halide_free through the block cache. Idempotent, thread-safe.
void installKernelAllocator();

/// The allocator itself (what halide_malloc calls once installed): 64-byte aligned, with 64
/// readable bytes before and after the block, as Halide requires; null when out of memory.
void *kernelMalloc(void *userContext, size_t bytes);
void kernelFree(void *userContext, void *block);

/// Bytes held in the cache now (tests).
size_t kernelCachedBytes();

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_KERNELMEMORY_H
