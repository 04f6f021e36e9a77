//===- ForkedJobs.h - Jobs run in child processes, a few at a time -*- C++ -*-===//
//
// Halide names the loops, closures and wrappers it makes from counters shared by the whole
// process, so kernels compiled on threads of one process get names that depend on which thread
// got there first: two compiles of one model would differ. Run each kernel's compile in a child
// forked from a process whose counters stay put, and every compile starts from the same counters:
// a byte-identical library, with every core still busy.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_FORKEDJOBS_H
#define DLC_CODEGEN_FORKEDJOBS_H

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dl::codegen {

/// Runs job(0) .. job(count - 1), each in a child process forked from this one, at most
/// `parallel` at once, and waits for all of them; the job's return value and `why` come back to
/// this process. False with `error` from the lowest-numbered job that failed (or died). Call it
/// from a process whose other threads, if any, the jobs do not need: a child has only the thread
/// that forked it. A job must not rely on anything it changes in memory surviving it. With
/// `reports`, what a successful job leaves in `why` comes back too, in (*reports)[job] (at most
/// 4 KiB each: timings, say).
bool runForkedJobs(size_t count, unsigned parallel,
                   const std::function<bool(size_t job, std::string &why)> &job,
                   std::string &error, std::vector<std::string> *reports = nullptr);

} // namespace dl::codegen

#endif // DLC_CODEGEN_FORKEDJOBS_H
