//===- TemporariesTest.cpp - dlc's temporaries removed when it is killed ---===//
//
// Each test forks: the child installs the handlers, registers a scratch folder full of files and a
// temporary file (and leaves one path unregistered), then is killed by a signal; the parent checks
// that the child died of that signal and that only the unregistered path is left.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/link/Temporaries.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using dl::codegen::TemporaryPath;

class TemporariesTest : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dlc-temporaries-test-XXXXXX").string();
    ASSERT_TRUE(::mkdtemp(pattern.data()));
    root = pattern;
  }
  void TearDown() override { fs::remove_all(root); }

  fs::path root;
};

void touch(const fs::path &path) { std::ofstream(path) << "x"; }

TEST_P(TemporariesTest, KilledProcessRemovesWhatItRegistered) {
  const int signal = GetParam();
  fs::path scratch = root / "dlc-AbCdEf", output = root / "model.so.tmp.1", kept = root / "kept";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dl::codegen::removeTemporariesOnSignals();
    fs::create_directory(scratch);
    // More entries than one read of the folder returns, so the handler must read it again.
    for (int i = 0; i < 300; ++i)
      touch(scratch / ("kernel_with_a_long_name_" + std::to_string(i) + ".o"));
    touch(output);
    touch(kept);
    TemporaryPath trackedScratch(scratch.string()), trackedOutput(output.string());
    TemporaryPath released(kept.string());
    released.untrack();
    ::kill(::getpid(), signal);
    ::_exit(3); // Not reached: the signal kills the process.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), signal);
  EXPECT_FALSE(fs::exists(scratch));
  EXPECT_FALSE(fs::exists(output));
  EXPECT_TRUE(fs::exists(kept));
}

INSTANTIATE_TEST_SUITE_P(Signals, TemporariesTest, ::testing::Values(SIGINT, SIGTERM, SIGHUP));

// A signal the process ignores (nohup, a background job) stays ignored.
TEST(TemporariesIgnored, IgnoredSignalStaysIgnored) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGHUP, SIG_IGN);
    dl::codegen::removeTemporariesOnSignals();
    ::kill(::getpid(), SIGHUP);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
