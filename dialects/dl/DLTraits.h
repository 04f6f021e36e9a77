//===- DLTraits.h - Op traits of the dl dialect -------------------*- C++ -*-===//
//
// The C++ side of the traits DLInterfaces.td (gradients) and DLFusionClasses.td (how the code
// generator treats an op) declare. They carry no code: passes ask `op->hasTrait<...>()`.
//
//===----------------------------------------------------------------------===//
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

/// The op draws random numbers (DL_Random in DLFusionClasses.td).
template <typename ConcreteType>
class Random : public OpTrait::TraitBase<ConcreteType, Random> {};

/// The fusion classes; every dl op has exactly one (DLFusionClasses.td says what each means).
namespace fusion {
template <typename ConcreteType>
class Pointwise : public OpTrait::TraitBase<ConcreteType, Pointwise> {};
template <typename ConcreteType>
class Reindex : public OpTrait::TraitBase<ConcreteType, Reindex> {};
template <typename ConcreteType>
class Reduction : public OpTrait::TraitBase<ConcreteType, Reduction> {};
template <typename ConcreteType>
class Contraction : public OpTrait::TraitBase<ConcreteType, Contraction> {};
template <typename ConcreteType>
class Attention : public OpTrait::TraitBase<ConcreteType, Attention> {};
template <typename ConcreteType>
class NotFusible : public OpTrait::TraitBase<ConcreteType, NotFusible> {};
} // namespace fusion

} // namespace mlir::dl

#endif // DL_DLTRAITS_H
