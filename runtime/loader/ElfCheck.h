//===- ElfCheck.h - Is a file a shared library this process can dlopen? -*- C++ -*-===//
//
// dlopen trusts the file it maps: a truncated library (a copy cut short, a download that stopped)
// dies with SIGBUS when the loader touches a segment past the end of the file, and a library of
// another class or machine fails with a message that does not say which. checkSharedLibrary reads
// the ELF header and program headers first and says what is wrong, so dl_library_open can return
// DL_ERR_FORMAT instead of crashing. It does not check the dynamic section's contents, relocations
// or symbols: a file that passes may still fail in dlopen, with dlopen's message.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_LOADER_ELFCHECK_H
#define DL_RUNTIME_LOADER_ELFCHECK_H

#include <string>

namespace dl::loader {

/// What checkSharedLibrary found.
enum class ElfCheck {
  Ok,
  IoError,  ///< The file cannot be opened or read (`why` says why); DL_ERR_IO.
  BadFormat ///< It is no ELF shared library for this process, or it is damaged; DL_ERR_FORMAT.
};

/// Checks that `path` is a regular file holding an ELF shared object of this process's class, byte
/// order and machine whose program headers and segments lie within the file (and its section
/// header table, when it has one). On failure `why` is a sentence fragment such as "it is not an
/// ELF file" or "it is truncated: segment 2 ends at byte 102400, past the end of the file (100000
/// bytes)".
ElfCheck checkSharedLibrary(const char *path, std::string &why);

} // namespace dl::loader

#endif // DL_RUNTIME_LOADER_ELFCHECK_H
