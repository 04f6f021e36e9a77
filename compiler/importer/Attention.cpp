//===- Attention.cpp - nn.MultiheadAttention's export as one layer --------===//
//
// torch.onnx.export (torch 1.13, opsets 13 to 17) writes the self-attention of
// nn.MultiheadAttention (need_weights = False) and nn.TransformerEncoderLayer as about forty
// nodes: one MatMul by the packed in-projection and its bias, three Slices of it (q, k, v; their
// bounds computed from its Shape), per head a Reshape to [T, B*heads, head_dim] and Transposes,
// q divided by sqrt(head_dim), MatMul, Softmax, MatMul, the heads merged back, a Gemm by the
// out-projection, and for batch_first Transposes around it all. With an attention mask (attn_mask,
// TransformerEncoderLayer's src_mask) torch 1.13 computes the scores by baddbmm: the MatMul times
// 1 plus the mask times 1 (a bool mask first becomes -inf and 0 through Cast and Where), or, constant-
// folded, the MatMul times 1 plus a [1, T, T] initializer. When every node of that chain is as
// PyTorch writes it, with the weights initializers and no value inside read from outside it, the
// chain becomes one `MultiHeadAttention(dim, heads)` layer holding nn.MultiheadAttention's four
// weights under their own names, and `causal = true` where the mask is known at import time and is
// the causal one (nn.Transformer.generate_square_subsequent_mask's -inf above the diagonal, 0 on and
// below it; a bool mask true above it): exactly what the layer's causal attention computes. Any
// other mask, or one fed as a graph input, leaves the chain to import op by op, as does everything
// else that differs. Runs at the chain's first node, when the input's shape is known.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Attention.h"
#include "compiler/importer/Graph.h"
#include "compiler/importer/translators/Fold.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dlc::importer {

