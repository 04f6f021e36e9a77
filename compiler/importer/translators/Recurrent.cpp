//===- Recurrent.cpp - LSTM, GRU and RNN ----------------------------------===//
//
// An ONNX LSTM, GRU or RNN whose weights are initializers becomes the prelude layer of that name,
// one instance per direction, with ONNX's gate order converted to PyTorch's (the prelude's):
// LSTM's i, o, f, c blocks become i, f, c, o; GRU's z, r, h become r, z, n. direction = "reverse"
// is the layer's reverse = true; "bidirectional" is a forward and a reverse instance over the same
// input (`<name>` and `<name>_reverse`), their steps concatenated as ONNX stacks them. GRU's
// linear_before_reset = 0 (ONNX's default) is the layer's reset_after = false. initial_h and
// initial_c, unless absent or known zeros, are the layers' h0 and c0 ([1, B, H] per direction).
// The layers run batch-first, so X is transposed to [B, T, I] (layout 0) unless it is itself a
// Transpose of a batch-first tensor (PyTorch's batch_first export: the pair cancels), and the
// outputs are made from the layers' every-step hidden states: Y as [T, D, B, H] (or [B, T, D, H]),
// or, when Y's readers are what PyTorch exports after it (Squeeze of axis 1, or Transpose
// [0, 2, 1, 3] and Reshape to [T, B, D * H], then a Transpose [1, 0, 2] for batch_first), those
// readers' result directly; Y_h as each direction's last step, and LSTM's Y_c as the last of the
// cell states the layer returns with `cells = true`. Stacked layers (num_layers > 1) are one node
// each, so they chain through those readers. The rest is an error naming the attribute or input:
// other activations, clip, non-zero peepholes, input_forget, sequence lengths shorter than T.
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

/// One direction's block of `t` ([D, gates * hidden, cols], or [D, 2 * gates * hidden] halves) as
/// PyTorch's [gates * hidden, cols] with gates reordered; `offset` skips that many values first
/// (the directions before, and for the recurrence bias the input bias).
Tensor reorder(const Tensor &t, const Kind &kind, int64_t hidden, int64_t cols, int64_t offset) {
  std::vector<double> out;
  out.reserve(kind.gates * hidden * cols);
  for (int block : kind.order)
    out.insert(out.end(), t.values.begin() + offset + block * hidden * cols,
               t.values.begin() + offset + (block + 1) * hidden * cols);
  return makeTensor(DType::F32, cols == 1 ? Shape{kind.gates * hidden} : Shape{kind.gates * hidden, cols},
                    std::move(out));
}

/// Whether input `i` is absent or known to be all zeros: the layers' default initial state.
bool zeroState(Context &c, int i) {
  if (!c.has(i) || !c.isKnown(i))
    return !c.has(i);
  for (double v : c.input(i).known->values)
    if (v != 0)
      return false;
  return true;
}

/// Direction `d`'s initial state [1, B, H] from input `i` ([D, B, H], or [B, D, H] with layout 1).
std::string initialState(Context &c, int i, const char *what, int64_t layout, int64_t d, int64_t D,
                         int64_t B, int64_t H) {
  const Value &v = c.input(i);
  c.requireFloat(i, what);
  Shape want = layout == 0 ? Shape{D, B, H} : Shape{B, D, H};
  if (v.shape != want)
    c.fail(std::string(what) + " (input " + std::to_string(i) + ") is " + formatShape(v.shape) +
           "; expected " + formatShape(want));
  std::string x = c.operand(i);
  if (layout == 1)
    return "reshape(" + x + "[:, " + std::to_string(d) + ", :], " + formatShape({1, B, H}) + ")";
  return D == 1 ? x : x + "[" + std::to_string(d) + ":" + std::to_string(d + 1) + "]";
}

/// Whether `n` is a Transpose by `perm`.
bool isPerm(const onnx::NodeProto *n, const std::vector<int64_t> &perm) {
  if (!n || n->op_type() != "Transpose" || n->attribute_size() != 1 || n->attribute(0).name() != "perm")
    return false;
  const auto &p = n->attribute(0).ints();
  return std::vector<int64_t>(p.begin(), p.end()) == perm;
}

/// Whether this node is the one reader of `name` but for Shape nodes (folded at import: shapes
/// are static), and `name` is no graph output.
bool onlyReader(Context &c, const std::string &name) {
  if (c.isGraphOutput(name))
    return false;
  for (const onnx::NodeProto *n : c.readersOf(name))
    if (n != &c.node() && n->op_type() != "Shape")
      return false;
  return true;
}

