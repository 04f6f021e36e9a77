//===- Lexer.cpp - Tokens of the .dl language -----------------------------===//
#include "compiler/frontend/Lexer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <unordered_map>

namespace dlc {

const char *describe(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of file";
  case Tok::Newline: return "end of line";
  case Tok::Ident: return "an identifier";
  case Tok::Int: return "an integer";
  case Tok::Float: return "a number";
  case Tok::String: return "a string";
  case Tok::KwConst: return "'const'";
  case Tok::KwLayer: return "'layer'";
  case Tok::KwModel: return "'model'";
  case Tok::KwTrain: return "'train'";
  case Tok::KwImport: return "'import'";
  case Tok::KwReturn: return "'return'";
  case Tok::KwScan: return "'scan'";
  case Tok::KwTrue: return "'true'";
  case Tok::KwFalse: return "'false'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Colon: return "':'";
  case Tok::Semicolon: return "';'";
  case Tok::Dot: return "'.'";
  case Tok::Assign: return "'='";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::SlashSlash: return "'//'";
  case Tok::Percent: return "'%'";
  case Tok::StarStar: return "'**'";
  case Tok::At: return "'@'";
  case Tok::Eq: return "'=='";
  case Tok::Ne: return "'!='";
  case Tok::Lt: return "'<'";
  case Tok::Le: return "'<='";
  case Tok::Gt: return "'>'";
  case Tok::Ge: return "'>='";
  }
  return "a token";
}

namespace {

class Lexer {
public:
  Lexer(const SourceManager &sources, uint32_t file, DiagnosticEngine &diags)
      : text_(sources.text(file)), file_(file), diags_(diags) {}

