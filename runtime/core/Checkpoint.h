//===- Checkpoint.h - Saving and loading an instance's state as safetensors -*- C++ -*-===//
//
// A checkpoint is a safetensors file: an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"format": "dlc", "model": "<name>", "step": "<n>", "<key>": "<value>", ...},
//    "<tensor>": {"dtype": "F32" | "I32" | "BOOL", "shape": [...], "data_offsets": [begin, end]}, ...}
// padded with spaces so the data starts at a multiple of 8, then the tensors' raw little-endian
// bytes, packed in the header's order. Every parameter and buffer (optimizer state included) is
// saved; the step counter travels in the metadata, with whatever string pairs the application
// attached (dl_instance_set_metadata: dl-run keeps the position in its data there, so that a run
// resumes exactly).
//
// Saving writes a temporary file beside the target, fsyncs it and renames it over the target, so
// the real name never holds a half-written checkpoint. Loading reads and checks the whole file
// before touching the instance: the header length against the file size, the JSON, every model
// tensor present once with the same dtype and shape, no tensor the model lacks, offsets that tile
// the data section exactly (the safetensors rule), bools that are 0 or 1. Files written by Python's
// safetensors or by hand with NumPy load too (any tensor order, padded or unpadded header, no
// metadata: the step is then 0).
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_CHECKPOINT_H
#define DL_RUNTIME_CORE_CHECKPOINT_H

#include "runtime/core/Descriptor.h"

#include <map>
#include <string>

namespace dl::rt {

/// What a checkpoint holds besides the tensors: the step counter and the application's string
/// pairs (never "format", "model" or "step", which the runtime writes itself).
struct CheckpointMetadata {
  uint64_t step = 0;
  std::map<std::string, std::string> entries;
};

/// Whether `key` is one of the metadata keys the runtime writes itself.
bool isReservedMetadataKey(const std::string &key);

/// Writes the state block `state` (laid out as `model` says) and `metadata` to `path`. DL_ERR_IO with
/// `error` when the file cannot be written; nothing is then left under `path` or beside it.
dl_status saveCheckpoint(const ModelDescription &model, const uint8_t *state,
                         const CheckpointMetadata &metadata, const char *path, std::string &error);

/// Reads `path` into the state block `state` and `metadata`, changing neither unless the whole
/// file checks out; metadata entries other than the step must be strings (the safetensors rule). DL_ERR_IO when it cannot be read, DL_ERR_FORMAT when it is malformed or does not
/// match the model (the message names the tensor and both types), DL_ERR_OUT_OF_MEMORY.
dl_status loadCheckpoint(const ModelDescription &model, uint8_t *state,
                         CheckpointMetadata &metadata, const char *path, std::string &error);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_CHECKPOINT_H
