//===- Recurrent.cpp - LSTM, GRU and RNN ----------------------------------===//
//
// A forward, single-layer ONNX LSTM, GRU or RNN whose weights are initializers becomes the prelude
// layer of that name, with ONNX's gate order converted to PyTorch's (the prelude's): LSTM's i, o,
// f, c blocks become i, f, c, o; GRU's z, r, h become r, z, n. The layers run batch-first and
// start from zero states, so X is transposed to [B, T, I] (layout 0), and the outputs are made
// from the layer's every-step hidden states: Y as [T, 1, B, H] (or [B, T, 1, H]) and Y_h as the
// last step. The rest is an error naming the attribute or input: other directions, activations,
// clip, peepholes, input_forget, GRU's linear_before_reset = 0 (the prelude GRU resets after the
// hidden projection, as PyTorch does), sequence lengths shorter than T, nonzero initial states,
// and LSTM's Y_c output.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"

namespace dlc::importer {

namespace {

struct Kind {
  const char *layer;
  int gates;
  std::vector<int> order;                 ///< PyTorch's block k is ONNX's block order[k].
  std::vector<std::string> activations;   ///< ONNX's defaults.
};

/// `t` ([1, gates * hidden, cols] or [1, 2 * gates * hidden] halves) as PyTorch's [gates * hidden,
/// cols] with blocks reordered; `offset` skips that many values first (the bias's second half).
Tensor reorder(const Tensor &t, const Kind &kind, int64_t hidden, int64_t cols, int64_t offset) {
  std::vector<double> out;
  out.reserve(kind.gates * hidden * cols);
  for (int block : kind.order)
    out.insert(out.end(), t.values.begin() + offset + block * hidden * cols,
               t.values.begin() + offset + (block + 1) * hidden * cols);
  return makeTensor(DType::F32, cols == 1 ? Shape{kind.gates * hidden} : Shape{kind.gates * hidden, cols},
                    std::move(out));
}

void requireZeroState(Context &c, int i, const char *what) {
  if (!c.has(i))
    return;
  if (!c.isKnown(i))
    c.fail(std::string(what) + " (input " + std::to_string(i) + ") is computed; dlc's recurrent layers "
           "start from zero states");
  for (double v : c.input(i).known->values)
    if (v != 0)
      c.fail(std::string(what) + " (input " + std::to_string(i) + ") is not zero; dlc's recurrent layers "
             "start from zero states");
}

/// With ONNX's layout 0, the Transpose node after Y's only reader, a Squeeze of axis 1, when it
/// permutes [1, 0, 2]: what PyTorch exports for batch_first = True. Else null.
const onnx::NodeProto *batchFirstConsumer(Context &c, int64_t layout) {
  const onnx::NodeProto *squeeze = c.soleConsumer(0);
  if (layout != 0 || !squeeze || squeeze->op_type() != "Squeeze" || squeeze->input_size() != 2)
    return nullptr;
  std::optional<Tensor> axes = c.constantNamed(squeeze->input(1));
  if (!axes || axes->ints() != std::vector<int64_t>{1})
    return nullptr;
  const onnx::NodeProto *transpose = c.soleConsumerOf(squeeze->output(0));
  if (!transpose || transpose->op_type() != "Transpose" || transpose->attribute_size() != 1)
    return nullptr;
  const onnx::AttributeProto &perm = transpose->attribute(0);
  if (perm.name() != "perm" || std::vector<int64_t>(perm.ints().begin(), perm.ints().end()) != std::vector<int64_t>{1, 0, 2})
    return nullptr;
  return transpose;
}

void recurrent(Context &c, const Kind &kind) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  if (x.rank() != 3)
    c.fail("its input is " + formatShape(x.shape) + "; expected a sequence [T, B, I] or [B, T, I]");
  int64_t layout = c.intAttr("layout", 0);
  if (layout != 0 && layout != 1)
    c.unsupported("layout", std::to_string(layout), "ONNX defines 0 and 1 only");
  int64_t T = x.shape[layout == 0 ? 0 : 1], B = x.shape[layout == 0 ? 1 : 0], I = x.shape[2];
  std::string direction = c.stringAttr("direction", "forward");
  if (direction != "forward")
    c.unsupported("direction", "\"" + direction + "\"", "dlc's recurrent layers run forward only");
  if (c.hasAttr("clip"))
    c.unsupported("clip", formatFloat(c.floatAttr("clip", 0)), "dlc's recurrent layers do not clip");
  if (c.hasAttr("activation_alpha") || c.hasAttr("activation_beta"))
    c.unsupported("activation_alpha", "(given)", "dlc's recurrent layers take no activation parameters");
  std::string act = "tanh";
  if (c.hasAttr("activations")) {
    const onnx::AttributeProto *a = c.attr("activations");
    std::vector<std::string> given(a->strings().begin(), a->strings().end());
    bool relu = std::string(kind.layer) == "RNN" && given == std::vector<std::string>{"Relu"};
    if (given != kind.activations && !relu) {
      std::string text;
      for (const std::string &s : given)
        text += (text.empty() ? "" : ", ") + s;
      c.unsupported("activations", "[" + text + "]", std::string("dlc's ") + kind.layer + " uses ONNX's defaults" +
                    (std::string(kind.layer) == "RNN" ? " (Tanh) or Relu" : ""));
    }
    if (relu)
      act = "relu";
  }
  const Tensor &W = c.known(1, "the input weights W");
  const Tensor &R = c.known(2, "the recurrence weights R");
  if (W.shape.size() != 3 || W.shape[0] != 1 || W.shape[2] != I || W.shape[1] % kind.gates != 0)
    c.fail("W is " + formatShape(W.shape) + "; expected [1, " + std::to_string(kind.gates) + " * hidden, " +
           std::to_string(I) + "]");
  int64_t H = W.shape[1] / kind.gates;
  if (c.intAttr("hidden_size", H) != H)
    c.fail("hidden_size " + std::to_string(c.intAttr("hidden_size", H)) + " disagrees with W " + formatShape(W.shape));
  if (R.shape != Shape{1, kind.gates * H, H})
    c.fail("R is " + formatShape(R.shape) + "; expected [1, " + std::to_string(kind.gates * H) + ", " +
           std::to_string(H) + "]");
  Tensor bias = c.has(3) ? c.known(3, "the biases B")
                         : makeTensor(DType::F32, {1, 2 * kind.gates * H}, std::vector<double>(2 * kind.gates * H, 0.0));
  if (bias.shape != Shape{1, 2 * kind.gates * H})
    c.fail("B is " + formatShape(bias.shape) + "; expected [1, " + std::to_string(2 * kind.gates * H) + "]");
  if (c.has(4)) {
    if (!c.isKnown(4))
      c.fail("sequence_lens (input 4) is computed; dlc's recurrent layers run every step of the sequence");
    for (double v : c.input(4).known->values)
      if (static_cast<int64_t>(v) != T)
        c.fail("sequence_lens (input 4) holds " + std::to_string(static_cast<int64_t>(v)) +
               ", shorter than the sequence's " + std::to_string(T) + " steps; dlc runs every step");
  }
  requireZeroState(c, 5, "initial_h");
  if (std::string(kind.layer) == "LSTM") {
    requireZeroState(c, 6, "initial_c");
    if (c.intAttr("input_forget", 0) != 0)
      c.unsupported("input_forget", "1", "dlc's LSTM has separate input and forget gates");
    if (c.has(7) && (!c.isKnown(7) || !c.input(7).known->isUniform() || c.input(7).known->values[0] != 0))
      c.fail("peephole weights P (input 7) are not zero; dlc's LSTM has no peepholes");
    if (c.outputUsed(2))
      c.fail("its output Y_c (the last cell state) is used; dlc's LSTM returns the hidden states only");
  }
  if (std::string(kind.layer) == "GRU" && c.intAttr("linear_before_reset", 0) != 1)
    c.unsupported("linear_before_reset", "0", "dlc's GRU applies the reset gate after the hidden "
                  "projection (linear_before_reset = 1, what PyTorch exports)");