/// The value [B, T, I] the layers read: when X is a batch-first tensor transposed and read by
/// this node alone (PyTorch's batch_first export, or a stacked layer's input), that tensor, the
/// transpose's statement dropped; else X transposed (layout 0) or X (layout 1).
std::string layerInput(Context &c, int64_t layout) {
  if (layout == 1)
    return c.operand(0);
  const std::string &name = c.node().input(0);
  const Value &x = c.input(0);
  if (!x.transposed.empty() && onlyReader(c, name) && c.dropStatementOf(name))
    return x.transposed;
  if (const onnx::NodeProto *t = c.producerOf(0)) {
    const Value *source = c.valueNamed(t->input(0));
    if (isPerm(t, {1, 0, 2}) && source && !source->expr.empty() && onlyReader(c, name) &&
        c.dropStatementOf(name))
      return source->expr;
  }
  return "transpose(" + c.operand(0) + ", [1, 0, 2])";
}

/// The readers of Y that PyTorch exports after a recurrent node, folded into the layers' result:
/// Squeeze(axes = [1]) (one direction), or Transpose [0, 2, 1, 3] and Reshape to [T, B, D * H];
/// then, optionally, Transpose [1, 0, 2] (batch_first). Returns the last node absorbed and whether
/// it is batch-first, or null.
struct Readers {
  const onnx::NodeProto *first = nullptr, *last = nullptr;
  bool batchFirst = false;
};

Readers pytorchReaders(Context &c, int64_t layout, int64_t T, int64_t B, int64_t D, int64_t H) {
  Readers r;
  const onnx::NodeProto *first = c.soleConsumer(0);
  if (layout != 0 || !first)
    return r;
  const onnx::NodeProto *merged = nullptr;  // Its output is [T, B, D * H].
  if (D == 1 && first->op_type() == "Squeeze" && first->input_size() == 2) {
    std::optional<Tensor> axes = c.constantNamed(first->input(1));
    if (axes && axes->ints() == std::vector<int64_t>{1})
      merged = first;
  } else if (isPerm(first, {0, 2, 1, 3})) {
    const onnx::NodeProto *reshape = c.soleConsumerOf(first->output(0));
    if (reshape && reshape->op_type() == "Reshape" && reshape->input_size() == 2) {
      std::optional<Tensor> to = c.constantNamed(reshape->input(1));
      // 0 copies the input's dimension (allowzero = 0, the default), -1 takes the rest.
      Shape in{T, B, D, H};
      bool allowZero = false;
      for (const auto &a : reshape->attribute())
        allowZero |= a.name() == "allowzero" && a.i() != 0;
      if (to && to->shape.size() == 1 && to->size() == 3 && !allowZero) {
        std::vector<int64_t> dims = to->ints();
        int64_t known = 1, rest = -1;
        for (size_t k = 0; k < dims.size(); ++k) {
          if (dims[k] == 0)
            dims[k] = in[k];
          if (dims[k] == -1)
            rest = static_cast<int64_t>(k);
          else
            known *= dims[k];
        }
        if (rest >= 0 && known > 0)
          dims[rest] = T * B * D * H / known;
        if (dims == std::vector<int64_t>{T, B, D * H})
          merged = reshape;
      }
    }
  }
  if (!merged)
    return r;
  r.first = first;
  r.last = merged;
  const onnx::NodeProto *back = c.soleConsumerOf(merged->output(0));
  if (isPerm(back, {1, 0, 2})) {
    r.last = back;
    r.batchFirst = true;
  }
  return r;
}