namespace {

Tensor transposed(const Tensor &t) {
  int64_t rows = t.shape[0], cols = t.shape[1];
  std::vector<double> v(t.values.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      v[size_t(j * rows + i)] = t.values[size_t(i * cols + j)];
  return makeTensor(DType::F32, {cols, rows}, std::move(v));
}

class Matcher {
public:
  explicit Matcher(Graph &graph) : g_(graph) {}

  /// The node making `value`, if any.
  const onnx::NodeProto *producer(const std::string &value) const {
    auto it = g_.producer.find(value);
    return it == g_.producer.end() ? nullptr : &g_.proto.node(it->second);
  }
  int indexOf(const onnx::NodeProto &n) const { return g_.producer.at(n.output(0)); }

  /// The one node reading `value` when it is `op` (and `value` no graph output); it joins the chain.
  const onnx::NodeProto *sole(const std::string &value, const std::string &op) {
    if (g_.graphOutputs.count(value))
      return nullptr;
    auto it = g_.consumers.find(value);
    if (it == g_.consumers.end() || it->second.size() != 1)
      return nullptr;
    const onnx::NodeProto &n = g_.proto.node(it->second[0]);
    if (n.op_type() != op || !n.domain().empty())
      return nullptr;
    chain_.insert(it->second[0]);
    return &n;
  }

  /// The values of `name` when known at import time: an initializer, a Constant, or computed by
  /// Shape (of `shaped`, whose shape is `shape`), Gather, Add, Sub, Mul, Div, Unsqueeze, Concat
  /// from such.
  /// The nodes computing it join the chain.
  std::optional<std::vector<int64_t>> ints(const std::string &name, const std::string &shaped, const Shape &shape) {
    auto v = g_.values.find(name);
    if (v != g_.values.end())
      return v->second.known ? std::optional(v->second.known->ints()) : std::nullopt;
    const onnx::NodeProto *n = producer(name);
    if (!n || !n->domain().empty())
      return std::nullopt;
    const std::string &op = n->op_type();
    if (op != "Constant") // A Constant is left to fold on its own: others may read it.
      chain_.insert(indexOf(*n));
    if (op == "Constant") {
      if (n->attribute_size() != 1 || n->attribute(0).name() != "value")
        return std::nullopt;
      try {
        return readTensor(n->attribute(0).t(), name).ints();
      } catch (const ImportError &) {
        return std::nullopt;
      }
    }
    if (op == "Shape")
      return n->input(0) == shaped && n->attribute_size() == 0 ? std::optional(shape) : std::nullopt;
    std::vector<std::vector<int64_t>> in;
    for (int i = 0; i < n->input_size(); ++i) {
      auto x = ints(n->input(i), shaped, shape);
      if (!x)
        return std::nullopt;
      in.push_back(*x);
    }
    if (op == "Gather" && in.size() == 2 && in[1].size() == 1) {
      int64_t i = in[1][0] < 0 ? in[1][0] + int64_t(in[0].size()) : in[1][0];
      if (i < 0 || i >= int64_t(in[0].size()) || (n->attribute_size() && n->attribute(0).i() != 0))
        return std::nullopt;
      return std::vector<int64_t>{in[0][size_t(i)]};
    }
    if (op == "Unsqueeze" && !in.empty() && in[0].size() == 1)
      return in[0];
    if (op == "Concat" && n->attribute_size() == 1 && n->attribute(0).i() == 0) {
      std::vector<int64_t> all;
      for (const auto &part : in)
        all.insert(all.end(), part.begin(), part.end());
      return all;
    }
    if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") && in.size() == 2 && in[0].size() == 1 &&
        in[1].size() == 1) {
      int64_t a = in[0][0], b = in[1][0];
      if (op == "Div" && b == 0)
        return std::nullopt;
      return std::vector<int64_t>{op == "Add" ? a + b : op == "Sub" ? a - b : op == "Mul" ? a * b : a / b};
    }
    return std::nullopt;
  }

  /// The f32 values of `name` when known: an initializer or folded value, or a Transpose (rank 2)
  /// or Identity of one not yet translated (a weight PyTorch transposes in the graph). Those nodes
  /// stay outside the chain: translated later, they fold and emit nothing.
  const Tensor *known(const std::string &name) {
    auto v = g_.values.find(name);
    if (v != g_.values.end())
      return v->second.known && v->second.known->dtype == DType::F32 ? &*v->second.known : nullptr;
    const onnx::NodeProto *n = producer(name);
    if (!n || !n->domain().empty() || n->input_size() != 1)
      return nullptr;
    const Tensor *in = n->op_type() == "Identity" || n->op_type() == "Transpose" ? known(n->input(0)) : nullptr;
    if (!in || (n->op_type() == "Transpose" && (in->shape.size() != 2 || !(n->attribute_size() == 0 || perm(n, {1, 0})))))
      return nullptr;
    return &(folded_[name] = n->op_type() == "Identity" ? *in : transposed(*in));
  }

  std::optional<double> scalar(const std::string &name) {
    if (const Tensor *t = known(name))
      return t->size() == 1 ? std::optional(t->values[0]) : std::nullopt;
    const onnx::NodeProto *n = producer(name);
    if (!n || n->op_type() != "Constant" || n->attribute_size() != 1 || n->attribute(0).name() != "value")
      return std::nullopt;
    try {
      Tensor t = readTensor(n->attribute(0).t(), name);
      return t.size() == 1 && t.dtype == DType::F32 ? std::optional(t.values[0]) : std::nullopt;
    } catch (const ImportError &) {
      return std::nullopt;
    }
  }

  /// The value of `name` when import time can compute it from initializers and Constants through
  /// the nodes PyTorch builds a mask with: Unsqueeze, Cast (to float or bool), Where, Mul and
  /// Identity. Those nodes stay outside the chain (PyTorch shares one mask's Unsqueeze between the
  /// layers of an nn.TransformerEncoder): translated later, they fold and emit nothing.
  std::optional<Tensor> constant(const std::string &name) {
    auto v = g_.values.find(name);
    if (v != g_.values.end())
      return v->second.known ? v->second.known : std::nullopt;
    const onnx::NodeProto *n = producer(name);
    if (!n || !n->domain().empty())
      return std::nullopt;
    const std::string &op = n->op_type();
    if (op == "Constant") {
      if (n->attribute_size() != 1 || n->attribute(0).name() != "value")
        return std::nullopt;
      try {
        return readTensor(n->attribute(0).t(), name);
      } catch (const ImportError &) {
        return std::nullopt;
      }
    }
    std::vector<Tensor> in;
    for (int i = 0; i < n->input_size(); ++i) {
      std::optional<Tensor> t = constant(n->input(i));
      if (!t)
        return std::nullopt;
      in.push_back(*t);
    }
    if (op == "Identity" && in.size() == 1)
      return in[0];
    if (op == "Cast" && in.size() == 1 && n->attribute_size() == 1 && n->attribute(0).name() == "to") {
      int64_t to = n->attribute(0).i();
      if (to == onnx::TensorProto::FLOAT)
        return foldUnary(in[0], DType::F32, [](double x) { return x; });
      if (to == onnx::TensorProto::BOOL)
        return foldUnary(in[0], DType::Bool, [](double x) { return x != 0 ? 1.0 : 0.0; });
      return std::nullopt;
    }
    if (op == "Unsqueeze" && in.size() == 2) {
      std::vector<int64_t> axes = in[1].ints();
      Shape shape = in[0].shape;
      int64_t rank = static_cast<int64_t>(shape.size() + axes.size());
      std::vector<int64_t> sorted;
      for (int64_t a : axes)
        sorted.push_back(a < 0 ? a + rank : a);
      std::sort(sorted.begin(), sorted.end());
      for (int64_t a : sorted) {
        if (a < 0 || a > static_cast<int64_t>(shape.size()))
          return std::nullopt;
        shape.insert(shape.begin() + a, 1);
      }
      return makeTensor(in[0].dtype, shape, in[0].values);
    }
    if ((op == "Mul" || op == "Where") && in.size() == size_t(op == "Mul" ? 2 : 3)) {
      Shape out;
      for (const Tensor &t : in)
        if (!broadcast(out, t.shape))
          return std::nullopt;
      // Each operand spread to the broadcast shape, then combined element by element.
      std::vector<Tensor> spread;
      for (const Tensor &t : in)
        spread.push_back(foldBinary(t, makeTensor(t.dtype, {}, {0.0}), out, t.dtype,
                                    [](double x, double) { return x; }));
      Tensor r = spread[op == "Mul" ? 0 : 1];
      for (size_t i = 0; i < r.values.size(); ++i)
        r.values[i] = op == "Mul" ? r.values[i] * spread[1].values[i]
                                  : (spread[0].values[i] != 0 ? r.values[i] : spread[2].values[i]);
      return r;
    }
    return std::nullopt;
  }

  /// NumPy's broadcast of `acc` with `shape` into `acc`; false where they do not broadcast.
  static bool broadcast(Shape &acc, const Shape &shape) {
    Shape out(std::max(acc.size(), shape.size()), 1);
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t a = i < acc.size() ? acc[acc.size() - 1 - i] : 1;
      int64_t b = i < shape.size() ? shape[shape.size() - 1 - i] : 1;
      if (a != b && a != 1 && b != 1)
        return false;
      out[out.size() - 1 - i] = a == 1 ? b : a;
    }
    acc = out;
    return true;
  }

