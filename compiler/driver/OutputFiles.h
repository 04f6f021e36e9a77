//===- OutputFiles.h - How dlc writes its outputs -----------------*- C++ -*-===//
//
// Shared by the commands of dlc (Driver.cpp, Import.cpp): an output is written whole or not at
// all, and never replaces the input or a path that is no regular file.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_DRIVER_OUTPUTFILES_H
#define DLC_DRIVER_OUTPUTFILES_H

#include <string>

namespace dlc {

/// Writes `text` to `path` through a temporary file and a rename, so `path` is either the old file
/// or the complete new one.
bool writeAtomically(const std::string &path, const std::string &text, std::string &error);

/// Why dlc must not write `output`, or "": an output that is the input (the same file, by any
/// path) would replace the source, and renaming over an existing path that is no regular file
/// would replace a symbolic link, a FIFO or a device (/dev/null, as root) with a file.
std::string unwritableOutput(const std::string &output, const std::string &input);

} // namespace dlc

#endif // DLC_DRIVER_OUTPUTFILES_H
