//===- DLFusionClasses.td - How the code generator treats each op -*- tablegen -*-===//
//
// Every dl op declares exactly one fusion class: how each element of its result reads its operands.
// dl-fuse groups ops by it and dl-plan-memory trusts it when it writes a result over the storage of
// an operand (compiler/transforms/OpKinds.cpp reads the classes for both). DL_Op (DLDialect.td)
// refuses an op that declares none or several, so a new op cannot pass for element-wise by omission
// and be written in place over an operand it still reads elsewhere.
//
// DL_Random is not a class but a property beside one: dropout is element-wise and draws; random_flip
// moves elements and draws.
//
//===----------------------------------------------------------------------===//
#ifndef DL_FUSION_CLASSES_TD
#define DL_FUSION_CLASSES_TD

include "mlir/IR/OpBase.td"

class DL_FusionClass<string name> : NativeOpTrait<name> {
  let cppNamespace = "::mlir::dl::fusion";
}

/// Each result element reads only the operand elements at its own coordinates, operands broadcast
/// as NumPy does (one_hot broadcasts its ids along the new class dimension), or nothing at all
/// (constants, random draws). A kernel inlines it into its consumers; dl-plan-memory may write its
/// result over an operand of the same shape, since every element is read before it is overwritten.
def DL_Pointwise : DL_FusionClass<"Pointwise">;

/// Moves elements without computing on them (transpose, reshape, broadcast_to, slice, pad, concat,
/// split, embedding, a gather whose rows the ids pick, and the per-sample augmentations
/// random_flip, random_crop and random_crop_grad). It joins only its consumers' kernels,
/// as their access pattern (a transpose feeding a matmul is not a copy), and is never written in
/// place: a result element reads an operand element elsewhere.
def DL_Reindex : DL_FusionClass<"Reindex">;

/// Folds many operand elements into each result element (sums, means, maxima, softmax, the losses,
/// pooling windows and their gradients, embedding_grad's scatter-add). It absorbs its element-wise
/// producers and is never another op's epilogue.
def DL_Reduction : DL_FusionClass<"Reduction">;

/// A product with a shared dimension (matmul, conv2d and conv2d's gradients): at most one per
/// kernel, register-blocked, with its element-wise consumers as its epilogue and re-indexing of its
/// operands as its access pattern.
def DL_Contraction : DL_FusionClass<"Contraction">;

/// Scaled dot-product attention and its gradients: computed head by head in tiles, in a kernel of
/// their own (with the re-indexing of their operands; the three gradients of one attention join).
def DL_Attention : DL_FusionClass<"Attention">;

/// Never inside a kernel: the model's structure (model, param, buffer, train), its state (load,
/// store), kernels themselves (fusion, yield) and loops (scan, scan_yield; unrolled before dl-fuse,
/// which reports any left).
def DL_NotFusible : DL_FusionClass<"NotFusible">;

/// Draws from the Philox stream of its `stream` attribute (dropout, random_normal, random_uniform,
/// gaussian_noise, random_flip, random_crop, random_crop_grad).
/// dl-fuse gives each user of a cheap one-element op its own copy; a draw stays one op in one
/// kernel instead, since a copy would run the generator again.
def DL_Random : NativeOpTrait<"Random"> {
  let cppNamespace = "::mlir::dl";
}

#endif // DL_FUSION_CLASSES_TD
