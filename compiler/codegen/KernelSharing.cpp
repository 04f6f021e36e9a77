//===- KernelSharing.cpp - One compiled kernel for element-wise kernels of any size ===//
#include "compiler/codegen/KernelSharing.h"
#include "compiler/codegen/KernelExtraction.h"

#include "dl/DLTraits.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using namespace mlir;

namespace dl::codegen {
namespace {

/// Where a call sits: entry, then call.
struct CallSite {
  size_t entry, call;
};

/// The buffer that views the memory of buffer `b` as one row of its elements; `b` itself when it
/// already is a scalar or 1-D.
int flatBufferOf(std::vector<BufferView> &buffers, int b) {
  BufferView flat = buffers[b];
  if (flat.type.shape.size() <= 1)
    return b;
  flat.type.shape = {flat.type.numElements()};
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferView &o = buffers[i];
    if (o.kind == flat.kind && o.offset == flat.offset && o.entry == flat.entry &&
        o.index == flat.index && o.parent == flat.parent && o.stride == flat.stride &&
        o.steps == flat.steps && o.type == flat.type)
      return static_cast<int>(i);
  }
  buffers.push_back(flat);
  return static_cast<int>(buffers.size()) - 1;
}

/// Whether every buffer of `call` can be viewed as one row (a loop's moving window cannot: the
/// glue points only the views the loop lists).
bool flattensBuffers(const ModelLayout &layout, const KernelCall &call) {
  for (const std::vector<int> *list : {&call.inputs, &call.outputs})
    for (int b : *list)
      if (layout.buffers[b].kind == BufferView::View)
        return false;
  return true;
}

/// A text equal for two kernels of any length exactly when each output computes the same function
/// of the inputs, whatever their lengths and whatever the order of the nodes (dl-fuse and cse may
/// leave one kernel's independent nodes in another order than its twin's): the nodes are numbered
/// as a walk from the outputs, in order, through each node's operands, in order, first meets them,
/// equal nodes (op, attributes, type, operands) once. An input the call passes the same buffer for
/// as an earlier one counts as that one (dl-fuse gives each user of a load its own copy, and the
/// copies of a step count meet one kernel in either order); the pattern is part of the text.
std::string sizelessFingerprint(const Kernel &kernel, const KernelCall &call) {
  std::ostringstream os;
  os.precision(17);
  auto type = [&](std::ostream &out, const TensorType &t) {
    out << dtypeName(t.dtype) << (t.shape.empty() ? "[]" : "[n]");
  };
  for (const TensorType &t : kernel.inputs)
    type(os, t);
  os << "|";
  std::map<std::string, int> numbers;
  std::vector<int> numberOf(kernel.numValues(), -1);
  for (size_t i = 0; i < kernel.inputs.size(); ++i) {
    numberOf[i] = static_cast<int>(i);
    for (size_t j = 0; j < i; ++j)
      if (call.inputs[j] == call.inputs[i]) {
        numberOf[i] = static_cast<int>(j);
        break;
      }
    os << numberOf[i] << ",";
  }
  int next = static_cast<int>(kernel.inputs.size());
  std::function<int(int)> visit = [&](int v) {
    if (numberOf[v] >= 0)
      return numberOf[v];
    const KernelNode &n = kernel.nodes[v - kernel.inputs.size()];
    std::vector<int> operands;
    for (int o : n.operands)
      operands.push_back(visit(o));
    std::ostringstream text;
    text.precision(17);
    text << n.op << "(";
    for (int o : operands)
      text << o << ",";
    text << ")";
    type(text, n.type);
    writeNodeAttributes(text, n);
    auto [it, inserted] = numbers.try_emplace(text.str(), next);
    if (inserted) {
      os << text.str() << "\n";
      ++next;
    }
    return numberOf[v] = it->second;
  };
  for (int v : kernel.outputs)
    os << visit(v) << ",";
  return os.str();
}

} // namespace

std::optional<Kernel> anyLengthKernel(const Kernel &kernel, mlir::dl::FusionOp fusion) {
  for (Operation &op : fusion.getBodyBlock().without_terminator())
    if (!op.hasTrait<mlir::dl::fusion::Pointwise>() || op.hasTrait<mlir::dl::Random>())
      return std::nullopt;
  // One shape of at least one dimension for every value that is not a scalar.
  std::vector<int64_t> shape;
  for (int v = 0; v < kernel.numValues(); ++v) {
    const std::vector<int64_t> &s = kernel.typeOf(v).shape;
    if (s.empty())
      continue;
    if (!shape.empty() && s != shape)
      return std::nullopt;
    shape = s;
  }
  if (shape.empty())
    return std::nullopt;
  Kernel flat = kernel;
  int64_t n = TensorType{DType::F32, shape}.numElements();
  for (TensorType &t : flat.inputs)
    if (!t.shape.empty())
      t.shape = {n};
  for (KernelNode &node : flat.nodes) {
    // A constant of many elements would need as many at every size.
    if (node.op == "constant" && !node.splat && node.constant.size() != 1)
      return std::nullopt;
    if (!node.type.shape.empty())
      node.type.shape = {n};
  }
  flat.anyLength = true;
  return flat;
}

void shareKernelsAcrossSizes(ModelLayout &layout) {
  // The qualifying calls, grouped by their kernel with sizes erased; per group, its distinct
  // kernels in order of their first call.
  struct Group {
    std::vector<CallSite> calls;
    std::vector<std::string> symbols;
    Kernel kernel; ///< The anyLength form of the first.
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  std::map<std::string, std::optional<Kernel>> flatOf; // by symbol
  for (size_t e = 0; e < layout.entries.size(); ++e)
    for (size_t c = 0; c < layout.entries[e].calls.size(); ++c) {
      const KernelCall &call = layout.entries[e].calls[c];
      auto known = flatOf.find(call.symbol);
      if (known == flatOf.end())
        known = flatOf
                    .emplace(call.symbol,
                             anyLengthKernel(layout.kernels.at(call.symbol), call.fusion))
                    .first;
      if (!known->second || !flattensBuffers(layout, call))
        continue;
      std::string key = sizelessFingerprint(*known->second, call);
      auto [it, inserted] = groups.try_emplace(key);
      if (inserted) {
        order.push_back(key);
        it->second.kernel = *known->second;
      }
      it->second.calls.push_back({e, c});
      if (std::find(it->second.symbols.begin(), it->second.symbols.end(), call.symbol) ==
          it->second.symbols.end())
        it->second.symbols.push_back(call.symbol);
    }

  for (const std::string &key : order) {
    Group &g = groups[key];
    if (g.symbols.size() < 2)
      continue;
    std::string symbol = g.symbols.front() + "_n";
    g.kernel.name = symbol;
    layout.kernels[symbol] = g.kernel;
    for (CallSite site : g.calls) {
      KernelCall &call = layout.entries[site.entry].calls[site.call];
      call.symbol = symbol;
      for (std::vector<int> *list : {&call.inputs, &call.outputs})
        for (int &b : *list)
          b = flatBufferOf(layout.buffers, b);
    }
  }

  // Kernels no call uses any more.
  std::set<std::string> used;
  for (const EntryLayout &e : layout.entries)
    for (const KernelCall &call : e.calls)
      used.insert(call.symbol);
  for (auto it = layout.kernels.begin(); it != layout.kernels.end();)
    it = used.count(it->first) ? std::next(it) : layout.kernels.erase(it);
}

} // namespace dl::codegen
