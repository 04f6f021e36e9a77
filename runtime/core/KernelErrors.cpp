//===- KernelErrors.cpp - Catching the Halide runtime's error messages -----===//
#include "runtime/core/KernelErrors.h"

#include <HalideRuntime.h>

#include <mutex>

namespace dl::rt {
namespace {

/// The capture open on this thread (a plain pointer, so the thread-local needs no destructor).
thread_local std::string *openCapture = nullptr;

std::mutex latestMutex;
std::string latestMessage;
uint64_t latestSequence = 0;

void onHalideError(void * /*user_context*/, const char *message) {
  reportKernelError(message);
}

} // namespace

void installKernelErrorHandler() {
  static std::once_flag once;
  std::call_once(once, [] { halide_set_error_handler(onHalideError); });
}

void reportKernelError(const char *message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  if (openCapture && openCapture->empty())
    *openCapture = text;
  std::lock_guard<std::mutex> lock(latestMutex);
  latestMessage = std::move(text);
  ++latestSequence;
}

KernelErrorCapture::KernelErrorCapture() {
  {
    std::lock_guard<std::mutex> lock(latestMutex);
    startSequence_ = latestSequence;
  }
  openCapture = &own_;
}

KernelErrorCapture::~KernelErrorCapture() { openCapture = nullptr; }

std::string KernelErrorCapture::message() const {
  if (!own_.empty())
    return own_;
  std::lock_guard<std::mutex> lock(latestMutex);
  return latestSequence != startSequence_ ? latestMessage : std::string();
}

} // namespace dl::rt
