//===- KernelSharing.h - One compiled kernel for element-wise kernels of any size -*- C++ -*-===//
//
// A model's optimizer updates every parameter with the same element-wise kernel, once per
// parameter size: tiny_transformer's AdamW step is 17 kernels that differ only in their tensors'
// shapes, each compiled on its own (a third of a second each). This step of the layout lets such
// kernels share one compiled kernel: flattened to 1-D, it takes its length from the buffers at run
// time (Kernel::anyLength), and each call passes 1-D views of its buffers.
//
// A kernel qualifies when all its ops are element-wise (the dl fusion class Pointwise, no random
// draws), every value is a scalar or has one shape, and its constants are splats; a call qualifies
// when none of its buffers is a window a loop moves (a BufferView::View). Kernels that qualify and
// are equal once their shapes are erased form a group; a group of at least two kernels is compiled
// once. A kernel alone in its group keeps its static shapes, which Halide vectorizes without
// tails.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_KERNELSHARING_H
#define DLC_CODEGEN_KERNELSHARING_H

#include "compiler/codegen/ModelLayout.h"

#include <optional>

namespace dl::codegen {

/// Replaces the kernels of `layout` that differ only in size by one anyLength kernel each (named
/// after the first with "_n"), points their calls at it through 1-D views of their buffers, and
/// drops the kernels no call uses any more.
void shareKernelsAcrossSizes(ModelLayout &layout);

/// The kernel as one that serves every size, when it qualifies (see the file comment): its values
/// of `shape` become 1-D, anyLength set. Nothing when it does not qualify.
std::optional<Kernel> anyLengthKernel(const Kernel &kernel, mlir::dl::FusionOp fusion);

} // namespace dl::codegen

#endif // DLC_CODEGEN_KERNELSHARING_H
