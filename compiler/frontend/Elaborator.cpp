//===- Elaborator.cpp - The elaborator's entry points and locations -------===//
//
// compileFile and compileSource, which load a program and emit it; Elaborator::run, which emits
// every model and verifies the result; and how the elaborator reports errors and locates ops,
// moving both from inside a built-in (prelude) layer to the user's call. The rest is by job:
// Loading.cpp (files, imports, globals), Models.cpp (a model's functions), Statements.cpp,
// Layers.cpp, Expressions.cpp and its family files, Scan.cpp, Initializers.cpp, Training.cpp (train
// blocks), and builtins/ (the builtin functions, one file per op family).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

#include "mlir/IR/Verifier.h"

namespace dlc {

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