  static bool perm(const onnx::NodeProto *n, std::vector<int64_t> want) {
    if (!n || n->attribute_size() != 1 || n->attribute(0).name() != "perm")
      return false;
    return std::vector<int64_t>(n->attribute(0).ints().begin(), n->attribute(0).ints().end()) == want;
  }

  /// Whether every value the chain's nodes make, but `result`, is read only inside the chain.
  bool closed(const std::string &result) const {
    for (int k : chain_)
      for (const std::string &out : g_.proto.node(k).output()) {
        if (out == result || out.empty())
          continue;
        if (g_.graphOutputs.count(out))
          return false;
        auto it = g_.consumers.find(out);
        for (int reader : it == g_.consumers.end() ? std::vector<int>() : it->second)
          if (!chain_.count(reader))
            return false;
      }
    return true;
  }

  Graph &g_;
  std::set<int> chain_;
  std::map<std::string, Tensor> folded_;
};

/// A Reshape of `value` (its sole reader) to [T, B*heads, hd] with hd dividing dim; heads set.
const onnx::NodeProto *headsReshape(Matcher &m, const std::string &value, const Shape &tbd, int64_t &heads) {
  const onnx::NodeProto *r = m.sole(value, "Reshape");
  if (!r || r->input(0) != value)
    return nullptr;
  auto to = m.ints(r->input(1), "", {});
  if (!to || to->size() != 3 || (*to)[2] <= 0 || tbd[2] % (*to)[2] != 0)
    return nullptr;
  int64_t h = tbd[2] / (*to)[2];
  if ((*to)[0] != tbd[0] || (*to)[1] != tbd[1] * h || (heads && heads != h))
    return nullptr;
  heads = h;
  return r;
}

