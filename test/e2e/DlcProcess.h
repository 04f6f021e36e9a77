//===- DlcProcess.h - Compiling a .dl file with the real dlc binary -*- C++ -*-===//
//
// The differential tests compile their models the way a user does: by running the `dlc` executable
// of the build as a child process, so the whole pipeline behind the command line (frontend, passes,
// Halide kernels, glue, link) is what gets tested. A ScratchDir holds the libraries it writes and
// is removed with everything in it when it goes out of scope.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_E2E_DLCPROCESS_H
#define DLC_TEST_E2E_DLCPROCESS_H

#include <string>
#include <vector>

namespace dl::e2e {

/// A fresh folder under $TMPDIR (or /tmp), removed on destruction.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  /// Empty when the folder could not be created.
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

/// Runs `dlc SOURCE -o OUTPUT [-D NAME=VALUE]...` and waits for it. Returns true when dlc exits with
/// status 0 and wrote OUTPUT; otherwise false with `log` holding the command, how it ended and
/// everything it printed.
bool runDlc(const std::string &dlc, const std::string &source,
            const std::vector<std::string> &defines, const std::string &output, std::string &log);

} // namespace dl::e2e

#endif // DLC_TEST_E2E_DLCPROCESS_H
