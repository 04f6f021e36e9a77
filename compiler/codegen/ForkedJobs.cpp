//===- ForkedJobs.cpp - Jobs run in child processes, a few at a time --------===//
#include "compiler/codegen/ForkedJobs.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace dl::codegen {

namespace {

/// The most of a job's message that comes back (its pipe never fills, so it never blocks).
constexpr size_t kMaxMessage = 4096;

struct Child {
  size_t job = 0;
  int messageFd = -1;
};

/// In the child: runs the job, writes its message (a failure's, or a success's report) to `fd`, and leaves without running this
/// process's destructors or atexit handlers (they belong to the parent).
[[noreturn]] void runChild(const std::function<bool(size_t, std::string &)> &job, size_t index,
                           int fd) {
  // Ctrl-C reaches the whole process group: the parent cleans up, the child just dies.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGHUP, SIG_DFL);
  std::string why;
  bool ok = false;
  try {
    ok = job(index, why);
  } catch (const std::exception &e) {
    why = e.what();
  }
  why.resize(std::min(why.size(), kMaxMessage));
  for (size_t done = 0; done < why.size();) {
    ssize_t n = ::write(fd, why.data() + done, why.size() - done);
    if (n <= 0 && errno != EINTR)
      break;
    if (n > 0)
      done += static_cast<size_t>(n);
  }
  ::_exit(ok ? 0 : 1);
}

/// Reads what a finished child wrote.
std::string readMessage(int fd) {
  std::string text;
  char buffer[512];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

std::string describeDeath(int status) {
  if (WIFSIGNALED(status))
    return std::string("the compiling process died of signal ") + std::to_string(WTERMSIG(status)) +
           " (" + ::strsignal(WTERMSIG(status)) + ")";
  return "the compiling process exited with status " + std::to_string(WEXITSTATUS(status));
}

} // namespace

bool runForkedJobs(size_t count, unsigned parallel,
                   const std::function<bool(size_t job, std::string &why)> &job,
                   std::string &error, std::vector<std::string> *reports) {
  parallel = std::max(1u, parallel);
  if (reports)
    reports->assign(count, std::string());
  std::map<pid_t, Child> running;
  std::map<size_t, std::string> failures; // By job, so the lowest-numbered one is reported.
  size_t next = 0;
  auto reap = [&]() {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR)
        return;
      // No child left to wait for: nothing more will finish.
      for (auto &[_, child] : running) {
        failures[child.job] = "lost track of the compiling process";
        ::close(child.messageFd);
      }
      running.clear();
      return;
    }
    auto found = running.find(pid);
    if (found == running.end())
      return; // Not one of ours.
    Child child = found->second;
    running.erase(found);
    std::string message = readMessage(child.messageFd);
    ::close(child.messageFd);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      if (reports)
        (*reports)[child.job] = std::move(message);
      return;
    }
    failures[child.job] = !message.empty() ? message : describeDeath(status);
  };
  while (next < count || !running.empty()) {
    // Once a job failed no new ones start: the first error is what the user sees.
    if (next < count && running.size() < parallel && failures.empty()) {
      int fds[2];
      if (::pipe(fds) != 0) {
        failures[next++] = std::string("cannot create a pipe: ") + std::strerror(errno);
        continue;
      }
      pid_t pid = ::fork();
      if (pid == 0) {
        ::close(fds[0]);
        runChild(job, next, fds[1]);
      }
      ::close(fds[1]);
      if (pid < 0) {
        ::close(fds[0]);
        failures[next++] = std::string("cannot start a compiling process: ") + std::strerror(errno);
        continue;
      }
      running[pid] = Child{next++, fds[0]};
      continue;
    }
    if (running.empty())
      break;
    reap();
  }
  if (failures.empty())
    return true;
  error = failures.begin()->second;
  return false;
}

} // namespace dl::codegen