/// Whether `mask` is the causal mask of `t` positions, once or repeated over leading dimensions:
/// -inf where the key comes after the query, 0 elsewhere (a bool mask: true where it comes after).
bool isCausal(const Tensor &mask, int64_t t) {
  size_t rank = mask.shape.size();
  if (rank < 2 || mask.shape[rank - 1] != t || mask.shape[rank - 2] != t)
    return false;
  const double masked = mask.dtype == DType::Bool ? 1.0 : -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < mask.size(); ++i) {
    int64_t query = (i / t) % t, key = i % t;
    if (mask.values[size_t(i)] != (key > query ? masked : 0.0))
      return false;
  }
  return true;
}

/// After the scores MatMul `scores`: torch 1.13's baddbmm with a causal attention mask, the scores
/// times 1 (when present) plus the mask (times 1); returns the Add whose result the Softmax reads,
/// or null (and nothing is matched) where the scores are not so masked.
const onnx::NodeProto *causalMaskAdd(Matcher &m, const onnx::NodeProto *scores, int64_t t) {
  std::string s = scores->output(0);
  if (const onnx::NodeProto *alpha = m.sole(s, "Mul")) {
    std::string other = alpha->input(0) == s ? alpha->input(1) : alpha->input(0);
    std::optional<Tensor> one = m.constant(other);
    if (!one || one->size() != 1 || one->values[0] != 1.0)
      return nullptr;
    s = alpha->output(0);
  }
  const onnx::NodeProto *add = m.sole(s, "Add");
  if (!add)
    return nullptr;
  std::optional<Tensor> mask = m.constant(add->input(0) == s ? add->input(1) : add->input(0));
  return mask && isCausal(*mask, t) ? add : nullptr;
}

} // namespace

