//===- ModelOps.td - Structure of a model ------------------*- tablegen -*-===//
//
// dl.model, its parameters and buffers, reading them, and the training configuration.
//
//===----------------------------------------------------------------------===//

def DL_ModelOp : DL_Op<"model", [IsolatedFromAbove, SymbolTable, Symbol, NoTerminator, SingleBlock,
                                 NoRegionArguments, DL_NotFusible]> {
  let summary = "A model: its parameters, buffers, entry functions and training steps";
  let description = [{
    Holds everything one `model` block of a `.dl` file defines. Its body is a symbol table of
    `dl.param`, `dl.buffer`, `func.func` entry points and `dl.train` steps.

    ```mlir
    dl.model @xor {
      dl.param @hidden.W : tensor<2x8xf32> = "xavier_normal" {fan_in = 2 : i64, fan_out = 8 : i64}
      func.func @forward(%x: tensor<4x2xf32> {dl.input = "x"}) -> (tensor<4x8xf32> {dl.output = "h"}) {
        %w = dl.load @hidden.W : tensor<2x8xf32>
        %h = dl.matmul %x, %w : (tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
        return %h : tensor<4x8xf32>
      }
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name)>];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }

    /// The entries of the model in the order forward, eval, then the train steps in model order.
    /// A train step whose update function does not exist yet (before dl-expand-optimizers) is left
    /// out.
    std::vector<::mlir::dl::Entry> getEntries();

    /// The byte counts dl-plan-memory records (DLModel.h); nullopt before it ran.
    std::optional<::mlir::dl::PlanSizes> getPlanSizes();
    void setPlanSizes(const ::mlir::dl::PlanSizes &sizes);
  }];
  let skipDefaultBuilders = 1;
}

class DL_StateOp<string mnemonic> : DL_Op<mnemonic, [Symbol, HasParent<"ModelOp">, DL_NotFusible]> {
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<DL_Tensor>:$type, StrAttr:$init,
                       OptionalAttr<DictionaryAttr>:$init_args);
  // Attributes beyond init_args need the `attributes` keyword: a bare `{...}` after $init would be
  // read back as init_args.
  let assemblyFormat = "$sym_name `:` $type `=` $init ($init_args^)? attr-dict-with-keyword";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }

    /// Bytes into the model's state block, which dl-plan-memory records (`dl.offset`); nullopt
    /// before it ran.
    std::optional<int64_t> getPlannedOffset() {
      if (auto offset = (*this)->getAttrOfType<::mlir::IntegerAttr>(::mlir::dl::kOffsetAttr))
        return offset.getInt();
      return std::nullopt;
    }
    void setPlannedOffset(int64_t offset) {
      (*this)->setAttr(::mlir::dl::kOffsetAttr,
                       ::mlir::Builder(getContext()).getI64IntegerAttr(offset));
    }
  }];
}

def DL_ParamOp : DL_StateOp<"param"> {
  let summary = "A trainable parameter of a model";
  let description = [{
    A tensor that training updates, named `<instance>.<param>` as in checkpoints and the C API, with
    the initializer that `init` draws it from. Fan-in and fan-out are recorded by the frontend, which
    follows PyTorch's conventions (a dense `[in, out]` weight has fan-in `in`; a convolution weight
    `[out, in, kh, kw]` has fan-in `in * kh * kw`).

    ```mlir
    dl.param @hidden.W : tensor<784x256xf32> = "he_normal" {fan_in = 784 : i64, fan_out = 256 : i64}
    dl.param @hidden.b : tensor<256xf32> = "zeros"
    ```
  }];
}

def DL_BufferOp : DL_StateOp<"buffer"> {
  let summary = "Saved, untrained state of a model";
  let description = [{
    A tensor that is saved and loaded with the model but not trained: batch-norm running statistics,
    normalization constants.

    ```mlir
    dl.buffer @bn.running_mean : tensor<32xf32> = "zeros"
    ```
  }];
}

def DL_LoadOp : DL_Op<"load", [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
                               MemoryEffects<[MemRead]>, DL_GradientSource, DL_NotFusible]> {
  let summary = "Reads a parameter or buffer of the enclosing model";
  let description = [{
    ```mlir
    %w = dl.load @hidden.W : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def DL_StoreOp : DL_Op<"store", [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
                                 MemoryEffects<[MemWrite]>, DL_NotFusible]> {
  let summary = "Writes a parameter or buffer of the enclosing model";
  let description = [{
    The optimizer step's way of updating parameters and its own state. Loads that precede a store
    in a function read the old value.

    ```mlir
    dl.store %w_next, @hidden.W : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins DL_Tensor:$value, FlatSymbolRefAttr:$name);
  let assemblyFormat = "$value `,` $name attr-dict `:` type($value)";
}

def DL_TrainOp : DL_Op<"train", [Symbol, HasParent<"ModelOp">,
                                 DeclareOpInterfaceMethods<SymbolUserOpInterface>, DL_NotFusible]> {
  let summary = "One training step: which loss, which parameters, which optimizer";
  let description = [{
    Names a training step of the model (`train_step`, or `disc_step` for `train gan.disc`). `loss`
    names the function, in training mode, whose single scalar result the step minimizes; `params` the
    parameters it updates. The optimizer's hyperparameters are complete (defaults filled in), so later
    passes never guess. The optimizers and schedules it may name, and what each carries, are those of
    dialects/dl/TrainingCatalogue.h. `accumulate` (K, default 1) is the number of batches whose
    gradients the compiled train entry sums before one update. The optimizer expansion turns this op
    into the step's functions: `@<step>.update` (gradient and update fused), `@<step>.accumulate`
    and `@<step>.apply` (the same step split at its gradient area).

    ```mlir
    dl.train @train_step loss @train_step.loss params [@hidden.W, @hidden.b]
        optimizer "sgd" {lr = 5.0e-01 : f64, momentum = 9.0e-01 : f64, nesterov = false}
        weight_decay 0.0 schedule "constant" {}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$loss,
                       TypedArrayAttrBase<FlatSymbolRefAttr, "parameter references">:$params,
                       StrAttr:$optimizer, DictionaryAttr:$hyperparams,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       OptionalAttr<F64Attr>:$clip_grad_norm,
                       OptionalAttr<F64Attr>:$clip_grad_value,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$schedule,
                       DictionaryAttr:$schedule_args,
                       DefaultValuedAttr<I64Attr, "1">:$accumulate);
  let assemblyFormat = [{
    $sym_name `loss` $loss `params` $params `optimizer` $optimizer $hyperparams
    `weight_decay` $weight_decay (`clip_grad_norm` $clip_grad_norm^)?
    (`clip_grad_value` $clip_grad_value^)? `schedule` $schedule $schedule_args
    (`accumulate` $accumulate^)? attr-dict
  }];
  let hasVerifier = 1;
}
