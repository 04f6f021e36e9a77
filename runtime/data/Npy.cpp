//===- Npy.cpp - Reading and writing .npy files ---------------------------===//
#include "runtime/data/Npy.h"
#include "runtime/data/InputFile.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace dldata {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
/// The longest header accepted; NumPy's own limit for reading is 10 000 bytes by default.
constexpr uint32_t kMaxHeaderBytes = 1 << 20;
/// NumPy's GROWTH_AXIS_MAX_DIGITS.
constexpr size_t kGrowthAxisMaxDigits = 21;

/// One value of the header dict: a string, a bool, a tuple of integers, or something else
/// (a list, a number, ...), which no key accepts.
struct HeaderValue {
  enum Kind { String, Bool, Tuple, Other } kind = Other;
  std::string text;
  bool flag = false;
  std::vector<int64_t> ints;
};

/// A parser of the Python dict literal NumPy writes; it accepts exactly the literals NumPy writes
/// (single- or double-quoted strings, True/False, tuples of non-negative integers), and reports
/// anything else with its position.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text_(text) {}

  bool parse(std::vector<std::pair<std::string, HeaderValue>> &entries, std::string &error) {
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'", error);
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'", error);
      skipSpace();
      HeaderValue value;
      if (!parseValue(value, error))
        return false;
      entries.push_back({key, value});
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}'", error);
    }
    skipSpace();
    if (at_ != text_.size())
      return fail("unexpected text after the dict", error);
    return true;
  }

private:
  bool fail(const std::string &message, std::string &error) {
    error = "malformed header: " + message + " at offset " + std::to_string(at_);
    return false;
  }
  void skipSpace() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\t' ||
                                  text_[at_] == '\r'))
      ++at_;
  }
  bool consume(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (text_.compare(at_, n, word) != 0)
      return false;
    at_ += n;
    return true;
  }
  bool parseString(std::string &out) {
    if (at_ >= text_.size() || (text_[at_] != '\'' && text_[at_] != '"'))
      return false;
    char quote = text_[at_++];
    size_t end = text_.find(quote, at_);
    if (end == std::string::npos)
      return false;
    out = text_.substr(at_, end - at_);
    at_ = end + 1;
    return true;
  }
  bool parseValue(HeaderValue &value, std::string &error) {
    if (at_ < text_.size() && (text_[at_] == '\'' || text_[at_] == '"')) {
      value.kind = HeaderValue::String;
      if (!parseString(value.text))
        return fail("unterminated string", error);
      return true;
    }
    if (consumeWord("True") || consumeWord("False")) {
      value.kind = HeaderValue::Bool;
      value.flag = text_.compare(at_ - 4, 4, "True") == 0;
      return true;
    }
    if (consume('(')) {
      value.kind = HeaderValue::Tuple;
      while (true) {
        skipSpace();
        if (consume(')'))
          return true;
        size_t start = at_;
        int64_t n = 0;
        while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
          if (at_ - start >= 15)
            return fail("a dimension is too large", error);
          n = n * 10 + (text_[at_++] - '0');
        }
        if (at_ == start)
          return fail("expected a non-negative integer in the shape", error);
        consume('L'); // Python 2's long literal, as in files written by old NumPy.
        value.ints.push_back(n);
        skipSpace();
        if (consume(','))
          continue;
        skipSpace();
        if (consume(')'))
          return true;
        return fail("expected ',' or ')' in the shape", error);
      }
    }
    // Something NumPy writes only for structured dtypes (a list) or never: skip it for the message.
    value.kind = HeaderValue::Other;
    int depth = 0;
    while (at_ < text_.size()) {
      char c = text_[at_];
      if (c == '[' || c == '(' || c == '{')
        ++depth;
      else if (c == ']' || c == ')' || c == '}') {
        if (depth == 0)
          break;
        --depth;
      } else if (c == ',' && depth == 0)
        break;
      ++at_;
    }
    return true;
  }

  const std::string &text_;
  size_t at_ = 0;
};

/// Maps a descr string to a dtype, or explains why it is not accepted.
bool parseDescr(const std::string &descr, DType &dtype, std::string &error) {
  const std::string expected = " (expected one of <f4 <f8 <i4 <i8 |u1 |b1)";
  if (descr.size() < 2) {
    error = "dtype '" + descr + "' is not supported" + expected;
    return false;
  }
  char order = descr[0];
  std::string kind = descr.substr(1);
  bool oneByte = kind == "u1" || kind == "b1";
  if (oneByte && (order == '|' || order == '<' || order == '>' || order == '=')) {
    dtype = kind == "u1" ? DType::U8 : DType::Bool;
    return true;
  }
  bool known = kind == "f4" || kind == "f8" || kind == "i4" || kind == "i8";
  if (known && order == '>') {
    error = "big-endian data ('" + descr + "') is not supported; convert it with a.astype('<" + kind +
            "') before saving";
    return false;
  }
  if (known && (order == '<' || order == '=')) {
    dtype = kind == "f4" ? DType::F32 : kind == "f8" ? DType::F64 : kind == "i4" ? DType::I32 : DType::I64;
    return true;
  }
  error = "dtype '" + descr + "' is not supported" + expected;
  return false;
}

const char *descrOf(DType dtype) {
  switch (dtype) {
  case DType::F32: return "<f4";
  case DType::F64: return "<f8";
  case DType::I32: return "<i4";
  case DType::I64: return "<i8";
  case DType::U8: return "|u1";
  case DType::Bool: return "|b1";
  }
  return "?";
}

} // namespace

bool looksLikeNpy(const unsigned char *header, size_t size) {
  return size >= kMagicSize && std::memcmp(header, kMagic, kMagicSize) == 0;
}

