//===- Schedule.cpp - What the CPU and GPU schedules share ----------------===//
//
// See Schedule.h: the analysis of a translated kernel that both schedules read (consumers, fusion
// groups, values computed once), the shape of a matmul, and the fused loop over attention heads.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Schedule.h"

namespace dl::halide {

using Halide::Var;

std::vector<std::vector<int>> consumersOf(const Lowering &l) {
  const codegen::Kernel &k = l.kernel();
  std::vector<std::vector<int>> consumers(k.numValues());
  for (size_t n = 0; n < k.nodes.size(); ++n) {
    int self = static_cast<int>(k.inputs.size() + n);
    std::set<int> seen;
    for (int v : k.nodes[n].operands)
      if (seen.insert(v).second)
        consumers[v].push_back(self);
  }
  return consumers;
}

bool needsOneRounding(const Lowering &l, const std::vector<std::vector<int>> &consumers,
                      const std::set<int> &stored, int v) {
  bool readByReduction = false;
  for (int c : consumers[v])
    readByReduction |= l.value(c).kind == ValueKind::Reduction;
  return readByReduction && (stored.count(v) || consumers[v].size() > 1);
}

/// The output group whose Tuple holds value `v`, or -1.
static int groupReading(const std::vector<OutputGroup> &groups, int v) {
  for (size_t g = 0; g < groups.size(); ++g)
    for (int gv : groups[g].values)
      if (gv == v)
        return static_cast<int>(g);
  return -1;
}

int fusionGroup(const Lowering &l, const std::vector<std::vector<int>> &consumers,
                const std::vector<OutputGroup> &groups, int m) {
  const Shape &shape = l.value(m).type.shape;
  std::vector<int> work{m};
  std::set<int> seen{m};
  int group = -1;
  while (!work.empty()) {
    int v = work.back();
    work.pop_back();
    int g = groupReading(groups, v);
    if (g >= 0) {
      if (group >= 0 && group != g)
        return -1;
      group = g;
    }
    for (int c : consumers[v]) {
      const LoweredValue &cv = l.value(c);
      bool elementwise = cv.kind == ValueKind::Pointwise || cv.kind == ValueKind::Random;
      if (!elementwise || cv.type.shape != shape)
        return -1;
      if (seen.insert(c).second)
        work.push_back(c);
    }
  }
  if (group >= 0 && groups[group].shape != shape)
    return -1;
  return group;
}

MatmulShape matmulShape(const Lowering &l, const codegen::KernelNode &node) {
  MatmulShape s;
  s.result = node.type.shape;
  const TensorType &a = l.kernel().typeOf(node.operands.at(0));
  const TensorType &b = l.kernel().typeOf(node.operands.at(1));
  s.shared = a.shape.back();
  s.matrixByMatrix = a.shape.size() >= 2 && b.shape.size() >= 2;
  s.columns = s.result.empty() ? 0 : s.result.back();
  if (s.matrixByMatrix && s.columns % kMatmulColumnQuantum != 0)
    s.columns += kMatmulColumnQuantum - s.columns % kMatmulColumnQuantum;
  return s;
}

Var fuseHeads(Halide::Stage stage, size_t rank, const std::string &name) {
  Var heads = Lowering::var(rank - 3, rank);
  for (size_t d = rank - 3; d-- > 0;) {
    Var outer(name + "_heads" + std::to_string(d));
    stage.fuse(heads, Lowering::var(d, rank), outer);
    heads = outer;
  }
  return heads;
}

} // namespace dl::halide
