//===- Passes.td - Passes over the dl dialect --------------*- tablegen -*-===//
#ifndef DL_TRANSFORMS_PASSES_TD
#define DL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"dl-autodiff", "::mlir::ModuleOp"> {
  let summary = "Builds the gradient function of every training step (reverse mode)";
  let description = [{
    For each `dl.train @S` of a model, whose loss function is `@S.loss`, adds `@S.grad`: the loss
    function followed by its reverse pass, returning the loss and then the gradient of every trained
    parameter, in the order of the op's `params` (result attributes `dl.grad = "<param>"`).

    The reverse pass is generic: it walks the loss function backwards and asks each op for its
    vector-Jacobian product through `VJPOpInterface`, reusing the forward values it needs (nothing
    is recomputed), summing the gradients of values used more than once (shared weights,
    residuals) and of every load of one parameter. A gradient that would have to flow through an op
    without one (`dl.step`) is an error at that op's location.

    Before:
    ```mlir
    func.func @train_step.loss(%x: tensor<4x2xf32>) -> tensor<f32> {
      %w = dl.load @w : tensor<2x1xf32>
      %y = dl.matmul %x, %w : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
      %l = dl.mean %y : (tensor<4x1xf32>) -> tensor<f32>
      return %l : tensor<f32>
    }
    ```
    After, in addition:
    ```mlir
    func.func @train_step.grad(%x: tensor<4x2xf32>)
        -> (tensor<f32> {dl.loss = "train_step"}, tensor<2x1xf32> {dl.grad = "w"}) {
      ... the forward ops, then dl.transpose and dl.matmul building x^T dL/dy ...
    }
    ```
  }];
  let dependentDialects = ["::mlir::dl::DLDialect", "::mlir::func::FuncDialect"];
}

