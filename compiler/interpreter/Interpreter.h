//===- Interpreter.h - Reference interpreter of the dl dialect ----*- C++ -*-===//
//
// The project's numerical oracle: it runs the functions of a `dl.model` op by op with plain loops in
// double precision. Gradient checks by finite differences run against it, and every codegen test
// compares generated kernels with it, so it favours being obviously right over being fast.
//
// What it does: holds the model's parameters and buffers (drawn from their initializers with the
// Philox convention of runtime/rng/Philox.h, or set by the caller, or written by dl.store), checks
// the arguments of a call against the function's type, evaluates each op of the function body
// (func.call included) and returns func.return's operands. Values of every element type are held
// as doubles: f32 (and the other float types) are not rounded to single precision; i32 results
// wrap as 32-bit integers; i1 values are 0 or 1.
//
// What it does not do: run dl.train itself (it is configuration; dl-expand-optimizers turns it
// into a `<step>.update` function, which the interpreter runs like any other), or any op it does
// not know: those give an error that names the op and its location.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_INTERPRETER_INTERPRETER_H
#define DLC_INTERPRETER_INTERPRETER_H

#include "dl/DLOps.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dl::interp {

/// The element kinds the interpreter distinguishes. F32 stands for every float type (f32, f64, f16,
/// bf16), all computed in double.
enum class ElementKind { F32, I32, I1 };

/// The kind of an MLIR element type; false for a type the dialect does not use.
bool kindOf(mlir::Type elementType, ElementKind &kind);

/// "f32", "i32" or "i1".
const char *kindName(ElementKind kind);

/// A dense tensor, row-major, every element a double.
struct Tensor {
  std::vector<int64_t> shape;
  ElementKind kind = ElementKind::F32;
  std::vector<double> data;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape, ElementKind kind, std::vector<double> data)
      : shape(std::move(shape)), kind(kind), data(std::move(data)) {}

  /// The product of the dimensions (1 for a scalar).
  int64_t numElements() const;
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }

  /// A rank-0 tensor holding `value`.
  static Tensor scalar(double value, ElementKind kind = ElementKind::F32);
  /// A tensor of `shape` filled with `value`.
  static Tensor filled(std::vector<int64_t> shape, double value,
                       ElementKind kind = ElementKind::F32);
  /// A zero tensor of the type's shape and kind (float types become F32; other element types too).
  static Tensor fromType(mlir::RankedTensorType type);

  /// The type as the language writes it, for messages: "f32[4, 8]".
  std::string typeString() const;
};

/// Runs the functions of one `dl.model`. The model op must outlive the interpreter.
class Interpreter {
public:
  /// `seed` keys every random draw (initialization and random ops) as Philox.h describes.
  Interpreter(mlir::dl::ModelOp model, uint64_t seed);

  /// Draws every dl.param and dl.buffer from its initializer, replacing any value already held.
  /// Returns false and sets `error` (when given) for an initializer it does not know or whose
  /// arguments are missing; the states drawn before the failing one are kept.
  bool initialize(std::string *error = nullptr);

  /// The value of a parameter or buffer, or null when it has none yet.
  Tensor *state(llvm::StringRef symbol);
  /// Sets a parameter or buffer. Returns false (and stores nothing) when the model declares no such
  /// symbol or the value's shape, kind or element count differ from its declaration.
  bool setState(llvm::StringRef symbol, Tensor value);

  /// The step counter; random ops draw with its low 32 bits as their Philox step. The interpreter
  /// never changes it (an optimizer's own step count is a dl.buffer the update function stores).
  uint64_t step = 0;

  /// Calls the model's function `function` with `args`, which must match its argument types.
  /// Returns func.return's operands, or failure with `error` naming what went wrong (and where).
  /// The dl.store ops of the call (and of the functions it calls) update the state only when the
  /// call succeeds; within the call, a load after a store reads the stored value. The model is
  /// verified on the first call or initialize(), not again after later changes to it.
  mlir::FailureOr<std::vector<Tensor>> call(llvm::StringRef function, llvm::ArrayRef<Tensor> args,
                                            std::string &error);

  uint64_t seed() const { return seed_; }
  mlir::dl::ModelOp model() const { return model_; }

private:
  mlir::LogicalResult ensureVerified(std::string &error);
  mlir::FailureOr<std::vector<Tensor>> run(mlir::func::FuncOp function, llvm::ArrayRef<Tensor> args,
                                           int depth, std::string &error);
  /// Evaluates the ops of `body` up to its terminator, reading and writing `values`.
  mlir::LogicalResult runOps(mlir::Block &body, llvm::DenseMap<mlir::Value, Tensor> &values,
                             int depth, std::string &error);
  /// Runs a dl.scan step by step (Scan.cpp).
  mlir::LogicalResult runScan(mlir::dl::ScanOp scan, llvm::DenseMap<mlir::Value, Tensor> &values,
                              int depth, std::string &error);

  mlir::dl::ModelOp model_;
  uint64_t seed_;
  llvm::StringMap<Tensor> states_;
  /// dl.store's writes during the current call, committed to states_ when it succeeds.
  llvm::StringMap<Tensor> pending_;
  bool verified_ = false;
};

/// Whether the interpreter runs dl ops named `name` in a function body: through a kernel of its
/// table (Kernels.h), or itself (dl.load, dl.store, dl.scan and the dl.scan_yield that ends a
/// step). The op-coverage test (test/unit/OpCoverageTest.cpp) asks it of every dl op.
bool runsOp(mlir::OperationName name);

} // namespace dl::interp

#endif // DLC_INTERPRETER_INTERPRETER_H
