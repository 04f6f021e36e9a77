//===- Temporaries.h - Temporary files removed when dlc is killed -*- C++ -*-===//
//
// dlc compiles a model into a scratch folder (dlc-XXXXXX under $TMPDIR) and writes its outputs
// through temporary files renamed into place. Destructors remove them on every normal path out, but
// a killed dlc (Ctrl-C, SIGTERM) runs no destructor. This registry keeps the paths in fixed storage
// that a signal handler can read: on SIGINT, SIGTERM or SIGHUP it removes each registered file, or
// folder of files, with async-signal-safe calls only, then dies of the same signal. It does not
// reach files that child processes (the linker) create outside registered paths.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_LINK_TEMPORARIES_H
#define DLC_CODEGEN_LINK_TEMPORARIES_H

#include <string>

namespace dl::codegen {

/// Installs the handlers of SIGINT, SIGTERM and SIGHUP that remove the registered temporaries and
/// re-raise the signal. A signal the process ignores (nohup, a background job) stays ignored.
/// Call once, early in main(); libraries and tests that drive the compiler in-process need not.
void removeTemporariesOnSignals();

/// Keeps `path` (a file, or a folder holding only files) registered for removal on a signal from
/// construction to destruction. It never removes anything itself: the owner removes the path on
/// normal paths out, before the registration ends. Holds at most 32 paths at once, each shorter
/// than 4096 bytes; others are not registered (and survive a signal).
class TemporaryPath {
public:
  TemporaryPath() = default;
  explicit TemporaryPath(const std::string &path) { track(path); }
  ~TemporaryPath() { untrack(); }
  TemporaryPath(const TemporaryPath &) = delete;
  TemporaryPath &operator=(const TemporaryPath &) = delete;

  /// Registers `path`, replacing what this object registered before.
  void track(const std::string &path);
  /// Ends the registration, if any.
  void untrack();

private:
  int slot_ = -1;
};

} // namespace dl::codegen

#endif // DLC_CODEGEN_LINK_TEMPORARIES_H
