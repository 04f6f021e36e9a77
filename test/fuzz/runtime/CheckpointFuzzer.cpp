//===- CheckpointFuzzer.cpp - libFuzzer target of the checkpoint reader ----===//
//
// Feeds each input to loadCheckpoint as a safetensors file for a small fixed model with a tensor
// of each dtype (f32 and bool parameters, an i32 scalar buffer): the header length, the JSON
// reader (runtime/core/Json.cpp), the header's checks against the model, the data section and
// the bools. Malformed files are expected; a finding is a crash, a sanitizer report, a timeout, an
// allocation past the fuzzer's limit, or one of these broken promises (Checkpoint.h), turned
// into an abort:
//   - a refused file is DL_ERR_FORMAT with a message, and leaves the state block and the metadata
//     (step and string pairs) exactly as they were;
//   - an accepted file, saved again with saveCheckpoint and loaded, gives the same state and
//     metadata.
//
// Built and run by ../build_and_run.sh with clang's -fsanitize=fuzzer,address,undefined.
//
//===----------------------------------------------------------------------===//
#include "MemoryFile.h"

#include "runtime/core/Checkpoint.h"

#include <cstring>
#include <memory>
#include <vector>

namespace {

const char kDescriptor[] = R"({"format": "dlc-model", "version": 1, "name": "m", "target": "cpu",
 "param_bytes": 27, "state_bytes": 4, "workspace_bytes": 0,
 "state": [
  {"name": "w", "kind": "param", "dtype": "f32", "shape": [2, 3], "offset": 0, "bytes": 24,
   "init": "zeros", "init_args": {}, "init_stream": 1},
  {"name": "mask", "kind": "param", "dtype": "bool", "shape": [3], "offset": 64, "bytes": 3,
   "init": "zeros", "init_args": {}, "init_stream": 2},
  {"name": "count", "kind": "buffer", "dtype": "i32", "shape": [], "offset": 128, "bytes": 4,
   "init": "zeros", "init_args": {}, "init_stream": 3}
 ],
 "entries": [], "buffers": []})";

std::unique_ptr<dl::rt::ModelDescription> gModel;
dl::fuzz::MemoryFile gFile;
std::string gFolder; // Where accepted checkpoints are saved again.

/// The one call of the reader (its signature is the part of this file most likely to change).
dl_status load(const std::string &path, std::vector<uint8_t> &state,
               dl::rt::CheckpointMetadata &metadata, std::string &error) {
  return dl::rt::loadCheckpoint(*gModel, state.data(), metadata, path.c_str(), error);
}

dl_status save(const std::string &path, const std::vector<uint8_t> &state,
               const dl::rt::CheckpointMetadata &metadata, std::string &error) {
  return dl::rt::saveCheckpoint(*gModel, state.data(), metadata, path.c_str(), error);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  std::string error;
  gModel = dl::rt::parseDescriptor(kDescriptor, error);
  if (!gModel)
    dl::fuzz::broken("checkpoint", "the fuzzer's own descriptor: " + error);
  // Saves go to memory where there is /dev/shm: saveCheckpoint fsyncs.
  std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string pattern = base + "/dl-checkpoint-fuzz-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    dl::fuzz::broken("checkpoint", "mkdtemp " + pattern + " failed");
  gFolder = pattern;
  std::atexit([] {
    std::remove((gFolder + "/again.safetensors").c_str());
    std::remove(gFolder.c_str());
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = gFile.hold(data, size);
  // A state block no valid checkpoint can produce (0xa5 is no bool), to see any change.
  const std::vector<uint8_t> before(gModel->stateBlockBytes, 0xa5);
  std::vector<uint8_t> state = before;
  dl::rt::CheckpointMetadata metadata;
  metadata.step = 12345;
  metadata.entries["kept"] = "as it was";
  std::string error;
  dl_status status = load(path, state, metadata, error);
  if (status != DL_OK) {
    if (status != DL_ERR_FORMAT || error.empty())
      dl::fuzz::broken("checkpoint", "refused with status " + std::to_string(status) + ": " + error);
    if (state != before || metadata.step != 12345 || metadata.entries.size() != 1 ||
        metadata.entries["kept"] != "as it was")
      dl::fuzz::broken("checkpoint", "a refused file changed the state or the metadata: " + error);
    return 0;
  }

  std::string again = gFolder + "/again.safetensors";
  if (save(again, state, metadata, error) != DL_OK)
    dl::fuzz::broken("checkpoint", "saving an accepted state failed: " + error);
  std::vector<uint8_t> reloaded(before.size(), 0x5a);
  dl::rt::CheckpointMetadata reloadedMetadata;
  if (load(again, reloaded, reloadedMetadata, error) != DL_OK)
    dl::fuzz::broken("checkpoint", "an accepted state, saved again, does not load: " + error);
  for (const dl::rt::StateSpec &s : gModel->states)
    if (std::memcmp(state.data() + s.offset, reloaded.data() + s.offset, s.tensor.bytes) != 0)
      dl::fuzz::broken("checkpoint", "tensor '" + s.tensor.name + "' changed in a save and load");
  if (reloadedMetadata.step != metadata.step)
    dl::fuzz::broken("checkpoint", "the step changed in a save and load");
  if (reloadedMetadata.entries != metadata.entries)
    dl::fuzz::broken("checkpoint", "the metadata changed in a save and load");
  return 0;
}
