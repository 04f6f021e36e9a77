//===- ScanOps.td - Recurrence over a sequence -------------------*- tablegen -*-===//
//
// dl.scan runs its body once per step of a time-major sequence, carrying state from step to step;
// dl.scan_yield ends the body. Backpropagation through time is a dl.scan too: dl-autodiff builds a
// reverse scan whose body recomputes one forward step from the saved carries and differentiates it.
//
//===----------------------------------------------------------------------===//

def DL_ScanOp : DL_Op<"scan", [IsolatedFromAbove, RecursiveMemoryEffects, AttrSizedOperandSegments,
                               DL_NotFusible]> {
  let summary = "A loop over the leading (time) dimension with carried state";
  let description = [{
    `sequences` are time-major tensors [T, ...] sharing T; `inits` are the carries' values before
    the first step; `captures` are values every step reads (weights). The body's arguments are, in
    order, one slice [...] of each sequence, the carries, and the captures. It ends with
    `dl.scan_yield`, whose first operands are the next carries (one per init, same types) and
    whose others are the step's emitted values.

    The results are, in order: the carries after the last step (one per init), each emitted value
    stacked over the steps ([T, ...]), and each carry as it entered every step ([T, ...], the
    history the reverse pass reads). With `reverse`, the steps run from T-1 down to 0; stacked
    results are still indexed by step.

    ```mlir
    %h, %hs, %hist = dl.scan (%xs) carry (%h0) captures (%w) {
    ^bb0(%x: tensor<4x8xf32>, %h: tensor<4x8xf32>, %w0: tensor<8x8xf32>):
      %p = dl.matmul %h, %w0 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
      %s = dl.add %x, %p : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %n = dl.tanh %s : (tensor<4x8xf32>) -> tensor<4x8xf32>
      dl.scan_yield %n, %n : tensor<4x8xf32>, tensor<4x8xf32>
    } : (tensor<16x4x8xf32>, tensor<4x8xf32>, tensor<8x8xf32>)
        -> (tensor<4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>)
    ```
  }];
  let arguments = (ins Variadic<DL_Tensor>:$sequences, Variadic<DL_Tensor>:$inits,
                       Variadic<DL_Tensor>:$captures, UnitAttr:$reverse);
  let results = (outs Variadic<DL_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $sequences `)` `carry` `(` $inits `)` `captures` `(` $captures `)` attr-dict-with-keyword
    $body `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    // The results' types follow from the carries and the emitted values' types; the body is
    // pushed into the region afterwards.
    OpBuilder<(ins "::mlir::ValueRange":$sequences, "::mlir::ValueRange":$inits,
                   "::mlir::ValueRange":$captures, "::mlir::TypeRange":$emitTypes,
                   CArg<"bool", "false">:$reverse)>
  ];
  let extraClassDeclaration = [{
    /// `[steps, ...type]`: a value stacked over the steps.
    static ::mlir::RankedTensorType stackedType(int64_t steps, ::mlir::Type type);
    /// `type` without its leading dimension: one step's slice of a sequence.
    static ::mlir::RankedTensorType sliceType(::mlir::Type type);
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The number of steps, T.
    int64_t getLength();
    unsigned getNumCarries() { return getInits().size(); }
    unsigned getNumEmits() { return getNumResults() - 2 * getNumCarries(); }
    ::mlir::ResultRange getFinals() { return getResults().take_front(getNumCarries()); }
    ::mlir::ResultRange getStacked() {
      return getResults().drop_front(getNumCarries()).take_front(getNumEmits());
    }
    ::mlir::ResultRange getHistories() { return getResults().take_back(getNumCarries()); }
    /// The body's arguments: slices of the sequences, carries, captures.
    ::llvm::ArrayRef<::mlir::BlockArgument> getSliceArgs() {
      return getBodyBlock().getArguments().take_front(getSequences().size());
    }
    ::llvm::ArrayRef<::mlir::BlockArgument> getCarryArgs() {
      return getBodyBlock().getArguments().drop_front(getSequences().size())
          .take_front(getNumCarries());
    }
    ::llvm::ArrayRef<::mlir::BlockArgument> getCaptureArgs() {
      return getBodyBlock().getArguments().take_back(getCaptures().size());
    }
  }];
}

def DL_ScanYieldOp : DL_Op<"scan_yield", [Pure, Terminator, ReturnLike, HasParent<"ScanOp">, DL_NotFusible]> {
  let summary = "The next carries and the emitted values of one step of a dl.scan";
  let arguments = (ins Variadic<DL_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}
