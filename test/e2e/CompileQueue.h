//===- CompileQueue.h - Compiling the selected models in the background -*- C++ -*-===//
//
// The test binary compiles every model it is about to test up front, a few dlc processes at a
// time, in the order given, so that while one model is compared with the interpreter the next
// ones compile. A test then waits for its own library. When only one test runs (as under
// ctest, which starts the binary once per test), only its model is compiled.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_E2E_COMPILEQUEUE_H
#define DLC_TEST_E2E_COMPILEQUEUE_H

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dl::e2e {

/// One model to compile: `dlc source -o <folder>/<name>.so -D define...`.
struct CompileJob {
  std::string name;
  std::string source;
  std::vector<std::string> defines;
};

class CompileQueue {
public:
  /// Starts compiling `jobs` with `dlc` into `folder`, at most `workers` at a time.
  CompileQueue(std::string dlc, std::string folder, std::vector<CompileJob> jobs,
               unsigned workers);
  /// Waits for the compiles under way; the ones not started are dropped.
  ~CompileQueue();
  CompileQueue(const CompileQueue &) = delete;
  CompileQueue &operator=(const CompileQueue &) = delete;

  /// Waits for job `name`. True with the library's path in `library`; false with dlc's command and
  /// output (or the reason) in `log`.
  bool wait(const std::string &name, std::string &library, std::string &log);

private:
  struct Result {
    bool done = false;
    bool ok = false;
    std::string library, log;
  };

  void work();

  std::string dlc_, folder_;
  std::vector<CompileJob> jobs_;
  std::mutex mutex_;
  std::condition_variable finished_;
  size_t next_ = 0;       ///< The next job to start.
  bool stopping_ = false; ///< Set by the destructor: start nothing more.
  std::map<std::string, Result> results_;
  std::vector<std::thread> workers_;
};

} // namespace dl::e2e

#endif // DLC_TEST_E2E_COMPILEQUEUE_H
