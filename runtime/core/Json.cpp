//===- Json.cpp - The runtime's small JSON reader and string quoting -------===//
//
// A recursive-descent reader over a string_view (see Json.h). Numbers are converted with
// std::from_chars, which ignores the C locale, so an application that set LC_NUMERIC cannot change
// how a descriptor or a checkpoint header reads.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Json.h"

#include <charconv>
#include <cmath>
#include <unordered_set>

namespace dl::rt::json {
namespace {

/// Objects and arrays nest at most this deep; deeper input is rejected rather than recursed into.
constexpr int kMaxDepth = 64;

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool parseDocument(Value &out, std::string &error) {
    skipSpace();
    if (!parseValue(out, 0)) {
      error = error_;
      return false;
    }
    skipSpace();
    if (pos_ != text_.size()) {
      fail("unexpected text after the JSON value");
      error = error_;
      return false;
    }
    return true;
  }

private:
  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;

  bool fail(const std::string &what) {
    if (error_.empty())
      error_ = "at byte " + std::to_string(pos_) + ": " + what;
    return false;
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  void skipSpace() {
    while (!atEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                        text_[pos_] == '\r'))
      ++pos_;
  }

  bool expectWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool parseValue(Value &out, int depth) {
    if (atEnd())
      return fail("unexpected end of input");
    switch (peek()) {
    case '{':
      return parseObject(out, depth + 1);
    case '[':
      return parseArray(out, depth + 1);
    case '"':
      out.kind = Kind::String;
      return parseString(out.string);
    case 't':
      out.kind = Kind::Bool;
      out.boolean = true;
      return expectWord("true");
    case 'f':
      out.kind = Kind::Bool;
      out.boolean = false;
      return expectWord("false");
    case 'n':
      out.kind = Kind::Null;
      return expectWord("null");
    default:
      return parseNumber(out);
    }
  }

  bool parseObject(Value &out, int depth) {
    if (depth > kMaxDepth)
      return fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    out.kind = Kind::Object;
    ++pos_; // '{'
    skipSpace();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    std::unordered_set<std::string> keys;
    while (true) {
      skipSpace();
      if (peek() != '"')
        return fail("expected a string key");
      std::string key;
      size_t keyPos = pos_;
      if (!parseString(key))
        return false;
      if (!keys.insert(key).second) {
        pos_ = keyPos;
        return fail("duplicate key \"" + key + "\"");
      }
      skipSpace();
      if (peek() != ':')
        return fail("expected ':'");
      ++pos_;
      skipSpace();
      out.object.emplace_back(std::move(key), Value());
      if (!parseValue(out.object.back().second, depth))
        return false;
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool parseArray(Value &out, int depth) {
    if (depth > kMaxDepth)
      return fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    out.kind = Kind::Array;
    ++pos_; // '['
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      skipSpace();
      out.array.emplace_back();
      if (!parseValue(out.array.back(), depth))
        return false;
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  static int hexDigit(char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  }

  /// Reads the four hex digits of a \u escape.
  bool parseHex4(uint32_t &unit) {
    if (text_.size() - pos_ < 4)
      return fail("truncated \\u escape");
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      int d = hexDigit(text_[pos_ + i]);
      if (d < 0)
        return fail("invalid \\u escape");
      unit = unit * 16 + d;
    }
    pos_ += 4;
    return true;
  }

  static void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parseString(std::string &out) {
    ++pos_; // '"'
    while (true) {
      if (atEnd())
        return fail("unterminated string");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in a string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (atEnd())
        return fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t unit = 0;
        if (!parseHex4(unit))
          return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF)
          return fail("lone low surrogate in a \\u escape");
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          uint32_t low = 0;
          if (text_.substr(pos_, 2) != "\\u")
            return fail("high surrogate without its low half");
          pos_ += 2;
          if (!parseHex4(low))
            return false;
          if (low < 0xDC00 || low > 0xDFFF)
            return fail("high surrogate without its low half");
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(out, unit);
        break;
      }
      default:
        --pos_;
        return fail("invalid escape");
      }
    }
  }

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  bool parseNumber(Value &out) {
    size_t start = pos_;
    if (peek() == '-')
      ++pos_;
    if (!isDigit(peek()))
      return fail("expected a value");
    if (peek() == '0') {
      ++pos_;
      if (isDigit(peek()))
        return fail("leading zero in a number");
    } else {
      while (isDigit(peek()))
        ++pos_;
    }
    bool integral = true;
    if (peek() == '.') {
      integral = false;
      ++pos_;
      if (!isDigit(peek()))
        return fail("expected a digit after '.'");
      while (isDigit(peek()))
        ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-')
        ++pos_;
      if (!isDigit(peek()))
        return fail("expected a digit in the exponent");
      while (isDigit(peek()))
        ++pos_;
    }
    const char *first = text_.data() + start, *last = text_.data() + pos_;
    out.kind = Kind::Number;
    auto [end, ec] = std::from_chars(first, last, out.number);
    if (ec != std::errc() || end != last || !std::isfinite(out.number)) {
      pos_ = start;
      return fail("number out of range");
    }
    out.literal.assign(first, last);
    if (integral) {
      auto [intEnd, intEc] = std::from_chars(first, last, out.integer);
      out.isInteger = intEc == std::errc() && intEnd == last;
    }
    return true;
  }
};

} // namespace

const char *kindName(Kind kind) {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "boolean";
  case Kind::Number:
    return "number";
  case Kind::String:
    return "string";
  case Kind::Array:
    return "array";
  case Kind::Object:
    return "object";
  }
  return "?";
}

const Value *Value::find(std::string_view key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (const auto &member : object)
    if (member.first == key)
      return &member.second;
  return nullptr;
}

bool parse(std::string_view text, Value &out, std::string &error) {
  out = Value();
  return Parser(text).parseDocument(out, error);
}

void appendQuoted(std::string &out, std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

} // namespace dl::rt::json
