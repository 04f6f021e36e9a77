//===- KernelExtraction.h - dl.fusion regions as codegen::Kernel --*- C++ -*-===//
//
// The MLIR side of the hand-over in KernelSpec.h: reads one planned dl.fusion into the plain
// description the Halide code generator compiles.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_KERNELEXTRACTION_H
#define DLC_CODEGEN_KERNELEXTRACTION_H

#include "compiler/codegen/KernelSpec.h"
#include "dl/DLOps.h"

#include "mlir/Support/LogicalResult.h"

#include <iosfwd>

namespace dl::codegen {

/// The element type of a tensor type the kernels support; false for others (f16, bf16, f64).
bool toTensorType(mlir::Type type, TensorType &out);

/// The kernel of `fusion`, or failure with an error emitted at the unsupported op.
mlir::FailureOr<Kernel> extractKernel(mlir::dl::FusionOp fusion);

/// topk, whose two results a KernelNode cannot hold, becomes two nodes named "topk": first its
/// indices (ints["result"] = {1}, i32, operand: the input), then its values (ints["result"] =
/// {0}, operands: the input and the indices node, at which the values read the input). The Halide
/// side lowers both (ops/Reduction.cpp); the semantics are dl.topk's.
///
/// The dl ops extractKernel rewrites into other nodes, so that no KernelNode names them and the
/// Halide side needs no lowering of their own: split, as one slice per part. Named as
/// KernelNode::op is (without "dl.").
const std::vector<std::string> &opsRewrittenByExtraction();

/// A text that is equal for two kernels exactly when they compute the same thing (names aside), so
/// that forward and eval can share one compiled kernel.
std::string kernelFingerprint(const Kernel &kernel);

/// Writes `node`'s attributes (ints, floats, strings) and constant values to `os` as
/// kernelFingerprint spells them, for keys that compare nodes (KernelSharing's).
void writeNodeAttributes(std::ostream &os, const KernelNode &node);

} // namespace dl::codegen

#endif // DLC_CODEGEN_KERNELEXTRACTION_H
