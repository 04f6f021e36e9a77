//===- Patterns.cpp - Compositions PyTorch exports for one builtin --------===//
#include "compiler/importer/Patterns.h"
#include "compiler/importer/OnnxLoad.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace dlc::importer {

namespace {

struct GraphIndex {
  std::map<std::string, int> producer;
  std::map<std::string, std::vector<int>> consumers;
  std::map<std::string, const onnx::TensorProto *> initializers;
  std::set<std::string> outputs;

  explicit GraphIndex(const onnx::GraphProto &g) {
    for (int k = 0; k < g.node_size(); ++k) {
      for (const auto &o : g.node(k).output())
        producer[o] = k;
      for (const auto &i : g.node(k).input())
        consumers[i].push_back(k);
    }
    for (const auto &t : g.initializer())
      initializers[t.name()] = &t;
    for (const auto &o : g.output())
      outputs.insert(o.name());
  }

  /// The one node reading `value`, unless a graph output or read more than once.
  std::optional<int> sole(const std::string &value) const {
    auto it = consumers.find(value);
    if (outputs.count(value) || it == consumers.end() || it->second.size() != 1)
      return std::nullopt;
    return it->second[0];
  }
};

/// The scalar value of `name` when it is a one-element f32 constant or initializer.
std::optional<double> scalarOf(const onnx::GraphProto &g, const GraphIndex &index, const std::string &name) {
  const onnx::TensorProto *t = nullptr;
  if (auto it = index.initializers.find(name); it != index.initializers.end())
    t = it->second;
  else if (auto p = index.producer.find(name); p != index.producer.end()) {
    const onnx::NodeProto &n = g.node(p->second);
    if (n.op_type() == "Constant" && n.attribute_size() == 1 && n.attribute(0).name() == "value")
      t = &n.attribute(0).t();
  }
  if (!t || t->data_type() != onnx::TensorProto::FLOAT)
    return std::nullopt;
  try {
    Tensor v = readTensor(*t, name);
    if (v.size() != 1)
      return std::nullopt;
    return v.values[0];
  } catch (const ImportError &) {
    return std::nullopt;
  }
}

bool near(std::optional<double> v, double want) {
  return v && std::fabs(*v - want) <= 1e-6 * std::fabs(want);
}

/// For a binary node, the input that is not `other` (commutative ops), or "".
std::string otherInput(const onnx::NodeProto &n, const std::string &other) {
  if (n.input_size() != 2)
    return "";
  if (n.input(0) == other)
    return n.input(1);
  if (n.input(1) == other)
    return n.input(0);
  return "";
}

} // namespace

void rewritePatterns(onnx::GraphProto &g) {
  GraphIndex index(g);
  std::set<int> removed;
  for (int k = 0; k < g.node_size(); ++k) {
    const onnx::NodeProto &erf = g.node(k);
    if (erf.op_type() != "Erf" || erf.input_size() != 1 || !erf.domain().empty())
      continue;
    // Div(x, sqrt 2) -> Erf -> Add(., 1) -> Mul(x, .) -> Mul(., 0.5), either order for Add and Mul.
    auto div = index.producer.find(erf.input(0));
    if (div == index.producer.end() || g.node(div->second).op_type() != "Div")
      continue;
    const onnx::NodeProto &divNode = g.node(div->second);
    std::string x = divNode.input(0);
    if (!near(scalarOf(g, index, divNode.input(1)), std::sqrt(2.0)) || !index.sole(divNode.output(0)))
      continue;
    auto add = index.sole(erf.output(0));
    if (!add || g.node(*add).op_type() != "Add" ||
        !near(scalarOf(g, index, otherInput(g.node(*add), erf.output(0))), 1.0))
      continue;
    auto mul1 = index.sole(g.node(*add).output(0));
    if (!mul1 || g.node(*mul1).op_type() != "Mul" || otherInput(g.node(*mul1), g.node(*add).output(0)) != x)
      continue;
    auto mul2 = index.sole(g.node(*mul1).output(0));
    if (!mul2 || g.node(*mul2).op_type() != "Mul" ||
        !near(scalarOf(g, index, otherInput(g.node(*mul2), g.node(*mul1).output(0))), 0.5))
      continue;
    onnx::NodeProto *last = g.mutable_node(*mul2);
    std::string out = last->output(0);
    std::string name = last->name();
    last->Clear();
    last->set_op_type("Gelu");
    last->set_name(name.empty() ? "gelu" : name);
    last->add_input(x);
    last->add_output(out);
    removed.insert({div->second, k, *add, *mul1});
  }
  if (removed.empty())
    return;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (int k = 0; k < g.node_size(); ++k)
    if (!removed.count(k))
      *kept.Add() = g.node(k);
  g.mutable_node()->Swap(&kept);
}

} // namespace dlc::importer
