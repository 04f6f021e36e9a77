//===- Context.cpp - What an ONNX op's translator sees --------------------===//
#include "compiler/importer/Graph.h"

#include <cctype>
#include <cmath>

namespace dlc::importer {

Context::Context(Graph &graph, const onnx::NodeProto &node, int index)
    : graph_(graph), node_(node), index_(index) {}

int64_t Context::opset() const { return graph_.opset; }
Program &Context::program() { return graph_.program; }

bool Context::has(int i) const { return i < node_.input_size() && !node_.input(i).empty(); }

const Value &Context::input(int i) const {
  if (!has(i))
    fail("input " + std::to_string(i) + " is missing");
  auto it = graph_.values.find(node_.input(i));
  if (it == graph_.values.end()) {
    auto made = graph_.producer.find(node_.input(i));
    if (made != graph_.producer.end())
      fail("input '" + node_.input(i) + "' comes from " +
           describeNode(graph_.proto.node(made->second), made->second) +
           ", an output dlc does not translate");
    fail("input '" + node_.input(i) + "' is neither a graph input, an initializer nor an earlier "
         "node's output");
  }
  return it->second;
}

const Tensor &Context::known(int i, const std::string &what) const {
  const Value &v = input(i);
  if (!v.known)
    fail(what + " (input '" + node_.input(i) + "') must be known when the model is imported (an "
         "initializer or a constant), since dlc's shapes and attributes are static");
  return *v.known;
}

bool Context::allKnown() const {
  for (int i = 0; i < node_.input_size(); ++i)
    if (has(i) && !input(i).known)
      return false;
  return true;
}

std::string Context::stateFor(const Tensor &tensor, const std::string &hint, bool buffer) {
  return graph_.program.addState(hint, tensor, buffer);
}

std::string Context::operand(int i, int64_t resultRank) {
  (void)input(i); // Fails for a missing input.
  Value &v = graph_.values.at(node_.input(i));
  if (!v.expr.empty())
    return v.expr;
  const Tensor &t = *v.known;
  if (t.size() == 1 && resultRank >= 0 && v.rank() <= resultRank && std::isfinite(t.values[0])) {
    std::string s = formatFloat(t.values[0]);
    if (t.dtype != DType::F32)
      s = std::to_string(static_cast<long long>(t.values[0]));
    return s[0] == '-' ? "(" + s + ")" : s;
  }
  if (t.dtype != DType::F32)
    fail("input '" + node_.input(i) + "' is a constant " + std::string(dtypeName(t.dtype)) + formatShape(t.shape) +
         " tensor used as data; dlc keeps only f32 tensors as parameters and buffers");
  bool isWeight = !v.origin.empty();
  // An initializer and its aliases (Identity) share one parameter.
  const std::string key = v.initializer.empty() ? v.onnxName : v.initializer;
  auto it = graph_.stateNames.find(key);
  if (it != graph_.stateNames.end())
    return v.expr = it->second;
  std::string name;
  if (t.isUniform() && (t.values[0] == 0 || t.values[0] == 1) && !std::signbit(t.values[0]) && !isWeight)
    name = std::string(t.values[0] == 0 ? "zeros" : "ones") + formatShape(t.shape);
  else
    name = graph_.program.addState(isWeight && v.origin != v.onnxName ? v.origin : v.onnxName, t,
                                   /*buffer=*/!isWeight);
  graph_.stateNames[key] = name;
  return v.expr = name;
}

bool Context::hasAttr(const std::string &name) const {
  for (const auto &a : node_.attribute())
    if (a.name() == name)
      return true;
  return false;
}

const onnx::AttributeProto *Context::attr(const std::string &name) {
  read_.insert(name);
  for (const auto &a : node_.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Context::intAttr(const std::string &name, int64_t fallback) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::INT)
    fail("attribute '" + name + "' should be an integer");
  return a->i();
}

double Context::floatAttr(const std::string &name, double fallback) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT)
    fail("attribute '" + name + "' should be a float");
  return a->f();
}

std::string Context::stringAttr(const std::string &name, const std::string &fallback) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::STRING)
    fail("attribute '" + name + "' should be a string");
  return a->s();
}

std::vector<int64_t> Context::intsAttr(const std::string &name, std::vector<int64_t> fallback) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::INTS)
    fail("attribute '" + name + "' should be a list of integers");
  return {a->ints().begin(), a->ints().end()};
}

