//===- Idx.h - IDX files (MNIST, Fashion-MNIST) -------------------*- C++ -*-===//
//
// The IDX format of LeCun's MNIST files: two zero bytes, a type byte, a rank byte, the dimensions as
// big-endian u32, then the elements, big-endian, row-major. Files may be gzip-compressed (detected
// by their magic bytes, not their name). Element types u8 (0x08), i32 (0x0C), f32 (0x0D) and f64
// (0x0E) are read, converted to the host's byte order; i8 and i16 are reported as unsupported.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_IDX_H
#define DL_RUNTIME_DATA_IDX_H

#include "runtime/data/Array.h"

#include <string>

namespace dldata {

/// Reads the IDX file `path` into `out`; false with "<path>: <what is wrong>" in `error`.
bool readIdx(const std::string &path, Array &out, std::string &error);

/// True when `header` (at least 4 bytes) starts like an IDX file.
bool looksLikeIdx(const unsigned char *header, size_t size);

} // namespace dldata

#endif // DL_RUNTIME_DATA_IDX_H
