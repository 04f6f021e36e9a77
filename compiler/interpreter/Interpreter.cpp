//===- Interpreter.cpp - Calls, state and dispatch of the interpreter ------===//
//
// The driver of the reference interpreter: it verifies the model once, keeps parameters and buffers,
// checks a call's arguments against the function type, and walks the function body op by op,
// dispatching each op to its family's kernel through a table keyed by op type. The three ops that
// touch the interpreter itself are handled here: func.call recurses into another function of the
// same model, dl.load reads the state and dl.store writes it (committed when the call succeeds).
// The ops' arithmetic lives in the family files (see Kernels.h), not here.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Interpreter.h"
#include "compiler/interpreter/Kernels.h"

#include "runtime/rng/Philox.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;

namespace dl::interp {

namespace {

/// Deeper func.call chains than this are taken for recursion and refused.
constexpr int kMaxCallDepth = 64;

/// "file:line:col" of a location, or the location as MLIR prints it. An op of a built-in layer is
/// reported where the user called the layer, as the frontend and the compiled kernels report it.
std::string where(Location loc) {
  if (auto call = llvm::dyn_cast<CallSiteLoc>(loc))
    return where(call.getCaller());
  if (auto fileLoc = loc->findInstanceOf<FileLineColLoc>())
    return (fileLoc.getFilename().str() + ":" + std::to_string(fileLoc.getLine()) + ":" +
            std::to_string(fileLoc.getColumn()));
  std::string s;
  llvm::raw_string_ostream os(s);
  os << loc;
  return s;
}
std::string where(Operation *op) { return where(op->getLoc()); }

const KernelTable &kernels() {
  static const KernelTable table = [] {
    KernelTable t;
    registerElementwiseKernels(t);
    registerLinalgKernels(t);
    registerConvKernels(t);
    registerPoolingKernels(t);
    registerUpsampleKernels(t);
    registerEmbeddingKernels(t);
    registerReductionKernels(t);
    registerShapeKernels(t);
    registerRandomKernels(t);
    registerLossKernels(t);
    registerAttentionKernels(t);
    return t;
  }();
  return table;
}

/// Checks that `value` is a well-formed tensor of `type`; `what` names it in the message.
LogicalResult checkValue(const Tensor &value, Type type, const std::string &what,
                         std::string &error) {
  auto ranked = llvm::dyn_cast<RankedTensorType>(type);
  ElementKind kind;
  if (!ranked || !ranked.hasStaticShape() || !kindOf(ranked.getElementType(), kind)) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << what << " has type " << type << ", which the interpreter cannot hold";
    error = s;
    return failure();
  }
  Tensor expected = Tensor::fromType(ranked);
  if (value.shape != expected.shape || value.kind != kind) {
    error = what + ": expected " + expected.typeString() + ", got " + value.typeString();
    return failure();
  }
  if (static_cast<int64_t>(value.data.size()) != value.numElements()) {
    error = what + ": " + value.typeString() + " needs " + std::to_string(value.numElements()) +
            " elements, but holds " + std::to_string(value.data.size());
    return failure();
  }
  for (size_t i = 0; i < value.data.size(); ++i) {
    double v = value.data[i];
    bool ok = kind == ElementKind::F32 ||
              (kind == ElementKind::I1 && (v == 0.0 || v == 1.0)) ||
              (kind == ElementKind::I32 && v == std::trunc(v) && v >= INT32_MIN && v <= INT32_MAX);
    if (!ok) {
      error = what + ": element " + std::to_string(i) + " (" + std::to_string(v) + ") is not an " +
              kindName(kind) + " value";
      return failure();
    }
  }
  return success();
}

/// The declared type of parameter or buffer `symbol`, or null.
RankedTensorType stateType(mlir::dl::ModelOp model, llvm::StringRef symbol) {
  Operation *op = SymbolTable::lookupSymbolIn(model, symbol);
  if (auto param = llvm::dyn_cast_or_null<mlir::dl::ParamOp>(op))
    return param.getTensorType();
  if (auto buffer = llvm::dyn_cast_or_null<mlir::dl::BufferOp>(op))
    return buffer.getTensorType();
  return {};
}

} // namespace

