//===- DLDialect.td - The dl dialect -----------------------*- tablegen -*-===//
//
// The dialect a `.dl` program is lowered into: tensors of static shape, ops named after the vocabulary
// of a deep-learning course, and the structure of a model (parameters, buffers, entry functions,
// training configurations) visible by name.
//
//===----------------------------------------------------------------------===//
#ifndef DL_DIALECT_TD
#define DL_DIALECT_TD

include "mlir/IR/OpBase.td"
include "DLFusionClasses.td"

def DL_Dialect : Dialect {
  let name = "dl";
  let cppNamespace = "::mlir::dl";
  let summary = "Neural-network graphs of static shape, their models and their training.";
  let description = [{
    The `dl` dialect is what dlc's frontend produces from a `.dl` file. A `dl.model` holds the model's
    trainable parameters (`dl.param`), its saved state (`dl.buffer`), its entry functions (`forward`,
    `eval`, and one loss function per training step) and one `dl.train` per training step. Every value
    is a ranked tensor of static shape; element types are `f32` (and the reserved `f16`, `bf16`,
    `f64`), `i32` for labels and indices, and `i1` for comparisons.

    Elementwise ops broadcast their operands as NumPy does; every op infers its result type, so the
    verifier names both shapes when they disagree.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  // The memory plan's discardable attributes (dl.slots, dl.offset, the byte counts): see
  // DLModel.h and ops/MemoryPlan.cpp.
  let hasOperationAttrVerify = 1;
}

class DL_Op<string mnemonic, list<Trait> traits = []> : Op<DL_Dialect, mnemonic, traits> {
  // The code generator reads each op's class and has no default to fall back on
  // (DLFusionClasses.td): an op without one, or with two, fails the build here.
  assert !eq(!size(!filter(t, traits, !isa<DL_FusionClass>(t))), 1),
         "dl." # mnemonic # " must declare exactly one fusion class (DLFusionClasses.td)";
}

//===----------------------------------------------------------------------===//
// Type constraints.
//===----------------------------------------------------------------------===//

def DL_FloatElement : AnyTypeOf<[F32, F64, F16, BF16]>;
def DL_Tensor : StaticShapeTensorOf<[F32, F64, F16, BF16, I32, I1]>;
def DL_FloatTensor : StaticShapeTensorOf<[F32, F64, F16, BF16]>;
def DL_NumericTensor : StaticShapeTensorOf<[F32, F64, F16, BF16, I32]>;
def DL_IndexTensor : StaticShapeTensorOf<[I32]>;
def DL_BoolTensor : StaticShapeTensorOf<[I1]>;
def DL_ScalarF32 : 0DTensorOf<[F32]>;

#endif // DL_DIALECT_TD
