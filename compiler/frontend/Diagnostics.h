//===- Diagnostics.h - Source files and error reporting -----------*- C++ -*-===//
//
// The frontend's source manager and diagnostic engine. Every message is printed as
// `file:line:col: error: message`, followed by the source line and a caret under the column, the
// way compilers users know print them. Nothing here depends on MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_DIAGNOSTICS_H
#define DLC_FRONTEND_DIAGNOSTICS_H

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace dlc {

/// A position in a source file; file 0 is the first file added. Lines and columns count from 1.
struct SourceLoc {
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t col = 0;
  bool valid() const { return line != 0; }
};

/// Owns the text of every file the frontend reads (the prelude, the main file, imports).
class SourceManager {
public:
  /// Adds a file's text under `name` and returns its id.
  uint32_t add(std::string name, std::string text);
  const std::string &name(uint32_t file) const { return files_[file].name; }
  const std::string &text(uint32_t file) const { return files_[file].text; }
  /// The text of line `line` of `file`, without its newline.
  std::string line(uint32_t file, uint32_t line) const;
  size_t size() const { return files_.size(); }
  /// The id of the file added under `name`, if any.
  std::optional<uint32_t> find(const std::string &name) const;

private:
  struct File {
    std::string name, text;
    std::vector<size_t> lineStarts;
  };
  std::vector<File> files_;
};

enum class Severity { Error, Warning, Note };

/// Prints diagnostics as they are reported and counts the errors.
class DiagnosticEngine {
public:
  DiagnosticEngine(const SourceManager &sources, std::ostream &out) : sources_(sources), out_(out) {}

  void error(SourceLoc loc, const std::string &message) { report(Severity::Error, loc, message); }
  void note(SourceLoc loc, const std::string &message) { report(Severity::Note, loc, message); }
  void report(Severity severity, SourceLoc loc, const std::string &message);

  unsigned errorCount() const { return errors_; }
  bool hasErrors() const { return errors_ != 0; }

private:
  const SourceManager &sources_;
  std::ostream &out_;
  unsigned errors_ = 0;
  /// After this many errors, further ones are counted but not printed.
  static constexpr unsigned limit_ = 20;
};

/// The closest candidate to `name` by edit distance, or "" when none is close enough to suggest.
std::string closestMatch(const std::string &name, const std::vector<std::string> &candidates);

/// ", did you mean 'x'?" when a close candidate exists, else "".
std::string didYouMean(const std::string &name, const std::vector<std::string> &candidates);

} // namespace dlc

#endif // DLC_FRONTEND_DIAGNOSTICS_H
