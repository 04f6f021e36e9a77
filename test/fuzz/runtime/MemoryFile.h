//===- MemoryFile.h - A fuzz input as a file the readers can open -*- C++ -*-===//
//
// The runtime's readers take a path (the checkpoint reader, the model-library check, the data
// readers through zlib's gzopen), and fuzzing them through that path keeps one code path: the
// one a user's file takes. Each input is written to an anonymous in-memory file (memfd_create),
// opened by its name /proc/self/fd/N: no disk, no temporary file left behind by a crash, a few
// microseconds per input.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TEST_FUZZ_RUNTIME_MEMORYFILE_H
#define DL_TEST_FUZZ_RUNTIME_MEMORYFILE_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace dl::fuzz {

class MemoryFile {
public:
  MemoryFile() {
    fd_ = ::memfd_create("dl-fuzz-input", MFD_CLOEXEC);
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::exit(1);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  MemoryFile(const MemoryFile &) = delete;
  MemoryFile &operator=(const MemoryFile &) = delete;
  ~MemoryFile() { ::close(fd_); }

  /// Makes the file hold exactly `size` bytes of `data`; returns its path.
  const std::string &hold(const void *data, size_t size) {
    const char *p = static_cast<const char *>(data);
    if (::ftruncate(fd_, 0) != 0) {
      std::perror("ftruncate");
      std::abort();
    }
    for (size_t done = 0; done < size;) {
      ssize_t n = ::pwrite(fd_, p + done, size - done, off_t(done));
      if (n <= 0) {
        std::perror("pwrite");
        std::abort();
      }
      done += size_t(n);
    }
    return path_;
  }

  const std::string &path() const { return path_; }

private:
  int fd_ = -1;
  std::string path_;
};

/// Stops the run with `what` when a promise of the code under test is broken: libFuzzer saves the
/// input as a crash.
[[noreturn]] inline void broken(const char *target, const std::string &what) {
  std::fprintf(stderr, "%s fuzzer: %s\n", target, what.c_str());
  std::abort();
}

} // namespace dl::fuzz

#endif // DL_TEST_FUZZ_RUNTIME_MEMORYFILE_H
