//===- Header.h - The typed C header of a compiled model ---------*- C++ -*-===//
#ifndef DLC_CODEGEN_HEADER_H
#define DLC_CODEGEN_HEADER_H

#include "compiler/codegen/ModelLayout.h"

#include <string>

namespace dl::codegen {

/// The header `dlc --emit=header` writes: the runtime's C API (dl/runtime.h, inlined so the header
/// stands alone), the memory plan's byte counts, and one typed function per entry point.
std::string modelHeader(const ModelLayout &layout, const std::string &sourceName);

} // namespace dl::codegen

#endif // DLC_CODEGEN_HEADER_H
