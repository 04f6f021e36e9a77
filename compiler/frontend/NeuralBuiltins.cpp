//===- NeuralBuiltins.cpp - Convolution, pooling, batch norm, embeddings --===//
//
// The builtins of the CNN family: conv2d, maxpool2d and avgpool2d map onto their dl ops (stride,
// padding, dilation and kernel size given as one integer or as [height, width]); so does the
// sequence models' embedding lookup. `batchnorm` is written here in terms of the dialect's
// reductions and element-wise ops, so autodiff, the interpreter and the code generator need nothing
// of their own for it; in training mode it also stores the running statistics into the layer's
// buffers (PyTorch's momentum convention: new = (1 - momentum) * old + momentum * batch statistic,
// with the unbiased variance), and in inference mode it normalizes with those buffers.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/ElaboratorImpl.h"

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

/// A spatial argument (stride, padding, dilation, kernel size): an integer for both dimensions or a
/// list [height, width]; `minimum` is its smallest allowed value.
std::optional<std::vector<int64_t>> spatial(Elaborator &E, const BuiltinCall &c, size_t i,
                                            const std::string &what, int64_t minimum) {
  std::optional<std::vector<int64_t>> v = E.requireInts(c[i], c.locOf(i), "'" + what + "'");
  if (!v)
    return std::nullopt;
  if (v->size() == 1)
    v->push_back(v->front());
  if (v->size() != 2) {
    E.error(c.locOf(i), "'" + what + "' must be an integer or a list [height, width], not " +
                            c[i].describe());
    return std::nullopt;
  }
  for (int64_t d : *v)
    if (d < minimum || d > (int64_t(1) << 30)) {
      E.error(c.locOf(i), "'" + what + "' must be at least " + std::to_string(minimum) +
                              ", not " + std::to_string(d));
      return std::nullopt;
    }
  return v;
}

/// conv2d(x, W, stride = 1, padding = 0, dilation = 1): x [N, C, H, W], W [O, C, KH, KW].
std::optional<Val> conv2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of 'conv2d'");
  std::optional<Value> w = E.requireTensor(c[1], c.locOf(1), "the weight of 'conv2d'");
  std::optional<std::vector<int64_t>> stride = spatial(E, c, 2, "stride", 1);
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 3, "padding", 0);
  std::optional<std::vector<int64_t>> dilation = spatial(E, c, 4, "dilation", 1);
  if (!x || !w || !stride || !padding || !dilation)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::conv2d(shapeOf(x->getType()), shapeOf(w->getType()), *stride, *padding, *dilation,
                     out, why)) {
    E.error(c.loc, "conv2d of " + describeType(x->getType()) + " with weight " +
                       describeType(w->getType()) + ": " + why);
    return std::nullopt;
  }
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<dlo::Conv2dOp>(c.loc, E.tensorType(out, E.f32()), *x, *w,
                                               b.getDenseI64ArrayAttr(*stride),
                                               b.getDenseI64ArrayAttr(*padding),
                                               b.getDenseI64ArrayAttr(*dilation)));
}

/// maxpool2d / avgpool2d(x, k, stride = k, padding = 0): x [N, C, H, W].
template <typename OpTy> std::optional<Val> pool2d(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the input of '" + c.name + "'");
  std::optional<std::vector<int64_t>> kernel = spatial(E, c, 1, "kernel size", 1);
  std::optional<std::vector<int64_t>> stride =
      c.has(2) ? spatial(E, c, 2, "stride", 1) : kernel;
  std::optional<std::vector<int64_t>> padding = spatial(E, c, 3, "padding", 0);
  if (!x || !kernel || !stride || !padding)
    return std::nullopt;
  shape::Shape out;
  std::string why;
  if (!shape::pool2d(shapeOf(x->getType()), *kernel, *stride, *padding, out, why)) {
    E.error(c.loc, c.name + " of " + describeType(x->getType()) + ": " + why);
    return std::nullopt;
  }
  mlir::OpBuilder &b = E.builder();
  return Val::ofTensor(E.create<OpTy>(c.loc, E.tensorType(out, E.f32()), *x,
                                      b.getDenseI64ArrayAttr(*kernel),
                                      b.getDenseI64ArrayAttr(*stride),
                                      b.getDenseI64ArrayAttr(*padding)));
}

/// embedding(ids, table): i32 ids of any shape S pick rows of an f32 table [V, D], giving
/// [S..., D]. A wrong element type or rank is reported at the call with both types.
std::optional<Val> embedding(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> ids = E.requireTensor(c[0], c.locOf(0), "the ids of 'embedding'", false);
  std::optional<Value> table =
      E.requireTensor(c[1], c.locOf(1), "the table of 'embedding'", false);
  if (!ids || !table)
    return std::nullopt;
  std::string of = "embedding of ids " + describeType(ids->getType()) + " and table " +
                   describeType(table->getType()) + ": ";
  auto element = [](Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getElementType();
  };
  if (!element(*ids).isInteger(32)) {
    E.error(c.loc, of + "the ids must be i32; convert them with i32(...)");
    return std::nullopt;
  }
  if (element(*table) != E.f32()) {
    E.error(c.loc, of + "the table must be f32");
    return std::nullopt;
  }
  shape::Shape out;
  std::string why;
  if (!shape::embedding(shapeOf(ids->getType()), shapeOf(table->getType()), out, why)) {
    E.error(c.loc, of + why);
    return std::nullopt;
  }
  return Val::ofTensor(
      E.create<dlo::EmbeddingOp>(c.loc, E.tensorType(out, E.f32()), *ids, *table));
}

} // namespace

void addNeuralBuiltins(std::map<std::string, Builtin> &t) {
  t["batchnorm"] = {{requiredParam("x"), requiredParam("gamma"), requiredParam("beta"),
                     requiredParam("running_mean"), requiredParam("running_var"),
                     optionalParam("momentum", Val::number(0.1)),
                     optionalParam("eps", Val::number(1e-5))},
                    batchnorm};
  Val one = Val::integer(1), zero = Val::integer(0);
  t["conv2d"] = {{requiredParam("x"), requiredParam("W"), optionalParam("stride", one),
                  optionalParam("padding", zero), optionalParam("dilation", one)},
                 conv2d};
  t["maxpool2d"] = {{requiredParam("x"), requiredParam("k"), optionalParam("stride"),
                     optionalParam("padding", zero)},
                    pool2d<dlo::MaxPool2dOp>};
  t["avgpool2d"] = {{requiredParam("x"), requiredParam("k"), optionalParam("stride"),
                     optionalParam("padding", zero)},
                    pool2d<dlo::AvgPool2dOp>};
  t["embedding"] = {{requiredParam("ids"), requiredParam("table")}, embedding};
}

} // namespace dlc
