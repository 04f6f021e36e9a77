//===- KernelSpec.h - One fused kernel, described without MLIR or Halide ---*- C++ -*-===//
//
// The hand-over between the two LLVMs of dlc. The MLIR side (compiler/codegen/KernelExtraction)
// turns each `dl.fusion` region into a Kernel; the Halide side (compiler/codegen/halide/) turns a
// Kernel into one Halide pipeline. Neither side sees the other's headers, so this file includes only
// the standard library.
//
// A Kernel is a small SSA graph in the region's order:
//   values 0 .. inputs.size()-1         the kernel's input buffers (the region's block arguments)
//   value  inputs.size() + k            the result of nodes[k]
// `outputs` lists the values the kernel writes to its output buffers, in order. A value may be an
// output and also feed later nodes.
//
// Nodes are dl ops named without the dialect prefix ("add", "matmul", "dropout", ...) with the
// semantics of dialects/dl/ops/*.td; the reference interpreter (compiler/interpreter/) is their
// executable definition. Every attribute of the op is copied by its ODS name:
//   integer and bool attributes           -> ints[name] = {v}        (bool as 0/1)
//   dense i64 arrays (axes, perm, ...)    -> ints[name] = {...}
//   float attributes (p, alpha, ...)      -> floats[name]
//   string attributes                     -> strings[name]
// An attribute that ODS declares with a default value (DefaultValuedAttr) is often absent from the
// op and then absent here too: the consumer applies the default the .td file states.
// `cmp`'s predicate arrives as strings["predicate"] ("eq", "ne", "lt", "le", "gt", "ge").
// `constant` nodes carry their elements in `constant` (one element when splat, `splat` set).
// `split` never appears: the extraction turns it into one `slice` per result.
//
// Tensors are dense and row-major. In the Halide buffer of a tensor of shape [d0, ..., dn-1], buffer
// dimension 0 is dn-1 (the fastest-varying one) and dimension n-1 is d0; a rank-0 tensor is a
// zero-dimensional buffer. i1 tensors are stored one byte per element (0 or 1).
//
// The compiled function's signature (Halide AOT calling convention), under the symbol
// kernelSymbol(name) of compiler/codegen/halide/HalideCodegen.h ("dlk_" + name):
//   int dlk_<name>(halide_buffer_t *input0, ..., uint64_t seed, uint32_t step,
//              halide_buffer_t *output0, ...)
// `seed` and `step` are the Philox key and step of runtime/rng/Philox.h (used by the random ops; every
// kernel takes them so that the glue calls all kernels alike).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_KERNELSPEC_H
#define DLC_CODEGEN_KERNELSPEC_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dl::codegen {

enum class DType { F32, I32, I1 };

/// "f32", "i32", "i1".
inline const char *dtypeName(DType t) {
  return t == DType::F32 ? "f32" : t == DType::I32 ? "i32" : "i1";
}

/// Bytes per element in memory: 4, 4, 1.
inline int64_t dtypeBytes(DType t) { return t == DType::I1 ? 1 : 4; }

struct TensorType {
  DType dtype = DType::F32;
  std::vector<int64_t> shape; ///< Row-major, outermost first; empty for a scalar.

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  int64_t bytes() const { return numElements() * dtypeBytes(dtype); }
  bool operator==(const TensorType &o) const { return dtype == o.dtype && shape == o.shape; }
};

struct KernelNode {
  std::string op;            ///< dl op name without "dl.": "add", "matmul", "sum", ...
  std::vector<int> operands; ///< Value indices (see the file comment).
  TensorType type;           ///< The result's type.
  std::map<std::string, std::vector<int64_t>> ints;
  std::map<std::string, double> floats;
  std::map<std::string, std::string> strings;
  std::vector<double> constant; ///< `constant` nodes only: the elements, row-major.
  bool splat = false;           ///< `constant` nodes only: one element stands for all.
  std::string location;         ///< "file:line:col" of the op, for messages; may be empty.
};

struct Kernel {
  std::string name; ///< The C symbol of the compiled function, unique in the model.
  std::vector<TensorType> inputs;
  std::vector<KernelNode> nodes;
  std::vector<int> outputs; ///< Value indices written to the output buffers, in order.
  /// An element-wise kernel that serves tensors of several sizes (compiler/codegen/KernelSharing.h):
  /// every value is a scalar or 1-D, and every 1-D one has the length of the buffers the call
  /// passes, read from them at run time (the [n] of its types is the length of one of its calls).
  bool anyLength = false;

  int numValues() const { return static_cast<int>(inputs.size() + nodes.size()); }
  /// The type of value `v`.
  const TensorType &typeOf(int v) const {
    return v < static_cast<int>(inputs.size()) ? inputs[v] : nodes[v - inputs.size()].type;
  }
};

/// A tensor held in host memory in double precision, for running kernels in tests (JIT).
struct HostTensor {
  TensorType type;
  std::vector<double> data;
};

} // namespace dl::codegen

#endif // DLC_CODEGEN_KERNELSPEC_H
