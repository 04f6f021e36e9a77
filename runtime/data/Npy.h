//===- Npy.h - NumPy .npy files, read and written -----------------*- C++ -*-===//
//
// The .npy format (numpy.lib.format): the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the
// header's length (u16 for 1.0, u32 after), a Python dict literal {'descr': '<f4', 'fortran_order':
// False, 'shape': (3, 4), } padded with spaces and a newline, then the raw elements.
//
// Read: dtypes <f4 <f8 <i4 <i8 |u1 |b1 in C order. Big-endian data and Fortran order are rejected
// with a message saying how to convert the array in NumPy; a header that is not a well-formed dict,
// a missing key, or a size that does not match the file is an error, never a crash. Gzip-compressed
// .npy files are read too (see InputFile).
// Write: version 1.0 (2.0 when the header would not fit), written to a temporary file and renamed,
// so a failed write never leaves a partial file under the real name.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_NPY_H
#define DL_RUNTIME_DATA_NPY_H

#include "runtime/data/Array.h"

#include <string>

namespace dldata {

/// Reads the .npy file `path`; false with "<path>: <what is wrong>" in `error`.
bool readNpy(const std::string &path, Array &out, std::string &error);

/// Writes `array` to `path` as .npy; false with "<path>: <reason>" in `error`.
bool writeNpy(const std::string &path, const Array &array, std::string &error);

/// The .npy header of `array` (magic, version, length, dict, padding), as writeNpy writes it.
std::string npyHeader(DType dtype, const std::vector<int64_t> &shape);

/// True when `header` starts with the .npy magic string.
bool looksLikeNpy(const unsigned char *header, size_t size);

} // namespace dldata

#endif // DL_RUNTIME_DATA_NPY_H