void Context::fail(const std::string &message) const {
  throw ImportError(describeNode(node_, index_) + ": " + message);
}

void Context::unsupported(const std::string &name, const std::string &value, const std::string &why) const {
  fail("attribute " + name + " = " + value + " cannot be expressed in dlc: " + why);
}

void Context::requireFloat(int i, const std::string &what) const {
  if (input(i).dtype != DType::F32)
    fail(what + " is " + dtypeName(input(i).dtype) + "; dlc computes " + opName(node_) + " on f32 only");
}

void Context::checkAttributesRead() const {
  for (const auto &a : node_.attribute())
    if (!read_.count(a.name()))
      fail("attribute '" + a.name() + "' is not supported by dlc's " + opName(node_) + " translation");
}

bool Context::outputUsed(int i) const {
  if (i >= node_.output_size() || node_.output(i).empty())
    return false;
  const std::string &name = node_.output(i);
  return graph_.graphOutputs.count(name) || graph_.consumers.count(name);
}

void Context::bind(const std::string &onnxName, const std::string &expr, DType dtype, const Shape &shape,
                   const std::string &hint) {
  Value v;
  v.dtype = dtype == DType::I64 ? DType::I32 : dtype;
  v.shape = shape;
  v.onnxName = onnxName;
  bool isOutput = graph_.graphOutputs.count(onnxName) > 0;
  std::string name = graph_.program.freshName(isOutput || hint.empty() ? onnxName : hint);
  graph_.program.addStatement(isOutput ? "output " + name : name, expr);
  v.expr = name;
  v.emittedAsOutput = isOutput;
  graph_.values[onnxName] = v;
}

void Context::define(int i, const std::string &expr, DType dtype, const Shape &shape) {
  if (i >= node_.output_size() || node_.output(i).empty())
    return;
  bind(node_.output(i), expr, dtype, shape);
}

void Context::defineAll(const std::string &expr, DType dtype, const std::vector<Shape> &shapes) {
  defineAll(expr, std::vector<DType>(shapes.size(), dtype), shapes);
}

void Context::defineAll(const std::string &expr, const std::vector<DType> &dtypes,
                        const std::vector<Shape> &shapes) {
  std::string lhs;
  std::vector<std::pair<size_t, std::string>> outputs; // Graph outputs among them: (index, name).
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::string onnxName = i < size_t(node_.output_size()) && !node_.output(i).empty()
                               ? node_.output(i)
                               : "unused";
    bool isOutput = graph_.graphOutputs.count(onnxName) > 0;
    // A graph output is declared by its own `output` statement below, under the ONNX name.
    std::string name = graph_.program.freshName(isOutput ? onnxName + "_part" : onnxName);
    lhs += (i ? ", " : "") + name;
    if (isOutput) {
      outputs.push_back({i, name});
    } else if (onnxName != "unused") {
      Value v;
      v.dtype = dtypes[i];
      v.shape = shapes[i];
      v.expr = name;
      v.onnxName = onnxName;
      graph_.values[onnxName] = v;
    }
  }
  graph_.program.addStatement(lhs, expr);
  for (const auto &[i, name] : outputs)
    bind(node_.output(static_cast<int>(i)), name, dtypes[i], shapes[i]);
}

void Context::defineKnown(int i, Tensor tensor, const std::string &origin) {
  if (i >= node_.output_size() || node_.output(i).empty())
    return;
  Value v;
  v.dtype = tensor.dtype;
  v.shape = tensor.shape;
  v.known = std::move(tensor);
  v.origin = origin;
  v.onnxName = node_.output(i);
  graph_.values[node_.output(i)] = std::move(v);
}

void Context::alias(int i, int j) {
  if (i >= node_.output_size() || node_.output(i).empty())
    return;
  Value v = input(j);
  if (graph_.graphOutputs.count(node_.output(i))) {
    std::string expr = operand(j, v.rank());
    bind(node_.output(i), expr, v.dtype, v.shape);
    return;
  }
  v.onnxName = node_.output(i);
  graph_.values[node_.output(i)] = v;
}

const onnx::NodeProto *Context::soleConsumer(int i) const {
  if (i >= node_.output_size())
    return nullptr;
  return soleConsumerOf(node_.output(i));
}

