//===- Linalg.cpp - Gemm and MatMul ---------------------------------------===//
//
// A Gemm or a MatMul by an initializer, with its bias (Gemm's C, or the Add after a MatMul) and
// the activation after it (Relu, Sigmoid, Tanh), becomes a `Dense` layer: W is stored [in, out]
// (Gemm's transB=1 weight transposed), b is the bias or zeros. Any other Gemm or MatMul is the
// operator `@` with transposes, scales and the bias written out.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"
#include "compiler/importer/translators/Fold.h"

namespace dlc::importer {

namespace {

/// The activation node reading `value` alone, as Dense's `act`, or "".
std::string activationAfter(Context &c, const std::string &value, const onnx::NodeProto *&node) {
  node = c.soleConsumerOf(value);
  if (!node || node->attribute_size() != 0 || !node->domain().empty())
    return "";
  if (node->op_type() == "Relu")
    return "relu";
  if (node->op_type() == "Sigmoid")
    return "sigmoid";
  if (node->op_type() == "Tanh")
    return "tanh";
  return "";
}

/// The bias vector of size n in `t` ([n] or [1, n]), or nullopt.
std::optional<Tensor> biasOf(const Tensor &t, int64_t n) {
  if (t.dtype != DType::F32 || t.size() != n)
    return std::nullopt;
  if (!(t.shape == Shape{n} || t.shape == Shape{1, n}))
    return std::nullopt;
  return makeTensor(DType::F32, {n}, t.values);
}

/// Declares the Dense layer and defines `outValue` (the last absorbed node's output or this
/// node's output 0) as its application to input 0.
void emitDense(Context &c, Tensor W, Tensor b, const onnx::NodeProto *biasNode, Shape outShape) {
  int64_t in = W.shape[0], out = W.shape[1];
  std::string last = biasNode ? biasNode->output(0) : c.node().output(0);
  const onnx::NodeProto *actNode = nullptr;
  std::string act = activationAfter(c, last, actNode);
  std::string call = "Dense(" + std::to_string(in) + ", " + std::to_string(out) +
                     (act.empty() ? "" : ", act = " + act) + ")";
  std::string inst = c.program().addLayer(c.layerHint(1), call, {{"W", std::move(W)}, {"b", std::move(b)}});
  std::string expr = inst + "(" + c.operand(0) + ")";
  if (!act.empty()) {
    if (biasNode)
      c.markAbsorbed(*biasNode);
    c.absorb(*actNode, expr, DType::F32, outShape);
  } else if (biasNode) {
    c.absorb(*biasNode, expr, DType::F32, outShape);
  } else {
    c.define(0, expr, DType::F32, outShape);
  }
}

void gemm(Context &c) {
  int64_t transA = c.intAttr("transA", 0), transB = c.intAttr("transB", 0);
  double alpha = c.floatAttr("alpha", 1.0), beta = c.floatAttr("beta", 1.0);
  c.requireFloat(0, "A");
  const Value &a = c.input(0), &b = c.input(1);
  if (a.rank() != 2 || b.rank() != 2)
    c.fail("A and B must be matrices, not " + formatShape(a.shape) + " and " + formatShape(b.shape));
  int64_t m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1];
  int64_t kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1];
  if (k != kb)
    c.fail("the shapes " + formatShape(a.shape) + " and " + formatShape(b.shape) + " do not multiply" +
           " (transA " + std::to_string(transA) + ", transB " + std::to_string(transB) + ")");
  Shape out{m, n};
  std::optional<Tensor> bias;
  if (c.isKnown(2))
    bias = biasOf(*c.input(2).known, n);
  bool dense = !a.known && b.known && !b.origin.empty() && !transA && alpha == 1.0 &&
               (!c.has(2) || (bias && beta == 1.0 && !c.input(2).origin.empty()));
  if (dense) {
    Tensor W = transB ? foldTranspose(*b.known, {1, 0}) : *b.known;
    Tensor bv = bias ? *bias : makeTensor(DType::F32, {n}, std::vector<double>(n, 0.0));
    emitDense(c, std::move(W), std::move(bv), nullptr, out);
    return;
  }
  std::string ea = c.operand(0), eb = c.operand(1);
  std::string expr = (transA ? "transpose(" + ea + ")" : ea) + " @ " + (transB ? "transpose(" + eb + ")" : eb);
  if (alpha != 1.0)
    expr = formatFloat(alpha) + " * (" + expr + ")";
  if (c.has(2)) {
    broadcastShapes(c, out, c.input(2).shape);
    std::string ec = c.operand(2, 2);
    expr += " + " + (beta == 1.0 ? ec : formatFloat(beta) + " * " + ec);
  }
  c.define(0, expr, DType::F32, out);
}

void matmul(Context &c) {
  c.requireFloat(0, "A");
  const Value &a = c.input(0), &b = c.input(1);
  if (a.rank() < 2 || b.rank() < 2)
    c.fail("an operand of rank 1 (" + formatShape(a.shape) + " @ " + formatShape(b.shape) +
           ") is not supported: dlc's @ takes matrices and batches of them");
  int64_t k = a.shape.back(), kb = b.shape[b.rank() - 2];
  if (k != kb)
    c.fail("the shapes " + formatShape(a.shape) + " and " + formatShape(b.shape) + " do not multiply");
  Shape batch = broadcastShapes(c, Shape(a.shape.begin(), a.shape.end() - 2), Shape(b.shape.begin(), b.shape.end() - 2));
  Shape out = batch;
  out.push_back(a.shape[a.rank() - 2]);
  out.push_back(b.shape.back());
  if (!a.known && b.known && !b.origin.empty() && b.rank() == 2) {
    int64_t n = b.shape[1];
    // MatMul + Add(bias) is a Dense layer; the Add may name the bias first or second.
    const onnx::NodeProto *add = c.soleConsumer(0);
    if (add && add->op_type() == "Add" && add->domain().empty() && add->input_size() == 2) {
      std::string other = add->input(0) == c.node().output(0) ? add->input(1) : add->input(0);
      const Value *bv = c.valueNamed(other);
      std::optional<Tensor> bias;
      if (bv && bv->known && !bv->origin.empty() && bv->rank() <= static_cast<int64_t>(out.size()))
        bias = biasOf(*bv->known, n);
      if (bias && (bv->shape == Shape{n})) {
        emitDense(c, *b.known, *bias, add, out);
        return;
      }
    }
  }
  c.define(0, c.operand(0) + " @ " + c.operand(1), DType::F32, out);
}

} // namespace

void registerLinalgTranslators(TranslatorTable &t) {
  t["Gemm"] = gemm;
  t["MatMul"] = matmul;
}

} // namespace dlc::importer
