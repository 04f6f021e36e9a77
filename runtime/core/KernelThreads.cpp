//===- KernelThreads.cpp - The thread pool of the Halide kernels' parallel loops ===//
//
// One pool per model.so (see KernelThreads.h for why it replaces Halide's). A loop is published
// as the job of an odd `state`; workers spin on `state` and join the job they see open, the caller
// runs its own share, waits (spinning) until every task has finished, closes the job (even
// `state`) and waits for the workers that looked at it to leave before the next job's fields can
// be written.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/KernelThreads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace dl::rt {
namespace {

constexpr int kMaxThreads = 256;
/// How long an idle worker keeps spinning for the next loop before it sleeps. The kernels of a
/// train step follow each other within microseconds; a sleeping worker took tens of
/// microseconds to wake, on the critical path of every short kernel.
constexpr auto kSpinMicroseconds = std::chrono::microseconds(300);
/// Spins (pause instructions) between looks at the clock, and before a caller waiting for the
/// last tasks starts yielding its core (a worker descheduled on a busy machine).
constexpr int kSpinsPerCheck = 64;
constexpr int kSpinsBeforeYield = 1 << 14;

/// True in a thread while it runs a task: a loop started there runs serially.
thread_local bool inTask = false;

void spinPause() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

int defaultThreads() {
  for (const char *name : {"HL_NUM_THREADS", "HL_NUMTHREADS"})
    if (const char *value = std::getenv(name))
      if (int n = std::atoi(value); n > 0)
        return n;
  return std::max(1u, std::thread::hardware_concurrency());
}

/// A thread's share of a loop, [next, end) of its task indices; every thread takes from it.
struct alignas(64) Share {
  std::atomic<int> next{0};
  int end = 0;
};

class Pool {
public:
  ~Pool() { stopWorkers(); }

  int threads() {
    configureOnce();
    return threads_.load();
  }

  void resize(int threads) {
    threads = std::clamp(threads, 1, kMaxThreads);
    while (busy_.test_and_set(std::memory_order_acquire))
      std::this_thread::yield();
    configured_ = true;
    if (threads != threads_.load() || workers_.size() + 1 != static_cast<size_t>(threads)) {
      stopWorkers();
      threads_ = 1;
      for (int w = 1; w < threads; ++w) {
        try {
          // The state now, not when the thread gets going: a job published before then is new.
          workers_.emplace_back([this, w, now = state_.load()] { workerLoop(w, now); });
        } catch (const std::system_error &) {
          break; // fewer threads than asked: the loops still run, on those there are
        }
        threads_ = w + 1;
      }
    }
    busy_.clear(std::memory_order_release);
  }