bool readNpy(const std::string &path, Array &out, std::string &error) {
  InputFile file;
  if (!file.open(path, error))
    return false;
  unsigned char prefix[kMagicSize + 2];
  size_t got = 0;
  if (!file.read(prefix, sizeof prefix, got, error))
    return false;
  // A foreign file is named as such even when it is shorter than the magic string.
  if (std::memcmp(prefix, kMagic, std::min(got, kMagicSize)) != 0) {
    error = path + ": not a .npy file (it does not start with \"\\x93NUMPY\")";
    return false;
  }
  if (got < sizeof prefix) {
    error = path + ": truncated: expected " + std::to_string(sizeof prefix) + " bytes of .npy header, found " +
            std::to_string(got);
    return false;
  }
  unsigned major = prefix[kMagicSize], minor = prefix[kMagicSize + 1];
  if (major < 1 || major > 3 || minor != 0) {
    error = path + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
            " is not supported (expected 1.0, 2.0 or 3.0)";
    return false;
  }
  unsigned char lengthBytes[4] = {0, 0, 0, 0};
  size_t lengthSize = major == 1 ? 2 : 4;
  if (!file.readExact(lengthBytes, lengthSize, ".npy header", error))
    return false;
  uint32_t headerLength = uint32_t(lengthBytes[0]) | uint32_t(lengthBytes[1]) << 8 |
                          uint32_t(lengthBytes[2]) << 16 | uint32_t(lengthBytes[3]) << 24;
  if (headerLength > kMaxHeaderBytes || headerLength > file.remainingBound()) {
    error = path + ": the .npy header claims " + std::to_string(headerLength) +
            " bytes; the file is truncated or not a .npy file";
    return false;
  }
  std::string header(headerLength, '\0');
  if (!file.readExact(header.data(), headerLength, ".npy header", error))
    return false;

  std::vector<std::pair<std::string, HeaderValue>> entries;
  if (!HeaderParser(header).parse(entries, error)) {
    error = path + ": " + error;
    return false;
  }
  const HeaderValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : entries) {
    if (key == "descr")
      descr = &value;
    else if (key == "fortran_order")
      fortran = &value;
    else if (key == "shape")
      shape = &value;
  }
  if (!descr || !fortran || !shape) {
    error = path + ": malformed header: the key '" +
            std::string(!descr ? "descr" : !fortran ? "fortran_order" : "shape") + "' is missing";
    return false;
  }
  if (descr->kind != HeaderValue::String) {
    error = path + ": structured dtypes are not supported (expected one of <f4 <f8 <i4 <i8 |u1 |b1)";
    return false;
  }
  if (fortran->kind != HeaderValue::Bool || shape->kind != HeaderValue::Tuple) {
    error = path + ": malformed header: " +
            (fortran->kind != HeaderValue::Bool ? "'fortran_order' is not True or False"
                                                : "'shape' is not a tuple of integers");
    return false;
  }
  Array array;
  if (!parseDescr(descr->text, array.dtype, error)) {
    error = path + ": " + error;
    return false;
  }
  if (fortran->flag) {
    error = path + ": Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead";
    return false;
  }
  array.shape = shape->ints;
  uint64_t count = 0;
  if (!checkedElementCount(array.shape, dtypeSize(array.dtype), count)) {
    error = path + ": shape " + shapeString(array.shape) + " describes more than " +
            std::to_string(kMaxArrayBytes) + " bytes";
    return false;
  }
  std::string what = describe(array.dtype, array.shape) + " data";
  if (!file.readPayload(array.bytes, count * dtypeSize(array.dtype), what, error) ||
      !file.expectEnd(what, error))
    return false;
  if (array.dtype == DType::Bool) {
    for (size_t i = 0; i < array.bytes.size(); ++i)
      if (array.bytes[i] > 1) {
        error = path + ": bool element " + std::to_string(i) + " is " + std::to_string(array.bytes[i]) +
                ", not 0 or 1";
        return false;
      }
  }
  out = std::move(array);
  return true;
}

std::string npyHeader(DType dtype, const std::vector<int64_t> &shape) {
  std::string dict = std::string("{'descr': '") + descrOf(dtype) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  // NumPy (1.23 and later) leaves room for the first dimension to grow to 21 digits, so that a
  // file can be appended to in place; doing the same makes the bytes identical to np.save's.
  if (!shape.empty())
    dict.append(kGrowthAxisMaxDigits - std::min(kGrowthAxisMaxDigits, std::to_string(shape[0]).size()), ' ');
  // Pad magic + version + length + dict + '\n' to a multiple of 64. Version 1.0 stores the length
  // of the padded dict in a u16; longer headers (thousands of dimensions) need version 2.0's u32.
  auto padded = [&](size_t prefix) { return (prefix + dict.size() + 1 + 63) / 64 * 64 - prefix; };
  bool v1 = padded(kMagicSize + 4) <= 65535;
  size_t dictSize = padded(kMagicSize + (v1 ? 4 : 6));
  dict.append(dictSize - dict.size() - 1, ' ');
  dict += '\n';
  uint32_t length = uint32_t(dict.size());
  std::string header(kMagic, kMagicSize);
  header += char(v1 ? 1 : 2);
  header += char(0);
  header += char(length & 0xff);
  header += char((length >> 8) & 0xff);
  if (!v1) {
    header += char((length >> 16) & 0xff);
    header += char((length >> 24) & 0xff);
  }
  return header + dict;
}

bool writeNpy(const std::string &path, const Array &array, std::string &error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  std::string header = npyHeader(array.dtype, array.shape);
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
            std::fwrite(array.bytes.data(), 1, array.bytes.size(), f) == array.bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    error = path + ": cannot write: " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = path + ": cannot write: " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

} // namespace dldata
