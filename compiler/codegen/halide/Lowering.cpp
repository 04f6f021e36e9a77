//===- Lowering.cpp - Walking a kernel's nodes into Halide Funcs ------------===//
//
// The Lowering class of Lowering.h: input buffers and Philox parameters, the walk over the nodes,
// and the coordinate, broadcasting and attribute helpers every op family uses. It checks what the
// families rely on (operand indices point backwards, attributes exist) so that a malformed Kernel
// is an error message rather than a crash.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <algorithm>

namespace dl::halide {

using Halide::Expr;
using Halide::Func;

Halide::Type halideType(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return Halide::Float(32);
  case DType::I32:
    return Halide::Int(32);
  case DType::I1:
    return Halide::Bool();
  }
  return Halide::Float(32);
}

Lowering::Lowering(const Kernel &kernel, bool forGpu)
    : kernel_(kernel), forGpu_(forGpu), seed_("seed"), step_("step") {
  for (size_t i = 0; i < kernel.inputs.size(); ++i) {
    const TensorType &t = kernel.inputs[i];
    Halide::ImageParam param(halideType(t.dtype), static_cast<int>(t.shape.size()),
                             "in" + std::to_string(i));
    // Shapes are static and buffers dense: telling Halide so turns index arithmetic into constants.
    // A kernel of any length takes its 1-D buffers' extent at run time.
    int64_t stride = 1;
    for (size_t h = 0; h < t.shape.size(); ++h) {
      int64_t extent = t.shape[t.shape.size() - 1 - h];
      if (kernel.anyLength)
        param.dim(static_cast<int>(h)).set_min(0);
      else
        param.dim(static_cast<int>(h)).set_bounds(0, static_cast<int>(extent));
      param.dim(static_cast<int>(h)).set_stride(static_cast<int>(stride));
      stride *= extent;
    }
    inputs_.push_back(param);
    LoweredValue v;
    v.type = t;
    v.kind = ValueKind::Input;
    v.func = Func("in" + std::to_string(i) + "_value");
    define(v.func, t.shape.size(), [&](const Index &index) { return call(param, index); });
    values_.push_back(v);
  }
}

void Lowering::lowerNodes(const OpTable &table) {
  for (const KernelNode &node : kernel_.nodes) {
    for (size_t i = 0; i < node.operands.size(); ++i)
      (void)operand(node, i); // checks every operand refers to an earlier value
    for (int64_t d : node.type.shape)
      if (d < 0)
        throw error(node, "has a negative dimension in its result type");
    if (node.type.numElements() >= (int64_t(1) << 31))
      throw error(node, "has more than 2^31 elements, beyond Halide's 32-bit indexing");
    auto it = table.find(node.op);
    if (it == table.end())
      throw error(node, "is not an op the Halide code generator knows");
    LoweredValue v = it->second(*this, node);
    v.type = node.type;
    values_.push_back(std::move(v));
  }
}

const LoweredValue &Lowering::operand(const KernelNode &node, size_t i) const {
  if (i >= node.operands.size())
    throw error(node, "needs an operand #" + std::to_string(i));
  int v = node.operands[i];
  int self = static_cast<int>(kernel_.inputs.size() + nodeIndex(node));
  if (v < 0 || v >= self || v >= static_cast<int>(values_.size()))
    throw error(node, "operand #" + std::to_string(i) + " refers to value " + std::to_string(v) +
                          ", which is not defined before it");
  return values_[v];
}

void Lowering::expectOperands(const KernelNode &node, size_t expected) const {
  if (node.operands.size() != expected)
    throw error(node, "takes " + std::to_string(expected) + " operands, not " +
                          std::to_string(node.operands.size()));
}

Halide::Var Lowering::var(size_t d, size_t rank) {
  return Halide::Var("d" + std::to_string(rank - 1 - d));
}

Index Lowering::coordinates(size_t rank) {
  Index index;
  for (size_t d = 0; d < rank; ++d)
    index.push_back(var(d, rank));
  return index;
}

Expr Lowering::call(const Func &func, const Index &index) {
  std::vector<Expr> args(index.rbegin(), index.rend());
  return const_cast<Func &>(func)(args);
}

void Lowering::define(Func &func, size_t rank, const std::function<Expr(const Index &)> &body) {
  Index index = coordinates(rank);
  std::vector<Halide::Var> args;
  for (size_t h = 0; h < rank; ++h)
    args.push_back(var(rank - 1 - h, rank));
  func(args) = body(index);
}

Index Lowering::broadcastIndex(const Shape &in, const Shape &out, const Index &index) {
  Index result;
  size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d)
    result.push_back(in[d] == 1 ? Expr(0) : index[lead + d]);
  return result;
}

Expr Lowering::broadcastAt(const LoweredValue &v, const Shape &out, const Index &index) const {
  const Shape &in = v.type.shape;
  if (in.size() > out.size())
    throw LoweringError("a tensor of rank " + std::to_string(in.size()) +
                        " does not broadcast to rank " + std::to_string(out.size()));
  size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d)
    if (in[d] != 1 && in[d] != out[lead + d])
      throw LoweringError("dimension " + std::to_string(d) + " of size " + std::to_string(in[d]) +
                          " does not broadcast to size " + std::to_string(out[lead + d]));
  return call(v.func, broadcastIndex(in, out, index));
}

