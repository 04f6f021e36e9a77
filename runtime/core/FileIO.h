//===- FileIO.h - Reading a file at an offset, and closing it -------*- C++ -*-===//
//
// Shared by the checkpoint reader (libdlrt.a, inside every model.so) and the loader's check of a
// model file (libdlrt_loader.so): header-only, so each library keeps its own copy.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_FILEIO_H
#define DL_RUNTIME_CORE_FILEIO_H

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <unistd.h>

namespace dl::rt {

/// Closes a file descriptor when it goes out of scope.
struct FileDescriptor {
  int fd;
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;
  ~FileDescriptor() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// Reads exactly `size` bytes at `offset`, again after a signal. False on a read error (errno
/// says which) or at the end of the file (errno 0).
inline bool readFully(int fd, void *data, size_t size, uint64_t offset) {
  char *p = static_cast<char *>(data);
  while (size > 0) {
    ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = 0;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_FILEIO_H
