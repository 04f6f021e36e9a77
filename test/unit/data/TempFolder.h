//===- TempFolder.h - Scratch files for the data reader tests ----*- C++ -*-===//
//
// A folder under the system's temporary directory, removed with everything in it when the test
// ends, and helpers to write plain and gzip-compressed files into it.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TEST_UNIT_DATA_TEMPFOLDER_H
#define DL_TEST_UNIT_DATA_TEMPFOLDER_H

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace dltest {

class TempFolder {
public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dldata-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }

  /// Writes `bytes` to `name` as they are; returns the path.
  std::string write(const std::string &name, const std::string &bytes) const {
    std::ofstream out(file(name), std::ios::binary);
    out << bytes;
    return file(name);
  }

  /// Writes `bytes` gzip-compressed to `name`; returns the path.
  std::string writeGzip(const std::string &name, const std::string &bytes) const {
    gzFile gz = gzopen(file(name).c_str(), "wb");
    gzwrite(gz, bytes.data(), unsigned(bytes.size()));
    gzclose(gz);
    return file(name);
  }

private:
  std::string path_;
};

/// The contents of a file.
inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace dltest

#endif // DL_TEST_UNIT_DATA_TEMPFOLDER_H
