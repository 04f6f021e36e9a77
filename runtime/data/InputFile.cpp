//===- InputFile.cpp - Plain and gzip data files through zlib -------------===//
//
// zlib's gzread reads plain files unchanged, so one code path serves both; the magic bytes are
// checked here only to know which size bound applies and to word errors.
//
//===----------------------------------------------------------------------===//
#include "runtime/data/InputFile.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

namespace dldata {

namespace {

/// Deflate never compresses better than about 1032:1; a gzip file of N bytes holds fewer than
/// 1032 * N decompressed bytes (a concatenation of members included), plus a small constant.
constexpr uint64_t kDeflateMaxRatio = 1032;

/// The first buffer of a gzip file's payload; it doubles as the data arrives (readPayload).
constexpr uint64_t kFirstChunk = uint64_t(16) << 20;

std::string plural(uint64_t n, const char *unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

} // namespace

InputFile::~InputFile() {
  if (gz_)
    gzclose(static_cast<gzFile>(gz_));
}

bool InputFile::open(const std::string &path, std::string &error) {
  path_ = path;
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(info.st_mode)) {
    error = path + ": is a folder, not a file";
    return false;
  }
  fileSize_ = uint64_t(info.st_size);
  std::FILE *probe = std::fopen(path.c_str(), "rb");
  if (!probe) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  unsigned char magic[2] = {0, 0};
  size_t got = std::fread(magic, 1, 2, probe);
  std::fclose(probe);
  compressed_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) {
    error = path + ": cannot open: " + std::strerror(errno ? errno : ENOMEM);
    return false;
  }
  gzbuffer(gz, 1 << 18);
  gz_ = gz;
  position_ = 0;
  return true;
}

uint64_t InputFile::remainingBound() const {
  if (!compressed_)
    return fileSize_ > position_ ? fileSize_ - position_ : 0;
  uint64_t bound = fileSize_ * kDeflateMaxRatio + 4096;
  return bound > position_ ? bound - position_ : 0;
}

bool InputFile::read(void *dst, size_t n, size_t &got, std::string &error) {
  got = 0;
  gzFile gz = static_cast<gzFile>(gz_);
  auto *out = static_cast<unsigned char *>(dst);
  while (got < n) {
    // gzread takes an unsigned count; read in chunks well below its limit.
    unsigned chunk = unsigned(std::min<size_t>(n - got, size_t(1) << 30));
    int r = gzread(gz, out + got, chunk);
    if (r < 0) {
      int code = 0;
      const char *message = gzerror(gz, &code);
      error = path_ + ": " + (compressed_ ? "corrupt gzip data" : "read error") + " after " +
              plural(position_ + got, "byte") + " (" + (message ? message : "unknown error") + ")";
      return false;
    }
    if (r == 0)
      break;
    got += size_t(r);
  }
  position_ += got;
  // A truncated gzip stream reads short and leaves an error behind ("unexpected end of file").
  if (got < n && compressed_) {
    int code = 0;
    const char *message = gzerror(gz, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
      error = path_ + ": corrupt or truncated gzip data after " + plural(position_, "byte") + " (" +
              (message ? message : "unknown error") + ")";
      return false;
    }
  }
  return true;
}

bool InputFile::readExact(void *dst, size_t n, const std::string &what, std::string &error) {
  size_t got = 0;
  if (!read(dst, n, got, error))
    return false;
  if (got < n) {
    error = path_ + ": truncated: expected " + plural(n, "byte") + " of " + what + ", found " +
            std::to_string(got) + (compressed_ ? " (decompressed)" : "");
    return false;
  }
  return true;
}

bool InputFile::readPayload(std::vector<unsigned char> &out, uint64_t n, const std::string &what,
                            std::string &error) {
  uint64_t bound = remainingBound();
  if (n > bound) {
    if (compressed_)
      error = path_ + ": expected " + plural(n, "byte") + " of " + what + ", more than a gzip file of " +
              plural(fileSize_, "byte") + " can hold; the header is wrong or the file is truncated";
    else
      error = path_ + ": truncated: expected " + plural(n, "byte") + " of " + what + ", found " +
              std::to_string(bound);
    return false;
  }
  if (!compressed_) {
    out.assign(size_t(n), 0);
    return readExact(out.data(), size_t(n), what, error);
  }
  // A gzip file's bound is a thousand times its size, so a header that lies (or a stream cut short)
  // could have a 10 MB file allocate and zero 10 GB before the first byte is read. The buffer
  // grows with the data instead, from kFirstChunk, doubling: a lie costs about what the stream
  // really holds, an honest header at most one copy of the data.
  out.clear();
  size_t done = 0;
  while (done < n) {
    size_t want = size_t(std::min<uint64_t>(n, std::max<uint64_t>(2 * uint64_t(done), kFirstChunk)));
    out.reserve(want);
    out.resize(want);
    size_t got = 0;
    if (!read(out.data() + done, want - done, got, error))
      return false;
    done += got;
    if (done < want) {
      error = path_ + ": truncated: expected " + plural(n, "byte") + " of " + what + ", found " +
              std::to_string(done) + " (decompressed)";
      return false;
    }
  }
  return true;
}

bool InputFile::expectEnd(const std::string &what, std::string &error) {
  unsigned char extra;
  size_t got = 0;
  if (!read(&extra, 1, got, error))
    return false;
  if (got == 0)
    return true;
  if (!compressed_) {
    uint64_t more = fileSize_ - (position_ - 1);
    error = path_ + ": " + plural(more, "byte") + " after the " + what +
            "; the header does not describe this file";
    return false;
  }
  error = path_ + ": data continues after the " + what + "; the header does not describe this file";
  return false;
}

bool readWholeFile(const std::string &path, uint64_t limit, std::string &out, std::string &error) {
  InputFile file;
  if (!file.open(path, error))
    return false;
  out.clear();
  char buffer[1 << 16];
  while (true) {
    size_t got = 0;
    if (!file.read(buffer, sizeof buffer, got, error))
      return false;
    if (got == 0)
      return true;
    if (out.size() + got > limit) {
      error = path + ": larger than " + plural(limit, "byte") + ", the most this reader accepts";
      return false;
    }
    out.append(buffer, got);
  }
}

} // namespace dldata
