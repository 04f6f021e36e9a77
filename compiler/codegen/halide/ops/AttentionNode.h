//===- AttentionNode.h - What both attention lowerings read -----*- C++ -*-===//
//
// The sizes of one dl.attention or dl.attention_grad node, checked once, and the base of the two
// lowerings (Attention.cpp's whole tiles, AttentionStreamed.cpp's row blocks): the node's
// attributes and the accessors of Funcs over [L..., rows, columns] at a tile element's leading
// coordinates.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_CODEGEN_HALIDE_OPS_ATTENTIONNODE_H
#define DLC_CODEGEN_HALIDE_OPS_ATTENTIONNODE_H

#include "compiler/codegen/halide/Lowering.h"

#include <limits>
#include <memory>
#include <string>

namespace dl::halide::attention {

/// The sizes of one attention: q [L..., Tq, d], k [L..., Tk, d], v [L..., Tk, dv].
struct Sizes {
  Shape lead;
  int64_t tq = 0, tk = 0, d = 0, dv = 0;
};

/// The sizes of `node`, an error unless q, k and v (and g) are consistent f32 tensors.
inline Sizes sizesOf(Lowering &l, const KernelNode &node) {
  const Shape &q = l.operand(node, 0).type.shape, &k = l.operand(node, 1).type.shape,
              &v = l.operand(node, 2).type.shape;
  if (q.size() < 2 || k.size() != q.size() || v.size() != q.size())
    throw l.error(node, "needs q, k and v of one rank of 2 or more");
  Sizes s;
  s.lead.assign(q.begin(), q.end() - 2);
  s.tq = q[q.size() - 2];
  s.d = q.back();
  s.tk = k[k.size() - 2];
  s.dv = v.back();
  if (Shape(k.begin(), k.end() - 2) != s.lead || Shape(v.begin(), v.end() - 2) != s.lead ||
      k.back() != s.d || v[v.size() - 2] != s.tk)
    throw l.error(node, "has operands of inconsistent shapes");
  for (size_t i = 0; i < node.operands.size(); ++i)
    if (l.operand(node, i).type.dtype != DType::F32)
      throw l.error(node, "takes f32 tensors only");
  return s;
}

/// One attention node being lowered into (or reading the tiles of) an AttentionHead.
class Node {
protected:
  Node(Lowering &l, const KernelNode &node, std::shared_ptr<AttentionHead> head)
      : l(l), node(node), s(sizesOf(l, node)), rank(s.lead.size() + 2),
        causal(l.intAttr(node, "causal", 0) != 0), scale(l.floatAttr(node, "scale")),
        h(std::move(head)) {}

  Halide::Func tileFunc(const std::string &what) const { return l.newFunc(node, "_" + what); }

  /// Operand `o` at the leading coordinates of `i` and the given row and column.
  Halide::Expr operand(size_t o, const Index &i, const Halide::Expr &row,
                       const Halide::Expr &column) const {
    return at(l.operand(node, o).func, i, row, column);
  }
  /// A Func over [L..., rows, columns] at the leading coordinates of `i`.
  Halide::Expr at(const Halide::Func &f, const Index &i, const Halide::Expr &row,
                  const Halide::Expr &column) const {
    Index index(i.begin(), i.begin() + s.lead.size());
    index.push_back(row);
    index.push_back(column);
    return Lowering::call(f, index);
  }
  /// A Func over [L..., rows] at the leading coordinates of `i`.
  Halide::Expr atRow(const Halide::Func &f, const Index &i, const Halide::Expr &row) const {
    Index index(i.begin(), i.begin() + s.lead.size());
    index.push_back(row);
    return Lowering::call(f, index);
  }

  static Halide::Expr minusInfinity() {
    return Halide::Expr(-std::numeric_limits<float>::infinity());
  }
  /// The first and last rows of the kAttentionRows-row block of `row`.
  static Halide::Expr firstRowOfBlock(const Halide::Expr &row) {
    return row / kAttentionRows * kAttentionRows;
  }
  static Halide::Expr lastRowOfBlock(const Halide::Expr &row) {
    return firstRowOfBlock(row) + (kAttentionRows - 1);
  }
  /// `row` within [0, rows): a register block may overhang the last row.
  static Halide::Expr clampRow(const Halide::Expr &row, int64_t rows) {
    return Halide::clamp(row, 0, static_cast<int>(rows) - 1);
  }

  Lowering &l;
  const KernelNode &node;
  Sizes s;
  size_t rank;
  bool causal;
  double scale;
  std::shared_ptr<AttentionHead> h;
};

} // namespace dl::halide::attention

#endif // DLC_CODEGEN_HALIDE_OPS_ATTENTIONNODE_H
