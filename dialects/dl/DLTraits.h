//===- DLTraits.h - Op traits of the dl dialect -------------------*- C++ -*-===//
#ifndef DL_DLTRAITS_H
#define DL_DLTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::dl {

/// No gradient flows through this op; see DLInterfaces.td.
template <typename ConcreteType>
class NonDifferentiable : public OpTrait::TraitBase<ConcreteType, NonDifferentiable> {};

/// The op starts a computation (constant, load, random draw); autodiff stops here.
template <typename ConcreteType>
class GradientSource : public OpTrait::TraitBase<ConcreteType, GradientSource> {};

} // namespace mlir::dl

#endif // DL_DLTRAITS_H
