//===- BatchNorm.cpp - Batch normalization --------------------------------===//
//
// batchnorm(x, gamma, beta, running_mean, running_var, momentum = 0.1, eps = 1e-5), the builtin of
// no op family: it is written here in terms of the dialect's reductions and element-wise ops, so
// autodiff, the interpreter and the code generator need nothing of their own for it. In training
// mode it also stores the running statistics into the layer's buffers (PyTorch's momentum
// convention: new = (1 - momentum) * old + momentum * batch statistic, with the unbiased variance),
// and in inference mode it normalizes with those buffers.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

#include "mlir/IR/SymbolTable.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// The buffer symbol `v` was loaded from, or "" after reporting why it is not a buffer.
std::string bufferOf(Elaborator &E, Value v, SourceLoc at, const std::string &what) {
  auto load = v.getDefiningOp<dlo::LoadOp>();
  mlir::Operation *state =
      load ? mlir::SymbolTable::lookupNearestSymbolFrom(load, load.getNameAttr()) : nullptr;
  if (!state || !mlir::isa<dlo::BufferOp>(state)) {
    E.error(at, what + " must be a buffer of the model (declared with 'buffer'), which batchnorm "
                       "updates in training");
    return "";
  }
  return load.getName().str();
}

/// batchnorm(x, gamma, beta, running_mean, running_var, momentum = 0.1, eps = 1e-5): x is
/// [N, C, ...]; statistics are taken per channel (dimension 1) over every other dimension.
std::optional<Val> batchnorm(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'batchnorm'");
  std::optional<Value> gamma = E.requireTensor(c[1], c.locOf(1), "the scale of 'batchnorm'");
  std::optional<Value> beta = E.requireTensor(c[2], c.locOf(2), "the shift of 'batchnorm'");
  std::optional<Value> mean = E.requireTensor(c[3], c.locOf(3), "the running mean of 'batchnorm'");
  std::optional<Value> var = E.requireTensor(c[4], c.locOf(4), "the running variance of 'batchnorm'");
  std::optional<double> momentum = E.requireNumber(c[5], c.locOf(5), "'momentum'");
  std::optional<double> eps = E.requireNumber(c[6], c.locOf(6), "'eps'");
  if (!x || !gamma || !beta || !mean || !var || !momentum || !eps)
    return std::nullopt;
  shape::Shape in = shapeOf(x->getType());
  if (in.size() < 2) {
    E.error(c.locOf(0), "batchnorm needs an input [N, C, ...], not " + describeType(x->getType()));
    return std::nullopt;
  }
  if (!(*momentum >= 0 && *momentum <= 1) || !(*eps > 0)) {
    E.error(c.loc, "batchnorm needs 0 <= momentum <= 1 and eps > 0");
    return std::nullopt;
  }
  int64_t channels = in[1];
  shape::Shape perChannel{channels};
  for (auto [v, i] : {std::pair{*gamma, 1}, {*beta, 2}, {*mean, 3}, {*var, 4}})
    if (shapeOf(v.getType()) != perChannel) {
      E.error(c.locOf(i), "batchnorm of " + describeType(x->getType()) + " needs " +
                              shape::format(perChannel, "f32") + " per-channel values, not " +
                              describeType(v.getType()));
      return std::nullopt;
    }
  std::string meanBuffer = bufferOf(E, *mean, c.locOf(3), "the running mean");
  std::string varBuffer = meanBuffer.empty() ? "" : bufferOf(E, *var, c.locOf(4), "the running variance");
  if (varBuffer.empty())
    return std::nullopt;

  // Per-channel values as [C, 1, ...], which broadcast against [N, C, ...].
  shape::Shape column{channels};
  column.resize(in.size() - 1, 1);
  mlir::OpBuilder &b = E.builder();
  auto asColumn = [&](Value v) {
    return column == perChannel ? v : E.create<dlo::ReshapeOp>(c.loc, E.tensorType(column, E.f32()), v);
  };
  auto number = [](double v) { return Val::number(v); };
  auto arith = [&](const char *op, const Val &l, const Val &r) { return *E.binary(op, l, r, c.loc); };

  Val centered, inverseStd;
  if (E.mode() == Mode::Training) {
    // One value per channel has no variance: every output would be beta. PyTorch refuses it too
    // ("Expected more than 1 value per channel when training").
    int64_t perChannelCount = shape::numElements(in) / channels;
    if (perChannelCount <= 1) {
      E.error(c.loc, "batchnorm in training needs more than one value per channel, but " +
                         describeType(x->getType()) + " holds one per channel; train with a "
                         "batch larger than 1");
      return std::nullopt;
    }
    std::vector<int64_t> axes{0};
    for (size_t d = 2; d < in.size(); ++d)
      axes.push_back(static_cast<int64_t>(d));
    shape::Shape kept = in;
    for (int64_t a : axes)
      kept[a] = 1;
    auto meanOver = [&](Value v) {
      return E.create<dlo::MeanOp>(c.loc, E.tensorType(kept, E.f32()), v, b.getDenseI64ArrayAttr(axes),
                                   b.getBoolAttr(true));
    };
    Value batchMean = meanOver(*x);
    centered = arith("-", Val::ofTensor(*x), Val::ofTensor(batchMean));
    Value batchVar = meanOver(arith("*", centered, centered).tensor);
    inverseStd = Val::ofTensor(E.create<dlo::RsqrtOp>(
        c.loc, batchVar.getType(), arith("+", Val::ofTensor(batchVar), number(*eps)).tensor));

    // The running statistics, as PyTorch updates them (the variance unbiased).
    double unbias = double(perChannelCount) / double(perChannelCount - 1);
    auto flat = [&](Value v) {
      return E.create<dlo::ReshapeOp>(c.loc, E.tensorType(perChannel, E.f32()), v);
    };
    auto blend = [&](Value old, Value batch, double scale) {
      return arith("+", arith("*", Val::ofTensor(old), number(1 - *momentum)),
                   arith("*", Val::ofTensor(flat(batch)), number(*momentum * scale)))
          .tensor;
    };
    b.create<dlo::StoreOp>(E.loc(c.loc), blend(*mean, batchMean, 1.0),
                           mlir::FlatSymbolRefAttr::get(b.getStringAttr(meanBuffer)));
    b.create<dlo::StoreOp>(E.loc(c.loc), blend(*var, batchVar, unbias),
                           mlir::FlatSymbolRefAttr::get(b.getStringAttr(varBuffer)));
  } else {
    centered = arith("-", Val::ofTensor(*x), Val::ofTensor(asColumn(*mean)));
    Value shifted = arith("+", Val::ofTensor(asColumn(*var)), number(*eps)).tensor;
    inverseStd = Val::ofTensor(E.create<dlo::RsqrtOp>(c.loc, shifted.getType(), shifted));
  }
  Val normalized = arith("*", centered, inverseStd);
  return arith("+", arith("*", normalized, Val::ofTensor(asColumn(*gamma))),
               Val::ofTensor(asColumn(*beta)));
}

} // namespace

void registerBatchNormBuiltins(BuiltinTable &t) {
  t["batchnorm"] = {{req("x"), req("gamma"), req("beta"), req("running_mean"), req("running_var"),
                     opt("momentum", Val::number(0.1)), opt("eps", Val::number(1e-5))},
                    batchnorm};
}

} // namespace dlc
