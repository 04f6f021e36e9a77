//===- Parser.h - Parser of the .dl language ----------------------*- C++ -*-===//
//
// A recursive-descent parser from tokens to the syntax tree. Errors are reported with their location
// and what was expected; the parser then skips to the end of the statement and goes on, so one run
// reports every independent syntax error. Nesting is bounded, so no input can exhaust the stack.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_PARSER_H
#define DLC_FRONTEND_PARSER_H

#include "compiler/frontend/AST.h"
#include "compiler/frontend/Lexer.h"

namespace dlc {

/// Lexes and parses file `file` of `sources`. The module is returned even when there were errors
/// (check `diags.hasErrors()`); it then holds whatever parsed cleanly.
std::unique_ptr<ast::Module> parseFile(const SourceManager &sources, uint32_t file,
                                       DiagnosticEngine &diags);

} // namespace dlc

#endif // DLC_FRONTEND_PARSER_H