std::string Lowering::funcName(const KernelNode &node, const std::string &suffix) const {
  return "n" + std::to_string(nodeIndex(node)) + "_" + node.op + suffix;
}

Func Lowering::newFunc(const KernelNode &node, const std::string &suffix) const {
  return Func(funcName(node, suffix));
}

Func Lowering::checkedIndices(const KernelNode &node, const LoweredValue &indices, int64_t count,
                              const std::string &suffix, const std::string &noun,
                              const std::string &what, std::optional<int64_t> alsoValid,
                              const std::string &tail) const {
  Func checked = newFunc(node, suffix);
  std::string where = node.location.empty() ? kernel().name : node.location;
  std::string type = "i32[";
  for (size_t d = 0; d < indices.type.shape.size(); ++d)
    type += (d ? ", " : "") + std::to_string(indices.type.shape[d]);
  type += "]";
  size_t rank = indices.type.shape.size();
  define(checked, rank, [&](const Index &at) {
    Expr index = call(indices.func, at);
    // Halide prints the arguments after the condition separated by spaces: "Requirement Failed:
    // (condition) 7 at row 1 column 2 of the ids i32[2, 3] is not a row of ...".
    std::vector<Expr> message = {index};
    auto text = [&](const std::string &s) { message.push_back(Halide::Internal::StringImm::make(s)); };
    if (rank == 1 || rank == 2) {
      text("at row");
      message.push_back(at[0]);
      if (rank == 2) {
        text("column");
        message.push_back(at[1]);
      }
    } else if (rank > 2) {
      text("at index");
      for (const Expr &i : at)
        message.push_back(i);
    }
    text("of the " + noun + " " + type + " " + what + " [0, " +
         std::to_string(count) + ") of dl." + node.op + " at " + where + tail);
    Expr valid = index >= 0 && index < static_cast<int32_t>(count);
    if (alsoValid)
      valid = valid || index == static_cast<int32_t>(*alsoValid);
    return Halide::require(valid, message);
  });
  return checked;
}

LoweredValue Lowering::pointwise(const KernelNode &node,
                                 const std::function<Expr(const Index &)> &body) const {
  LoweredValue v;
  v.func = newFunc(node);
  v.type = node.type;
  v.kind = ValueKind::Pointwise;
  Halide::Type t = halideType(node.type.dtype);
  define(v.func, node.type.shape.size(), [&](const Index &index) {
    Expr e = body(index);
    if (e.type() == t)
      return e;
    // Booleans become 0/1 rather than going through Halide's cast, which is the same thing but
    // says so.
    if (t.is_bool())
      return e != Halide::Internal::make_zero(e.type());
    return Halide::cast(t, e);
  });
  return v;
}

double Lowering::floatAttr(const KernelNode &node, const std::string &name) const {
  auto it = node.floats.find(name);
  if (it == node.floats.end())
    throw error(node, "needs the float attribute '" + name + "'");
  return it->second;
}

double Lowering::floatAttr(const KernelNode &node, const std::string &name, double fallback) const {
  auto it = node.floats.find(name);
  return it == node.floats.end() ? fallback : it->second;
}

int64_t Lowering::intAttr(const KernelNode &node, const std::string &name) const {
  auto it = node.ints.find(name);
  if (it == node.ints.end() || it->second.size() != 1)
    throw error(node, "needs the integer attribute '" + name + "'");
  return it->second[0];
}

int64_t Lowering::intAttr(const KernelNode &node, const std::string &name, int64_t fallback) const {
  auto it = node.ints.find(name);
  if (it == node.ints.end())
    return fallback;
  if (it->second.size() != 1)
    throw error(node, "needs a single integer in attribute '" + name + "'");
  return it->second[0];
}

std::vector<int64_t> Lowering::intsAttr(const KernelNode &node, const std::string &name) const {
  auto it = node.ints.find(name);
  if (it == node.ints.end())
    throw error(node, "needs the integer array attribute '" + name + "'");
  return it->second;
}

std::vector<int64_t> Lowering::intsAttr(const KernelNode &node, const std::string &name,
                                        const std::vector<int64_t> &fallback) const {
  auto it = node.ints.find(name);
  return it == node.ints.end() ? fallback : it->second;
}

const std::string &Lowering::stringAttr(const KernelNode &node, const std::string &name) const {
  auto it = node.strings.find(name);
  if (it == node.strings.end())
    throw error(node, "needs the string attribute '" + name + "'");
  return it->second;
}

int64_t Lowering::normalizeAxis(const KernelNode &node, int64_t axis, int64_t rank) const {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    throw error(node, "axis " + std::to_string(axis) + " is out of range for rank " +
                          std::to_string(rank));
  return a;
}

LoweringError Lowering::error(const KernelNode &node, const std::string &message) const {
  std::string where = node.location.empty() ? kernel_.name : node.location;
  return LoweringError(where + ": dl." + node.op + " " + message);
}

} // namespace dl::halide
