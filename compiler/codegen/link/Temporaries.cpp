//===- Temporaries.cpp - Temporary files removed when dlc is killed -------===//
//
// Each slot of a fixed table is free, being written, or holding a path. Registration claims a
// free slot with a compare-and-swap, copies the path in, then publishes it; the handler reads only
// published slots. The handler uses unlink, open, getdents64, unlinkat, rmdir, close, sigaction and
// raise: no allocation, no locks, no stdio.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/link/Temporaries.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace dl::codegen {
namespace {

enum SlotState : int { kFree, kWriting, kHeld };

constexpr int kSlots = 32;
constexpr size_t kMaxPath = 4096;

struct Slot {
  std::atomic<int> state{kFree};
  char path[kMaxPath];
};

Slot slots[kSlots];

const int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

/// Removes the file at `path`, or the folder at `path` and the files in it.
void removePath(const char *path) {
  if (::unlink(path) == 0 || errno == ENOENT)
    return;
  int dir = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return;
  // Removing entries while reading the folder may hide others from this pass: read it again
  // from the start until a pass removes nothing.
  bool removed = true;
  while (removed) {
    removed = false;
    ::lseek(dir, 0, SEEK_SET);
    alignas(8) char buffer[4096];
    ssize_t n;
    while ((n = ::getdents64(dir, buffer, sizeof buffer)) > 0) {
      for (ssize_t at = 0; at < n;) {
        const auto *entry = reinterpret_cast<const struct dirent64 *>(buffer + at);
        at += entry->d_reclen;
        const char *name = entry->d_name;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
          continue;
        if (::unlinkat(dir, name, 0) == 0)
          removed = true;
      }
    }
  }
  ::close(dir);
  ::rmdir(path);
}

void onSignal(int signal) {
  for (Slot &slot : slots)
    if (slot.state.load(std::memory_order_acquire) == kHeld)
      removePath(slot.path);
  // Die of the signal, as without the handler: the default action, delivered when the handler
  // returns (the signal is blocked until then).
  struct sigaction action = {};
  action.sa_handler = SIG_DFL;
  ::sigaction(signal, &action, nullptr);
  ::raise(signal);
}

} // namespace

void removeTemporariesOnSignals() {
  for (int signal : kSignals) {
    struct sigaction previous = {};
    if (::sigaction(signal, nullptr, &previous) != 0 || previous.sa_handler == SIG_IGN)
      continue;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    // While one handler cleans up, the others wait.
    for (int other : kSignals)
      sigaddset(&action.sa_mask, other);
    ::sigaction(signal, &action, nullptr);
  }
}

void TemporaryPath::track(const std::string &path) {
  untrack();
  if (path.empty() || path.size() >= kMaxPath)
    return;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!slots[i].state.compare_exchange_strong(expected, kWriting, std::memory_order_acquire))
      continue;
    std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
    slots[i].state.store(kHeld, std::memory_order_release);
    slot_ = i;
    return;
  }
}

void TemporaryPath::untrack() {
  if (slot_ >= 0)
    slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

} // namespace dl::codegen
