//===- ElaboratorImpl.h - The elaborator's internals --------------*- C++ -*-===//
//
// The Elaborator class, shared by the files that implement it: Elaborator.cpp (entry points,
// errors, locations), Loading.cpp (files, imports, globals), Models.cpp (a model's functions),
// Statements.cpp, Layers.cpp (instances and their application), Expressions.cpp (dispatch, names,
// members) with Operators.cpp, Calls.cpp, Subscripts.cpp and Conversions.cpp, Scan.cpp,
// Initializers.cpp, Training.cpp (train blocks) and builtins/ (the builtin functions, one file per
// op family, gathered by Builtins.cpp).
// Private to the frontend.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_ELABORATORIMPL_H
#define DLC_FRONTEND_ELABORATORIMPL_H

#include "compiler/frontend/AST.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/frontend/Values.h"
#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <functional>
#include <optional>
#include <set>

namespace dlc {

enum class Mode { Inference, Training };

class Elaborator;

/// A builtin's arguments after binding: one slot per declared parameter (kind None when absent).
struct BuiltinCall {
  std::string name;
  SourceLoc loc;
  std::vector<Val> args;
  std::vector<SourceLoc> locs;
  const Val &operator[](size_t i) const { return args[i]; }
  bool has(size_t i) const { return args[i].kind != Val::Kind::None; }
  SourceLoc locOf(size_t i) const { return locs[i].valid() ? locs[i] : loc; }
};

/// One argument as written at a call: positional when `name` is empty.
struct CallArgument {
  std::string name;
  Val value;
  SourceLoc loc;
};

struct BuiltinParam {
  std::string name;
  bool required = false;
  Val defaultValue;  ///< Kind None: absent unless given.
};

struct Builtin {
  std::vector<BuiltinParam> params;
  std::function<std::optional<Val>(Elaborator &, const BuiltinCall &)> apply;
  /// Called with keyword arguments only, it returns itself with those bound (`leaky_relu(alpha=.2)`).
  bool partial = false;
};

/// Declared parameters of a builtin: required, or optional with a default (kind None: absent).
inline BuiltinParam requiredParam(const char *name) { return {name, true, Val()}; }
inline BuiltinParam optionalParam(const char *name, Val def = Val()) {
  return {name, false, std::move(def)};
}

/// The builtin named `name`, or null (builtins/: one file per op family).
const Builtin *findBuiltin(const std::string &name);
/// Every builtin's name, for suggestions.
const std::vector<std::string> &builtinNames();
/// Names of initializers (`he_normal`, `zeros`, ...), which are values rather than calls.
bool isInitializer(const std::string &name);
/// The initializers a program can name, in the frontend's order (runtime/rng/InitializerMath.h's
/// catalogue holds the same names: ElaboratorTest checks it).
std::vector<std::string> initializerNames();

class Elaborator {
public:
  Elaborator(mlir::MLIRContext &context, SourceManager &sources, DiagnosticEngine &diags,
             const FrontendOptions &options);

  /// Parses `file` and its imports; false after errors.
  bool load(uint32_t file);
  /// Emits every model; null after errors.
  mlir::OwningOpRef<mlir::ModuleOp> run();

  //===-- Services for builtins ---------------------------------------------===//
  /// Reports an error. One inside a built-in (prelude) layer is reported at the user's call.
  void error(SourceLoc loc, const std::string &message);
  mlir::Location loc(SourceLoc l);
  mlir::OpBuilder &builder() { return builder_; }
  const FrontendOptions &options() const { return options_; }
  Mode mode() const { return mode_; }
  int64_t nextStream() { return stream_++; }
  mlir::Type f32() { return builder_.getF32Type(); }
  mlir::Type i32() { return builder_.getI32Type(); }
  mlir::Type i1() { return builder_.getI1Type(); }
  mlir::RankedTensorType tensorType(const dl::shape::Shape &s, mlir::Type element) {
    return mlir::RankedTensorType::get(s, element);
  }
  /// A scalar constant tensor of `element` type.
  mlir::Value constant(double v, mlir::Type element, SourceLoc at) {
    return splat(v, {}, element, at);
  }
  /// A constant tensor of `shape` filled with `v`.
  mlir::Value splat(double v, const dl::shape::Shape &shape, mlir::Type element, SourceLoc at);
  /// `v` as a tensor: tensors as they are, numbers as scalar constants of `element` type.
  std::optional<mlir::Value> asTensor(const Val &v, mlir::Type element, SourceLoc at,
                                      const std::string &what);
  /// `l @ r` (batched, broadcasting over leading dimensions), checked: a mismatch is reported at
  /// `at` with both shapes.
  std::optional<mlir::Value> matmul(mlir::Value l, mlir::Value r, SourceLoc at);
  /// An elementwise binary op with broadcasting, checked, as written by `spelling` in messages.
  std::optional<Val> binary(const std::string &spelling, const Val &lhs, const Val &rhs,
                            SourceLoc at);
  /// Requires a tensor argument; reports "`what` must be a tensor, not ..." otherwise.
  std::optional<mlir::Value> requireTensor(const Val &v, SourceLoc at, const std::string &what,
                                           bool floatOnly = true);
  std::optional<int64_t> requireInt(const Val &v, SourceLoc at, const std::string &what);
  /// A number that is not NaN and, unless `allowInfinity` (clamp bounds, pad values), finite.
  std::optional<double> requireNumber(const Val &v, SourceLoc at, const std::string &what,
                                      bool allowInfinity = false);
  /// A list of integers (a shape, axes or a permutation); a single integer counts as a list of one.
  std::optional<std::vector<int64_t>> requireInts(const Val &v, SourceLoc at,
                                                  const std::string &what);

