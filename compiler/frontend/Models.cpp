//===- Models.cpp - Emitting a model's functions --------------------------===//
//
// Each model becomes a dl.model holding forward (inference mode, the outputs and only the inputs
// they need), eval (inference mode, every input, the losses and then the outputs) and, through
// Training.cpp, a loss function and a dl.train per train block. The model's body is elaborated
// once per function, in that function's mode; what a function's results do not use is dropped.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/ModelSymbols.h"
#include "compiler/frontend/ElaboratorImpl.h"
#include "compiler/frontend/ModelNames.h"

#include "llvm/ADT/BitVector.h"

namespace dlc {

std::optional<std::vector<Elaborator::InputInfo>>
Elaborator::collectInputs(const ast::ModelDecl &model) {
  std::vector<InputInfo> inputs;
  bool ok = true;
  for (const auto &stmt : model.body) {
    if (stmt->kind != ast::StmtKind::Input)
      continue;
    auto &in = static_cast<const ast::InputStmt &>(*stmt);
    mlir::Type element;
    if (in.elementType == "f32")
      element = f32();
    else if (in.elementType == "i32")
      element = i32();
    else if (in.elementType == "bool")
      element = i1();  // Masks and ONNX's bool tensors: one byte per element at the C API (DL_BOOL).
    else {
      error(in.typeLoc, "unknown element type '" + in.elementType + "'" +
                                   (in.elementType == "f16" || in.elementType == "bf16"
                                        ? " (reserved for mixed precision, not supported yet)"
                                        : didYouMean(in.elementType, {"f32", "i32", "bool"})));
      ok = false;
      continue;
    }
    dl::shape::Shape shape;
    bool shapeOk = true;
    for (const auto &dim : in.shape) {
      std::optional<Val> v = eval(dim.get(), globals_);
      std::optional<int64_t> n = v ? requireInt(*v, dim->loc, "a dimension") : std::nullopt;
      if (n && *n <= 0) {
        error(dim->loc, "dimension of input '" + in.name + "' must be positive, not " +
                                   std::to_string(*n));
        n.reset();
      }
      if (!n) {
        shapeOk = ok = false;
        break;
      }
      shape.push_back(*n);
    }
    if (shapeOk && !checkSize(shape, element, in.loc, "input '" + in.name + "'"))
      shapeOk = ok = false;
    if (!shapeOk)
      continue;  // This input's own error is reported; the later ones are still checked.
    for (const InputInfo &other : inputs)
      if (other.name == in.name) {
        error(in.loc, "input '" + in.name + "' is already declared at line " +
                                 std::to_string(other.loc.line));
        ok = false;
      }
    inputs.push_back({in.name, tensorType(shape, element), in.loc});
  }
  if (!ok)
    return std::nullopt;
  return inputs;
}

mlir::func::FuncOp Elaborator::beginFunction(const std::string &name,
                                             const std::vector<InputInfo> &inputs, SourceLoc at) {
  std::vector<mlir::Type> types;
  for (const InputInfo &in : inputs)
    types.push_back(in.type);
  builder_.setInsertionPointToEnd(&modelOp_.getBodyBlock());
  auto func = builder_.create<mlir::func::FuncOp>(loc(at), name,
                                                  builder_.getFunctionType(types, {}));
  func.addEntryBlock();
  for (size_t i = 0; i < inputs.size(); ++i)
    func.setArgAttr(i, "dl.input", builder_.getStringAttr(inputs[i].name));
  if (!firstFunction_)
    firstFunction_ = func;
  return func;
}

std::optional<Elaborator::PassResult>
Elaborator::elaborateBody(const ast::ModelDecl &model, mlir::func::FuncOp func,
                          const std::vector<InputInfo> &inputs, Mode mode) {
  mode_ = mode;
  stream_ = 0;
  expansions_ = 0;
  expansionLimitReported_ = false;
  builder_.setInsertionPointToEnd(&func.getBody().front());
  PassResult pass;
  pass.scope = std::make_unique<Scope>(&globals_);
  for (size_t i = 0; i < inputs.size(); ++i)
    pass.scope->define(inputs[i].name, Val::ofTensor(func.getArgument(i)), inputs[i].loc);
  unsigned before = diags_.errorCount();
  elaborateStatements(model.body, *pass.scope, "", &pass);
  if (diags_.errorCount() != before)
    return std::nullopt;
  return pass;
}

void Elaborator::finishFunction(mlir::func::FuncOp func, const std::vector<mlir::Value> &results,
                                const std::vector<std::pair<std::string, std::string>> &resultAttrs,
                                bool pruneUnusedInputs) {
  mlir::Block &block = func.getBody().front();
  builder_.setInsertionPointToEnd(&block);
  builder_.create<mlir::func::ReturnOp>(func.getLoc(), results);
  std::vector<mlir::Type> resultTypes;
  for (mlir::Value v : results)
    resultTypes.push_back(v.getType());
  func.setType(builder_.getFunctionType(block.getArgumentTypes(), resultTypes));
  for (size_t i = 0; i < resultAttrs.size(); ++i)
    func.setResultAttr(i, resultAttrs[i].first, builder_.getStringAttr(resultAttrs[i].second));

  // The body was elaborated whole; drop what this function's results do not need. Every dl op but
  // a store (batch norm's running statistics, in training) is free of side effects, so an unused
  // one can go.
  for (bool changed = true; changed;) {
    changed = false;
    for (mlir::Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      if (op.hasTrait<mlir::OpTrait::IsTerminator>() || !op.use_empty() ||
          mlir::isa<mlir::dl::StoreOp>(op))
        continue;
      op.erase();
      changed = true;
    }
  }
  if (pruneUnusedInputs) {
    llvm::BitVector unused(block.getNumArguments());
    for (mlir::BlockArgument arg : block.getArguments())
      if (arg.use_empty())
        unused.set(arg.getArgNumber());
    (void)func.eraseArguments(unused);
  }
  builder_.clearInsertionPoint();
}

void Elaborator::emitModel(const ast::ModelDecl &model, mlir::ModuleOp module) {
  // The model's name prefixes the C symbols of its library; they must not take names the library
  // calls or its header declares.
  std::vector<std::string> entries = {"forward", "eval"};
  for (const ast::TrainDecl *train : trains_)
    if (train->model == model.name)
      entries.push_back(dl::codegen::trainEntryName(train->step));
  std::string reserved = reservedModelName(model.name, entries);
  if (!reserved.empty())
    error(model.loc, reserved);
  std::optional<std::vector<InputInfo>> inputs = collectInputs(model);
  if (!inputs)
    return;
  builder_.setInsertionPointToEnd(module.getBody());
  modelOp_ = builder_.create<mlir::dl::ModelOp>(loc(model.loc), model.name);
  firstFunction_ = nullptr;
  paramOrder_.clear();
  stateOps_.clear();
  functionSymbols_ = {{"forward", "function 'forward'"}, {"eval", "function 'eval'"}};
  for (const ast::TrainDecl *train : trains_) {
    if (train->model != model.name)
      continue;
    std::string step = dl::codegen::trainEntryName(train->step);
    functionSymbols_.emplace(step, "train step '" + step + "'");
    functionSymbols_.emplace(step + ".loss", "loss function '" + step + ".loss'");
  }

  // forward: inference mode, outputs only, and only the inputs they need.
  mlir::func::FuncOp forward = beginFunction("forward", *inputs, model.loc);
  std::optional<PassResult> pass = elaborateBody(model, forward, *inputs, Mode::Inference);
  if (!pass) {
    builder_.clearInsertionPoint();
    return;
  }
  std::vector<mlir::Value> results;
  std::vector<std::pair<std::string, std::string>> attrs;
  for (auto &[name, value] : pass->outputs) {
    results.push_back(value);
    attrs.push_back({"dl.output", name});
  }
  finishFunction(forward, results, attrs, /*pruneUnusedInputs=*/true);

  // eval: inference mode, every input, the losses and then the outputs.
  mlir::func::FuncOp evalFunc = beginFunction("eval", *inputs, model.loc);
  pass = elaborateBody(model, evalFunc, *inputs, Mode::Inference);
  if (!pass)
    return;
  results.clear();
  attrs.clear();
  for (auto &[name, value] : pass->losses) {
    results.push_back(value);
    attrs.push_back({"dl.loss", name});
  }
  for (auto &[name, value] : pass->outputs) {
    results.push_back(value);
    attrs.push_back({"dl.output", name});
  }
  finishFunction(evalFunc, results, attrs, /*pruneUnusedInputs=*/false);

  for (const ast::TrainDecl *train : trains_)
    if (train->model == model.name)
      emitTrain(*train, model, *inputs);
}

} // namespace dlc
