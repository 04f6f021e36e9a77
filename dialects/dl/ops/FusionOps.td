//===- FusionOps.td - Kernel regions --------------------------*- tablegen -*-===//
//
// dl.fusion groups the ops that become one kernel; dl-fuse creates them, dl-plan-memory annotates
// their results with where they live, and the code generator turns each into one Halide pipeline.
//
//===----------------------------------------------------------------------===//

def DL_FusionOp : DL_Op<"fusion", [IsolatedFromAbove, SingleBlockImplicitTerminator<"YieldOp">,
                                  DL_NonDifferentiable, DL_NotFusible]> {
  let summary = "A group of ops compiled as one kernel";
  let description = [{
    The region computes the kernel from its block arguments (the kernel's input buffers) and yields
    its outputs (the kernel's output buffers). `kernel` names the compiled function. Values computed
    inside and used only inside never reach memory; values yielded are written once and read by later
    kernels, entry outputs or stores.

    ```mlir
    %h, %mask = dl.fusion "mlp_k0" (%x, %w, %b) : (tensor<128x784xf32>, tensor<784x256xf32>,
        tensor<256xf32>) -> (tensor<128x256xf32>, tensor<128x256xi1>) {
    ^bb0(%x0: tensor<128x784xf32>, %w0: tensor<784x256xf32>, %b0: tensor<256xf32>):
      ...
      dl.yield %r, %m : tensor<128x256xf32>, tensor<128x256xi1>
    }
    ```
    After dl-plan-memory each fusion carries `dl.slots`, one `#dl.slot` per result:
    `#dl.slot<arena offset>`, `#dl.slot<state @symbol>` or `#dl.slot<output index>`.
  }];
  let arguments = (ins StrAttr:$kernel, Variadic<DL_Tensor>:$inputs);
  let results = (outs Variadic<DL_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kernel `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }

    /// Where result `i` lives in the memory plan; null before dl-plan-memory.
    ::mlir::dl::SlotAttr getSlot(unsigned i);
    /// Records the plan of every result, in order.
    void setSlots(::llvm::ArrayRef<::mlir::dl::SlotAttr> slots);
  }];
}

def DL_YieldOp : DL_Op<"yield", [Pure, Terminator, ReturnLike, HasParent<"FusionOp">, DL_NotFusible]> {
  let summary = "The outputs of a dl.fusion";
  let arguments = (ins Variadic<DL_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, ::mlir::ValueRange()); }]>];
}
