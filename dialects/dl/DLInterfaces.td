//===- DLInterfaces.td - Interfaces of the dl dialect ------*- tablegen -*-===//
//
// The VJP interface, by which the one generic autodiff pass (compiler/transforms/Autodiff.cpp) asks
// each op for its gradient, and the trait by which an op says it has none.
//
//===----------------------------------------------------------------------===//
#ifndef DL_INTERFACES_TD
#define DL_INTERFACES_TD

include "mlir/IR/OpBase.td"

def DL_VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let cppNamespace = "::mlir::dl";
  let description = [{
    The vector-Jacobian product of an op: given the gradient of the loss with respect to each of the
    op's results, build (at the builder's insertion point) the gradient with respect to each of its
    operands. Every result gradient is given (zeros where the loss does not depend on a result).
    An operand that takes no gradient (an integer tensor, a condition) gets a null Value. Gradients
    have their operand's type exactly: a broadcast operand's gradient is summed back to its shape.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the gradients of the operands from the gradients of the results.",
      "::llvm::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder, "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

/// Declares that no gradient flows through the op (step, argmax, comparisons): autodiff reports an
/// error at the op's location when the loss depends on one of its float results through it.
def DL_NonDifferentiable : NativeOpTrait<"NonDifferentiable"> {
  let cppNamespace = "::mlir::dl";
}

/// Ops that start a computation (constants, parameter loads, random draws): nothing flows past them.
def DL_GradientSource : NativeOpTrait<"GradientSource"> {
  let cppNamespace = "::mlir::dl";
}

#endif // DL_INTERFACES_TD