  std::vector<Token> run() {
    while (true) {
      skipSpaceAndComments();
      if (pos_ >= text_.size())
        break;
      lexOne();
    }
    if (!tokens_.empty() && tokens_.back().kind != Tok::Newline)
      push(Tok::Newline, "", here());
    push(Tok::Eof, "", here());
    return std::move(tokens_);
  }

private:
  SourceLoc here() const { return {file_, line_, col_}; }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  /// A line ends at '\n', at '\r\n' (the '\r' is then plain space) and at a lone '\r' (old Mac
  /// OS files).
  bool atLineEnd(size_t ahead = 0) const {
    char c = peek(ahead);
    return c == '\n' || (c == '\r' && peek(ahead + 1) != '\n');
  }
  void advance() {
    if (atLineEnd()) {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  void push(Tok kind, std::string text, SourceLoc loc) {
    tokens_.push_back({kind, std::move(text), loc});
    atLineStart_ = false;
  }
  void pushNewline(SourceLoc loc) {
    if (!tokens_.empty() && tokens_.back().kind != Tok::Newline)
      push(Tok::Newline, "", loc);
  }
  /// Newlines are insignificant inside parentheses and brackets, but significant again inside a
  /// block opened within them (a scan body passed to a call).
  bool newlinesCount() const { return open_.empty() || open_.back() == '{'; }

  void skipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = peek();
      if (c == '#') {
        while (pos_ < text_.size() && peek() != '\n' && peek() != '\r')
          advance();
      } else if (atLineEnd()) {
        // Newlines end statements only outside parentheses and brackets, and only once in a row.
        if (!atLineStart_)
          lineEnd_ = here();
        if (newlinesCount())
          pushNewline(here());
        advance();
        atLineStart_ = true;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (c == '\\' && (atLineEnd(1) || (peek(1) == '\r' && peek(2) == '\n'))) {
        advance();
        if (peek() == '\r' && peek(1) == '\n')
          advance();
        advance();
      } else {
        break;
      }
    }
  }

  void lexOne() {
    SourceLoc loc = here();
    char c = peek();
    if (std::isalpha((unsigned char)c) || c == '_')
      return lexWord(loc);
    if (std::isdigit((unsigned char)c) || (c == '.' && std::isdigit((unsigned char)peek(1))))
      return lexNumber(loc);
    if (c == '"')
      return lexString(loc);
    auto single = [&](Tok kind) {
      advance();
      push(kind, std::string(1, c), loc);
    };
    auto twoOr = [&](char second, Tok both, Tok one) {
      advance();
      if (peek() == second) {
        advance();
        push(both, "", loc);
      } else {
        push(one, "", loc);
      }
    };
    switch (c) {
    case '(': open_.push_back('('); return single(Tok::LParen);
    case '[': open_.push_back('['); return single(Tok::LBracket);
    case ')':
    case ']':
      if (!open_.empty() && open_.back() != '{')
        open_.pop_back();
      return single(c == ')' ? Tok::RParen : Tok::RBracket);
    case '{': open_.push_back('{'); return single(Tok::LBrace);
    case '}':
      // Closes the innermost block, and whatever brackets were left open inside it.
      if (std::find(open_.begin(), open_.end(), '{') != open_.end()) {
        while (open_.back() != '{')
          open_.pop_back();
        open_.pop_back();
      }
      return single(Tok::RBrace);
    case ',': return single(Tok::Comma);
    case ':': return single(Tok::Colon);
    case ';': return single(Tok::Semicolon);
    case '.': return single(Tok::Dot);
    case '+': return single(Tok::Plus);
    case '-': return single(Tok::Minus);
    case '/': return twoOr('/', Tok::SlashSlash, Tok::Slash);
    case '%': return single(Tok::Percent);
    case '@': return single(Tok::At);
    case '*': return twoOr('*', Tok::StarStar, Tok::Star);
    case '=': return twoOr('=', Tok::Eq, Tok::Assign);
    case '<': return twoOr('=', Tok::Le, Tok::Lt);
    case '>': return twoOr('=', Tok::Ge, Tok::Gt);
    case '!':
      advance();
      if (peek() == '=') {
        advance();
        return push(Tok::Ne, "", loc);
      }
      diags_.error(loc, "unexpected character '!'; did you mean '!='?");
      return;
    default:
      advance();
      if (size_t n = utf8Length((unsigned char)c)) {
        // One error for a whole non-ASCII character, not one per byte of it.
        std::string character(1, c);
        for (size_t k = 1; k < n; ++k, advance())
          character += peek();
        diags_.error(loc, "unexpected character '" + character +
                              "'; only ASCII is allowed outside strings and comments");
      } else if ((unsigned char)c >= 0x80 || !std::isprint((unsigned char)c)) {
        diags_.error(loc, "unexpected byte 0x" + hex((unsigned char)c) + " in source");
      } else {
        diags_.error(loc, std::string("unexpected character '") + c + "'");
      }
    }
  }

  /// The length of the well-formed multi-byte UTF-8 character whose lead byte `lead` was just
  /// consumed, or 0 when it does not start one.
  size_t utf8Length(unsigned char lead) const {
    size_t n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
               : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    for (size_t k = 1; k < n; ++k)
      if (((unsigned char)peek(k - 1) & 0xc0) != 0x80)
        return 0;
    return n;
  }

  static std::string hex(unsigned v) {
    const char *digits = "0123456789abcdef";
    return {digits[v >> 4], digits[v & 15]};
  }

  void lexWord(SourceLoc loc) {
    size_t start = pos_;
    while (std::isalnum((unsigned char)peek()) || peek() == '_')
      advance();
    std::string word = text_.substr(start, pos_ - start);
    static const std::unordered_map<std::string, Tok> keywords = {
        {"const", Tok::KwConst},   {"layer", Tok::KwLayer},   {"model", Tok::KwModel},
        {"train", Tok::KwTrain},   {"import", Tok::KwImport}, {"return", Tok::KwReturn},
        {"scan", Tok::KwScan},     {"true", Tok::KwTrue},     {"false", Tok::KwFalse},
    };
    auto it = keywords.find(word);
    Tok kind = it == keywords.end() ? Tok::Ident : it->second;
    // A declaration keyword first on its line cannot continue an expression: a bracket left open
    // above it was never closed. Closing it here lets the parser report the missing bracket at the
    // end of that line and go on, instead of reading the rest of the file as one line.
    bool declaration = kind == Tok::KwConst || kind == Tok::KwLayer || kind == Tok::KwModel ||
                       kind == Tok::KwTrain || kind == Tok::KwImport;
    if (declaration && atLineStart_ && !newlinesCount()) {
      open_.clear();
      pushNewline(lineEnd_);
    }
    push(kind, word, loc);
  }

  void lexNumber(SourceLoc loc) {
    size_t start = pos_;
    bool isFloat = false;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') &&
        std::isxdigit((unsigned char)peek(2)))
      return lexHexInteger(loc);
    while (std::isdigit((unsigned char)peek()))
      advance();
    if (peek() == '.' && std::isdigit((unsigned char)peek(1))) {
      isFloat = true;
      advance();
      while (std::isdigit((unsigned char)peek()))
        advance();
    } else if (peek() == '.' && !std::isalpha((unsigned char)peek(1)) && peek(1) != '_') {
      isFloat = true;  // "1." is a float; "x.W" never starts with a digit.
      advance();
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (std::isdigit((unsigned char)peek(1)) ||
         ((peek(1) == '+' || peek(1) == '-') && std::isdigit((unsigned char)peek(2))))) {
      isFloat = true;
      advance();
      if (peek() == '+' || peek() == '-')
        advance();
      while (std::isdigit((unsigned char)peek()))
        advance();
    }
    std::string spelling = text_.substr(start, pos_ - start);
    if (std::isalpha((unsigned char)peek()) || peek() == '_') {
      diags_.error(here(), "unexpected character '" + std::string(1, peek()) +
                               "' after number '" + spelling + "'");
      while (std::isalnum((unsigned char)peek()) || peek() == '_')
        advance();
    }
    errno = 0;
    if (isFloat) {
      std::strtod(spelling.c_str(), nullptr);
      if (errno == ERANGE) {
        diags_.error(loc, "number '" + spelling + "' is out of range");
        spelling = "0.0";
      }
    } else {
      std::strtoll(spelling.c_str(), nullptr, 10);
      if (errno == ERANGE) {
        diags_.error(loc, "integer '" + spelling + "' is too large");
        spelling = "0";
      }
    }
    push(isFloat ? Tok::Float : Tok::Int, spelling, loc);
  }