Interpreter::Interpreter(mlir::dl::ModelOp model, uint64_t seed) : model_(model), seed_(seed) {}

bool Interpreter::initialize(std::string *error) {
  std::string notVerified;
  if (failed(ensureVerified(notVerified))) {
    if (error)
      *error = notVerified;
    return false;
  }
  uint32_t index = 0;
  for (Operation &op : model_.getBodyBlock()) {
    llvm::StringRef name, init;
    DictionaryAttr args;
    RankedTensorType type;
    if (auto param = llvm::dyn_cast<mlir::dl::ParamOp>(op)) {
      name = param.getSymName();
      init = param.getInit();
      args = param.getInitArgsAttr();
      type = param.getTensorType();
    } else if (auto buffer = llvm::dyn_cast<mlir::dl::BufferOp>(op)) {
      name = buffer.getSymName();
      init = buffer.getInit();
      args = buffer.getInitArgsAttr();
      type = buffer.getTensorType();
    } else {
      continue;
    }
    Tensor value = Tensor::fromType(type);
    std::string why;
    if (!drawInitializer(init, args, seed_, rng::kInitStreamBase + index, value, why)) {
      if (error)
        *error = where(&op) + ": cannot initialize '" + name.str() + "': " + why;
      return false;
    }
    states_[name] = std::move(value);
    ++index;
  }
  return true;
}

Tensor *Interpreter::state(llvm::StringRef symbol) {
  auto it = states_.find(symbol);
  return it == states_.end() ? nullptr : &it->second;
}

bool Interpreter::setState(llvm::StringRef symbol, Tensor value) {
  RankedTensorType type = stateType(model_, symbol);
  std::string error;
  if (!type || failed(checkValue(value, type, symbol.str(), error)))
    return false;
  states_[symbol] = std::move(value);
  return true;
}

LogicalResult Interpreter::ensureVerified(std::string &error) {
  if (verified_)
    return success();
  // Collect the verifier's messages rather than letting them reach stderr.
  std::string messages;
  ScopedDiagnosticHandler handler(model_->getContext(), [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      messages += (messages.empty() ? "" : "\n") + where(diag.getLocation()) + ": " + diag.str();
    }
    return success();
  });
  if (failed(mlir::verify(model_))) {
    error = "the model does not verify:\n" + messages;
    return failure();
  }
  verified_ = true;
  return success();
}

FailureOr<std::vector<Tensor>> Interpreter::call(llvm::StringRef function,
                                                 llvm::ArrayRef<Tensor> args, std::string &error) {
  if (failed(ensureVerified(error)))
    return failure();
  auto func = SymbolTable::lookupSymbolIn(model_, function);
  auto funcOp = llvm::dyn_cast_or_null<func::FuncOp>(func);
  if (!funcOp) {
    error = "model @" + model_.getSymName().str() + " has no function '" + function.str() + "'";
    return failure();
  }
  // Stores take effect when the whole call succeeds; a failed call leaves the state as it was.
  pending_.clear();
  auto results = run(funcOp, args, 0, error);
  if (succeeded(results))
    for (auto &entry : pending_)
      states_[entry.getKey()] = std::move(entry.getValue());
  pending_.clear();
  return results;
}

FailureOr<std::vector<Tensor>> Interpreter::run(func::FuncOp function, llvm::ArrayRef<Tensor> args,
                                                int depth, std::string &error) {
  std::string fname = "@" + function.getSymName().str();
  if (depth > kMaxCallDepth) {
    error = "calls nest deeper than " + std::to_string(kMaxCallDepth) + " at " + fname +
            " (recursion?)";
    return failure();
  }
  if (function.isExternal() || !function.getBody().hasOneBlock()) {
    error = where(function) + ": " + fname + " has no body of one block to interpret";
    return failure();
  }
  auto argTypes = function.getArgumentTypes();
  if (args.size() != argTypes.size()) {
    error = fname + " takes " + std::to_string(argTypes.size()) + " argument(s), got " +
            std::to_string(args.size());
    return failure();
  }
  llvm::DenseMap<Value, Tensor> values;
  Block &body = function.getBody().front();
  for (unsigned i = 0; i < args.size(); ++i) {
    std::string what = "argument " + std::to_string(i) + " of " + fname;
    if (auto input = function.getArgAttrOfType<StringAttr>(i, "dl.input"))
      what += " ('" + input.getValue().str() + "')";
    if (failed(checkValue(args[i], argTypes[i], what, error)))
      return failure();
    values[body.getArgument(i)] = args[i];
  }

  if (failed(runOps(body, values, depth, error)))
    return failure();
  if (auto ret = llvm::dyn_cast<func::ReturnOp>(body.back())) {
    std::vector<Tensor> results;
    for (Value v : ret.getOperands())
      results.push_back(values.lookup(v));
    return results;
  }
  error = where(function) + ": " + fname + " ends without func.return";
  return failure();
}