  int run(void *userContext, halide_task_t task, int min, int size, uint8_t *closure) {
    if (size <= 0)
      return 0;
    if (inTask || size == 1)
      return runSerially(userContext, task, min, size, closure);
    configureOnce();
    if (busy_.test_and_set(std::memory_order_acquire))
      return halide_default_do_par_for(userContext, task, min, size, closure);
    int threads = threads_.load();
    if (threads <= 1) {
      busy_.clear(std::memory_order_release);
      return runSerially(userContext, task, min, size, closure);
    }
    task_ = task;
    userContext_ = userContext;
    min_ = min;
    closure_ = closure;
    parts_ = std::min(threads, size);
    for (int p = 0; p < parts_; ++p) {
      shares_[p].next.store(static_cast<int>(int64_t(size) * p / parts_), std::memory_order_relaxed);
      shares_[p].end = static_cast<int>(int64_t(size) * (p + 1) / parts_);
    }
    finished_.store(0, std::memory_order_relaxed);
    error_.store(0, std::memory_order_relaxed);
    uint64_t open = state_.load() + 1;
    state_.store(open);
    if (sleeping_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    runShares(0);
    for (int spins = 0; finished_.load(std::memory_order_acquire) < size; ++spins)
      spins < kSpinsBeforeYield ? spinPause() : std::this_thread::yield();
    state_.store(open + 1);
    while (inside_.load() > 0)
      spinPause();
    int error = error_.load();
    busy_.clear(std::memory_order_release);
    return error;
  }

private:
  void configureOnce() {
    if (!configured_.load(std::memory_order_acquire))
      resize(defaultThreads());
  }

  static int runSerially(void *userContext, halide_task_t task, int min, int size,
                         uint8_t *closure) {
    int error = 0;
    for (int i = min; i < min + size; ++i)
      if (int result = task(userContext, i, closure); result && !error)
        error = result;
    return error;
  }

  /// Runs what is left of the open job: the share of thread `self` first, then the others'.
  void runShares(int self) {
    bool outer = inTask;
    inTask = true;
    for (int k = 0; k < parts_; ++k) {
      Share &share = shares_[(self + k) % parts_];
      for (int i; (i = share.next.fetch_add(1, std::memory_order_relaxed)) < share.end;) {
        if (int result = task_(userContext_, min_ + i, closure_)) {
          int none = 0;
          error_.compare_exchange_strong(none, result);
        }
        finished_.fetch_add(1, std::memory_order_release);
      }
    }
    inTask = outer;
  }

  void workerLoop(int self, uint64_t seen) {
    while (true) {
      uint64_t state = waitForJob(seen);
      if (stop_.load())
        return;
      seen = state;
      // Counted inside before looking again: the caller closes the job, then waits for inside_
      // to fall to 0 before it writes the next job's fields.
      inside_.fetch_add(1);
      if (state_.load() == state)
        runShares(self);
      inside_.fetch_sub(1);
    }
  }

  /// The state of an open job other than `seen`, spinning up to kSpinMicroseconds, then asleep.
  uint64_t waitForJob(uint64_t seen) {
    auto isNew = [&](uint64_t state) { return (state & 1) && state != seen; };
    auto start = std::chrono::steady_clock::now();
    for (int spins = 1;; ++spins) {
      uint64_t state = state_.load(std::memory_order_acquire);
      if (isNew(state) || stop_.load(std::memory_order_relaxed))
        return state;
      spinPause();
      if (spins % kSpinsPerCheck == 0 &&
          std::chrono::steady_clock::now() - start > kSpinMicroseconds) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleeping_.fetch_add(1);
        wake_.wait(lock, [&] { return stop_.load() || isNew(state_.load()); });
        sleeping_.fetch_sub(1);
        return state_.load();
      }
    }
  }

  void stopWorkers() {
    stop_ = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    for (std::thread &worker : workers_)
      worker.join();
    workers_.clear();
    stop_ = false;
  }

  /// Held by the thread whose loop the pool runs (and by resize).
  std::atomic_flag busy_ = ATOMIC_FLAG_INIT;
  std::atomic<bool> configured_{false};
  std::atomic<int> threads_{1};
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stop_{false};
  /// Odd while a job is open (2 per job), even between jobs.
  std::atomic<uint64_t> state_{0};
  /// Workers that saw the open job and may still read its fields.
  std::atomic<int> inside_{0};

  // The open job; written only while no worker is inside.
  halide_task_t task_ = nullptr;
  void *userContext_ = nullptr;
  int min_ = 0;
  uint8_t *closure_ = nullptr;
  int parts_ = 0;
  std::atomic<int> finished_{0};
  std::atomic<int> error_{0};
  Share shares_[kMaxThreads];
};

Pool pool;

} // namespace

int kernelParFor(void *userContext, halide_task_t f, int min, int size, uint8_t *closure) {
  return pool.run(userContext, f, min, size, closure);
}

void setKernelThreads(int threads) { pool.resize(threads > 0 ? threads : defaultThreads()); }

int kernelThreads() { return pool.threads(); }

void installKernelThreadPool() {
  static std::once_flag once;
  std::call_once(once, [] { halide_set_custom_do_par_for(kernelParFor); });
}

} // namespace dl::rt
