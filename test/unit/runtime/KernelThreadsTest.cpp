//===- KernelThreadsTest.cpp - The thread pool of the kernels' parallel loops ===//
//
// kernelParFor's contract with Halide: every task of [min, min + size) runs exactly once whatever
// the threads, the first error a task returns comes back (and the other tasks still run), a loop
// inside a task runs serially on that task's thread, two threads may start loops at once, and the
// work is shared among the threads. Once installed, halide_do_par_for goes through it.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/KernelThreads.h"

#include <HalideRuntime.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace dl::rt {
namespace {

/// What the tasks of one loop saw: how often each index ran, and on which threads.
struct Record {
  int min = 0;
  std::vector<std::atomic<int>> runs;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::chrono::microseconds work{0};
  int failAt = INT_MIN; // the index whose task fails

  Record(int min, int size) : min(min), runs(size) {}
};

int recordTask(void *userContext, int index, uint8_t *closure) {
  auto &record = *reinterpret_cast<Record *>(closure);
  EXPECT_EQ(userContext, &record.runs);
  record.runs.at(index - record.min).fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(record.mutex);
    record.threads.insert(std::this_thread::get_id());
  }
  if (record.work.count())
    std::this_thread::sleep_for(record.work);
  return index == record.failAt ? -7 : 0;
}

int run(Record &record) {
  return kernelParFor(&record.runs, recordTask, record.min, static_cast<int>(record.runs.size()),
                      reinterpret_cast<uint8_t *>(&record));
}

TEST(KernelThreadsTest, EveryTaskRunsOnce) {
  for (int threads : {1, 2, 3, 4}) {
    setKernelThreads(threads);
    EXPECT_EQ(kernelThreads(), threads);
    for (int size : {0, 1, 2, 3, 7, 16, 100, 1000})
      for (int repeat = 0; repeat < 20; ++repeat) {
        Record record(-5, size);
        ASSERT_EQ(run(record), 0);
        for (int i = 0; i < size; ++i)
          ASSERT_EQ(record.runs[i].load(), 1) << threads << " threads, size " << size << ", " << i;
      }
  }
}

TEST(KernelThreadsTest, TheWorkIsSharedAmongTheThreads) {
  setKernelThreads(2);
  // 40 ms of the caller's own share before it takes the worker's: long enough for a worker to
  // get a core on a busy machine.
  Record record(0, 16);
  record.work = std::chrono::milliseconds(5);
  ASSERT_EQ(run(record), 0);
  EXPECT_EQ(record.threads.size(), 2u);
  setKernelThreads(1);
  Record alone(0, 16);
  ASSERT_EQ(run(alone), 0);
  EXPECT_EQ(alone.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(KernelThreadsTest, TheFirstErrorComesBackAndTheOtherTasksRun) {
  setKernelThreads(2);
  Record record(10, 40);
  record.failAt = 25;
  EXPECT_EQ(run(record), -7);
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(record.runs[i].load(), 1) << i;
  Record next(0, 40); // the error does not stick to the pool
  EXPECT_EQ(run(next), 0);
}

int nestedTask(void *, int index, uint8_t *closure) {
  auto &inner = *reinterpret_cast<std::vector<std::unique_ptr<Record>> *>(closure);
  Record &record = *inner.at(index);
  if (run(record) != 0)
    return -1;
  // The inner loop ran on this task's thread alone.
  return record.threads == std::set<std::thread::id>{std::this_thread::get_id()} ? 0 : -2;
}

TEST(KernelThreadsTest, ALoopInsideATaskRunsSerially) {
  setKernelThreads(2);
  std::vector<std::unique_ptr<Record>> inner;
  for (int i = 0; i < 8; ++i)
    inner.push_back(std::make_unique<Record>(0, 50));
  EXPECT_EQ(kernelParFor(nullptr, nestedTask, 0, 8, reinterpret_cast<uint8_t *>(&inner)), 0);
  for (auto &record : inner)
    for (int i = 0; i < 50; ++i)
      EXPECT_EQ(record->runs[i].load(), 1);
}

TEST(KernelThreadsTest, TwoThreadsStartLoopsAtOnce) {
  setKernelThreads(2);
  auto loops = [](std::atomic<int> *failures) {
    for (int repeat = 0; repeat < 200; ++repeat) {
      Record record(0, 33);
      if (run(record) != 0)
        failures->fetch_add(1);
      for (int i = 0; i < 33; ++i)
        if (record.runs[i].load() != 1)
          failures->fetch_add(1);
    }
  };
  std::atomic<int> failures{0};
  std::thread first(loops, &failures), second(loops, &failures);
  first.join();
  second.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(KernelThreadsTest, ZeroThreadsMeansHlNumThreadsOrOnePerCore) {
  setenv("HL_NUM_THREADS", "3", 1);
  setKernelThreads(0);
  EXPECT_EQ(kernelThreads(), 3);
  unsetenv("HL_NUM_THREADS");
  setKernelThreads(0);
  EXPECT_EQ(kernelThreads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST(KernelThreadsTest, HalideDoParForGoesThroughThePoolOnceInstalled) {
  installKernelThreadPool();
  installKernelThreadPool(); // Idempotent.
  setKernelThreads(1);
  Record record(0, 16);
  record.work = std::chrono::milliseconds(1);
  ASSERT_EQ(halide_do_par_for(&record.runs, recordTask, 0, 16, reinterpret_cast<uint8_t *>(&record)),
            0);
  // One thread in the pool: Halide's own pool (a thread per core) would have used them all.
  EXPECT_EQ(record.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

} // namespace
} // namespace dl::rt
