//===- Oracle.h - dlc check-grad and dlc interpret ----------------*- C++ -*-===//
//
// The two commands that run a model through the reference interpreter (compiler/interpreter):
//   check-grad  compares every trained parameter's gradient from dl-autodiff with central finite
//               differences of the loss, and fails above a tolerance;
//   interpret   trains with the expanded optimizer step and prints the loss of every step.
// Both take their inputs from --input NAME=v1,v2,... or draw them at random from the seed.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_DRIVER_ORACLE_H
#define DLC_DRIVER_ORACLE_H

#include "compiler/interpreter/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <ostream>
#include <string>

namespace dlc {

struct OracleOptions {
  uint64_t seed = 42;
  double tolerance = 1e-4;      ///< check-grad: worst relative error allowed.
  int64_t maxElements = 64;     ///< check-grad: elements checked per parameter (sampled).
  int64_t steps = 100;          ///< interpret: training steps.
  int64_t printEvery = 1;       ///< interpret: print the loss every this many steps.
  std::string step;             ///< Which train step (empty: every one / the first).
  std::map<std::string, std::string> inputs;  ///< --input NAME=v1,v2,...
};

/// Builds the arguments of `function`: given values where the user gave them, random values
/// otherwise (f32 uniform in [-1, 1], targets of probability losses in [0.05, 0.95], i32 class ids
/// below the class count of the loss that reads them). False with `error` on a bad --input.
bool makeInputs(mlir::func::FuncOp function, const OracleOptions &options,
                std::vector<dl::interp::Tensor> &out, std::string &error);

/// Runs check-grad on every dl.train of `module` (after dl-autodiff). Returns the exit status.
int checkGradients(mlir::ModuleOp module, const OracleOptions &options, std::ostream &out,
                   std::ostream &err);

/// Runs interpret on `module` (after dl-expand-optimizers). Returns the exit status.
int interpret(mlir::ModuleOp module, const OracleOptions &options, std::ostream &out,
              std::ostream &err);

} // namespace dlc

#endif // DLC_DRIVER_ORACLE_H
