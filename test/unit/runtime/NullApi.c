/*===- NullApi.c - A library whose dl_model_api_v1 table is empty, for loader tests ===*
 *
 * dl_model_api_v1 is a function, and the table it returns says ABI version 1, but only `info` is
 * set: every other function pointer is null, and dl_library_open must refuse the table before
 * calling any of them. Built a second time with DL_NO_API_TABLE, the function returns no table.
 *===----------------------------------------------------------------------===*/
#include "dl/model_abi.h"

#include <stddef.h>

static const dl_model_info *info(void) { return NULL; }

static const dl_model_api kApi = {.abi_version = DL_MODEL_ABI_VERSION, .info = info};

const dl_model_api *dl_model_api_v1(void) {
#ifdef DL_NO_API_TABLE
  return NULL;
#else
  return &kApi;
#endif
}
