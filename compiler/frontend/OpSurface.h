//===- OpSurface.h - How a .dl program reaches each dl op ---------*- C++ -*-===//
//
// One row per op of the dl dialect: the builtin function or the form of the language that emits
// it, or, for an op no program writes, what builds it instead (another op's gradient rule, a
// pass). The op-coverage test (test/unit/OpCoverageTest.cpp) requires a row for every registered
// op, so a new op states here how users get to it, or why they do not.
//
// What it does not do: drive the elaborator. The family files of builtins/ emit the ops; this
// table only describes them (and the test checks that each builtin it names exists).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_OPSURFACE_H
#define DLC_FRONTEND_OPSURFACE_H

#include <map>
#include <string>

namespace dlc {

/// How a .dl program reaches one dl op.
struct OpSurface {
  enum class Kind {
    Builtin,  ///< `how` is the name of the builtin function that emits it.
    Syntax,   ///< `how` describes the form that emits it: an operator, a subscript, a declaration.
    Internal, ///< No program writes it; `how` says what builds it and why it needs no builtin.
  };
  Kind kind;
  const char *how;
};

/// Every dl op by its full name ("dl.add").
const std::map<std::string, OpSurface> &opSurfaces();

/// Whether `name` is a builtin function of the language (`relu`, `conv2d`, ...).
bool isBuiltin(const std::string &name);

} // namespace dlc

#endif // DLC_FRONTEND_OPSURFACE_H