bool importAttention(Graph &graph, int k) {
  const onnx::NodeProto &root = graph.proto.node(k);
  if (!root.domain().empty() || (root.op_type() != "Transpose" && root.op_type() != "MatMul"))
    return false;
  auto xv = graph.values.find(root.input(0));
  if (xv == graph.values.end() || xv->second.dtype != DType::F32 || xv->second.rank() != 3 || xv->second.known)
    return false;
  Matcher m(graph);
  m.chain_.insert(k);
  // batch_first: x [B, T, dim] is transposed to [T, B, dim] first.
  bool batchFirst = root.op_type() == "Transpose";
  const onnx::NodeProto *proj = &root;
  if (batchFirst && (!Matcher::perm(&root, {1, 0, 2}) || !(proj = m.sole(root.output(0), "MatMul"))))
    return false;
  Shape tbd = xv->second.shape; // [T, B, dim]
  if (batchFirst)
    std::swap(tbd[0], tbd[1]);
  int64_t dim = tbd[2];
  const Tensor *wIn = m.known(proj->input(1));
  if ((batchFirst && proj->input(0) != root.output(0)) || !wIn || wIn->shape != Shape{dim, 3 * dim})
    return false;
  const onnx::NodeProto *addIn = m.sole(proj->output(0), "Add");
  if (!addIn)
    return false;
  std::string biasName = addIn->input(0) == proj->output(0) ? addIn->input(1) : addIn->input(0);
  const Tensor *bIn = m.known(biasName);
  if (!bIn || bIn->shape != Shape{3 * dim})
    return false;
  // q, k, v: three Slices of the projection along its last axis, by thirds (also a Shape of it).
  std::string packed = addIn->output(0);
  if (graph.graphOutputs.count(packed) || !graph.consumers.count(packed))
    return false;
  const onnx::NodeProto *slices[3] = {nullptr, nullptr, nullptr};
  Shape packedShape{tbd[0], tbd[1], 3 * dim};
  for (int reader : graph.consumers.at(packed)) {
    const onnx::NodeProto &n = graph.proto.node(reader);
    m.chain_.insert(reader);
    if (n.op_type() == "Shape" && n.domain().empty())
      continue;
    if (n.op_type() != "Slice" || !n.domain().empty() || n.input_size() < 4 || n.input(0) != packed)
      return false;
    auto starts = m.ints(n.input(1), packed, packedShape), ends = m.ints(n.input(2), packed, packedShape);
    auto axes = m.ints(n.input(3), packed, packedShape);
    std::optional<std::vector<int64_t>> steps = std::vector<int64_t>{1};
    if (n.input_size() > 4 && !n.input(4).empty())
      steps = m.ints(n.input(4), packed, packedShape);
    if (!starts || !ends || !axes || !steps || starts->size() != 1 || ends->size() != 1 || axes->size() != 1 ||
        steps->size() != 1 || (*steps)[0] != 1 || ((*axes)[0] != 2 && (*axes)[0] != -1))
      return false;
    int64_t part = (*starts)[0] / dim;
    if ((*starts)[0] != part * dim || (*ends)[0] != (part + 1) * dim || part < 0 || part > 2 || slices[part])
      return false;
    slices[part] = &n;
  }
  if (!slices[0] || !slices[1] || !slices[2])
    return false;
  int64_t heads = 0;
  const onnx::NodeProto *rq = headsReshape(m, slices[0]->output(0), tbd, heads);
  const onnx::NodeProto *rk = headsReshape(m, slices[1]->output(0), tbd, heads);
  const onnx::NodeProto *rv = headsReshape(m, slices[2]->output(0), tbd, heads);
  if (!rq || !rk || !rv)
    return false;
  const onnx::NodeProto *tq = m.sole(rq->output(0), "Transpose"), *tk = m.sole(rk->output(0), "Transpose"),
                        *tv = m.sole(rv->output(0), "Transpose");
  if (!Matcher::perm(tq, {1, 0, 2}) || !Matcher::perm(tk, {1, 2, 0}) || !Matcher::perm(tv, {1, 0, 2}))
    return false;
  // q / sqrt(head_dim) (or q * its reciprocal), then the scores.
  double hd = static_cast<double>(dim / heads);
  const onnx::NodeProto *scale = m.sole(tq->output(0), "Div");
  bool divides = scale != nullptr;
  if (!scale)
    scale = m.sole(tq->output(0), "Mul");
  if (!scale || scale->input(0) != tq->output(0))
    return false;
  auto factor = m.scalar(scale->input(1));
  double want = divides ? std::sqrt(hd) : 1.0 / std::sqrt(hd);
  if (!factor || std::fabs(*factor - want) > 1e-6 * want)
    return false;
  const onnx::NodeProto *scores = m.sole(scale->output(0), "MatMul");
  if (!scores || scores->input(0) != scale->output(0) || scores->input(1) != tk->output(0) ||
      !m.sole(tk->output(0), "MatMul"))
    return false;
  const onnx::NodeProto *masked = causalMaskAdd(m, scores, tbd[0]);
  const onnx::NodeProto *softmax = m.sole((masked ? masked : scores)->output(0), "Softmax");
  if (!softmax || softmax->attribute_size() > 1 ||
      (softmax->attribute_size() == 1 && (softmax->attribute(0).name() != "axis" ||
                                          (softmax->attribute(0).i() != -1 && softmax->attribute(0).i() != 2))))
    return false;
  const onnx::NodeProto *mix = m.sole(softmax->output(0), "MatMul");
  if (!mix || mix->input(0) != softmax->output(0) || mix->input(1) != tv->output(0) ||
      !m.sole(tv->output(0), "MatMul"))
    return false;
  // The heads merged back to [T*B, dim], the out-projection (a Gemm, transB), back to [T, B, dim].
  const onnx::NodeProto *merge = m.sole(mix->output(0), "Transpose");
  if (!Matcher::perm(merge, {1, 0, 2}))
    return false;
  const onnx::NodeProto *flat = m.sole(merge->output(0), "Reshape");
  auto flatTo = flat ? m.ints(flat->input(1), "", {}) : std::nullopt;
  if (!flatTo || *flatTo != std::vector<int64_t>{tbd[0] * tbd[1], dim})
    return false;
  const onnx::NodeProto *gemm = m.sole(flat->output(0), "Gemm");
  if (!gemm || gemm->input_size() != 3 || gemm->input(0) != flat->output(0))
    return false;
  bool transB = false;
  for (const auto &a : gemm->attribute()) {
    transB = transB || (a.name() == "transB" && a.i() == 1);
    bool ok = (a.name() == "transB" && a.i() == 1) || ((a.name() == "alpha" || a.name() == "beta") && a.f() == 1.0f) ||
              (a.name() == "transA" && a.i() == 0);
    if (!ok)
      return false;
  }
  if (!transB) // Y = X W^T + b, W [out, in] as nn.Linear's.
    return false;
  const Tensor *wOut = m.known(gemm->input(1)), *bOut = m.known(gemm->input(2));
  if (!wOut || !bOut || wOut->shape != Shape{dim, dim} || bOut->shape != Shape{dim})
    return false;
  const onnx::NodeProto *unflat = m.sole(gemm->output(0), "Reshape");
  auto unflatTo = unflat ? m.ints(unflat->input(1), "", {}) : std::nullopt;
  if (!unflatTo || *unflatTo != std::vector<int64_t>{tbd[0], tbd[1], dim})
    return false;
  const onnx::NodeProto *last = unflat;
  if (batchFirst) {
    last = nullptr;
    auto it = graph.consumers.find(unflat->output(0));
    if (!graph.graphOutputs.count(unflat->output(0)) && it != graph.consumers.end() && it->second.size() == 1 &&
        Matcher::perm(&graph.proto.node(it->second[0]), {1, 0, 2}) &&
        graph.proto.node(it->second[0]).op_type() == "Transpose") {
      m.chain_.insert(it->second[0]);
      last = &graph.proto.node(it->second[0]);
    }
    if (!last)
      return false;
  }
  if (!m.closed(last->output(0)))
    return false;

  // The chain is nn.MultiheadAttention's: one layer with its weights.
  Context c(graph, root, k);
  // PyTorch's names: "<module>.in_proj_bias" names the instance.
  const std::string suffix = ".in_proj_bias";
  size_t at = biasName.size() > suffix.size() ? biasName.size() - suffix.size() : 0;
  std::string hint = at && biasName.compare(at, suffix.size(), suffix) == 0 ? biasName.substr(0, at) : "mha";
  std::string inst = c.program().addLayer(
      hint,
      "MultiHeadAttention(" + std::to_string(dim) + ", " + std::to_string(heads) +
          (masked ? ", causal = true" : "") + ")",
      {{"in_proj_weight", transposed(*wIn)}, {"in_proj_bias", *bIn}, {"out_proj_weight", *wOut},
       {"out_proj_bias", *bOut}});
  std::string x = c.operand(0);
  Shape outShape = xv->second.shape;
  std::string expr = batchFirst ? inst + "(" + x + ")"
                                : "transpose(" + inst + "(transpose(" + x + ", [1, 0, 2])), [1, 0, 2])";
  for (int n : m.chain_)
    if (n != k)
      graph.absorbed.insert(n);
  c.absorb(*last, expr, DType::F32, outShape, inst + "_out");
  return true;
}

} // namespace dlc::importer