const onnx::NodeProto *Context::soleConsumerOf(const std::string &name) const {
  if (graph_.graphOutputs.count(name))
    return nullptr;
  auto it = graph_.consumers.find(name);
  if (it == graph_.consumers.end() || it->second.size() != 1)
    return nullptr;
  return &graph_.proto.node(it->second[0]);
}

void Context::markAbsorbed(const onnx::NodeProto &consumer) {
  for (int k = 0; k < graph_.proto.node_size(); ++k)
    if (&graph_.proto.node(k) == &consumer)
      graph_.absorbed.insert(k);
}

void Context::absorb(const onnx::NodeProto &consumer, const std::string &expr, DType dtype, const Shape &shape,
                     const std::string &hint) {
  markAbsorbed(consumer);
  bind(consumer.output(0), expr, dtype, shape, hint);
}

const Value *Context::valueNamed(const std::string &name) const {
  auto it = graph_.values.find(name);
  return it == graph_.values.end() ? nullptr : &it->second;
}

std::optional<Tensor> Context::constantNamed(const std::string &name) const {
  const Value *v = valueNamed(name);
  if (v)
    return v->known;
  auto made = graph_.producer.find(name);
  if (made == graph_.producer.end())
    return std::nullopt;
  const onnx::NodeProto &node = graph_.proto.node(made->second);
  if (node.op_type() != "Constant" || node.attribute_size() != 1 || node.attribute(0).name() != "value")
    return std::nullopt;
  return readTensor(node.attribute(0).t(), "the value of " + describeNode(node, made->second));
}

bool Context::isGraphOutput(const std::string &name) const { return graph_.graphOutputs.count(name) > 0; }

void Context::setTransposed(const std::string &name, const std::string &transposed) {
  auto it = graph_.values.find(name);
  if (it != graph_.values.end())
    it->second.transposed = transposed;
}

std::vector<const onnx::NodeProto *> Context::readersOf(const std::string &name) const {
  std::vector<const onnx::NodeProto *> readers;
  auto it = graph_.consumers.find(name);
  if (it != graph_.consumers.end())
    for (int k : it->second)
      readers.push_back(&graph_.proto.node(k));
  return readers;
}

const onnx::NodeProto *Context::producerOf(int i) const {
  if (!has(i))
    return nullptr;
  auto made = graph_.producer.find(node_.input(i));
  return made == graph_.producer.end() ? nullptr : &graph_.proto.node(made->second);
}

bool Context::dropStatementOf(const std::string &name) {
  const Value *v = valueNamed(name);
  if (!v || v->expr.empty() || v->emittedAsOutput || graph_.graphOutputs.count(name))
    return false;
  return graph_.program.dropStatement(v->expr);
}

std::string Context::layerHint(int weightInput) const {
  std::string name = has(weightInput) ? input(weightInput).origin : "";
  // PyTorch exports a weight equal to another's (norm2.weight, all ones at first) as an Identity
  // of it: the Identity's output keeps the module's own name.
  if (has(weightInput)) {
    const std::string &own = input(weightInput).onnxName;
    if (own.find('.') != std::string::npos && own.find_first_of("/:") == std::string::npos)
      name = own;
  }
  size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) {
    std::string scope = name.substr(0, dot);
    // nn.Sequential's layers are numbered: "0.weight" is layer0's.
    return std::isdigit(static_cast<unsigned char>(scope[0])) ? "layer" + scope : scope;
  }
  // PyTorch names nodes "/scope/Op": the scope names the module.
  const std::string &node = node_.name();
  size_t last = node.rfind('/');
  if (!node.empty() && node[0] == '/' && last != std::string::npos && last > 1)
    return node.substr(1, last - 1);
  return node_.op_type();
}

Shape broadcastShapes(const Context &ctx, const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      ctx.fail("the shapes " + formatShape(a) + " and " + formatShape(b) + " do not broadcast");
    out[k] = da == 1 ? db : da;
  }
  return out;
}

int64_t normalizeAxis(const Context &ctx, int64_t axis, int64_t rank, const std::string &what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    ctx.fail(what + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::string formatInts(const std::vector<int64_t> &values, bool collapse) {
  bool same = !values.empty();
  for (int64_t v : values)
    same = same && v == values[0];
  if (collapse && same)
    return std::to_string(values[0]);
  return formatShape(values);
}

} // namespace dlc::importer
