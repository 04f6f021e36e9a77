//===- DlcProcess.cpp - Compiling a .dl file with the real dlc binary -----===//
#include "DlcProcess.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace dl::e2e {

ScratchDir::ScratchDir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dlc-e2e-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()))
    path_ = buffer.data();
}

ScratchDir::~ScratchDir() {
  if (path_.empty())
    return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool runDlc(const std::string &dlc, const std::string &source,
            const std::vector<std::string> &defines, const std::string &output, std::string &log) {
  std::vector<std::string> args{dlc, source, "-o", output};
  for (const std::string &define : defines) {
    args.push_back("-D");
    args.push_back(define);
  }
  std::string command;
  for (const std::string &a : args)
    command += (command.empty() ? "" : " ") + a;
  log = "$ " + command + "\n";

  // dlc's standard output and error go to a file beside the output, read back into the log.
  std::string outputLog = output + ".log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outputLog.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int spawned = posix_spawn(&pid, dlc.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    log += "cannot start dlc: " + std::string(std::strerror(spawned)) + "\n";
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      log += "waitpid failed: " + std::string(std::strerror(errno)) + "\n";
      return false;
    }
  }
  std::ifstream printed(outputLog);
  std::stringstream text;
  text << printed.rdbuf();
  log += text.str();
  if (WIFSIGNALED(status)) {
    log += "dlc was killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    log += "dlc exited with status " + std::to_string(WEXITSTATUS(status)) + "\n";
    return false;
  }
  if (!std::filesystem::exists(output)) {
    log += "dlc exited with status 0 but wrote no " + output + "\n";
    return false;
  }
  return true;
}

} // namespace dl::e2e