  std::string call = std::string(kind.layer) + "(" + std::to_string(I) + ", " + std::to_string(H) +
                     (act == "relu" ? ", act = relu" : "") + ")";
  std::string inst = c.program().addLayer(
      c.layerHint(1), call,
      {{"weight_ih", reorder(W, kind, H, I, 0)}, {"weight_hh", reorder(R, kind, H, H, 0)},
       {"bias_ih", reorder(bias, kind, H, 1, 0)}, {"bias_hh", reorder(bias, kind, H, 1, kind.gates * H)}});
  std::string xs = layout == 0 ? "transpose(" + c.operand(0) + ", [1, 0, 2])" : c.operand(0);
  std::string apply = inst + "(" + xs + ")"; // [B, T, H]
  std::string steps;
  if (const onnx::NodeProto *back = batchFirstConsumer(c, layout)) {
    // PyTorch's batch_first export: Y -> Squeeze(axes = [1]) -> Transpose([1, 0, 2]) is the
    // layer's own [B, T, H]; both nodes are absorbed, so the program reads the layer directly.
    c.markAbsorbed(*c.soleConsumer(0));
    c.absorb(*back, apply, DType::F32, {B, T, H});
    steps = c.valueNamed(back->output(0))->expr;
  } else if (c.outputUsed(0) || c.outputUsed(1)) {
    steps = c.program().freshName(inst + "_steps");
    c.program().addStatement(steps, apply);
    if (c.outputUsed(0) && layout == 0)
      c.define(0, "reshape(transpose(" + steps + ", [1, 0, 2]), " + formatShape({T, 1, B, H}) + ")", DType::F32,
               {T, 1, B, H});
    else if (c.outputUsed(0))
      c.define(0, "reshape(" + steps + ", " + formatShape({B, T, 1, H}) + ")", DType::F32, {B, T, 1, H});
  }
  if (c.outputUsed(1)) {
    Shape last = layout == 0 ? Shape{1, B, H} : Shape{B, 1, H};
    c.define(1, "reshape(" + steps + "[:, " + std::to_string(T - 1) + ", :], " + formatShape(last) + ")",
             DType::F32, last);
  }
}

} // namespace

void registerRecurrentTranslators(TranslatorTable &t) {
  static const Kind lstm{"LSTM", 4, {0, 2, 3, 1}, {"Sigmoid", "Tanh", "Tanh"}};
  static const Kind gru{"GRU", 3, {1, 0, 2}, {"Sigmoid", "Tanh"}};
  static const Kind rnn{"RNN", 1, {0}, {"Tanh"}};
  t["LSTM"] = [](Context &c) { recurrent(c, lstm); };
  t["GRU"] = [](Context &c) { recurrent(c, gru); };
  t["RNN"] = [](Context &c) { recurrent(c, rnn); };
}

} // namespace dlc::importer
