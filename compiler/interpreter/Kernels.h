//===- Kernels.h - The interpreter's per-op evaluation, by family -*- C++ -*-===//
//
// Private to compiler/interpreter. Each op family's file (Elementwise.cpp, Linalg.cpp, Conv.cpp,
// Embedding.cpp, Reductions.cpp, Shape.cpp, Random.cpp, Losses.cpp, Attention.cpp) exports one
// function that adds its ops' kernels to a table keyed by op type; Interpreter.cpp builds the table
// once and dispatches through it. A kernel receives operands of the op's operand types (the driver
// checks every call argument, loaded state and kernel result against its type) and result tensors
// already shaped and zeroed from the op's result types, so it only computes values. func.call,
// dl.load and dl.store touch the interpreter itself and are handled by the driver, not by kernels.
//
// The shared index arithmetic (row-major strides, NumPy broadcasting, axis normalization) and the
// integer wrapping rules live here too, so every family agrees on them.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_INTERPRETER_KERNELS_H
#define DLC_INTERPRETER_KERNELS_H

#include "compiler/interpreter/Interpreter.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Twine.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/TypeID.h"

#include <functional>
#include <string>
#include <vector>

namespace dl::interp {

using Shape = std::vector<int64_t>;

/// What a kernel sees and fills.
struct OpContext {
  Interpreter &interp;
  mlir::Operation *op;
  /// The operands' values, in operand order, each of its operand's type.
  std::vector<const Tensor *> operands;
  /// One zero tensor per result, shaped and kinded from the op's result type.
  std::vector<Tensor> results;
  /// Set by fail().
  std::string error;

  /// Records `message` (the caller adds the op's name and location) and fails.
  mlir::LogicalResult fail(const llvm::Twine &message) {
    error = message.str();
    return mlir::failure();
  }
  const Tensor &operand(unsigned i) const { return *operands[i]; }
  Tensor &result(unsigned i = 0) { return results[i]; }
};

using Kernel = std::function<mlir::LogicalResult(OpContext &)>;
using KernelTable = llvm::DenseMap<mlir::TypeID, Kernel>;

/// Registers `fn(Op, OpContext &)` as the kernel of `Op`.
template <typename Op, typename Fn> void addKernel(KernelTable &table, Fn fn) {
  table[mlir::TypeID::get<Op>()] = [fn](OpContext &c) { return fn(llvm::cast<Op>(c.op), c); };
}

void registerElementwiseKernels(KernelTable &table);
void registerLinalgKernels(KernelTable &table);
void registerConvKernels(KernelTable &table);
void registerEmbeddingKernels(KernelTable &table);
void registerReductionKernels(KernelTable &table);
void registerShapeKernels(KernelTable &table);
void registerRandomKernels(KernelTable &table);
void registerLossKernels(KernelTable &table);
void registerAttentionKernels(KernelTable &table);

/// Draws `value` (already shaped from the declaration) from initializer `init` with `args`, using
/// Philox stream `stream` at step 0. False with `error` set for an unknown initializer or a missing
/// argument.
bool drawInitializer(llvm::StringRef init, mlir::DictionaryAttr args, uint64_t seed,
                     uint32_t stream, Tensor &value, std::string &error);

//===----------------------------------------------------------------------===//
// Index arithmetic shared by the families.
//===----------------------------------------------------------------------===//

/// The product of the dimensions (1 for a scalar).
int64_t numElementsOf(const Shape &shape);

/// Row-major strides of `shape`, in elements.
Shape stridesOf(const Shape &shape);

/// For every element of `out` (row-major), the flat index of the element of `in` that NumPy
/// broadcasting maps onto it. `in` must broadcast to `out`.
std::vector<int64_t> broadcastIndices(const Shape &in, const Shape &out);

/// Advances a row-major multi-index over `shape` by one element (the odometer).
void nextIndex(std::vector<int64_t> &index, const Shape &shape);

/// Maps a possibly negative axis into [0, rank) (the verifier has checked it is in range).
int64_t normalizeAxis(int64_t axis, int64_t rank);

/// The sizes before, at and after `axis`: a tensor seen as [outer, size, inner].
struct AxisView {
  int64_t outer = 1, size = 1, inner = 1;
};
AxisView viewAround(const Shape &shape, int64_t axis);

/// An integer result wrapped to 32 bits, as i32 arithmetic does.
double wrapI32(int64_t value);

} // namespace dl::interp

#endif // DLC_INTERPRETER_KERNELS_H
