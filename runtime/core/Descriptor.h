//===- Descriptor.h - The model descriptor, read and checked -*- C++ -*-===//
//
// Every model.so embeds its description as JSON (`dl_model_descriptor`, documented in
// dl/model_abi.h). parseDescriptor() reads it into a ModelDescription and checks everything the
// runtime will rely on later, so that creating an instance, calling an entry or loading a checkpoint
// never meets a surprise: known dtypes, kinds and initializers with their arguments, byte counts that
// match shapes, 64-byte-aligned offsets, state tensors that do not overlap, arena and state buffers
// inside their blocks, input/output buffers that name an existing entry tensor of the same dtype and
// byte size, and extents that fit Halide's 32-bit dimensions.
//
// The description also owns the C view of itself (dl_model_info and the arrays it points into),
// which the loader hands to applications; it is built once and never moves.
//
// This file knows nothing of instances or of the glue's symbols (Api.cpp reads those), so
// tests can parse descriptors of their own.
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_CORE_DESCRIPTOR_H
#define DL_RUNTIME_CORE_DESCRIPTOR_H

#include "dl/runtime.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dl::rt {

/// Bytes per element of `dtype` in memory: 4, 4, 1.
size_t dtypeBytes(dl_dtype dtype);

/// A named dense tensor: an entry's input or output, or a state tensor.
struct TensorSpec {
  std::string name;
  dl_dtype dtype = DL_F32;
  std::vector<int64_t> shape; ///< Outermost first; empty for a scalar.
  size_t bytes = 0;           ///< Element count times dtypeBytes(dtype).

  size_t numElements() const { return bytes / dtypeBytes(dtype); }
};

/// How a state tensor is filled at creation (runtime/rng/InitializerMath.h).
struct InitSpec {
  std::string name;                   ///< "zeros", "he_normal", ...
  std::map<std::string, double> args; ///< Every numeric argument of "init_args".
  uint32_t stream = 0;                ///< The Philox stream of its draws.
};

/// What a state tensor holds (the descriptor's "kind"): a parameter; a buffer of the program
/// (batch-norm running statistics); optimizer state; or part of a training step's gradient area,
/// the one kind checkpoints leave out.
enum class StateRole { Param, Buffer, Optimizer, Gradient };

/// A parameter or buffer at its offset in the state block.
struct StateSpec {
  TensorSpec tensor;
  bool isParam = true; ///< role == StateRole::Param.
  StateRole role = StateRole::Param;
  size_t offset = 0;
  InitSpec init;

  /// Whether checkpoints hold it: everything but the gradient areas.
  bool saved() const { return role != StateRole::Gradient; }
};

enum class BufferKind { Arena, State, Input, Output, View };

/// One halide_buffer_t of the instance's buffer table.
struct BufferSpec {
  BufferKind kind = BufferKind::Arena;
  size_t offset = 0; ///< Arena and state buffers: into the workspace or the state block.
  int entry = -1;    ///< Input and output buffers: the entry and the tensor's index in it.
  int index = -1;
  int parent = -1;   ///< Views: the buffer they are a window into (offset: bytes at step 0).
  int64_t stride = 0, steps = 1;
  dl_dtype dtype = DL_F32;
  std::vector<int64_t> shape;
  size_t bytes = 0;
};

struct EntrySpec {
  std::string name;
  dl_entry_kind kind = DL_ENTRY_FORWARD;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  /// Train, grad and apply entries (optional keys; absent: no split): the training step, the
  /// batches a train entry accumulates per update, its gradient area in the state block, and the
  /// indices of the step's grad and apply entries (-1 when the library has none).
  std::string step;
  int64_t accumulate = 1;
  size_t gradOffset = 0, gradBytes = 0;
  int gradEntry = -1, applyEntry = -1;
  /// A train entry with no function of its own (optional key "split"): every call runs its grad
  /// entry, then its apply entry.
  bool split = false;
};

/// A checked model descriptor and its C view. Not copyable: the view points into it.
struct ModelDescription {
  std::string name;
  std::string target;
  size_t paramBytes = 0, stateBytes = 0, workspaceBytes = 0;
  std::vector<StateSpec> states; ///< Parameters first, then buffers.
  std::vector<EntrySpec> entries;
  std::vector<BufferSpec> buffers;
  /// The size of the state block an instance allocates: the end of its last tensor, rounded up
  /// to 64 bytes.
  size_t stateBlockBytes = 0;

  /// The C view, valid as long as this description lives.
  dl_model_info info{};

  ModelDescription() = default;
  ModelDescription(const ModelDescription &) = delete;
  ModelDescription &operator=(const ModelDescription &) = delete;

  /// Whether the library's kernels run on `device` (DL_DEVICE_CPU or DL_DEVICE_CUDA): target
  /// "cpu", "cuda" or "cpu,cuda" (both).
  bool runsOn(int device) const {
    return (device == DL_DEVICE_CPU && target != "cuda") ||
           (device == DL_DEVICE_CUDA && target != "cpu");
  }
  /// Whether the library holds a second entry table for the GPU (dl_model_entries_cuda,
  /// model_abi.h): it was built for both targets.
  bool hasCudaEntries() const { return target == "cpu,cuda"; }

  /// The state tensor called `name`, or null.
  const StateSpec *findState(const std::string &name) const;
  /// The index in `states` of the tensor `info` describes (a pointer into info.params or
  /// info.buffers).
  size_t stateIndexOf(const dl_tensor_info *info) const;
  const dl_tensor_info &stateInfo(size_t stateIndex) const;

private:
  friend std::unique_ptr<ModelDescription> parseDescriptor(const char *, std::string &);
  std::vector<dl_tensor_info> stateInfos_;
  std::vector<dl_entry_info> entryInfos_;
  std::vector<std::vector<dl_tensor_info>> entryTensorInfos_; ///< Inputs, outputs per entry.
  void buildView();
};

/// Parses and checks descriptor `text`. Null with `error` naming the offending part otherwise.
std::unique_ptr<ModelDescription> parseDescriptor(const char *text, std::string &error);

} // namespace dl::rt

#endif // DL_RUNTIME_CORE_DESCRIPTOR_H
