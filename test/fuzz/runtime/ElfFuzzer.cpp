//===- ElfFuzzer.cpp - libFuzzer target of the model-library check ---------===//
//
// Feeds each input to checkSharedLibrary, the check dl_library_open makes before it hands a file
// to dlopen (ElfCheck.h): the ELF header, the program headers and the extents of the segments and
// of the section header table, read with pread. Fuzzed bytes are never dlopened. A finding is a
// crash, a sanitizer report (a read past a header, an overflowing offset + size), a timeout, or one
// of these broken promises, turned into an abort:
//   - the file, readable in memory, is never an I/O error: it is Ok or BadFormat, with a reason;
//   - a file that is Ok has, within the file, every program header and every segment's bytes.
//
// Built and run by ../build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "MemoryFile.h"

#include "runtime/loader/ElfCheck.h"

#include <cstring>
#include <elf.h>
#include <link.h>

namespace {

dl::fuzz::MemoryFile gFile;

/// Whether [offset, offset + size) lies in a file of `fileSize` bytes, computed independently of
/// ElfCheck.cpp (in 128 bits, so nothing can wrap).
bool inside(uint64_t offset, uint64_t size, uint64_t fileSize) {
  return static_cast<unsigned __int128>(offset) + size <= fileSize;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = gFile.hold(data, size);
  std::string why;
  dl::loader::ElfCheck result = dl::loader::checkSharedLibrary(path.c_str(), why);
  if (result == dl::loader::ElfCheck::IoError)
    dl::fuzz::broken("elf", "an I/O error on a file in memory: " + why);
  if (result == dl::loader::ElfCheck::BadFormat) {
    if (why.empty())
      dl::fuzz::broken("elf", "refused without a reason");
    return 0;
  }
  ElfW(Ehdr) header;
  if (size < sizeof header)
    dl::fuzz::broken("elf", "accepted a file shorter than an ELF header");
  std::memcpy(&header, data, sizeof header);
  if (header.e_type != ET_DYN || header.e_phnum == 0 ||
      !inside(header.e_phoff, uint64_t(header.e_phnum) * sizeof(ElfW(Phdr)), size))
    dl::fuzz::broken("elf", "accepted a file that is no shared library or whose program headers "
                            "are cut off");
  for (size_t i = 0; i < header.e_phnum; ++i) {
    ElfW(Phdr) segment;
    std::memcpy(&segment, data + header.e_phoff + i * sizeof segment, sizeof segment);
    if (!inside(segment.p_offset, segment.p_filesz, size))
      dl::fuzz::broken("elf", "accepted a file whose segment " + std::to_string(i) +
                                  " ends past its end");
  }
  return 0;
}
