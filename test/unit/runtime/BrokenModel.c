/*===- BrokenModel.c - A model.so whose descriptor is wrong, for loader tests ===*
 *
 * Linked like FakeModel.c, but its one input buffer names an entry that does not exist, so
 * dl_library_open must refuse it with the descriptor's error.
 *===----------------------------------------------------------------------===*/
#include "dl/model_abi.h"

const char dl_model_descriptor[] =
    "{\"format\": \"dlc-model\", \"version\": 1, \"name\": \"broken\", \"target\": \"cpu\","
    " \"param_bytes\": 0, \"state_bytes\": 0, \"workspace_bytes\": 0, \"state\": [],"
    " \"entries\": [{\"name\": \"forward\", \"kind\": \"forward\", \"inputs\": [], \"outputs\": []}],"
    " \"buffers\": [{\"kind\": \"input\", \"entry\": 3, \"index\": 0, \"dtype\": \"f32\","
    " \"shape\": [2]}]}";

static int32_t forwardEntry(struct halide_buffer_t **buffers, uint64_t seed, uint32_t step) {
  return 0;
}

const dl_entry_fn dl_model_entries[] = {forwardEntry};
