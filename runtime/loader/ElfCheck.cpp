//===- ElfCheck.cpp - Is a file a shared library this process can dlopen? ------===//
//
// Reads the ELF header and the program headers with pread (never mmap, so a short file is a short
// read, not SIGBUS) and compares them with the host's ElfW types and machine. Every offset plus size
// is checked without overflow against the file's size.
//
//===----------------------------------------------------------------------===//
#include "ElfCheck.h"
#include "runtime/core/FileIO.h"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace dl::loader {
namespace {

#if defined(__x86_64__)
constexpr unsigned kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kHostMachine = EM_AARCH64;
#elif defined(__i386__)
constexpr unsigned kHostMachine = EM_386;
#elif defined(__riscv)
constexpr unsigned kHostMachine = EM_RISCV;
#elif defined(__powerpc64__)
constexpr unsigned kHostMachine = EM_PPC64;
#else
#error "dl_library_open: unknown host machine; add its EM_* value"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned char kHostData = ELFDATA2LSB;
#else
constexpr unsigned char kHostData = ELFDATA2MSB;
#endif

constexpr unsigned char kHostClass = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;

const char *machineName(unsigned machine) {
  switch (machine) {
  case EM_X86_64: return "x86-64";
  case EM_386: return "i386";
  case EM_AARCH64: return "AArch64";
  case EM_ARM: return "ARM";
  case EM_RISCV: return "RISC-V";
  case EM_PPC64: return "PowerPC64";
  case EM_S390: return "s390";
  default: return nullptr;
  }
}

std::string machineText(unsigned machine) {
  const char *name = machineName(machine);
  return name ? name : "machine " + std::to_string(machine);
}

/// Whether [offset, offset + size) lies within a file of `fileSize` bytes; `end` is offset + size
/// (saturated, for the message).
bool within(uint64_t offset, uint64_t size, uint64_t fileSize, uint64_t &end) {
  end = offset + size;
  if (end < offset)
    end = UINT64_MAX;
  return offset <= fileSize && size <= fileSize - offset;
}

/// Reads exactly `size` bytes at `offset`; false with `why` set otherwise.
bool readAt(int fd, void *data, size_t size, uint64_t offset, std::string &why) {
  if (rt::readFully(fd, data, size, offset))
    return true;
  why = errno ? std::strerror(errno) : "unexpected end of file";
  return false;
}

} // namespace

ElfCheck checkSharedLibrary(const char *path, std::string &why) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not regular.
  rt::FileDescriptor file{::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) {
    why = std::strerror(errno);
    return ElfCheck::IoError;
  }
  struct stat info;
  if (::fstat(file.fd, &info) != 0) {
    why = std::strerror(errno);
    return ElfCheck::IoError;
  }
  if (S_ISDIR(info.st_mode)) {
    why = "it is a directory";
    return ElfCheck::BadFormat;
  }
  if (!S_ISREG(info.st_mode)) {
    why = "it is not a regular file";
    return ElfCheck::BadFormat;
  }
  const uint64_t fileSize = uint64_t(info.st_size);
  auto format = [&](std::string message) {
    why = std::move(message);
    return ElfCheck::BadFormat;
  };
  auto sizeText = [&] { return " (" + std::to_string(fileSize) + " bytes)"; };

  ElfW(Ehdr) header;
  if (fileSize < EI_NIDENT)
    return format("it is too short to be a shared library" + sizeText());
  if (!readAt(file.fd, header.e_ident, EI_NIDENT, 0, why))
    return ElfCheck::IoError;
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return format("it is not an ELF file");
  if (header.e_ident[EI_CLASS] != kHostClass)
    return format(std::string("it is a ") +
                  (header.e_ident[EI_CLASS] == ELFCLASS32   ? "32-bit"
                   : header.e_ident[EI_CLASS] == ELFCLASS64 ? "64-bit"
                                                            : "damaged") +
                  " ELF file; this process is " + (kHostClass == ELFCLASS64 ? "64" : "32") +
                  "-bit");
  if (header.e_ident[EI_DATA] != kHostData)
    return format("its ELF byte order is not this machine's");
  if (header.e_ident[EI_VERSION] != EV_CURRENT)
    return format("its ELF version " + std::to_string(header.e_ident[EI_VERSION]) +
                  " is unknown");
  if (fileSize < sizeof header)
    return format("it is truncated: the ELF header needs " + std::to_string(sizeof header) +
                  " bytes, the file has " + std::to_string(fileSize));
  if (!readAt(file.fd, &header, sizeof header, 0, why))
    return ElfCheck::IoError;
  if (header.e_type != ET_DYN)
    return format(header.e_type == ET_EXEC  ? "it is an executable, not a shared library"
                  : header.e_type == ET_REL ? "it is an object file, not a shared library"
                                            : "it is not a shared library (ELF type " +
                                                  std::to_string(header.e_type) + ")");
  if (header.e_machine != kHostMachine)
    return format("it is built for " + machineText(header.e_machine) + ", not for " +
                  machineText(kHostMachine));

  // The program headers: the loader reads every one and maps the PT_LOAD segments.
  if (header.e_phentsize != sizeof(ElfW(Phdr)) || header.e_phnum == 0 ||
      header.e_phnum == PN_XNUM)
    return format("its program header table is damaged (" + std::to_string(header.e_phnum) +
                  " entries of " + std::to_string(header.e_phentsize) + " bytes)");
  uint64_t end = 0;
  if (!within(header.e_phoff, uint64_t(header.e_phnum) * sizeof(ElfW(Phdr)), fileSize, end))
    return format("it is truncated: its program headers end at byte " + std::to_string(end) +
                  ", past the end of the file" + sizeText());
  std::vector<ElfW(Phdr)> segments(header.e_phnum);
  if (!readAt(file.fd, segments.data(), segments.size() * sizeof(ElfW(Phdr)), header.e_phoff, why))
    return ElfCheck::IoError;
  bool loadable = false, dynamic = false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const ElfW(Phdr) &segment = segments[i];
    if (!within(segment.p_offset, segment.p_filesz, fileSize, end))
      return format("it is truncated: segment " + std::to_string(i) + " ends at byte " +
                    std::to_string(end) + ", past the end of the file" + sizeText());
    if (segment.p_type == PT_LOAD) {
      loadable = true;
      if (segment.p_filesz > segment.p_memsz)
        return format("its segment " + std::to_string(i) +
                      " is damaged (more bytes in the file than in memory)");
    }
    dynamic |= segment.p_type == PT_DYNAMIC;
  }
  if (!loadable || !dynamic)
    return format(std::string("it is not a shared library (it has no ") +
                  (loadable ? "dynamic section" : "loadable segment") + ")");

  // The loader ignores section headers, but a table cut off says the file was cut off.
  if (header.e_shoff != 0 &&
      !within(header.e_shoff, uint64_t(header.e_shnum) * header.e_shentsize, fileSize, end))
    return format("it is truncated: its section headers end at byte " + std::to_string(end) +
                  ", past the end of the file" + sizeText());
  return ElfCheck::Ok;
}

} // namespace dl::loader
