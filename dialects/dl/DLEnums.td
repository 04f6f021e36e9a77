//===- DLEnums.td - Enumerations of the dl dialect ---------*- tablegen -*-===//
#ifndef DL_ENUMS_TD
#define DL_ENUMS_TD

include "mlir/IR/EnumAttr.td"
include "DLDialect.td"

def DL_CmpPredicate : I32EnumAttr<"CmpPredicate", "comparison of dl.cmp", [
    I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>, I32EnumAttrCase<"lt", 2>,
    I32EnumAttrCase<"le", 3>, I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}
def DL_CmpPredicateAttr : EnumAttr<DL_Dialect, DL_CmpPredicate, "cmp_predicate"> {
  let assemblyFormat = "$value";
}

def DL_SlotKind : I32EnumAttr<"SlotKind", "where a kernel output lives (#dl.slot)", [
    I32EnumAttrCase<"arena", 0>, I32EnumAttrCase<"state", 1>, I32EnumAttrCase<"output", 2>,
    I32EnumAttrCase<"step", 3>]> {
  let cppNamespace = "::mlir::dl";
  let genSpecializedAttr = 0;
}

#endif // DL_ENUMS_TD
