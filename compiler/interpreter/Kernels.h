//===- Kernels.h - The interpreter's per-op evaluation, by family -*- C++ -*-===//
//
// Private to compiler/interpreter. Each op family's file (Elementwise.cpp, Linalg.cpp, Conv.cpp,
// Pooling.cpp, Upsample.cpp, Embedding.cpp, Reduction.cpp, Shape.cpp, Random.cpp, Loss.cpp,
// Attention.cpp), named like its dialect file dialects/dl/ops/<Family>Ops.td, exports one function,
// register<Family>Kernels, that adds its ops' kernels to a table keyed by op type; Interpreter.cpp
// builds the table once and dispatches through it. A kernel receives operands of the op's operand
// types (the driver checks every call argument, loaded state and kernel result against its type)
// and result tensors already shaped and zeroed from the op's result types, so it only computes
// values. func.call, dl.load and dl.store touch the interpreter itself and are handled by the
// driver, not by kernels.
//
// The shared index arithmetic (row-major strides, NumPy broadcasting, axis normalization, the 2-D
// windows of convolution and pooling) and the integer wrapping rules live here too, so every family
// agrees on them.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_INTERPRETER_KERNELS_H
#define DLC_INTERPRETER_KERNELS_H

#include "compiler/interpreter/Interpreter.h"

#include "llvm/ADT/ArrayRef.h"
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
void registerPoolingKernels(KernelTable &table);
void registerUpsampleKernels(KernelTable &table);
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

//===----------------------------------------------------------------------===//
// The 2-D window ops' geometry, shared by convolution and pooling (NCHW).
//===----------------------------------------------------------------------===//

/// The spatial geometry of one window op: kernel, stride, padding and dilation, [height, width].
struct Window {
  int64_t kh, kw, sh, sw, ph, pw, dh = 1, dw = 1;

  /// The input row (column) that tap p (q) of output row i (column j) reads.
  int64_t row(int64_t i, int64_t p) const { return i * sh - ph + p * dh; }
  int64_t col(int64_t j, int64_t q) const { return j * sw - pw + q * dw; }
};

inline Window windowOf(llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> stride,
                       llvm::ArrayRef<int64_t> padding,
                       llvm::ArrayRef<int64_t> dilation = {1, 1}) {
  return Window{kernel[0], kernel[1], stride[0], stride[1],
                padding[0], padding[1], dilation[0], dilation[1]};
}

/// A rank-4 row-major tensor's dimensions and flat indexing.
struct Dims4 {
  int64_t d0, d1, d2, d3;
  explicit Dims4(const Shape &s) : d0(s[0]), d1(s[1]), d2(s[2]), d3(s[3]) {}
  int64_t at(int64_t a, int64_t b, int64_t c, int64_t d) const {
    return ((a * d1 + b) * d2 + c) * d3 + d;
  }
  bool inside(int64_t h, int64_t w) const { return h >= 0 && h < d2 && w >= 0 && w < d3; }
};

} // namespace dl::interp

#endif // DLC_INTERPRETER_KERNELS_H
