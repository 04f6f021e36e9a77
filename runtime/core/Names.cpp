//===- Names.cpp - The names of statuses and dtypes (dl/runtime.h) ---------===//
//
// Compiled into both libdlrt (inside every model.so, hidden) and libdlrt_loader (exported to
// applications), so each side answers without the other.
//
//===----------------------------------------------------------------------===//
#include "dl/runtime.h"

extern "C" const char *dl_status_name(dl_status status) {
  switch (status) {
  case DL_OK:
    return "ok";
  case DL_ERR_INVALID_ARGUMENT:
    return "invalid argument";
  case DL_ERR_IO:
    return "i/o error";
  case DL_ERR_FORMAT:
    return "format error";
  case DL_ERR_DEVICE:
    return "device error";
  case DL_ERR_OUT_OF_MEMORY:
    return "out of memory";
  case DL_ERR_NUMERIC:
    return "numeric error";
  case DL_ERR_INTERNAL:
    return "internal error";
  }
  return "unknown status";
}

extern "C" const char *dl_dtype_name(dl_dtype dtype) {
  switch (dtype) {
  case DL_F32:
    return "f32";
  case DL_I32:
    return "i32";
  case DL_BOOL:
    return "bool";
  }
  return "unknown dtype";
}
