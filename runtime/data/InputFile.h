//===- InputFile.h - Reading a data file, gzip-compressed or not --*- C++ -*-===//
//
// Every reader of runtime/data reads through InputFile: it opens a file, tells a gzip stream from a
// plain file by its magic bytes (1f 8b) and decompresses transparently, and reads exact byte counts
// with errors that say what was being read ("<file>: truncated: expected 47040000 bytes of
// u8[60000, 28, 28] data, found 1000"). It also bounds what a header may claim before anything is
// allocated: a plain file cannot hold more than its size, a gzip file not more than deflate's best
// ratio.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_INPUTFILE_H
#define DL_RUNTIME_DATA_INPUTFILE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dldata {

class InputFile {
public:
  InputFile() = default;
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;
  ~InputFile();

  /// Opens `path`; false with "<path>: <reason>" in `error`.
  bool open(const std::string &path, std::string &error);

  const std::string &path() const { return path_; }
  bool compressed() const { return compressed_; }

  /// Bytes read so far (decompressed).
  uint64_t position() const { return position_; }

  /// At most how many more (decompressed) bytes the file can deliver: exact for a plain file, an
  /// upper bound (deflate's 1032:1) for a gzip file.
  uint64_t remainingBound() const;

  /// Reads up to `n` bytes into `dst` and sets `got`; false only on a read or decompression error.
  bool read(void *dst, size_t n, size_t &got, std::string &error);

  /// Reads exactly `n` bytes of `what` ("IDX dimensions", "u8[2, 3] data"); a short read is a
  /// "truncated" error naming `what`, the bytes expected and the bytes found.
  bool readExact(void *dst, size_t n, const std::string &what, std::string &error);

  /// Reads `n` bytes of `what` into `out`, first checking that the file can hold them, so a garbage
  /// header never causes a huge allocation. A gzip file's buffer grows as its data arrives: its
  /// bound alone (1032 times its size) would still let a small file claim gigabytes.
  bool readPayload(std::vector<unsigned char> &out, uint64_t n, const std::string &what,
                   std::string &error);

  /// Checks that nothing follows; otherwise an error saying the file holds more than `what`.
  bool expectEnd(const std::string &what, std::string &error);

private:
  std::string path_;
  void *gz_ = nullptr; // gzFile; void * keeps zlib.h out of this header.
  bool compressed_ = false;
  uint64_t fileSize_ = 0;
  uint64_t position_ = 0;
};

/// Reads the whole of `path` (decompressed if gzip) into `out`, at most `limit` bytes.
bool readWholeFile(const std::string &path, uint64_t limit, std::string &out, std::string &error);

} // namespace dldata

#endif // DL_RUNTIME_DATA_INPUTFILE_H
