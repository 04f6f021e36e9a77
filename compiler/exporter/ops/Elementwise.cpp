//===- Elementwise.cpp - Exporting dl's elementwise ops -------------------===//
//
// Pointwise ops one to one where ONNX has the op (opset 17), else as a few nodes: rsqrt as
// Reciprocal(Sqrt), gelu (exact, erf-based) as x * 0.5 * (1 + Erf(x / sqrt 2)), step as a Cast
// of Greater, silu as x * Sigmoid(x), mish as x * Tanh(Softplus(x)) (ONNX's Mish is opset 18),
// fmod as Mod(fmod = 1), and mod of floats (ONNX's Mod takes fmod = 0 for integers only) as
// that fmod plus the divisor where its sign differs from the divisor's, as dlc and PyTorch
// compute it. Broadcasting is NumPy's on both sides.
//
//===----------------------------------------------------------------------===//
#include "compiler/exporter/GraphBuilder.h"

#include "dl/DLOps.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

namespace dlc::exporter {

using mlir::LogicalResult;
using mlir::Operation;
using mlir::success;

namespace {

std::vector<std::string> operands(Operation *op, GraphBuilder &g) {
  std::vector<std::string> out;
  for (mlir::Value v : op->getOperands())
    out.push_back(g.name(v));
  return out;
}

/// An op that is one ONNX node of `onnxType` with the same operands.
OpExporter same(std::string onnxType) {
  return [onnxType](Operation *op, GraphBuilder &g) -> LogicalResult {
    g.node1(onnxType, operands(op, g), {}, op->getResult(0));
    return success();
  };
}

double f64(Operation *op, const char *name) {
  return llvm::cast<mlir::FloatAttr>(op->getAttr(name)).getValueAsDouble();
}

/// An op with an `alpha` attribute that ONNX's op of `onnxType` also calls alpha.
OpExporter withAlpha(std::string onnxType) {
  return [onnxType](Operation *op, GraphBuilder &g) -> LogicalResult {
    g.node1(onnxType, operands(op, g), {Attr::real("alpha", f64(op, "alpha"))}, op->getResult(0));
    return success();
  };
}

LogicalResult rsqrt(Operation *op, GraphBuilder &g) {
  std::string root = g.node1("Sqrt", operands(op, g));
  g.node1("Reciprocal", {root}, {}, op->getResult(0));
  return success();
}

LogicalResult gelu(Operation *op, GraphBuilder &g) {
  std::string x = g.name(op->getOperand(0));
  std::string scaled = g.node1("Mul", {x, g.scalar(M_SQRT1_2)});
  std::string erf = g.node1("Erf", {scaled});
  std::string onePlus = g.node1("Add", {erf, g.scalar(1.0)});
  std::string half = g.node1("Mul", {x, g.scalar(0.5)});
  g.node1("Mul", {half, onePlus}, {}, op->getResult(0));
  return success();
}

LogicalResult step(Operation *op, GraphBuilder &g) {
  std::string positive = g.node1("Greater", {g.name(op->getOperand(0)), g.scalar(0.0)});
  g.node1("Cast", {positive}, {Attr::integer("to", onnx::TensorProto::FLOAT)}, op->getResult(0));
  return success();
}

LogicalResult silu(Operation *op, GraphBuilder &g) {
  std::string x = g.name(op->getOperand(0));
  g.node1("Mul", {x, g.node1("Sigmoid", {x})}, {}, op->getResult(0));
  return success();
}

LogicalResult mish(Operation *op, GraphBuilder &g) {
  std::string x = g.name(op->getOperand(0));
  g.node1("Mul", {x, g.node1("Tanh", {g.node1("Softplus", {x})})}, {}, op->getResult(0));
  return success();
}

LogicalResult fmod(Operation *op, GraphBuilder &g) {
  g.node1("Mod", operands(op, g), {Attr::integer("fmod", 1)}, op->getResult(0));
  return success();
}

LogicalResult mod(Operation *op, GraphBuilder &g) {
  std::vector<std::string> in = operands(op, g);
  mlir::Type element = llvm::cast<mlir::ShapedType>(op->getResult(0).getType()).getElementType();
  if (!llvm::isa<mlir::FloatType>(element)) {
    g.node1("Mod", in, {Attr::integer("fmod", 0)}, op->getResult(0));
    return success();
  }
  std::string r = g.node1("Mod", in, {Attr::integer("fmod", 1)});
  std::string zero = g.scalar(0.0);
  std::string nonzero = g.node1("Not", {g.node1("Equal", {r, zero})});
  std::string signs = g.node1("Xor", {g.node1("Less", {r, zero}), g.node1("Less", {in[1], zero})});
  std::string shift = g.node1("And", {nonzero, signs});
  g.node1("Where", {shift, g.node1("Add", {r, in[1]}), r}, {}, op->getResult(0));
  return success();
}

LogicalResult clamp(Operation *op, GraphBuilder &g) {
  g.node1("Clip", {g.name(op->getOperand(0)), g.scalar(f64(op, "min")), g.scalar(f64(op, "max"))}, {},
          op->getResult(0));
  return success();
}

LogicalResult softmaxLike(Operation *op, GraphBuilder &g) {
  int64_t axis = llvm::cast<mlir::IntegerAttr>(op->getAttr("axis")).getInt();
  g.node1(op->getName().getStringRef() == "dl.softmax" ? "Softmax" : "LogSoftmax", operands(op, g),
          {Attr::integer("axis", axis)}, op->getResult(0));
  return success();
}

LogicalResult cmp(Operation *op, GraphBuilder &g) {
  std::vector<std::string> in = operands(op, g);
  mlir::Value result = op->getResult(0);
  switch (llvm::cast<mlir::dl::CmpOp>(op).getPredicate()) {
  case mlir::dl::CmpPredicate::eq:
    g.node1("Equal", in, {}, result);
    break;
  case mlir::dl::CmpPredicate::ne:
    g.node1("Not", {g.node1("Equal", in)}, {}, result);
    break;
  case mlir::dl::CmpPredicate::lt:
    g.node1("Less", in, {}, result);
    break;
  case mlir::dl::CmpPredicate::le:
    g.node1("LessOrEqual", in, {}, result);
    break;
  case mlir::dl::CmpPredicate::gt:
    g.node1("Greater", in, {}, result);
    break;
  case mlir::dl::CmpPredicate::ge:
    g.node1("GreaterOrEqual", in, {}, result);
    break;
  }
  return success();
}

LogicalResult cast(Operation *op, GraphBuilder &g) {
  mlir::Type to = llvm::cast<mlir::ShapedType>(op->getResult(0).getType()).getElementType();
  g.node1("Cast", operands(op, g), {Attr::integer("to", onnxElementType(to))}, op->getResult(0));
  return success();
}

} // namespace

void addElementwiseExporters(llvm::StringMap<OpExporter> &table) {
  const std::pair<const char *, const char *> oneToOne[] = {
      {"dl.add", "Add"},       {"dl.sub", "Sub"},         {"dl.mul", "Mul"},       {"dl.div", "Div"},
      {"dl.pow", "Pow"},       {"dl.maximum", "Max"},     {"dl.minimum", "Min"},   {"dl.prelu", "PRelu"},
      {"dl.select", "Where"},  {"dl.neg", "Neg"},         {"dl.abs", "Abs"},       {"dl.exp", "Exp"},
      {"dl.log", "Log"},       {"dl.sqrt", "Sqrt"},       {"dl.sigmoid", "Sigmoid"}, {"dl.tanh", "Tanh"},
      {"dl.relu", "Relu"},     {"dl.softplus", "Softplus"}, {"dl.erf", "Erf"},     {"dl.cos", "Cos"},
      {"dl.sin", "Sin"},       {"dl.floor", "Floor"},     {"dl.ceil", "Ceil"},     {"dl.round", "Round"},
      {"dl.hardswish", "HardSwish"}, {"dl.logical_not", "Not"}, {"dl.logical_and", "And"},
      {"dl.logical_or", "Or"}, {"dl.logical_xor", "Xor"}};
  for (const auto &[dl, onnxType] : oneToOne)
    table[dl] = same(onnxType);
  table["dl.leaky_relu"] = withAlpha("LeakyRelu");
  table["dl.elu"] = withAlpha("Elu");
  table["dl.rsqrt"] = rsqrt;
  table["dl.silu"] = silu;
  table["dl.mish"] = mish;
  table["dl.mod"] = mod;
  table["dl.fmod"] = fmod;
  table["dl.gelu"] = gelu;
  table["dl.step"] = step;
  table["dl.clamp"] = clamp;
  table["dl.softmax"] = softmaxLike;
  table["dl.log_softmax"] = softmaxLike;
  table["dl.cmp"] = cmp;
  table["dl.cast"] = cast;
}

} // namespace dlc::exporter
