//===- CompileQueue.cpp - Compiling the selected models in the background -===//
#include "CompileQueue.h"

#include "DlcProcess.h"

#include <algorithm>

namespace dl::e2e {

CompileQueue::CompileQueue(std::string dlc, std::string folder, std::vector<CompileJob> jobs,
                           unsigned workers)
    : dlc_(std::move(dlc)), folder_(std::move(folder)), jobs_(std::move(jobs)) {
  for (const CompileJob &job : jobs_)
    results_[job.name];
  unsigned n = std::min<unsigned>(std::max(workers, 1u), static_cast<unsigned>(jobs_.size()));
  for (unsigned i = 0; i < n; ++i)
    workers_.emplace_back([this] { work(); });
}

CompileQueue::~CompileQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  for (std::thread &t : workers_)
    t.join();
}

void CompileQueue::work() {
  for (;;) {
    CompileJob job;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ || next_ == jobs_.size())
        return;
      job = jobs_[next_++];
    }
    Result result;
    result.library = folder_ + "/" + job.name + ".so";
    result.ok = runDlc(dlc_, job.source, job.defines, result.library, result.log);
    result.done = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      results_[job.name] = std::move(result);
    }
    finished_.notify_all();
  }
}

bool CompileQueue::wait(const std::string &name, std::string &library, std::string &log) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = results_.find(name);
  if (it == results_.end()) {
    log = "model '" + name + "' is not in the compile queue";
    return false;
  }
  finished_.wait(lock, [&] { return it->second.done; });
  library = it->second.library;
  log = it->second.log;
  return it->second.ok;
}

} // namespace dl::e2e
