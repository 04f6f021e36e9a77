//===- Checkpoint.h - Reading a safetensors checkpoint for export ---*- C++ -*-===//
#ifndef DLC_EXPORTER_CHECKPOINT_H
#define DLC_EXPORTER_CHECKPOINT_H

#include "compiler/interpreter/Interpreter.h"

#include <map>
#include <string>

namespace dlc::exporter {

/// Reads every tensor of the safetensors file at `path` (F32, I32 or BOOL, as dlc's checkpoints
/// and runtime/core/Checkpoint.h describe). False with `error` for a file that is none.
bool readCheckpoint(const std::string &path, std::map<std::string, dl::interp::Tensor> &tensors,
                    std::string &error);

} // namespace dlc::exporter

#endif // DLC_EXPORTER_CHECKPOINT_H
