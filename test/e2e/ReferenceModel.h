//===- ReferenceModel.h - A .dl model run by the reference interpreter -*- C++ -*-===//
//
// The oracle side of the differential tests: the .dl file compiled in-process the way
// `dlc interpret` does (frontend, then dl-autodiff and dl-expand-optimizers, no fusion), and the
// reference interpreter (double precision) over one of its models. Entry points are the
// interpreter's functions under the runtime's names: "forward", "eval", and for a train entry
// "<step>" the function "<step>.update".
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_E2E_REFERENCEMODEL_H
#define DLC_TEST_E2E_REFERENCEMODEL_H

#include "compiler/interpreter/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dl::e2e {

class ReferenceModel {
public:
  /// Compiles `path` with `defines` ("NAME=VALUE") and sets up an interpreter over its model
  /// `modelName` with `seed`, parameters drawn. Null with `error` set on failure.
  static std::unique_ptr<ReferenceModel> load(const std::string &path,
                                              const std::vector<std::string> &defines,
                                              const std::string &modelName, uint64_t seed,
                                              std::string &error);

  interp::Interpreter &interpreter() { return *interpreter_; }

  /// The function behind a runtime entry point, or null.
  mlir::func::FuncOp function(const std::string &entry, bool train) const;

  /// Random inputs for every input of the model, by name, drawn from `seed` as `dlc interpret`
  /// draws them (class ids below the class count, bce targets in (0, 1)), f32 values rounded to
  /// single precision so that both sides read the same numbers. False with `error` on failure.
  bool drawInputs(uint64_t seed, std::map<std::string, interp::Tensor> &inputs,
                  std::string &error) const;

  /// Runs the function of `entry` on the named inputs it declares. Failure with `error` set.
  mlir::FailureOr<std::vector<interp::Tensor>>
  call(const std::string &entry, bool train, const std::map<std::string, interp::Tensor> &inputs,
       std::string &error);

private:
  ReferenceModel() = default;

  // The context owns everything the module and the interpreter point into; it is destroyed last.
  std::unique_ptr<mlir::MLIRContext> context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::dl::ModelOp model_;
  std::unique_ptr<interp::Interpreter> interpreter_;
};

} // namespace dl::e2e

#endif // DLC_TEST_E2E_REFERENCEMODEL_H
