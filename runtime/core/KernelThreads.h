//===- KernelThreads.h - The thread pool of the Halide kernels' parallel loops -*- C++ -*-===//
//
// Every parallel loop of a kernel calls halide_do_par_for. Halide's own pool puts an idle worker
// to sleep on a condition variable almost at once, and the calling thread too while it waits for
// the last task, so each parallel loop paid two wake-ups on its critical path. A recurrent model
// runs hundreds of short kernels a step (an LSTM step of B = 32, H = 256 is a [32, 256] x
// [256, 1024] product of about 0.1 ms and a cell kernel), where those wake-ups and a thread left
// idle during the serial kernels between them are a large part of the step.
//
// installKernelThreadPool() routes halide_do_par_for through a pool whose workers keep spinning for
// a short while after each loop (kSpinMicroseconds, KernelThreads.cpp) before they sleep, and whose
// caller spins rather than sleeps while a worker finishes. Its tasks are dealt statically: each
// thread first runs its own contiguous share of the loop (the same share at every call, so the
// part of a weight matrix a thread reads stays in its core's caches from one step to the next),
// then takes what is left of the others' shares (a late or descheduled worker delays nobody).
//
// A loop started inside a task runs serially in that task's thread; a loop started from another
// thread while the pool is busy runs on Halide's default pool.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_KERNELTHREADS_H
#define DL_RUNTIME_CORE_KERNELTHREADS_H

#include <HalideRuntime.h>

#include <cstdint>

namespace dl::rt {

/// Routes halide_do_par_for through the pool. Idempotent, thread-safe.
void installKernelThreadPool();

/// Sets the threads a parallel loop runs on, the caller's included: `threads`, or when it is 0
/// HL_NUM_THREADS if set, else one per core. Starts or stops workers to match; waits for a loop
/// in progress on another thread to end first.
void setKernelThreads(int threads);

/// The threads a parallel loop runs on now (tests).
int kernelThreads();

/// The pool's halide_do_par_for: runs f(userContext, i, closure) for i in [min, min + size), and
/// returns 0, or the first nonzero value a task returned (the other tasks still run).
int kernelParFor(void *userContext, halide_task_t f, int min, int size, uint8_t *closure);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_KERNELTHREADS_H