  template <typename OpTy, typename... Args>
  mlir::Value create(SourceLoc at, mlir::Type result, Args &&...args) {
    return builder_.create<OpTy>(loc(at), result, std::forward<Args>(args)...)->getResult(0);
  }

  /// Evaluates `e`; a tensor result larger than kMaxElements is reported here, so no oversized
  /// shape reaches the shape rules' arithmetic.
  std::optional<Val> eval(const ast::Expr *e, Scope &scope);

  /// The most elements a tensor may have: 2^40, 4 TiB of f32. The bound keeps every element count
  /// and padded or concatenated dimension well inside int64_t.
  static constexpr int64_t kMaxElements = int64_t(1) << 40;
  /// Checks that `shape`'s dimensions are positive and hold at most kMaxElements elements in all;
  /// reports "<what> <type> ..." at `at` otherwise.
  bool checkSize(const dl::shape::Shape &shape, mlir::Type element, SourceLoc at,
                 const std::string &what);

private:
  //===-- Loading ---------------------------------------------------------===//
  bool loadModule(uint32_t file, std::vector<std::string> &stack);
  void declareGlobals();
  std::optional<Val> parseDefine(const std::string &text);

  //===-- Models ----------------------------------------------------------===//
  struct InputInfo {
    std::string name;
    mlir::RankedTensorType type;
    SourceLoc loc;
  };
  struct PassResult {
    std::vector<std::pair<std::string, mlir::Value>> outputs, losses;
    std::unique_ptr<Scope> scope;
  };
  void emitModel(const ast::ModelDecl &model, mlir::ModuleOp module);
  std::optional<std::vector<InputInfo>> collectInputs(const ast::ModelDecl &model);
  mlir::func::FuncOp beginFunction(const std::string &name, const std::vector<InputInfo> &inputs,
                                   SourceLoc at);
  std::optional<PassResult> elaborateBody(const ast::ModelDecl &model, mlir::func::FuncOp func,
                                          const std::vector<InputInfo> &inputs, Mode mode);
  void finishFunction(mlir::func::FuncOp func, const std::vector<mlir::Value> &results,
                      const std::vector<std::pair<std::string, std::string>> &resultAttrs,
                      bool pruneUnusedInputs);
  void emitTrain(const ast::TrainDecl &train, const ast::ModelDecl &model,
                 const std::vector<InputInfo> &inputs);

  //===-- Statements and layers --------------------------------------------===//
  bool elaborateStatements(const ast::StmtList &stmts, Scope &scope, const std::string &pathPrefix,
                           PassResult *pass);
  bool elaborateStatement(const ast::Stmt &stmt, Scope &scope, const std::string &pathPrefix,
                          PassResult *pass);
  bool assign(const ast::AssignStmt &a, Scope &scope, const std::string &pathPrefix);
  bool declareState(const ast::StateStmt &s, Scope &scope, const std::string &path);
  /// `assert cond, message...`: true when the condition holds, else reports the message.
  bool checkAssert(const ast::AssertStmt &a, Scope &scope);
  std::optional<Val> instantiate(const ast::LayerDecl &layer, const ast::CallExpr &call,
                                 Scope &scope, const std::string &path);
  std::optional<Val> applyInstance(LayerInstance &inst, const std::vector<CallArgument> &args,
                                   SourceLoc at);
  bool checkUnique(Scope &scope, const std::string &name, SourceLoc at, const char *what);

