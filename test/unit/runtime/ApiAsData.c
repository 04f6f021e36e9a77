/*===- ApiAsData.c - A library whose dl_model_api_v1 is data, for loader tests ===*
 *
 * Exports dl_model_api_v1 as an object, not a function: calling it would jump into data, so
 * dl_library_open must refuse it before calling.
 *===----------------------------------------------------------------------===*/
#include <stdint.h>

/* What a version-1 table's first field looks like, so a careless loader takes it for a model. */
const uint32_t dl_model_api_v1[4] = {1u, 0u, 0u, 0u};
