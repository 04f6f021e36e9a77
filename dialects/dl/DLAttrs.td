//===- DLAttrs.td - Attributes of the dl dialect -----------*- tablegen -*-===//
//
// The typed attributes of the dialect's contracts with later stages: where dl-plan-memory puts each
// kernel output (#dl.slot), read by the code generator through FusionOp::getSlot.
//
//===----------------------------------------------------------------------===//
#ifndef DL_ATTRS_TD
#define DL_ATTRS_TD

include "mlir/IR/AttrTypeBase.td"
include "DLDialect.td"
include "DLEnums.td"

def DL_SlotAttr : AttrDef<DL_Dialect, "Slot"> {
  let mnemonic = "slot";
  let summary = "Where one kernel output lives in the memory plan";
  let description = [{
    One element of the `dl.slots` array dl-plan-memory puts on a `dl.fusion`, one per result:
    `arena` N, N bytes into the instance's workspace (a multiple of 64); `state` @sym, in place in a
    parameter or buffer of the model; `output` N, straight into the caller's buffer of the entry's
    result N; `step` N, inside the body of a `dl.scan` kept as a loop, the row of the scan's
    storage that operand N of the body's `dl.scan_yield` goes to at each step (the next carry's row
    of the carry's storage, or the step's row of an emitted value's stack).

    ```mlir
    %y = dl.fusion "m_forward_k0" (%x) {dl.slots = [#dl.slot<arena 128>]} : ...
    %w = dl.fusion "m_s_update_k0" (%g) {dl.slots = [#dl.slot<state @w>]} : ...
    %o = dl.fusion "m_forward_k1" (%y) {dl.slots = [#dl.slot<output 0>]} : ...
    %h = dl.fusion "m_forward_k2" (%x, %h0) {dl.slots = [#dl.slot<step 0>]} : ...
    ```
  }];
  // `value` is the arena offset, the output index or the yield operand; `symbol` is set for `state` slots only.
  let parameters = (ins "SlotKind":$kind, "int64_t":$value,
                        OptionalParameter<"::mlir::FlatSymbolRefAttr">:$symbol);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    static SlotAttr getArena(::mlir::MLIRContext *context, int64_t offset) {
      return get(context, SlotKind::arena, offset, ::mlir::FlatSymbolRefAttr());
    }
    static SlotAttr getState(::mlir::MLIRContext *context, ::mlir::FlatSymbolRefAttr symbol) {
      return get(context, SlotKind::state, 0, symbol);
    }
    static SlotAttr getOutput(::mlir::MLIRContext *context, int64_t index) {
      return get(context, SlotKind::output, index, ::mlir::FlatSymbolRefAttr());
    }
    static SlotAttr getStep(::mlir::MLIRContext *context, int64_t yieldOperand) {
      return get(context, SlotKind::step, yieldOperand, ::mlir::FlatSymbolRefAttr());
    }
  }];
}

#endif // DL_ATTRS_TD
