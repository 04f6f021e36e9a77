//===- StandardOutput.h - Reporting a failed write to standard output -*- C++ -*-===//
//
// `dlc x.dl --emit=mlir > /dev/full` printed nothing and exited 0: std::cout drops what it cannot
// write and nobody asked. Each tool's main() holds a StandardOutput, which records the reason of
// the first failed write through std::cout (errno is long gone by the end of the run), and ends
// through finish(), which flushes standard output and turns any failed write into
// "<tool>: error: writing standard output: <reason>" and a non-zero exit status.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_STANDARDOUTPUT_H
#define DL_TOOLS_STANDARDOUTPUT_H

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <streambuf>

namespace dltools {

class StandardOutput : private std::streambuf {
public:
  /// Routes std::cout through this object (which passes everything on unbuffered) until destroyed.
  explicit StandardOutput(const char *tool) : tool_(tool), inner_(std::cout.rdbuf(this)) {}
  ~StandardOutput() { std::cout.rdbuf(inner_); }
  StandardOutput(const StandardOutput &) = delete;
  StandardOutput &operator=(const StandardOutput &) = delete;

  /// Flushes standard output; when any write to it failed, reports why on standard error and
  /// returns 1 if `status` was 0. Otherwise returns `status`.
  int finish(int status) {
    std::cout.flush();
    if (std::fflush(stdout) != 0)
      record();
    bool failed = error_ != 0 || !std::cout || std::ferror(stdout);
    if (!failed)
      return status;
    std::cerr << tool_ << ": error: writing standard output: "
              << (error_ ? std::strerror(error_) : "write error") << "\n";
    return status == 0 ? 1 : status;
  }

private:
  void record() {
    if (!error_)
      error_ = errno ? errno : EIO;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof()))
      return traits_type::not_eof(c);
    errno = 0;
    int_type written = inner_->sputc(traits_type::to_char_type(c));
    if (traits_type::eq_int_type(written, traits_type::eof()))
      record();
    return written;
  }
  std::streamsize xsputn(const char *s, std::streamsize n) override {
    errno = 0;
    std::streamsize written = inner_->sputn(s, n);
    if (written < n)
      record();
    return written;
  }
  int sync() override {
    errno = 0;
    int result = inner_->pubsync();
    if (result != 0)
      record();
    return result;
  }

  const char *tool_;
  std::streambuf *inner_;
  int error_ = 0;
};

} // namespace dltools

#endif // DL_TOOLS_STANDARDOUTPUT_H
