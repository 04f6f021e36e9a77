//===- ModelLayout.h - A planned model as the runtime will see it -*- C++ -*-===//
//
// Reads a model after dl-fuse and dl-plan-memory into what the glue, the descriptor, the header
// and `--emit=memplan` share: the state block (parameters, then buffers), the entry points with
// their inputs and outputs, the table of Halide buffers (one per distinct memory view), and for
// each entry the kernel calls and end-of-function copies over that table.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_MODELLAYOUT_H
#define DLC_CODEGEN_MODELLAYOUT_H

#include "compiler/codegen/KernelSpec.h"
#include "dl/DLOps.h"

#include "mlir/Support/LogicalResult.h"

#include <map>
#include <string>
#include <vector>

namespace dl::codegen {

/// What a state tensor holds: the descriptor's "kind" of it.
enum class StateRole { Param, Buffer, Optimizer, Gradient };

struct StateTensor {
  std::string name;
  StateRole role = StateRole::Param;
  bool isParam() const { return role == StateRole::Param; }
  TensorType type;
  int64_t offset = 0; ///< Bytes into the state block.
  std::string init;
  std::vector<std::pair<std::string, double>> initArgs;
  uint32_t initStream = 0;
};

struct NamedTensor {
  std::string name;
  TensorType type;
};

/// One halide_buffer_t of an instance.
///
/// A View is a window into another buffer (its parent, never a view itself) that the entry
/// points where a loop needs it: at `offset + stride * t` bytes into the parent at step t of a
/// loop over `steps` steps, or at `offset` once before the loop when `steps` is 1.
struct BufferView {
  enum Kind { Arena, State, Input, Output, View } kind = Arena;
  int64_t offset = 0; ///< Arena, State: bytes. View: bytes into the parent at step 0.
  int entry = 0;      ///< Input, Output: the entry and the position.
  int index = 0;
  TensorType type;
  int parent = -1;    ///< View: the buffer it is a window into.
  int64_t stride = 0; ///< View: bytes it moves per step.
  int64_t steps = 1;  ///< View: the steps it serves (1: pointed once, before the loop).
};

struct KernelCall {
  std::string symbol;            ///< The compiled kernel (shared between identical kernels).
  std::vector<int> inputs;       ///< Buffer indices.
  std::vector<int> outputs;
  mlir::dl::FusionOp fusion;     ///< Where it came from.
};

struct BufferCopy {
  int destination, source; ///< Buffer indices of equal byte size.
};

/// A dl.scan kept as a loop: the entry runs its kernels, calls [firstCall, endCall), once per step,
/// t = 0 .. steps-1 (steps-1 .. 0 when reverse).
struct ScanLoop {
  int64_t steps = 0;
  bool reverse = false;
  size_t firstCall = 0, endCall = 0;
  /// The views the loop points: those with one step once before it, the others at every step.
  std::vector<int> views;
  /// Before the first step: the initial carries into their rows.
  std::vector<BufferCopy> before;
  /// After each step's kernels: yielded values that no kernel wrote to their rows.
  std::vector<BufferCopy> eachStep;
};

struct EntryLayout {
  std::string name;
  mlir::dl::EntryKind kind;
  /// Train, grad and apply entries: the training step, its gradient area in the state block
  /// (bytes) and the batches a train entry accumulates per update (the train block's accumulate).
  std::string step;
  int64_t gradOffset = 0, gradBytes = 0;
  int64_t accumulate = 1;
  /// A train entry without kernels of its own (mlir::dl::Entry::split): the runtime runs it as its
  /// step's grad entry, then its apply entry (as it runs a step that accumulates batches). Its
  /// calls, loops and copies are empty.
  bool split = false;
  std::vector<NamedTensor> inputs, outputs;
  std::vector<KernelCall> calls;
  std::vector<ScanLoop> loops;    ///< In order of their calls, which they do not share.
  std::vector<BufferCopy> copies; ///< After the last kernel, in order.
  int64_t workspaceBytes = 0;
};

/// In a library for both the CPU and CUDA, the CUDA version of kernel K is the symbol K + this.
inline constexpr const char *kCudaKernelSuffix = "_cuda";

struct ModelLayout {
  std::string name;
  /// What the kernels run on: "cpu", "cuda" or "cpu,cuda" (the descriptor's).
  std::string target = "cpu";
  std::vector<StateTensor> state;
  int64_t paramBytes = 0, stateBytes = 0, workspaceBytes = 0;
  std::vector<EntryLayout> entries;
  std::vector<BufferView> buffers;
  /// The distinct kernels to compile, by symbol (element-wise kernels that differ only in size
  /// share one, KernelSharing.h).
  std::map<std::string, Kernel> kernels;
};

/// Builds the layout of a planned model; failure (with an error emitted) for IR it cannot lay out.
mlir::FailureOr<ModelLayout> layoutModel(mlir::dl::ModelOp model);

/// "param", "buffer", "optimizer", "gradient".
const char *stateRoleName(StateRole role);

/// The model's JSON descriptor (runtime/include/dl/model_abi.h).
std::string modelDescriptor(const ModelLayout &layout);

/// The memory plan as a table, for `dlc --emit=memplan`.
std::string memoryPlanReport(const ModelLayout &layout);

} // namespace dl::codegen

#endif // DLC_CODEGEN_MODELLAYOUT_H
