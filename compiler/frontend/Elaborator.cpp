//===- Elaborator.cpp - Files, models, statements, layers -----------------===//
//
// Loads the prelude, the main file and its imports; declares constants, layers and models; and emits
// each model's functions by elaborating its body once per function. Expressions are in
// Expressions.cpp, training blocks in Training.cpp, builtin functions in builtins/.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/ModelSymbols.h"
#include "compiler/frontend/ElaboratorImpl.h"
#include "compiler/frontend/ModelNames.h"
#include "compiler/frontend/Parser.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/BitVector.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace dlc {

static const char kPrelude[] =
#include "Prelude.inc"
    ;

bool readFile(const std::string &path, std::string &contents, std::string &error) {
  // Only a regular file of at most 16 MiB: /dev/zero would be read until memory runs out, a FIFO
  // would block forever. The type is checked before opening (opening a device may act on it) and
  // again on what was opened; O_NONBLOCK keeps even that open from waiting for a FIFO's writer.
  constexpr uint64_t kMaxSourceBytes = uint64_t(16) << 20;
  auto notRegular = [&](const struct stat &info) {
    if (S_ISREG(info.st_mode))
      return false;
    error = "'" + path + "' is " +
            (S_ISDIR(info.st_mode)    ? "a directory"
             : S_ISFIFO(info.st_mode) ? "not a regular file (a FIFO)"
             : S_ISCHR(info.st_mode)  ? "not a regular file (a character device)"
             : S_ISBLK(info.st_mode)  ? "not a regular file (a block device)"
             : S_ISSOCK(info.st_mode) ? "not a regular file (a socket)"
                                      : "not a regular file");
    return true;
  };
  auto tooLarge = [&](uint64_t bytes) {
    error = "'" + path + "' is larger than 16 MiB (" + std::to_string(bytes) +
            " bytes), the most a source file may hold";
    return false;
  };
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (notRegular(info))
    return false;
  if (uint64_t(info.st_size) > kMaxSourceBytes)
    return tooLarge(uint64_t(info.st_size));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (::fstat(fd, &info) != 0 || notRegular(info)) {
    ::close(fd);
    return false;
  }
  // Read at most one byte past the limit, so a file that grows meanwhile is still refused.
  std::string text;
  char buffer[65536];
  while (text.size() <= kMaxSourceBytes) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = "cannot read '" + path + "': " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    text.append(buffer, size_t(n));
  }
  ::close(fd);
  if (text.size() > kMaxSourceBytes)
    return tooLarge(text.size());
  contents = std::move(text);
  return true;
}

void loadFrontendDialects(mlir::MLIRContext &context) {
  context.loadDialect<mlir::dl::DLDialect, mlir::func::FuncDialect>();
}

Elaborator::Elaborator(mlir::MLIRContext &context, SourceManager &sources, DiagnosticEngine &diags,
                       const FrontendOptions &options)
    : context_(context), sources_(sources), diags_(diags), options_(options), builder_(&context) {}

void Elaborator::error(SourceLoc at, const std::string &message) {
  if (at.valid() && at.file == preludeFile_) {
    // The user wrote the call, not the built-in layer: report where the call is, and say where in
    // the layer it failed.
    for (auto it = callSites_.rbegin(); it != callSites_.rend(); ++it) {
      if (it->file == preludeFile_)
        continue;
      diags_.error(*it, message);
      diags_.note(at, "inside this built-in layer");
      return;
    }
  }
  diags_.error(at, message);
}

