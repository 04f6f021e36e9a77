//===- DLDialect.cpp - The dl dialect -------------------------------------===//
//
// Registers the dialect's ops and holds the generated definitions. The ops' own C++ (verifiers, type
// inference, folders) lives in ops/, one file per family.
//
//===----------------------------------------------------------------------===//
#include "dl/DLOps.h"
#include "ops/OpHelpers.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dl;

#include "dl/DLDialect.cpp.inc"
#include "dl/DLEnums.cpp.inc"
#include "dl/DLInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dl/DLAttrs.cpp.inc"

void DLDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dl/DLAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dl/DLOps.cpp.inc"
      >();
}

Operation *DLDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                          Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

#define GET_OP_CLASSES
#include "dl/DLOps.cpp.inc"