  /// `0x1F`: an integer in hexadecimal, as in C (no hexadecimal floats).
  void lexHexInteger(SourceLoc loc) {
    size_t start = pos_;
    advance();
    advance();
    while (std::isxdigit((unsigned char)peek()))
      advance();
    std::string spelling = text_.substr(start, pos_ - start);
    if (std::isalnum((unsigned char)peek()) || peek() == '_' || peek() == '.') {
      diags_.error(here(), "unexpected character '" + std::string(1, peek()) +
                               "' after number '" + spelling + "'");
      while (std::isalnum((unsigned char)peek()) || peek() == '_' || peek() == '.')
        advance();
    }
    errno = 0;
    std::strtoll(spelling.c_str(), nullptr, 16);
    if (errno == ERANGE) {
      diags_.error(loc, "integer '" + spelling + "' is too large");
      spelling = "0";
    }
    push(Tok::Int, spelling, loc);
  }

  void lexString(SourceLoc loc) {
    advance();
    std::string value;
    while (pos_ < text_.size() && peek() != '"' && peek() != '\n' && peek() != '\r') {
      if (peek() == '\\' && pos_ + 1 < text_.size() && peek(1) != '\n' && peek(1) != '\r') {
        advance();
        char e = peek();
        value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        value += peek();
      }
      advance();
    }
    if (peek() != '"') {
      diags_.error(loc, "unterminated string");
    } else {
      advance();
    }
    push(Tok::String, value, loc);
  }

  const std::string &text_;
  uint32_t file_;
  DiagnosticEngine &diags_;
  size_t pos_ = 0;
  uint32_t line_ = 1, col_ = 1;
  /// The brackets open at this point, innermost last: '(', '[' or '{'.
  std::vector<char> open_;
  /// No token yet on the current line.
  bool atLineStart_ = true;
  /// Where the last line holding a token ends.
  SourceLoc lineEnd_;
  std::vector<Token> tokens_;
};

} // namespace

std::vector<Token> lex(const SourceManager &sources, uint32_t file, DiagnosticEngine &diags) {
  return Lexer(sources, file, diags).run();
}

} // namespace dlc
