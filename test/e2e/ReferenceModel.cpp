//===- ReferenceModel.cpp - A .dl model run by the reference interpreter --===//
#include "ReferenceModel.h"

#include "compiler/driver/Oracle.h"
#include "compiler/frontend/Diagnostics.h"
#include "compiler/frontend/Elaborator.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Pass/PassManager.h"

#include <sstream>

namespace dl::e2e {

using interp::ElementKind;
using interp::Tensor;

std::unique_ptr<ReferenceModel> ReferenceModel::load(const std::string &path,
                                                     const std::vector<std::string> &defines,
                                                     const std::string &modelName, uint64_t seed,
                                                     std::string &error) {
  std::unique_ptr<ReferenceModel> ref(new ReferenceModel());
  ref->context_ = std::make_unique<mlir::MLIRContext>();
  mlir::MLIRContext &context = *ref->context_;
  dlc::loadFrontendDialects(context);
  std::ostringstream messages;
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
    messages << d.str() << "\n";
    return mlir::success();
  });

  dlc::FrontendOptions options;
  for (const std::string &define : defines) {
    size_t eq = define.find('=');
    options.defines.emplace_back(define.substr(0, eq),
                                 eq == std::string::npos ? "" : define.substr(eq + 1));
  }
  dlc::SourceManager sources;
  dlc::DiagnosticEngine diags(sources, messages);
  ref->module_ = dlc::compileFile(context, sources, diags, path, options);
  if (!ref->module_) {
    error = "the frontend rejected " + path + ":\n" + messages.str();
    return nullptr;
  }
  mlir::PassManager pm(&context);
  pm.addPass(mlir::dl::createAutodiff());
  pm.addPass(mlir::dl::createExpandOptimizers());
  if (mlir::failed(pm.run(*ref->module_))) {
    error = "dl-autodiff or dl-expand-optimizers failed on " + path + ":\n" + messages.str();
    return nullptr;
  }
  ref->module_->walk([&](mlir::dl::ModelOp model) {
    if (model.getSymName() == modelName)
      ref->model_ = model;
  });
  if (!ref->model_) {
    error = path + " has no model '" + modelName + "'";
    return nullptr;
  }
  ref->interpreter_ = std::make_unique<interp::Interpreter>(ref->model_, seed);
  if (!ref->interpreter_->initialize(&error))
    return nullptr;
  return ref;
}

mlir::func::FuncOp ReferenceModel::function(const std::string &entry, bool train) const {
  return mlir::dl::ModelOp(model_).lookupSymbol<mlir::func::FuncOp>(train ? entry + ".update"
                                                                          : entry);
}

/// The dl.input name of each argument of `function`.
static std::vector<std::string> inputNames(mlir::func::FuncOp function) {
  std::vector<std::string> names;
  for (unsigned i = 0; i < function.getNumArguments(); ++i) {
    auto attr = function.getArgAttrOfType<mlir::StringAttr>(i, "dl.input");
    names.push_back(attr ? attr.getValue().str() : "");
  }
  return names;
}

bool ReferenceModel::drawInputs(uint64_t seed, std::map<std::string, Tensor> &inputs,
                                std::string &error) const {
  // eval reads every input, so the oracle's rules for targets and labels see every use; forward
  // and the train steps are looked at too, for models without losses.
  inputs.clear();
  dlc::OracleOptions options;
  options.seed = seed;
  std::vector<mlir::func::FuncOp> functions;
  mlir::dl::ModelOp(model_).walk([&](mlir::func::FuncOp f) {
    if (f.getSymName() == "eval")
      functions.insert(functions.begin(), f);
    else
      functions.push_back(f);
  });
  for (mlir::func::FuncOp f : functions) {
    std::vector<Tensor> drawn;
    if (!dlc::makeInputs(f, options, drawn, error))
      return false;
    std::vector<std::string> names = inputNames(f);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].empty() || inputs.count(names[i]))
        continue;
      Tensor t = std::move(drawn[i]);
      if (t.kind == ElementKind::F32)
        for (double &v : t.data)
          v = static_cast<double>(static_cast<float>(v));
      inputs.emplace(names[i], std::move(t));
    }
  }
  return true;
}

mlir::FailureOr<std::vector<Tensor>>
ReferenceModel::call(const std::string &entry, bool train,
                     const std::map<std::string, Tensor> &inputs, std::string &error) {
  mlir::func::FuncOp f = function(entry, train);
  if (!f) {
    error = "the interpreter's module has no function for entry '" + entry + "'";
    return mlir::failure();
  }
  std::vector<Tensor> args;
  for (const std::string &name : inputNames(f)) {
    auto it = inputs.find(name);
    if (it == inputs.end()) {
      error = "no value drawn for input '" + name + "' of " + f.getSymName().str();
      return mlir::failure();
    }
    args.push_back(it->second);
  }
  return interpreter_->call(f.getSymName(), args, error);
}

} // namespace dl::e2e
