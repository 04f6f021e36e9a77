//===- KernelErrors.h - Catching the Halide runtime's error messages -*- C++ -*-===//
//
// A failing Halide kernel calls halide_error(user_context, message) and returns a nonzero code.
// Halide's default handler prints the message to stderr, which a runtime that never prints must
// prevent, and an instance should keep the text as its last error. installKernelErrorHandler()
// routes halide_error to the runtime (once per model.so; it calls halide_set_error_handler, so the
// program must be linked with a Halide runtime). A KernelErrorCapture around a call collects the
// message: the calling thread's own, or else the most recent one any thread reported while the
// capture was open (a kernel fails inside a parallel loop on a worker thread; Halide kernels
// compiled by dlc carry no user_context to tell instances apart).
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_KERNELERRORS_H
#define DL_RUNTIME_CORE_KERNELERRORS_H

#include <cstdint>
#include <string>

namespace dl::rt {

/// Makes halide_error report to reportKernelError instead of printing. Idempotent, thread-safe.
void installKernelErrorHandler();

/// Records `message` for the capture open on this thread, if any, and as the latest message
/// reported by any thread.
void reportKernelError(const char *message);

/// Collects kernel error messages while it lives. Not nestable on one thread.
class KernelErrorCapture {
public:
  KernelErrorCapture();
  ~KernelErrorCapture();
  KernelErrorCapture(const KernelErrorCapture &) = delete;
  KernelErrorCapture &operator=(const KernelErrorCapture &) = delete;

  /// The first message this thread reported, else the latest one from another thread since the
  /// capture opened, else "".
  std::string message() const;

private:
  std::string own_;
  uint64_t startSequence_;
};

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_KERNELERRORS_H
