//===- Idx.cpp - Reading IDX files ----------------------------------------===//
#include "runtime/data/Idx.h"
#include "runtime/data/InputFile.h"

#include <cstring>
#include <utility>

namespace dldata {

namespace {

/// The highest rank accepted; real IDX files have rank 1 (labels) or 3 (images).
constexpr int kMaxIdxRank = 8;

uint32_t bigEndian32(const unsigned char *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

/// Reverses each `size`-byte element of `bytes` (IDX stores big-endian; the host is little-endian).
void swapElements(std::vector<unsigned char> &bytes, size_t size) {
  for (size_t at = 0; at + size <= bytes.size(); at += size)
    for (size_t i = 0; i < size / 2; ++i)
      std::swap(bytes[at + i], bytes[at + size - 1 - i]);
}

bool idxType(unsigned char code, DType &dtype, std::string &unsupported) {
  switch (code) {
  case 0x08: dtype = DType::U8; return true;
  case 0x0C: dtype = DType::I32; return true;
  case 0x0D: dtype = DType::F32; return true;
  case 0x0E: dtype = DType::F64; return true;
  case 0x09: unsupported = "i8"; return false;
  case 0x0B: unsupported = "i16"; return false;
  default: return false;
  }
}

std::string hexByte(unsigned char b) {
  const char *digits = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

} // namespace

bool looksLikeIdx(const unsigned char *header, size_t size) {
  DType dtype;
  std::string unsupported;
  return size >= 4 && header[0] == 0 && header[1] == 0 &&
         (idxType(header[2], dtype, unsupported) || !unsupported.empty()) && header[3] >= 1 &&
         header[3] <= kMaxIdxRank;
}

bool readIdx(const std::string &path, Array &out, std::string &error) {
  InputFile file;
  if (!file.open(path, error))
    return false;
  unsigned char magic[4];
  if (!file.readExact(magic, 4, "IDX header", error))
    return false;
  if (magic[0] != 0 || magic[1] != 0) {
    error = path + ": not an IDX file (it starts with " + hexByte(magic[0]) + " " + hexByte(magic[1]) +
            ", not two zero bytes)";
    return false;
  }
  Array array;
  std::string unsupported;
  if (!idxType(magic[2], array.dtype, unsupported)) {
    error = path + ": " +
            (unsupported.empty() ? "unknown IDX element type " + hexByte(magic[2])
                                 : "IDX element type " + unsupported + " is not supported") +
            " (expected u8 0x08, i32 0x0c, f32 0x0d or f64 0x0e)";
    return false;
  }
  int rank = magic[3];
  if (rank < 1 || rank > kMaxIdxRank) {
    error = path + ": IDX rank " + std::to_string(rank) + " is not between 1 and " +
            std::to_string(kMaxIdxRank);
    return false;
  }
  unsigned char dims[4 * kMaxIdxRank];
  if (!file.readExact(dims, 4 * size_t(rank), "IDX dimensions", error))
    return false;
  for (int i = 0; i < rank; ++i)
    array.shape.push_back(int64_t(bigEndian32(dims + 4 * i)));
  size_t elementSize = dtypeSize(array.dtype);
  uint64_t count = 0;
  if (!checkedElementCount(array.shape, elementSize, count)) {
    error = path + ": IDX dimensions " + shapeString(array.shape) + " describe more than " +
            std::to_string(kMaxArrayBytes) + " bytes";
    return false;
  }
  std::string what = describe(array.dtype, array.shape) + " data";
  if (!file.readPayload(array.bytes, count * elementSize, what, error))
    return false;
  if (!file.expectEnd(what, error))
    return false;
  if (elementSize > 1)
    swapElements(array.bytes, elementSize);
  out = std::move(array);
  return true;
}

} // namespace dldata
