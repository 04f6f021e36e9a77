//===- OutputFiles.cpp - How dlc writes its outputs -----------------------===//
#include "compiler/driver/OutputFiles.h"
#include "compiler/codegen/link/Temporaries.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace dlc {

/// Writes `text` to `path` through a temporary file and a rename, so `path` is either the old file
/// or the complete new one.
bool writeAtomically(const std::string &path, const std::string &text, std::string &error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  dl::codegen::TemporaryPath tracked(tmp);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      error = "cannot write '" + path + "'";
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      error = "cannot write '" + path + "'";
      std::remove(tmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

/// Why dlc must not write `output`, or "": an output that is the input (the same file, by any
/// path) would replace the source, and renaming over an existing path that is no regular file
/// would replace a symbolic link, a FIFO or a device (/dev/null, as root) with a file.
std::string unwritableOutput(const std::string &output, const std::string &input) {
  struct stat target, source;
  if (::lstat(output.c_str(), &target) != 0)
    return errno == ENOENT ? "" : "cannot write '" + output + "': " + std::strerror(errno);
  if (::stat(input.c_str(), &source) == 0 && source.st_dev == target.st_dev &&
      source.st_ino == target.st_ino)
    return "cannot write '" + output + "': it is the input file '" + input + "'";
  if (S_ISREG(target.st_mode))
    return "";
  const char *kind = S_ISDIR(target.st_mode)    ? "a directory"
                     : S_ISLNK(target.st_mode)  ? "a symbolic link"
                     : S_ISFIFO(target.st_mode) ? "a FIFO"
                     : S_ISCHR(target.st_mode)  ? "a character device"
                     : S_ISBLK(target.st_mode)  ? "a block device"
                     : S_ISSOCK(target.st_mode) ? "a socket"
                                                : "of another kind";
  return "cannot write '" + output + "': it exists and is " + kind +
         ", not a regular file (dlc replaces only regular files)";
}

} // namespace dlc
