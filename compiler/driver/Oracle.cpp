//===- Oracle.cpp - dlc check-grad and dlc interpret ----------------------===//
#include "compiler/driver/Oracle.h"

#include "dl/DLOps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <random>
#include <sstream>

namespace dlc {

using dl::interp::ElementKind;
using dl::interp::Interpreter;
using dl::interp::Tensor;

namespace {

/// How a function argument is read, for choosing sensible random values.
struct Usage {
  bool probability = false;  ///< A target of bce-like losses: values in (0, 1).
  int64_t classes = 0;       ///< Class ids or embedding ids: values in [0, classes).
};

Usage usageOf(mlir::BlockArgument arg) {
  Usage u;
  for (mlir::OpOperand &use : arg.getUses()) {
    mlir::Operation *op = use.getOwner();
    if (mlir::isa<mlir::dl::BceOp, mlir::dl::BceWithLogitsOp, mlir::dl::KlDivOp>(op) &&
        use.getOperandNumber() == 1)
      u.probability = true;
    auto scoresClasses = [&](mlir::Value scores) {
      return llvm::cast<mlir::RankedTensorType>(scores.getType()).getShape().back();
    };
    if (auto ce = mlir::dyn_cast<mlir::dl::CrossEntropyOp>(op))
      u.classes = scoresClasses(ce.getLogits());
    if (auto nll = mlir::dyn_cast<mlir::dl::NllOp>(op))
      u.classes = scoresClasses(nll.getLogProbs());
    if (auto hot = mlir::dyn_cast<mlir::dl::OneHotOp>(op))
      u.classes = hot.getClasses();
    // Embedding ids pick rows of the table.
    if (auto lookup = mlir::dyn_cast<mlir::dl::EmbeddingOp>(op)) {
      int64_t rows = llvm::cast<mlir::RankedTensorType>(lookup.getTable().getType()).getShape()[0];
      u.classes = u.classes > 0 ? std::min(u.classes, rows) : rows;
    }
    // A gather's index picks coordinates along the input's axis.
    if (auto g = mlir::dyn_cast<mlir::dl::GatherOp>(op); g && use.getOperandNumber() == 1) {
      auto input = llvm::cast<mlir::RankedTensorType>(g.getInput().getType());
      int64_t axis = static_cast<int64_t>(g.getAxis());
      axis += axis < 0 ? input.getRank() : 0;
      int64_t extent = input.getShape()[axis];
      u.classes = u.classes > 0 ? std::min(u.classes, extent) : extent;
    }
  }
  return u;
}

bool parseValues(const std::string &text, std::vector<double> &values) {
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char *end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0')
      return false;
    values.push_back(v);
  }
  return true;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The functions of each train step, in model order.
struct Step {
  mlir::dl::ModelOp model;
  mlir::dl::TrainOp train;
};

std::vector<Step> steps(mlir::ModuleOp module, const std::string &only) {
  std::vector<Step> out;
  module.walk([&](mlir::dl::TrainOp t) {
    if (only.empty() || t.getSymName() == only)
      out.push_back({t->getParentOfType<mlir::dl::ModelOp>(), t});
  });
  return out;
}

/// Draws the parameters and the inputs of `<step><suffix>`; false with `error` set on failure.
bool prepare(const Step &s, llvm::StringRef suffix, const OracleOptions &options,
             Interpreter &interp, std::vector<Tensor> &inputs, std::string &error) {
  auto function = mlir::dl::ModelOp(s.model).lookupSymbol<mlir::func::FuncOp>(
      (mlir::dl::TrainOp(s.train).getSymName() + suffix).str());
  return makeInputs(function, options, inputs, error) && interp.initialize(&error);
}

} // namespace

bool makeInputs(mlir::func::FuncOp function, const OracleOptions &options,
                std::vector<Tensor> &out, std::string &error) {
  std::mt19937_64 rng(options.seed);
  out.clear();
  for (mlir::BlockArgument arg : function.getArguments()) {
    auto type = llvm::cast<mlir::RankedTensorType>(arg.getType());
    Tensor t = Tensor::fromType(type);
    std::string name;
    if (auto attr = function.getArgAttrOfType<mlir::StringAttr>(arg.getArgNumber(), "dl.input"))
      name = attr.getValue().str();
    auto given = options.inputs.find(name);
    if (given != options.inputs.end()) {
      std::vector<double> values;
      if (!parseValues(given->second, values)) {
        error = "--input " + name + ": expected comma-separated numbers";
        return false;
      }
      if ((int64_t)values.size() != t.numElements()) {
        error = "--input " + name + ": " + std::to_string(values.size()) + " values for " +
                t.typeString() + ", which holds " + std::to_string(t.numElements());
        return false;
      }
      t.data = values;
    } else {
      Usage u = usageOf(arg);
      for (double &v : t.data) {
        if (t.kind == ElementKind::I32)
          v = double(rng() % uint64_t(u.classes > 0 ? u.classes : 10));
        else if (t.kind == ElementKind::I1)
          v = double(rng() % 2);
        else if (u.probability)
          v = std::uniform_real_distribution<double>(0.05, 0.95)(rng);
        else
          v = std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
      }
    }
    out.push_back(std::move(t));
  }
  for (const auto &[name, text] : options.inputs) {
    bool found = false;
    for (unsigned i = 0; i < function.getNumArguments(); ++i)
      if (auto attr = function.getArgAttrOfType<mlir::StringAttr>(i, "dl.input"))
        found |= attr.getValue() == name;
    if (!found) {
      error = "--input " + name + ": the model has no input '" + name + "'";
      return false;
    }
  }
  return true;
}

int checkGradients(mlir::ModuleOp module, const OracleOptions &options, std::ostream &out,
                   std::ostream &err) {
  std::vector<Step> found = steps(module, options.step);
  if (found.empty()) {
    err << "dlc check-grad: error: no train block" << (options.step.empty() ? "" : " '" + options.step + "'")
        << " to check\n";
    return 1;
  }
  bool ok = true;
  for (Step s : found) {
    std::string name = s.train.getSymName().str();
    std::vector<Tensor> inputs;
    std::string error;
    Interpreter interp(s.model, options.seed);
    interp.step = 1;  // Fixed, so every evaluation draws the same dropout masks and noise.
    if (!prepare(s, ".grad", options, interp, inputs, error)) {
      err << "dlc check-grad: error: " << error << "\n";
      return 1;
    }
    auto analytic = interp.call(name + ".grad", inputs, error);
    if (mlir::failed(analytic)) {
      err << "dlc check-grad: error: " << error << "\n";
      return 1;
    }
    out << s.model.getSymName().str() << "." << name << ": loss " << std::setprecision(6)
        << (*analytic)[0].data[0] << "\n";
    std::mt19937_64 pick(options.seed + 1);
    size_t index = 1;
    // The smallest gradient magnitude errors are measured against: 1e-3, or 1e-4 of the loss when
    // the loss is larger than 10. Central differences carry rounding error in proportion to the
    // loss's magnitude (about |L| * 1e-16 / h, times what its own sums accumulate), so a fixed
    // floor would make the check depend on the loss's units: a VAE's ELBO summed over 784 pixels
    // (about 900) failed where the same model with the mean (about 9) passed at 2.5e-6.
    double floor = std::max(1e-3, 1e-4 * std::fabs((*analytic)[0].data[0]));
    for (mlir::Attribute a : s.train.getParams()) {
      std::string param = llvm::cast<mlir::FlatSymbolRefAttr>(a).getValue().str();
      const Tensor &grad = (*analytic)[index++];
      Tensor *value = interp.state(param);
      int64_t n = value->numElements();
      std::vector<int64_t> elements(n);
      for (int64_t i = 0; i < n; ++i)
        elements[i] = i;
      if (n > options.maxElements) {
        std::shuffle(elements.begin(), elements.end(), pick);
        elements.resize(options.maxElements);
      }
      double worst = 0;
      for (int64_t i : elements) {
        double original = value->data[i];
        double h = 1e-6 * std::max(1.0, std::fabs(original));
        auto lossAt = [&](double v) -> std::optional<double> {
          interp.state(param)->data[i] = v;
          auto r = interp.call(name + ".loss", inputs, error);
          if (mlir::failed(r))
            return std::nullopt;
          return (*r)[0].data[0];
        };
        std::optional<double> up = lossAt(original + h), down = lossAt(original - h);
        interp.state(param)->data[i] = original;
        value = interp.state(param);
        if (!up || !down) {
          err << "dlc check-grad: error: " << error << "\n";
          return 1;
        }
        double numeric = (*up - *down) / (2 * h);
        double a = grad.data[i];
        double scale = std::max({std::fabs(a), std::fabs(numeric), floor});
        worst = std::max(worst, std::fabs(a - numeric) / scale);
      }
      bool pass = worst <= options.tolerance && std::isfinite(worst);
      ok &= pass;
      char line[256];
      std::snprintf(line, sizeof line, "  %-28s %-14s %4lld/%-4lld checked  max rel error %.2e  %s\n",
                    param.c_str(), formatShape(value->shape).c_str(), (long long)elements.size(),
                    (long long)n, worst, pass ? "ok" : "FAILED");
      out << line;
    }
  }
  out << (ok ? "gradients match finite differences" : "gradients do NOT match finite differences")
      << " (tolerance " << options.tolerance << ")\n";
  return ok ? 0 : 1;
}

int interpret(mlir::ModuleOp module, const OracleOptions &options, std::ostream &out,
              std::ostream &err) {
  std::vector<Step> found = steps(module, options.step);
  if (found.empty()) {
    err << "dlc interpret: error: no train block to run\n";
    return 1;
  }
  Step s = found.front();
  std::string name = s.train.getSymName().str();
  std::vector<Tensor> inputs;
  std::string error;
  Interpreter interp(s.model, options.seed);
  if (!prepare(s, ".update", options, interp, inputs, error)) {
    err << "dlc interpret: error: " << error << "\n";
    return 1;
  }
  double loss = 0;
  for (int64_t k = 0; k < options.steps; ++k) {
    interp.step = k;
    auto r = interp.call(name + ".update", inputs, error);
    if (mlir::failed(r)) {
      err << "dlc interpret: error: " << error << "\n";
      return 1;
    }
    loss = (*r)[0].data[0];
    if (!std::isfinite(loss)) {
      err << "dlc interpret: error: the loss is " << loss << " at step " << k << "\n";
      return 1;
    }
    if ((k + 1) % options.printEvery == 0 || k + 1 == options.steps)
      out << "step " << k + 1 << "  loss " << std::setprecision(6) << loss << "\n";
  }
  return 0;
}

} // namespace dlc