bool runsOp(OperationName name) {
  // What runOps below dispatches: the kernels, and the dl ops it handles itself.
  return kernels().count(name.getTypeID()) ||
         llvm::is_contained({TypeID::get<mlir::dl::LoadOp>(), TypeID::get<mlir::dl::StoreOp>(),
                             TypeID::get<mlir::dl::ScanOp>(), TypeID::get<mlir::dl::ScanYieldOp>()},
                            name.getTypeID());
}

LogicalResult Interpreter::runOps(Block &body, llvm::DenseMap<Value, Tensor> &values, int depth,
                                  std::string &error) {
  for (Operation &op : body) {
    if (op.hasTrait<OpTrait::IsTerminator>())
      return success();
    if (auto scan = llvm::dyn_cast<mlir::dl::ScanOp>(op)) {
      if (failed(runScan(scan, values, depth, error)))
        return failure();
      continue;
    }
    std::string opName = op.getName().getStringRef().str();
    if (auto callOp = llvm::dyn_cast<func::CallOp>(op)) {
      auto callee = llvm::dyn_cast_or_null<func::FuncOp>(
          SymbolTable::lookupSymbolIn(model_, callOp.getCallee()));
      if (!callee) {
        error = where(&op) + ": func.call: model @" + model_.getSymName().str() +
                " has no function '" + callOp.getCallee().str() + "'";
        return failure();
      }
      std::vector<Tensor> callArgs;
      for (Value v : callOp.getOperands())
        callArgs.push_back(values.lookup(v));
      auto results = run(callee, callArgs, depth + 1, error);
      if (failed(results))
        return failure();
      if (results->size() != op.getNumResults()) {
        error = where(&op) + ": func.call expects " + std::to_string(op.getNumResults()) +
                " result(s) from @" + callOp.getCallee().str() + ", which returned " +
                std::to_string(results->size());
        return failure();
      }
      for (unsigned i = 0; i < op.getNumResults(); ++i)
        values[op.getResult(i)] = std::move((*results)[i]);
      continue;
    }

    if (auto load = llvm::dyn_cast<mlir::dl::LoadOp>(op)) {
      // A store earlier in this call is seen by later loads.
      auto it = pending_.find(load.getName());
      const Tensor *value = it != pending_.end() ? &it->second : state(load.getName());
      if (!value) {
        error = where(&op) + ": dl.load: '" + load.getName().str() +
                "' has no value; call initialize() or setState() first";
        return failure();
      }
      if (failed(checkValue(*value, load.getType(), "dl.load of '" + load.getName().str() + "'",
                            error))) {
        error = where(&op) + ": " + error;
        return failure();
      }
      values[load.getResult()] = *value;
      continue;
    }
    if (auto store = llvm::dyn_cast<mlir::dl::StoreOp>(op)) {
      RankedTensorType declared = stateType(model_, store.getName());
      const Tensor &value = values[store.getValue()];
      if (!declared) {
        error = where(&op) + ": dl.store: '" + store.getName().str() +
                "' is not a parameter or buffer of the model";
        return failure();
      }
      if (failed(checkValue(value, declared, "dl.store to '" + store.getName().str() + "'", error))) {
        error = where(&op) + ": " + error;
        return failure();
      }
      pending_[store.getName()] = value;
      continue;
    }

    auto kernel = kernels().find(op.getName().getTypeID());
    if (kernel == kernels().end() || op.getNumRegions() != 0) {
      error = where(&op) + ": the interpreter does not support '" + opName + "'";
      return failure();
    }
    OpContext c{*this, &op, {}, {}, {}};
    for (Value v : op.getOperands()) {
      auto it = values.find(v);
      if (it == values.end()) {
        error = where(&op) + ": " + opName + " uses a value that was never computed";
        return failure();
      }
      c.operands.push_back(&it->second);
    }
    for (Type t : op.getResultTypes()) {
      auto ranked = llvm::dyn_cast<RankedTensorType>(t);
      ElementKind kind;
      if (!ranked || !ranked.hasStaticShape() || !kindOf(ranked.getElementType(), kind)) {
        error = where(&op) + ": " + opName + " has a result the interpreter cannot hold";
        return failure();
      }
      c.results.push_back(Tensor::fromType(ranked));
    }
    if (failed(kernel->second(c))) {
      error = where(&op) + ": " + opName + ": " + c.error;
      return failure();
    }
    for (unsigned i = 0; i < op.getNumResults(); ++i) {
      // Every later kernel relies on its operands having their types' element counts.
      if (failed(checkValue(c.results[i], op.getResult(i).getType(),
                            "result " + std::to_string(i), error))) {
        error = where(&op) + ": " + opName + " computed a malformed " + error;
        return failure();
      }
      values[op.getResult(i)] = std::move(c.results[i]);
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// dl.scan
//===----------------------------------------------------------------------===//

namespace {

/// Row `t` of a tensor [T, ...] (the slice of step t).
Tensor sliceAt(const Tensor &stacked, int64_t t) {
  Tensor out;
  out.kind = stacked.kind;
  out.shape.assign(stacked.shape.begin() + 1, stacked.shape.end());
  int64_t n = out.numElements();
  out.data.assign(stacked.data.begin() + t * n, stacked.data.begin() + (t + 1) * n);
  return out;
}

/// Writes `row` as row `t` of `stacked`.
void setSlice(Tensor &stacked, int64_t t, const Tensor &row) {
  std::copy(row.data.begin(), row.data.end(), stacked.data.begin() + t * row.numElements());
}

} // namespace

LogicalResult Interpreter::runScan(mlir::dl::ScanOp scan, llvm::DenseMap<Value, Tensor> &values,
                                   int depth, std::string &error) {
  std::vector<Tensor> stacked;
  for (Value r : scan.getResults())
    stacked.push_back(Tensor::fromType(llvm::cast<RankedTensorType>(r.getType())));
  unsigned carries = scan.getNumCarries(), emits = scan.getNumEmits();
  std::vector<Tensor> carry;
  for (Value v : scan.getInits())
    carry.push_back(values.lookup(v));
  Block &body = scan.getBodyBlock();
  int64_t steps = scan.getLength();
  for (int64_t i = 0; i < steps; ++i) {
    int64_t t = scan.getReverse() ? steps - 1 - i : i;
    llvm::DenseMap<Value, Tensor> local;
    for (auto [arg, seq] : llvm::zip(scan.getSliceArgs(), scan.getSequences()))
      local[arg] = sliceAt(values.lookup(seq), t);
    for (auto [k, arg] : llvm::enumerate(scan.getCarryArgs())) {
      setSlice(stacked[carries + emits + k], t, carry[k]);
      local[arg] = carry[k];
    }
    for (auto [arg, c] : llvm::zip(scan.getCaptureArgs(), scan.getCaptures()))
      local[arg] = values.lookup(c);
    if (failed(runOps(body, local, depth + 1, error)))
      return failure();
    auto yield = llvm::cast<mlir::dl::ScanYieldOp>(body.getTerminator());
    for (unsigned k = 0; k < carries; ++k)
      carry[k] = local.lookup(yield.getValues()[k]);
    for (unsigned e = 0; e < emits; ++e)
      setSlice(stacked[carries + e], t, local.lookup(yield.getValues()[carries + e]));
  }
  for (unsigned k = 0; k < carries; ++k)
    stacked[k] = std::move(carry[k]);
  for (auto [r, v] : llvm::zip(scan.getResults(), stacked))
    values[r] = std::move(v);
  return success();
}

} // namespace dl::interp