  //===-- Expressions -------------------------------------------------------===//
  std::optional<Val> evalNode(const ast::Expr *e, Scope &scope);
  std::optional<Val> evalName(const ast::NameExpr &n, Scope &scope);
  std::optional<Val> evalUnary(const ast::UnaryExpr &u, Scope &scope);
  std::optional<Val> evalBinary(const ast::BinaryExpr &b, Scope &scope);
  std::optional<Val> evalCall(const ast::CallExpr &c, Scope &scope);
  std::optional<Val> evalIndex(const ast::IndexExpr &x, Scope &scope);
  /// `zeros[B, H]` and `ones[B, H]` (`fill` names which): a constant tensor of those dimensions.
  std::optional<Val> evalFilled(const std::string &fill, const ast::IndexExpr &x, Scope &scope);
  /// `list[i]`, with i negative counting from the end.
  std::optional<Val> evalListIndex(const Val &list, const ast::IndexExpr &x, Scope &scope);
  /// `t[...]`: indices drop their dimension, slices keep it.
  std::optional<Val> sliceTensor(mlir::Value t, const ast::IndexExpr &x, Scope &scope);
  std::optional<Val> evalMember(const ast::MemberExpr &m, Scope &scope);
  std::optional<Val> evalScan(const ast::ScanExpr &s, Scope &scope);  // Scan.cpp
  std::optional<Val> numberArithmetic(const std::string &op, const Val &a, const Val &b,
                                      SourceLoc at);
  std::optional<Val> callBuiltin(const std::string &name, const Builtin &builtin,
                                 const std::vector<NamedVal> &bound,
                                 const std::vector<CallArgument> &args, SourceLoc at);
  std::optional<Val> initializerCall(const std::string &name, const std::vector<CallArgument> &args,
                                     SourceLoc at);
  std::optional<std::pair<std::string, mlir::DictionaryAttr>>
  resolveInitializer(const Val &init, const dl::shape::Shape &shape, SourceLoc at);
  std::optional<std::vector<CallArgument>> evalArguments(const ast::CallExpr &c, Scope &scope);
  /// Binds `args` to `params` (positional, then keyword), reporting arity and name errors.
  std::optional<std::vector<CallArgument>>
  bindArguments(const std::string &callee, const std::vector<std::string> &params,
                const std::vector<CallArgument> &args, SourceLoc at);
  bool inFunction() const { return builder_.getInsertionBlock() != nullptr; }

  std::string suggestName(const std::string &name, const Scope &scope);

  mlir::MLIRContext &context_;
  SourceManager &sources_;
  DiagnosticEngine &diags_;
  const FrontendOptions &options_;
  mlir::OpBuilder builder_;

  std::vector<std::unique_ptr<ast::Module>> modules_;
  std::set<std::string> loadedPaths_;
  Scope globals_;
  std::map<std::string, const ast::ModelDecl *> models_;
  std::vector<const ast::ModelDecl *> modelOrder_;
  std::vector<const ast::TrainDecl *> trains_;

  // State of the function being emitted.
  Mode mode_ = Mode::Inference;
  int64_t stream_ = 0;
  int depth_ = 0;
  mlir::dl::ModelOp modelOp_;
  mlir::Operation *firstFunction_ = nullptr;
  /// Call sites of the layers being instantiated or applied, outermost first.
  std::vector<SourceLoc> callSites_;
  /// The path prefix of the statements being elaborated (`inst.` in a layer), for instances
  /// created inside a scan body.
  std::string statementPrefix_;
  uint32_t preludeFile_ = UINT32_MAX;
  std::vector<std::string> paramOrder_;
  /// The parameters and buffers of the model being emitted, by symbol name.
  std::map<std::string, mlir::Operation *> stateOps_;
  /// Layer instances and calls made in the function being emitted, and whether the bound on them
  /// was reported: nesting is bounded, but a layer holding two instances of the one below doubles
  /// the work with each level.
  int64_t expansions_ = 0;
  bool expansionLimitReported_ = false;
  /// Counts one instance or call at `at`; false (reported once) past the bound.
  bool expand(SourceLoc at);
  /// Symbols of the model being emitted that are not parameters (forward, eval, each train step
  /// and its loss function), with how a message names them; a parameter may not take one.
  std::map<std::string, std::string> functionSymbols_;
};

} // namespace dlc

#endif // DLC_FRONTEND_ELABORATORIMPL_H
