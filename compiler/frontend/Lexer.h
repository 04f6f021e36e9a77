//===- Lexer.h - Tokens of the .dl language -----------------------*- C++ -*-===//
//
// Turns .dl text into tokens. Newlines end statements, except inside parentheses and brackets, where
// an expression may continue over several lines (as in Python); braces delimit blocks and do not
// suppress newlines. `#` starts a comment that runs to the end of the line. A line ends at `\n`,
// `\r\n` or a lone `\r`.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_LEXER_H
#define DLC_FRONTEND_LEXER_H

#include "compiler/frontend/Diagnostics.h"

#include <string>
#include <vector>

namespace dlc {

enum class Tok {
  Eof, Newline, Ident, Int, Float, String,
  // Reserved words. `in`, `along`, `carry`, `emit`, `apply`, `input`, `output`, `loss`, `param`,
  // `buffer` and `assert` are contextual: identifiers everywhere but where the grammar expects
  // them.
  KwConst, KwLayer, KwModel, KwTrain, KwImport, KwReturn, KwScan, KwTrue, KwFalse,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  Comma, Colon, Semicolon, Dot, Assign,
  Plus, Minus, Star, Slash, SlashSlash, Percent, StarStar, At,
  Eq, Ne, Lt, Le, Gt, Ge,
};

/// A printable name for a token kind, for messages: "')'", "an identifier".
const char *describe(Tok kind);

struct Token {
  Tok kind = Tok::Eof;
  std::string text;  ///< Identifier or string contents, or the literal's spelling.
  SourceLoc loc;
};

/// Lexes one whole file. Malformed input (a stray character, an unterminated string, a number that
/// does not fit) is reported and skipped, so lexing always ends with an Eof token.
std::vector<Token> lex(const SourceManager &sources, uint32_t file, DiagnosticEngine &diags);

} // namespace dlc

#endif // DLC_FRONTEND_LEXER_H