mlir::Location Elaborator::loc(SourceLoc l) {
  if (!l.valid())
    return builder_.getUnknownLoc();
  mlir::Location here =
      mlir::FileLineColLoc::get(builder_.getStringAttr(sources_.name(l.file)), l.line, l.col);
  if (l.file != preludeFile_)
    return here;
  // An op of a built-in layer is reported where the user called the layer.
  for (auto it = callSites_.rbegin(); it != callSites_.rend(); ++it)
    if (it->file != preludeFile_)
      return mlir::CallSiteLoc::get(here, loc(*it));
  return here;
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

bool Elaborator::load(uint32_t file) {
  std::vector<std::string> stack;
  if (options_.prelude) {
    uint32_t prelude = sources_.add("<prelude>", kPrelude);
    preludeFile_ = prelude;
    if (!loadModule(prelude, stack))
      return false;
  }
  if (!loadModule(file, stack))
    return false;
  declareGlobals();
  return !diags_.hasErrors();
}

bool Elaborator::loadModule(uint32_t file, std::vector<std::string> &stack) {
  std::unique_ptr<ast::Module> module = parseFile(sources_, file, diags_);
  if (diags_.hasErrors())
    return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string self = fs::weakly_canonical(sources_.name(file), ec).string();
  stack.push_back(self);
  loadedPaths_.insert(self);
  for (const ast::ImportDecl &import : module->imports) {
    fs::path dir = fs::path(sources_.name(file)).parent_path();
    std::string path = (dir / import.path).string();
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (std::find(stack.begin(), stack.end(), canonical) != stack.end()) {
      error(import.loc, "import cycle: '" + import.path + "' imports this file again");
      return false;
    }
    if (loadedPaths_.count(canonical))
      continue;  // Each file is loaded once, however often it is imported.
    std::string text, why;
    if (!readFile(path, text, why)) {
      error(import.loc, "cannot import \"" + import.path + "\": " + why);
      return false;
    }
    if (!loadModule(sources_.add(path, std::move(text)), stack))
      return false;
  }
  stack.pop_back();
  modules_.push_back(std::move(module));
  return true;
}

std::optional<Val> Elaborator::parseDefine(const std::string &text) {
  if (text == "true" || text == "false")
    return Val::boolean(text == "true");
  // An integer in decimal or, as in C, in hexadecimal (0x10, never a float 16); never octal (010
  // is ten). Anything else strtod reads in full is a number.
  size_t sign = !text.empty() && (text[0] == '-' || text[0] == '+');
  bool hex = text.size() > sign + 2 && text[sign] == '0' &&
             (text[sign + 1] == 'x' || text[sign + 1] == 'X');
  char *end = nullptr;
  errno = 0;
  long long i = std::strtoll(text.c_str(), &end, hex ? 16 : 10);
  if (!text.empty() && *end == '\0' && errno == 0)
    return Val::integer(i);
  if (hex)
    return std::nullopt;  // No hexadecimal floats (0x1p3), and no hexadecimal beyond int64.
  errno = 0;
  double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0' && errno == 0)
    return Val::number(d);
  return std::nullopt;
}

void Elaborator::declareGlobals() {
  std::map<std::string, SourceLoc> layerLocs;
  std::set<std::string> overridden;
  for (const auto &module : modules_) {
    bool isPrelude = options_.prelude && module == modules_.front();
    for (const auto &layer : module->layers) {
      if (const SourceLoc *previous = globals_.definedHere(layer->name)) {
        // A user's layer may replace a built-in one; anything else is a redefinition.
        if (previous->file != modules_.front()->file || !options_.prelude || isPrelude) {
          error(layer->loc, "'" + layer->name + "' is already defined at " +
                                       sources_.name(previous->file) + ":" +
                                       std::to_string(previous->line));
          continue;
        }
      }
      globals_.define(layer->name, Val::ofLayer(layer.get()), layer->loc);
    }
    for (const ast::ConstDecl &c : module->consts) {
      if (const SourceLoc *previous = globals_.definedHere(c.name)) {
        error(c.loc, "'" + c.name + "' is already defined at " +
                                sources_.name(previous->file) + ":" + std::to_string(previous->line));
        continue;
      }
      std::optional<Val> value;
      for (const auto &[name, text] : options_.defines) {
        if (name != c.name)
          continue;
        value = parseDefine(text);
        if (!value) {
          error({}, "-D " + name + "=" + text + ": the value must be a number or true/false");
          value = Val();
        }
        overridden.insert(name);
      }
      if (!value)
        value = eval(c.value.get(), globals_);
      if (value && value->kind != Val::Kind::Int && value->kind != Val::Kind::Float &&
          value->kind != Val::Kind::Bool && value->kind != Val::Kind::String &&
          value->kind != Val::Kind::None) {
        error(c.value->loc, "constant '" + c.name +
                                       "' must be a number, a bool or a string, not " +
                                       value->describe());
        value = Val();
      }
      globals_.define(c.name, value ? *value : Val(), c.loc);
    }
    for (const auto &model : module->models) {
      auto [it, inserted] = models_.emplace(model->name, model.get());
      if (!inserted) {
        error(model->loc, "model '" + model->name + "' is already defined at line " +
                                     std::to_string(it->second->loc.line));
        continue;
      }
      modelOrder_.push_back(model.get());
    }
    for (const ast::TrainDecl &train : module->trains)
      trains_.push_back(&train);
  }
  for (const auto &[name, text] : options_.defines) {
    if (overridden.count(name))
      continue;
    std::vector<std::string> consts;
    for (const auto &module : modules_)
      for (const ast::ConstDecl &c : module->consts)
        consts.push_back(c.name);
    error({}, "-D " + name + "=" + text + ": there is no constant '" + name + "'" +
                         didYouMean(name, consts));
  }
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

mlir::OwningOpRef<mlir::ModuleOp> Elaborator::run() {
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(builder_.getUnknownLoc());
  for (const ast::TrainDecl *train : trains_) {
    if (models_.count(train->model))
      continue;
    std::vector<std::string> names;
    for (const auto &[name, decl] : models_)
      names.push_back(name);
    error(train->modelLoc, "train block names unknown model '" + train->model + "'" +
                                      didYouMean(train->model, names));
  }
  for (const ast::ModelDecl *model : modelOrder_)
    emitModel(*model, *module);
  if (diags_.hasErrors())
    return nullptr;
  if (mlir::failed(mlir::verify(*module))) {
    error({}, "internal compiler error: the generated dl IR does not verify (see above)");
    return nullptr;
  }
  return module;
}

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
    else {
      error(in.typeLoc, "unknown element type '" + in.elementType + "'" +
                                   (in.elementType == "f16" || in.elementType == "bf16"
                                        ? " (reserved for mixed precision, not supported yet)"
                                        : didYouMean(in.elementType, {"f32", "i32"})));
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

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

bool Elaborator::checkUnique(Scope &scope, const std::string &name, SourceLoc at, const char *what) {
  if (const SourceLoc *previous = scope.definedHere(name)) {
    error(at, std::string(what) + " '" + name + "' is already defined at line " +
                         std::to_string(previous->line));
    return false;
  }
  return true;
}

bool Elaborator::elaborateStatements(const ast::StmtList &stmts, Scope &scope,
                                     const std::string &pathPrefix, PassResult *pass) {
  std::string enclosingPrefix = std::exchange(statementPrefix_, pathPrefix);
  bool ok = true;
  for (const auto &stmt : stmts) {
    bool done = elaborateStatement(*stmt, scope, pathPrefix, pass);
    ok &= done;
    // A failed assert guards what follows it: the rest would only fail for the same reason.
    if (!done && stmt->kind == ast::StmtKind::Assert)
      break;
  }
  statementPrefix_ = enclosingPrefix;
  return ok;
}

bool Elaborator::elaborateStatement(const ast::Stmt &statement, Scope &scope,
                                    const std::string &pathPrefix, PassResult *pass) {
  bool ok = true;
  const ast::Stmt *stmt = &statement;
  {
    switch (stmt->kind) {
    case ast::StmtKind::Assign:
      ok &= assign(static_cast<const ast::AssignStmt &>(*stmt), scope, pathPrefix);
      break;
    case ast::StmtKind::Input:
      break;  // Bound to the function's arguments before the body runs.
    case ast::StmtKind::State: {
      auto &s = static_cast<const ast::StateStmt &>(*stmt);
      ok &= declareState(s, scope, pathPrefix + s.name);
      break;
    }
    case ast::StmtKind::Output:
    case ast::StmtKind::Loss: {
      bool isLoss = stmt->kind == ast::StmtKind::Loss;
      const std::string &name = isLoss ? static_cast<const ast::LossStmt &>(*stmt).name
                                       : static_cast<const ast::OutputStmt &>(*stmt).name;
      const ast::Expr *expr = isLoss ? static_cast<const ast::LossStmt &>(*stmt).value.get()
                                     : static_cast<const ast::OutputStmt &>(*stmt).value.get();
      const char *what = isLoss ? "loss" : "output";
      if (!checkUnique(scope, name, stmt->loc, what)) {
        ok = false;
        break;
      }
      std::optional<Val> v = eval(expr, scope);
      std::optional<mlir::Value> t =
          v ? requireTensor(*v, expr->loc, std::string(what) + " '" + name + "'", false)
            : std::nullopt;
      if (t && isLoss) {
        auto type = llvm::cast<mlir::RankedTensorType>(t->getType());
        if (type.getRank() != 0 || !type.getElementType().isF32()) {
          error(expr->loc, "loss '" + name + "' must be a scalar f32[], not " +
                                      describeType(type) + "; reduce it with mean(...) or sum(...)");
          t.reset();
        }
      }
      if (!t) {
        scope.define(name, Val(), stmt->loc);
        ok = false;
        break;
      }
      scope.define(name, Val::ofTensor(*t), stmt->loc);
      if (pass)
        (isLoss ? pass->losses : pass->outputs).push_back({name, *t});
      break;
    }
    case ast::StmtKind::Assert:
      ok &= checkAssert(static_cast<const ast::AssertStmt &>(*stmt), scope);
      break;
    case ast::StmtKind::Return:
    case ast::StmtKind::Emit:
      error(stmt->loc, "'return' and 'emit' are not allowed here");
      ok = false;
      break;
    }
  }
  return ok;
}

bool Elaborator::assign(const ast::AssignStmt &a, Scope &scope, const std::string &pathPrefix) {
  std::optional<Val> value;
  // `name = Layer(...)` creates an instance named after its target.
  const ast::Expr *e = a.value.get();
  if (e->kind == ast::ExprKind::Call && a.targets.size() == 1) {
    auto &call = static_cast<const ast::CallExpr &>(*e);
    if (call.callee->kind == ast::ExprKind::Name) {
      const Val *callee = scope.lookup(static_cast<const ast::NameExpr &>(*call.callee).name);
      if (callee && callee->kind == Val::Kind::Layer) {
        value = instantiate(*callee->layer, call, scope, pathPrefix + a.targets[0]);
        if (!value) {
          scope.define(a.targets[0], Val(), a.targetLocs[0]);
          return false;
        }
        scope.define(a.targets[0], *value, a.targetLocs[0]);
        return true;
      }
    }
  }
  value = eval(e, scope);
  if (value && a.targets.size() > 1) {
    if (value->kind != Val::Kind::List || value->list.size() != a.targets.size()) {
      error(a.loc, "cannot unpack " + value->describe() + " into " +
                              std::to_string(a.targets.size()) + " names");
      value.reset();
    } else {
      for (size_t i = 0; i < a.targets.size(); ++i)
        scope.define(a.targets[i], value->list[i], a.targetLocs[i]);
      return true;
    }
  }
  if (!value) {
    for (size_t i = 0; i < a.targets.size(); ++i)
      scope.define(a.targets[i], Val(), a.targetLocs[i]);  // Quiet later uses of a failed name.
    return false;
  }
  scope.define(a.targets[0], *value, a.targetLocs[0]);
  return true;
}

bool Elaborator::checkAssert(const ast::AssertStmt &a, Scope &scope) {
  std::optional<Val> condition = eval(a.condition.get(), scope);
  if (!condition)
    return false;
  if (condition->kind != Val::Kind::Bool) {
    error(a.condition->loc, "assert needs a condition known at compile time (true or false), not " +
                                condition->describe());
    return false;
  }
  if (condition->b)
    return true;
  // The message's parts joined by spaces, as Python's print joins its arguments.
  std::string message;
  for (const ast::ExprPtr &part : a.message) {
    std::optional<Val> v = eval(part.get(), scope);
    if (!v)
      return false;
    std::ostringstream text;
    if (v->kind == Val::Kind::String)
      text << v->s;
    else if (v->kind == Val::Kind::Int)
      text << v->i;
    else if (v->kind == Val::Kind::Float)
      text << v->f;
    else if (v->kind == Val::Kind::Bool)
      text << (v->b ? "true" : "false");
    else
      text << v->describe();
    message += (message.empty() ? "" : " ") + text.str();
  }
  error(a.loc, message.empty() ? "assertion failed" : message);
  return false;
}

bool Elaborator::declareState(const ast::StateStmt &s, Scope &scope, const std::string &path) {
  const char *what = s.isBuffer ? "buffer" : "parameter";
  if (!checkUnique(scope, s.name, s.loc, what))
    return false;
  scope.define(s.name, Val(), s.loc);
  dl::shape::Shape shape;
  for (size_t i = 0; i < s.shape.size(); ++i) {
    std::optional<Val> v = eval(s.shape[i].get(), scope);
    std::optional<int64_t> n = v ? requireInt(*v, s.shape[i]->loc, "a dimension") : std::nullopt;
    if (!n)
      return false;
    if (*n <= 0) {
      error(s.shape[i]->loc, std::string("dimension ") + std::to_string(i) + " of " + what +
                                        " '" + s.name + "' must be positive, not " +
                                        std::to_string(*n));
      return false;
    }
    shape.push_back(*n);
  }
  if (!checkSize(shape, f32(), s.loc, std::string(what) + " '" + s.name + "'"))
    return false;
  std::optional<Val> init = eval(s.init.get(), scope);
  if (!init)
    return false;
  auto resolved = resolveInitializer(*init, shape, s.init->loc);
  if (!resolved)
    return false;
  auto type = tensorType(shape, f32());

  auto clash = functionSymbols_.find(path);
  if (clash != functionSymbols_.end()) {
    error(s.loc, std::string(what) + " '" + path + "' has the name of the model's " + clash->second +
                     "; rename it");
    return false;
  }
  // A map rather than SymbolTable::lookupSymbolIn, which scans the model: with thousands of
  // parameters, declaring them all was quadratic.
  auto found = stateOps_.find(path);
  mlir::Operation *existing = found == stateOps_.end() ? nullptr : found->second;
  if (!existing) {
    mlir::OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPoint(firstFunction_);
    auto initArgs = resolved->second.empty() ? mlir::DictionaryAttr() : resolved->second;
    if (s.isBuffer)
      existing = builder_.create<mlir::dl::BufferOp>(loc(s.loc), path, type, resolved->first,
                                                     initArgs);
    else
      existing = builder_.create<mlir::dl::ParamOp>(loc(s.loc), path, type, resolved->first,
                                                    initArgs);
    stateOps_[path] = existing;
    if (!s.isBuffer)
      paramOrder_.push_back(path);
  } else if (!mlir::isa<mlir::dl::ParamOp, mlir::dl::BufferOp>(existing) ||
             existing->getAttrOfType<mlir::TypeAttr>("type").getValue() != type) {
    error(s.loc, std::string(what) + " '" + path + "' is declared twice with different types");
    return false;
  }
  mlir::Value loaded = builder_.create<mlir::dl::LoadOp>(
      loc(s.loc), type, mlir::FlatSymbolRefAttr::get(builder_.getStringAttr(path)));
  scope.define(s.name, Val::ofTensor(loaded), s.loc);
  return true;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// Bounds layer nesting, so a layer that instantiates itself is an error rather than a crash.
static constexpr int kMaxLayerDepth = 32;
/// Bounds the layer instances and calls of one function. A transformer with dozens of blocks makes
/// a few thousand; this stops programs whose layers double at every level, which 1.5 KB of .dl can
/// make into millions.
static constexpr int64_t kMaxExpansions = 20000;

bool Elaborator::expand(SourceLoc at) {
  if (++expansions_ <= kMaxExpansions)
    return true;
  if (!expansionLimitReported_)
    error(at, "layers expand to more than " + std::to_string(kMaxExpansions) +
                  " instances and calls in one function; does each level of layers instantiate or "
                  "call the one below it several times?");
  expansionLimitReported_ = true;
  return false;
}

/// How many of the outermost instances and calls an error inside nested layers names in notes,
/// so an error 32 layers deep is not followed by 32 notes (clang's template backtrace limit).
static constexpr int kMaxContextNotes = 3;

std::optional<Val> Elaborator::instantiate(const ast::LayerDecl &layer, const ast::CallExpr &call,
                                           Scope &scope, const std::string &path) {
  if (!expand(call.loc))
    return std::nullopt;
  if (depth_ >= kMaxLayerDepth) {
    error(call.loc, "layers nest more than " + std::to_string(kMaxLayerDepth) +
                               " deep; does '" + layer.name + "' contain itself?");
    return std::nullopt;
  }
  std::optional<std::vector<CallArgument>> args = evalArguments(call, scope);
  if (!args)
    return std::nullopt;
  std::vector<std::string> names;
  for (const ast::LayerParam &p : layer.params)
    names.push_back(p.name);
  std::optional<std::vector<CallArgument>> bound = bindArguments(layer.name, names, *args, call.loc);
  if (!bound)
    return std::nullopt;
  auto inst = std::make_shared<LayerInstance>(path, &layer, &globals_);
  ++depth_;
  callSites_.push_back(call.loc);
  bool ok = true;
  for (size_t i = 0; i < layer.params.size() && ok; ++i) {
    const ast::LayerParam &p = layer.params[i];
    if ((*bound)[i].value.kind != Val::Kind::None) {
      inst->scope.define(p.name, (*bound)[i].value, p.loc);
      continue;
    }
    if (!p.defaultValue) {
      error(call.loc, "layer '" + layer.name + "' needs argument '" + p.name + "'");
      ok = false;
      break;
    }
    std::optional<Val> v = eval(p.defaultValue.get(), inst->scope);
    if (!v)
      ok = false;
    else
      inst->scope.define(p.name, *v, p.loc);
  }
  if (ok) {
    unsigned before = diags_.errorCount();
    elaborateStatements(layer.body, inst->scope, path + ".", nullptr);
    if (diags_.errorCount() != before) {
      ok = false;
      if (layer.loc.file != preludeFile_ && depth_ <= kMaxContextNotes)
        diags_.note(call.loc, "in instance '" + path + "' of layer '" + layer.name + "'");
    }
  }
  --depth_;
  callSites_.pop_back();
  if (!ok)
    return std::nullopt;
  return Val::ofInstance(inst);
}

std::optional<Val> Elaborator::applyInstance(LayerInstance &inst,
                                             const std::vector<CallArgument> &args, SourceLoc at) {
  const ast::LayerDecl &layer = *inst.decl;
  if (!layer.apply) {
    error(at, "layer '" + layer.name + "' has no apply(...), so '" + inst.path +
                         "' cannot be called");
    return std::nullopt;
  }
  if (!expand(at))
    return std::nullopt;
  if (depth_ >= kMaxLayerDepth) {
    error(at, "layer applications nest more than " + std::to_string(kMaxLayerDepth) +
                         " deep");
    return std::nullopt;
  }
  std::optional<std::vector<CallArgument>> bound =
      bindArguments(inst.path, layer.apply->args, args, at);
  if (!bound)
    return std::nullopt;
  Scope local(&inst.scope);
  for (size_t i = 0; i < layer.apply->args.size(); ++i) {
    if ((*bound)[i].value.kind == Val::Kind::None) {
      error(at, "'" + inst.path + "' needs argument '" + layer.apply->args[i] + "'");
      return std::nullopt;
    }
    local.define(layer.apply->args[i], (*bound)[i].value, layer.apply->argLocs[i]);
  }
  ++depth_;
  callSites_.push_back(at);
  unsigned before = diags_.errorCount();
  std::optional<Val> result;
  if (elaborateStatements(layer.apply->body, local, inst.path + ".", nullptr) &&
      layer.apply->result)
    result = eval(layer.apply->result.get(), local);
  --depth_;
  callSites_.pop_back();
  if (diags_.errorCount() != before && layer.loc.file != preludeFile_ &&
      depth_ < kMaxContextNotes)
    diags_.note(at, "in a call of '" + inst.path + "' (layer '" + layer.name + "')");
  return result;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

mlir::OwningOpRef<mlir::ModuleOp> compileSource(mlir::MLIRContext &context, SourceManager &sources,
                                                DiagnosticEngine &diags, const std::string &name,
                                                const std::string &text,
                                                const FrontendOptions &options) {
  loadFrontendDialects(context);
  Elaborator elaborator(context, sources, diags, options);
  if (!elaborator.load(sources.add(name, text)))
    return nullptr;
  return elaborator.run();
}

mlir::OwningOpRef<mlir::ModuleOp> compileFile(mlir::MLIRContext &context, SourceManager &sources,
                                              DiagnosticEngine &diags, const std::string &path,
                                              const FrontendOptions &options) {
  std::string text, why;
  if (!readFile(path, text, why)) {
    diags.error({}, why);
    return nullptr;
  }
  return compileSource(context, sources, diags, path, text, options);
}

} // namespace dlc