def ExpandOptimizers : Pass<"dl-expand-optimizers", "::mlir::ModuleOp"> {
  let summary = "Builds each training step: gradients, clipping, weight decay, schedule, update";
  let description = [{
    For each `dl.train @S` (after dl-autodiff made `@S.grad`), adds `@S.update`, the function
    behind the training step's entry point (`<model>_S` in the C ABI): it takes
    the model's inputs, computes the loss and gradients, and updates every trained parameter in
    place with `dl.store`, following torch.optim's update rules:
      - gradients are clipped first (clip_grad_norm: scaled by max_norm / (total norm + 1e-6) when
        that is below 1, as torch.nn.utils.clip_grad_norm_; clip_grad_value: clamped),
      - then L2 weight decay adds `wd * p` to the gradient (adamw instead decays the parameter,
        `p *= 1 - lr * wd`, before its Adam update),
      - the learning rate follows the schedule at the step count k (before this step): step:
        `lr * gamma^floor(k / every)`; cosine: linear warm-up `lr * (k + 1) / warmup`, then
        `lr * (1 + cos(pi * (k - warmup) / (total - warmup))) / 2`, and 0 after `total`,
      - sgd (momentum, nesterov), rmsprop, adagrad, adam and adamw update as in torch.optim.
    The optimizer's state is explicit: one `dl.buffer` per parameter and moment, named
    `@S.<moment>.<param>` (`velocity`, `square_avg`, `sum`, `exp_avg`, `exp_avg_sq`), and the
    step counter `@S.count`, so a checkpoint holds it and several train steps of one model (a
    GAN's) keep their own (`dl.role = "optimizer"`). `@S.update` returns the loss.

    The same step is also split at its gradient, for data parallelism and gradient accumulation:
    the gradient area, buffers `@S.grad.count`, `@S.grad.loss` and `@S.grad.<param>` in the train
    op's order, declared in one run so the memory plan keeps them contiguous (`dl.role =
    "gradient"`, not saved in checkpoints); `@S.accumulate` (entry `S_grad`) takes the model's
    inputs and adds 1, the loss and each gradient into the area, and returns the loss; `@S.apply`
    (entry `S_apply`) takes nothing, divides the area's sums by its count, runs the same update
    (clipping after the sum over ranks, so it equals one process's) and returns the mean loss. The
    runtime sums the area over ranks before `S_apply` and clears it after.

    With `split-steps`, `@S.update` is not built: the step's entry `S` then runs `S_grad`, then
    `S_apply` (ModelOp::getEntries lists it as a split entry), so that the backward pass and the
    optimizer are fused, planned and compiled once instead of twice.
  }];
  let options = [
    Option<"splitSteps", "split-steps", "bool", /*default=*/"false",
           "Build no @S.update: the entry S runs S_grad (@S.accumulate), then S_apply (@S.apply)">
  ];
  let dependentDialects = ["::mlir::dl::DLDialect", "::mlir::func::FuncDialect"];
}

def UnrollScans : Pass<"dl-unroll-scans", "::mlir::ModuleOp"> {
  let summary = "Decides which dl.scan stays a loop and unrolls the others into their steps";
  let description = [{
    Before dl-fuse. A scan stays a loop (dl-fuse makes kernels of its body, dl-plan-memory gives
    it storage, and the compiled entry point runs the body's kernels once per step), so compile
    time and code size do not grow with its length; ops of its body that read only captures (a
    weight transposed for the reverse pass) move out of it and become captures, so that they run
    once. A scan is unrolled instead when its body holds a scan (its steps' inner scans then stay
    loops), or when it has at most `max-steps` steps. Unrolled, a scan over T steps becomes one
    split of each sequence into T slices, T copies of its body (each op tagged `dl.step = t`, so
    that dl-fuse keeps steps apart and their kernels are alike), and a concatenation for each
    stacked result that is used; a stacked result read by a later unrolled scan (a carry history
    read by the backward pass) is handed over step by step.
  }];
  let options = [
    Option<"maxSteps", "max-steps", "int64_t", /*default=*/"0",
           "Unroll scans of at most this many steps (0: unroll only scans that hold a scan)">
  ];
  let dependentDialects = ["::mlir::dl::DLDialect", "::mlir::func::FuncDialect"];
}

def SaveScanProducts : Pass<"dl-save-scan-products", "::mlir::ModuleOp"> {
  let summary = "The reverse loop reads the forward loop's matrix products instead of recomputing them";
  let description = [{
    After dl-unroll-scans, on the scans kept as loops of the entry functions. A reverse scan that
    recomputes ops of a forward scan of the same length (the same op on a slice of the same
    sequence, on the forward carry's history where the forward step read the carry, or on the
    same capture) reads each recomputed matrix product from the forward scan instead, taken
    through the element-wise ops of its shape that are its one use (the product plus the input
    projection): the forward scan emits it (T rows of it in memory), the reverse scan reads it as
    one more sequence, and the recomputation it no longer needs goes.
  }];
  let dependentDialects = ["::mlir::dl::DLDialect"];
}

def SumScanAccumulators : Pass<"dl-sum-scan-accumulators", "::mlir::ModuleOp"> {
  let summary = "Moves the running sums of a loop's carries out of it, as one tall product";
  let description = [{
    After dl-unroll-scans, on the scans kept as loops of the entry functions. A carry whose one
    use is `carry + x` yielded as its next value, and whose history is not read (the gradient of a
    weight the body reads, accumulated by backpropagation through time), leaves the loop: when
    x is `transpose(a) @ b` of two matrices, a and b are stacked over the steps (a slice is its
    sequence; a carry is its history; another value is emitted) and the sum is one product of
    the stacks after the loop, `reshape(A, [T m, p])ᵀ @ reshape(B, [T m, q])`, whose depth is
    T m instead of m; any other x is emitted and summed over the steps. The carry's initial
    value is added to the sum. Summands that read a capture stay.
  }];
  let dependentDialects = ["::mlir::dl::DLDialect"];
}

def Fuse : Pass<"dl-fuse", "::mlir::ModuleOp"> {
  let summary = "Groups each function's ops into dl.fusion kernel regions";
  let description = [{
    Every function of a model becomes loads, then `dl.fusion` regions in dependence order, then
    stores, then its return. Element-wise chains fuse with their producers and consumers; a
    matmul takes its element-wise consumers (bias, activation, dropout, even an optimizer's
    update of the gradient it computes) as its epilogue and its transposed operands as access
    patterns; reductions (softmax with its cross-entropy included) take their producers. A value
    used outside its group becomes an output of its kernel. Constants and rank-0 element-wise ops
    are recomputed by each kernel that uses them. OpKinds.h and Fuse.cpp state the rules.

    ```mlir
    %0:2 = dl.fusion "m_forward_k0" (%x, %w, %b) : (...) -> (tensor<128x256xf32>, ...) {
    ^bb0(%a: tensor<128x784xf32>, %b: tensor<784x256xf32>, %c: tensor<256xf32>):
      %1 = dl.matmul %a, %b ...
      %2 = dl.add %1, %c ...
      %3 = dl.relu %2 ...
      dl.yield %3 : tensor<128x256xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::dl::DLDialect", "::mlir::func::FuncDialect"];
}

def PlanMemory : Pass<"dl-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Places every kernel output in a static arena, the model state or the caller's buffer";
  let description = [{
    After dl-fuse. Each `dl.fusion` gets `dl.slots`, one `#dl.slot` per result:
      `#dl.slot<output i>`   written straight into the caller's i-th output buffer (a returned
                             value);
      `#dl.slot<state @s>`   written in place into parameter or buffer `@s` (a stored value, when
                             no later kernel reads the old value and the kernel reads it only
                             element by element);
      `#dl.slot<arena off>`  a byte offset in the instance's workspace, shared by values whose
                             lifetimes (first write to last read, over the function's kernels) do
                             not overlap.
    Parameters and buffers get `dl.offset` (bytes into the state block, parameters first), and the
    model gets `dl.param_bytes`, `dl.state_bytes` and `dl.workspace_bytes` (the largest arena of its
    functions). Every offset is a multiple of 64. The attributes are the dialect's
    (dialects/dl/DLModel.h), which verifies them.
  }];
  let dependentDialects = ["::mlir::dl::DLDialect", "::mlir::func::FuncDialect"];
}

#endif // DL_TRANSFORMS_PASSES_TD
