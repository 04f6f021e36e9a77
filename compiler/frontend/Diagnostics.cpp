//===- Diagnostics.cpp - Source files and error reporting -----------------===//
#include "compiler/frontend/Diagnostics.h"

#include <algorithm>
#include <cctype>

namespace dlc {

uint32_t SourceManager::add(std::string name, std::string text) {
  File f{std::move(name), std::move(text), {0}};
  // Lines end as the lexer ends them: at '\n', '\r\n' or a lone '\r'.
  for (size_t i = 0; i < f.text.size(); ++i) {
    bool loneReturn = f.text[i] == '\r' && (i + 1 == f.text.size() || f.text[i + 1] != '\n');
    if (f.text[i] == '\n' || loneReturn)
      f.lineStarts.push_back(i + 1);
  }
  files_.push_back(std::move(f));
  return files_.size() - 1;
}

std::optional<uint32_t> SourceManager::find(const std::string &name) const {
  for (size_t i = 0; i < files_.size(); ++i)
    if (files_[i].name == name)
      return i;
  return std::nullopt;
}

std::string SourceManager::line(uint32_t file, uint32_t line) const {
  const File &f = files_[file];
  if (line == 0 || line > f.lineStarts.size())
    return "";
  size_t start = f.lineStarts[line - 1];
  size_t end = f.text.find_first_of("\r\n", start);
  return f.text.substr(start, end == std::string::npos ? end : end - start);
}

void DiagnosticEngine::report(Severity severity, SourceLoc loc, const std::string &message) {
  if (severity == Severity::Error && errors_++ >= limit_) {
    if (errors_ == limit_ + 1)
      out_ << "error: too many errors, stopping here\n";
    return;
  }
  if (severity != Severity::Error && errors_ > limit_)
    return;
  const char *label = severity == Severity::Error     ? "error"
                      : severity == Severity::Warning ? "warning"
                                                      : "note";
  if (loc.valid() && loc.file < sources_.size()) {
    out_ << sources_.name(loc.file) << ":" << loc.line << ":" << loc.col << ": " << label << ": "
         << message << "\n";
    std::string text = sources_.line(loc.file, loc.line);
    // Tabs keep their width in the caret line so the caret stays under the column.
    std::string caret;
    for (size_t i = 0; i + 1 < loc.col && i < text.size(); ++i)
      caret += text[i] == '\t' ? '\t' : ' ';
    out_ << text << "\n" << caret << "^\n";
  } else {
    out_ << label << ": " << message << "\n";
  }
}

static size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closestMatch(const std::string &name, const std::vector<std::string> &candidates) {
  // Short names tolerate one edit, longer ones about a third of their length (a swap is two).
  std::string best;
  size_t limit = name.size() <= 3 ? 1 : std::max<size_t>(2, name.size() / 3);
  size_t bestDistance = limit + 1;
  for (const std::string &c : candidates) {
    if (c == name)
      continue;
    // A candidate differing only in case is the best there is; one that shares nothing with the
    // name is no suggestion at all ('Q' is one edit from 'B').
    bool caseOnly = name.size() == c.size() &&
                    std::equal(name.begin(), name.end(), c.begin(), [](char a, char b) {
                      return std::tolower((unsigned char)a) == std::tolower((unsigned char)b);
                    });
    size_t d = caseOnly ? 0 : editDistance(name, c);
    if (!caseOnly && d >= std::max(name.size(), c.size()))
      continue;
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

std::string didYouMean(const std::string &name, const std::vector<std::string> &candidates) {
  std::string best = closestMatch(name, candidates);
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

} // namespace dlc