void recurrent(Context &c, const Kind &kind) {
  const std::string layer = kind.layer;
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  if (x.rank() != 3)
    c.fail("its input is " + formatShape(x.shape) + "; expected a sequence [T, B, I] or [B, T, I]");
  int64_t layout = c.intAttr("layout", 0);
  if (layout != 0 && layout != 1)
    c.unsupported("layout", std::to_string(layout), "ONNX defines 0 and 1 only");
  int64_t T = x.shape[layout == 0 ? 0 : 1], B = x.shape[layout == 0 ? 1 : 0], I = x.shape[2];
  std::string direction = c.stringAttr("direction", "forward");
  std::vector<bool> reverses;
  if (direction == "forward")
    reverses = {false};
  else if (direction == "reverse")
    reverses = {true};
  else if (direction == "bidirectional")
    reverses = {false, true};
  else
    c.unsupported("direction", "\"" + direction + "\"", "ONNX defines forward, reverse and bidirectional");
  int64_t D = static_cast<int64_t>(reverses.size());
  if (c.hasAttr("clip"))
    c.unsupported("clip", formatFloat(c.floatAttr("clip", 0)), "dlc's recurrent layers do not clip");
  if (c.hasAttr("activation_alpha") || c.hasAttr("activation_beta"))
    c.unsupported("activation_alpha", "(given)", "dlc's recurrent layers take no activation parameters");
  std::string act = "tanh";
  if (c.hasAttr("activations")) {
    // One list per direction; every direction's must be the defaults (or an RNN's Relu).
    const onnx::AttributeProto *a = c.attr("activations");
    std::vector<std::string> given(a->strings().begin(), a->strings().end());
    std::vector<std::string> defaults, relus;
    for (int64_t d = 0; d < D; ++d) {
      defaults.insert(defaults.end(), kind.activations.begin(), kind.activations.end());
      relus.push_back("Relu");
    }
    bool relu = layer == "RNN" && given == relus;
    if (given != defaults && !relu) {
      std::string text;
      for (const std::string &s : given)
        text += (text.empty() ? "" : ", ") + s;
      c.unsupported("activations", "[" + text + "]", "dlc's " + layer + " uses ONNX's defaults" +
                    (layer == "RNN" ? " (Tanh) or Relu" : ""));
    }
    if (relu)
      act = "relu";
  }
  const Tensor &W = c.known(1, "the input weights W");
  const Tensor &R = c.known(2, "the recurrence weights R");
  if (W.shape.size() != 3 || W.shape[0] != D || W.shape[2] != I || W.shape[1] % kind.gates != 0)
    c.fail("W is " + formatShape(W.shape) + "; expected [" + std::to_string(D) + ", " +
           std::to_string(kind.gates) + " * hidden, " + std::to_string(I) + "]");
  int64_t H = W.shape[1] / kind.gates;
  int64_t G = kind.gates * H;
  if (c.intAttr("hidden_size", H) != H)
    c.fail("hidden_size " + std::to_string(c.intAttr("hidden_size", H)) + " disagrees with W " + formatShape(W.shape));
  if (R.shape != Shape{D, G, H})
    c.fail("R is " + formatShape(R.shape) + "; expected " + formatShape({D, G, H}));
  Tensor bias = c.has(3) ? c.known(3, "the biases B")
                         : makeTensor(DType::F32, {D, 2 * G}, std::vector<double>(D * 2 * G, 0.0));
  if (bias.shape != Shape{D, 2 * G})
    c.fail("B is " + formatShape(bias.shape) + "; expected " + formatShape({D, 2 * G}));
  if (c.has(4)) {
    for (double v : c.known(4, "sequence_lens (dlc's recurrent layers run every step)").values)
      if (static_cast<int64_t>(v) != T)
        c.fail("sequence_lens (input 4) holds " + std::to_string(static_cast<int64_t>(v)) +
               ", shorter than the sequence's " + std::to_string(T) + " steps; dlc runs every step");
  }
  bool h0 = !zeroState(c, 5), c0 = false;
  if (layer == "LSTM") {
    c0 = !zeroState(c, 6);
    if (c.intAttr("input_forget", 0) != 0)
      c.unsupported("input_forget", "1", "dlc's LSTM has separate input and forget gates");
    if (c.has(7)) {
      const Tensor &P = c.known(7, "the peephole weights P (dlc's LSTM has none)");
      if (!P.isUniform() || P.values[0] != 0)
        c.fail("peephole weights P (input 7) are not zero; dlc's LSTM has no peepholes");
    }
  }
  bool cellOutput = layer == "LSTM" && c.outputUsed(2);
  bool resetAfter = layer == "GRU" && c.intAttr("linear_before_reset", 0) != 0;

  // One instance per direction, applied to the batch-first input (named once when two read it).
  std::string xs = layerInput(c, layout);
  std::string hint = c.layerHint(1);
  if (D == 2 && xs.find('(') != std::string::npos) {
    std::string name = c.program().freshName(hint + "_input");
    c.program().addStatement(name, xs);
    xs = name;
  }
  std::vector<std::string> steps;  // Each [B, T, H].
  std::vector<std::string> cells;  // LSTM's cell states when Y_c is used, each [B, T, H].
  for (int64_t d = 0; d < D; ++d) {
    std::string options = (act == "relu" ? ", act = relu" : "");
    if (layer == "GRU" && !resetAfter)
      options += ", reset_after = false";
    if (reverses[d])
      options += ", reverse = true";
    std::string call = layer + "(" + std::to_string(I) + ", " + std::to_string(H) + options + ")";
    int64_t w = d * G * I, r = d * G * H, b = d * 2 * G;
    std::string inst = c.program().addLayer(
        D == 2 && d == 1 ? hint + "_reverse" : hint, call,
        {{"weight_ih", reorder(W, kind, H, I, w)}, {"weight_hh", reorder(R, kind, H, H, r)},
         {"bias_ih", reorder(bias, kind, H, 1, b)}, {"bias_hh", reorder(bias, kind, H, 1, b + G)}});
    std::string args = xs;
    if (h0)
      args += ", h0 = " + initialState(c, 5, "initial_h", layout, d, D, B, H);
    if (c0)
      args += ", c0 = " + initialState(c, 6, "initial_c", layout, d, D, B, H);
    if (cellOutput) {
      // Y_c: the layer returns its cell states too; both stacks named.
      std::string stepsName = c.program().freshName(inst + "_steps");
      std::string cellsName = c.program().freshName(inst + "_cells");
      c.program().addStatement(stepsName + ", " + cellsName, inst + "(" + args + ", cells = true)");
      steps.push_back(stepsName);
      cells.push_back(cellsName);
      continue;
    }
    steps.push_back(inst + "(" + args + ")");
    // Y_h reads each direction's steps again: name them.
    if (c.outputUsed(1)) {
      std::string name = c.program().freshName(inst + "_steps");
      c.program().addStatement(name, steps.back());
      steps.back() = name;
    }
  }
  std::string both = D == 1 ? steps[0] : "concat([" + steps[0] + ", " + steps[1] + "], axis = -1)";

  if (Readers readers = pytorchReaders(c, layout, T, B, D, H); readers.first) {
    // What PyTorch reads Y as, [T, B, D * H] or batch-first [B, T, D * H], is the layers' steps
    // (concatenated); the readers are absorbed, so the program reads the layers directly. A
    // time-major result is named batch-first too, for a next layer to read without transposing.
    for (const onnx::NodeProto *n = readers.first; n != readers.last; n = c.soleConsumerOf(n->output(0)))
      c.markAbsorbed(*n);
    if (readers.batchFirst) {
      c.absorb(*readers.last, both, DType::F32, {B, T, D * H});
    } else {
      std::string name = c.program().freshName(hint + "_output");
      c.program().addStatement(name, both);
      c.absorb(*readers.last, "transpose(" + name + ", [1, 0, 2])", DType::F32, {T, B, D * H});
      c.setTransposed(readers.last->output(0), name);
    }
  } else if (c.outputUsed(0)) {
    if (layout == 0)
      c.define(0, "transpose(reshape(" + both + ", " + formatShape({B, T, D, H}) + "), [1, 2, 0, 3])",
               DType::F32, {T, D, B, H});
    else
      c.define(0, "reshape(" + both + ", " + formatShape({B, T, D, H}) + ")", DType::F32, {B, T, D, H});
  }
  // Y_h (output 1) and Y_c (output 2): each direction's last step, T - 1 forward, 0 in reverse.
  auto defineLast = [&](int output, const std::vector<std::string> &stacks) {
    std::vector<std::string> lasts;
    Shape one = layout == 0 ? Shape{1, B, H} : Shape{B, 1, H};
    for (int64_t d = 0; d < D; ++d)
      lasts.push_back("reshape(" + stacks[d] + "[:, " + std::to_string(reverses[d] ? 0 : T - 1) + ", :], " +
                      formatShape(one) + ")");
    Shape last = layout == 0 ? Shape{D, B, H} : Shape{B, D, H};
    c.define(output, D == 1 ? lasts[0] : "concat([" + lasts[0] + ", " + lasts[1] + "], axis = " +
                                             std::to_string(layout == 0 ? 0 : 1) + ")",
             DType::F32, last);
  };
  if (c.outputUsed(1))
    defineLast(1, steps);
  if (cellOutput)
    defineLast(2, cells);
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
