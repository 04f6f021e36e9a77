//===- Attention.cpp - dl.attention and dl.attention_grad -----------------===//
//
// Scaled dot-product attention as per-head tiles (AttentionHead), so that no [L..., Tq, Tk] tensor
// is ever stored whole: the CPU schedule (cpu/AttentionSchedule.cpp) computes every tile of one
// head inside the loop over heads of the kernel's output, where it stays in cache. With q
// [L..., Tq, d], k [L..., Tk, d], v [L..., Tk, dv] and the output's gradient g [L..., Tq, dv], per
// head:
//
//   kT [d, Tk]       = k^T, so that the scores' product is vectorized along the keys
//   scores [Tq, Tk]  = q kT * scale, -inf above the diagonal when causal (a product tile)
//   max [Tq]         = the row maxima of scores
//   P [Tq, Tk]       = exp(scores - max)
//   sum [Tq]         = the row sums of P
// forward:  o = (P v) / sum                       (o's own product, P v)
// gradients, with W = P / sum the attention weights:
//   vT [dv, Tk]      = v^T
//   W [Tq, Tk]       = P / sum
//   dP [Tq, Tk]      = g vT                         (a product tile)
//   dot [Tq]         = the row sums of W * dP
//   dS [Tq, Tk]      = W * (dP - dot) * scale
//   dq = dS k, dk = dS^T q, dv = W^T g               (each its value's own product)
// The three gradients of one attention in one kernel share one AttentionHead (found by their
// operands and attributes), so P, dP and dS are computed once for the three.
//
// Past kWholeTileScores, attention streams blocks of rows instead (ops/AttentionStreamed.cpp).
//
// Row maxima and sums fold kRowLanes columns at a time, one per vector lane, then the lanes: the
// loads stay dense along the rows. Products clamp the rows they read, so that a register block may
// overhang the last row.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/ops/AttentionNode.h"

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;

using attention::Sizes;
using attention::sizesOf;

/// Builds the Funcs of one attention node.
class Builder : attention::Node {
public:
  /// Builds into (or reads the tiles of) `head`.
  Builder(Lowering &l, const KernelNode &node, std::shared_ptr<AttentionHead> head)
      : Node(l, node, std::move(head)) {}

  /// The tiles the forward op and the gradients both need: kT, scores, max, P and sum.
  void addWeights() {
    h->kT = addTile("kT", {s.d, s.tk}, [&](const Index &i) {
      return operand(1, i, blockColumn(i[rank - 1], s.tk), i[rank - 2]);
    });
    h->tiles.back().transposes = true;
    h->scores = addProductTile(
        "scores", {s.tq, s.tk}, s.d, minusInfinity(),
        [&](const Index &i, const Expr &r) {
          return operand(0, i, clampRow(i[rank - 2], s.tq), r) * at(h->kT, i, r, i[rank - 1]);
        },
        [&](const Index &i, const Expr &product) {
          Expr scaled = product * static_cast<float>(scale);
          if (!causal)
            return scaled;
          // Strict: Halide compiles float code assuming no infinities.
          return Halide::strict_float(
              Halide::select(i[rank - 1] > i[rank - 2], minusInfinity(), scaled));
        });
    // A NaN score makes its row's maximum NaN, so exp(score - max) is 0 for the whole row and the
    // weights 0 / 0: the row is NaN, as softmax gives it.
    h->rowMax = addRowReduction("max", h->scores, minusInfinity(), maxPropagatingNaN);
    h->p = addTile("P", {s.tq, s.tk}, [&](const Index &i) {
      return Halide::exp(at(h->scores, i, i[rank - 2], i[rank - 1]) -
                         atRow(h->rowMax, i, i[rank - 2]));
    });
    h->rowSum = addRowReduction("sum", h->p, Expr(0.0f), [](Expr a, Expr b) { return a + b; });
  }

  /// The tiles the gradients need besides the weights: vT, W, dP, dot and dS.
  void addGradientTiles() {
    h->vT = addTile("vT", {s.dv, s.tk}, [&](const Index &i) {
      return operand(2, i, blockColumn(i[rank - 1], s.tk), i[rank - 2]);
    });
    h->tiles.back().transposes = true;
    h->w = addTile("W", {s.tq, s.tk}, [&](const Index &i) {
      return at(h->p, i, i[rank - 2], i[rank - 1]) / atRow(h->rowSum, i, i[rank - 2]);
    });
    h->dP = addProductTile(
        "dP", {s.tq, s.tk}, s.dv, Expr(0.0f),
        [&](const Index &i, const Expr &r) {
          return operand(3, i, clampRow(i[rank - 2], s.tq), r) * at(h->vT, i, r, i[rank - 1]);
        },
        [](const Index &, const Expr &product) { return product; });
    Func weighted = tileFunc("WdP");
    Lowering::define(weighted, rank, [&](const Index &i) {
      return at(h->w, i, i[rank - 2], i[rank - 1]) * at(h->dP, i, i[rank - 2], i[rank - 1]);
    });
    // W * dP is inlined into the row sums (a tile of its own only in name).
    h->rowDot = addRowReduction("dot", weighted, Expr(0.0f), [](Expr a, Expr b) { return a + b; });
    h->dS = addTile("dS", {s.tq, s.tk}, [&](const Index &i) {
      return at(h->w, i, i[rank - 2], i[rank - 1]) *
             (at(h->dP, i, i[rank - 2], i[rank - 1]) - atRow(h->rowDot, i, i[rank - 2])) *
             static_cast<float>(scale);
    });
  }

  LoweredValue forward() {
    LoweredValue v = product(s.tk, Reach::UpToRow, [&](const Index &i, const Expr &r) {
      return at(h->p, i, clampRow(i[rank - 2], s.tq), r) * operand(2, i, r, i[rank - 1]);
    });
    Func product = v.attention.product;
    v.func = l.newFunc(node);
    Lowering::define(v.func, rank, [&](const Index &i) {
      return Lowering::call(product, i) / atRow(h->rowSum, i, i[rank - 2]);
    });
    return v;
  }

  LoweredValue gradient(int64_t wrt) {
    LoweredValue v;
    if (wrt == 0) // dq = dS k
      v = product(s.tk, Reach::UpToRow, [&](const Index &i, const Expr &r) {
        return at(h->dS, i, clampRow(i[rank - 2], s.tq), r) * operand(1, i, r, i[rank - 1]);
      });
    else if (wrt == 1) // dk = dS^T q
      v = product(s.tq, Reach::FromRow, [&](const Index &i, const Expr &r) {
        return at(h->dS, i, r, clampRow(i[rank - 2], s.tk)) * operand(0, i, r, i[rank - 1]);
      });
    else // dv = W^T g
      v = product(s.tq, Reach::FromRow, [&](const Index &i, const Expr &r) {
        return at(h->w, i, r, clampRow(i[rank - 2], s.tk)) * operand(3, i, r, i[rank - 1]);
      });
    v.func = v.attention.product;
    return v;
  }

private:
  Shape tileShape(std::initializer_list<int64_t> inner) const {
    Shape shape = s.lead;
    shape.insert(shape.end(), inner);
    return shape;
  }

  /// Column `column` of `columns`, clamped when causal blocks of kAttentionColumns may pass the
  /// last one.
  Expr blockColumn(const Expr &column, int64_t columns) const {
    if (!causal || columns % kAttentionColumns == 0)
      return column;
    return Halide::min(column, static_cast<int>(columns) - 1);
  }

  Func addTile(const std::string &what, std::initializer_list<int64_t> inner,
               const std::function<Expr(const Index &)> &body) {
    AttentionTile tile;
    tile.func = tileFunc(what);
    tile.shape = tileShape(inner);
    Lowering::define(tile.func, rank, body);
    h->tiles.push_back(tile);
    return tile.func;
  }

  /// A Func over [L..., rows, columns] named after `what` that sums term(i, r) over r in [0,
  /// shared) where `keep(i, r)` holds (every r when it is not given); `rvar` gets r.
  Func sumOf(const std::string &what, int64_t shared, Halide::RVar &rvar,
             const std::function<Expr(const Index &, const Expr &)> &term,
             const std::function<Expr(const Index &, const Expr &)> &keep = nullptr) {
    Func f = tileFunc(what + "_product");
    Lowering::define(f, rank, [](const Index &) { return Expr(0.0f); });
    Halide::RDom r(0, static_cast<int>(shared), l.funcName(node, "_" + what + "_r"));
    Index i = Lowering::coordinates(rank);
    if (keep)
      r.where(keep(i, r.x));
    std::vector<Expr> args(i.rbegin(), i.rend());
    f(args) += term(i, r.x);
    rvar = r.x;
    return f;
  }

  /// A tile `epilogue(i, product(i))`, where product(i) sums term(i, r) over r in [0, shared).
  /// Causal: `fill` above the diagonal, and the epilogue only on and below the last row of each
  /// block of kAttentionRows rows (an update over the columns up to it), so that no block computes
  /// the products of columns none of its rows attends to.
  Func addProductTile(const std::string &what,
                      std::initializer_list<int64_t> inner, int64_t shared, const Expr &fill,
                      const std::function<Expr(const Index &, const Expr &)> &term,
                      const std::function<Expr(const Index &, const Expr &)> &epilogue) {
    AttentionTile tile;
    tile.shape = tileShape(inner);
    tile.product = sumOf(what, shared, tile.shared, term);
    tile.hasProduct = true;
    Index i = Lowering::coordinates(rank);
    tile.func = tileFunc(what);
    Func product = tile.product;
    if (!causal) {
      Lowering::define(tile.func, rank,
                       [&](const Index &at) { return epilogue(at, Lowering::call(product, at)); });
      h->tiles.push_back(tile);
      return tile.func;
    }
    Lowering::define(tile.func, rank, [&](const Index &) { return fill; });
    // Over (column, row, one, column block, row block) of blocks of kAttentionRows rows by
    // kAttentionColumns columns: the condition reads the blocks alone, so it guards the whole
    // block, inside the loop `one` where the schedule computes the block's product. The last
    // blocks may pass the last row or column: the product reads clamped rows, kT and vT clamped
    // columns, and nothing reads the extra elements.
    int64_t rows = tile.shape[rank - 2], columns = tile.shape.back();
    int rowBlocks = static_cast<int>((rows + kAttentionRows - 1) / kAttentionRows);
    int columnBlocks = static_cast<int>((columns + kAttentionColumns - 1) / kAttentionColumns);
    Halide::RDom cells({{0, kAttentionColumns},
                        {0, kAttentionRows},
                        {0, 1},
                        {0, columnBlocks},
                        {0, rowBlocks}},
                       l.funcName(node, "_" + what + "_cells"));
    Expr columnBlock = cells[3], rowBlock = cells[4];
    cells.where(columnBlock * kAttentionColumns <=
                rowBlock * kAttentionRows + (kAttentionRows - 1));
    Index at = i;
    at[rank - 2] = rowBlock * kAttentionRows + cells.y;
    at[rank - 1] = columnBlock * kAttentionColumns + cells.x;
    std::vector<Expr> lhs(at.rbegin(), at.rend());
    tile.func(lhs) = epilogue(at, Lowering::call(product, at));
    tile.cells = cells;
    tile.triangular = true;
    h->tiles.push_back(tile);
    return tile.func;
  }

  /// The reduction of each row of tile `source` ([L..., Tq, Tk]) with `combine` from `identity`.
  Func addRowReduction(const std::string &what, const Func &source,
                       const Expr &identity, const std::function<Expr(Expr, Expr)> &combine) {
    AttentionTile tile;
    tile.isRowReduction = true;
    tile.shape = tileShape({s.tq});
    tile.lanes = tileFunc(what + "_lanes");
    Index i = Lowering::coordinates(rank); // [L..., row, lane]
    std::vector<Expr> args(i.rbegin(), i.rend());
    tile.lanes(args) = identity;
    int chunks = static_cast<int>((s.tk + kRowLanes - 1) / kRowLanes);
    Halide::RDom chunk(0, chunks, l.funcName(node, "_" + what + "_chunk"));
    Expr column = chunk.x * kRowLanes + i[rank - 1];
    Expr element = at(source, i, i[rank - 2], Halide::min(column, static_cast<int>(s.tk) - 1));
    if (s.tk % kRowLanes != 0)
      element = Halide::select(column < static_cast<int>(s.tk), element, identity);
    tile.lanes(args) = combine(tile.lanes(args), element);

    tile.func = tileFunc(what);
    Index row = Lowering::coordinates(rank - 1); // [L..., row]
    std::vector<Expr> rowArgs(row.rbegin(), row.rend());
    tile.func(rowArgs) = identity;
    Halide::RDom lane(0, kRowLanes, l.funcName(node, "_" + what + "_lane"));
    Index laneIndex = row;
    laneIndex.push_back(lane.x);
    tile.func(rowArgs) = combine(tile.func(rowArgs), Lowering::call(tile.lanes, laneIndex));
    h->tiles.push_back(tile);
    return tile.func;
  }

  /// Which terms of a value's product a causal attention can skip, for a block of rows: those past
  /// the block's last row (o and dq sum over keys, zero past the query), or before its first row
  /// (dk and dv sum over queries, zero before the key).
  enum class Reach { UpToRow, FromRow };

  /// The value's own product: [L..., rows, columns] (the node's shape), summing term(i, r) over r
  /// in [0, shared).
  LoweredValue product(int64_t shared, Reach reach,
                       const std::function<Expr(const Index &, const Expr &)> &term) {
    if (node.type.shape.size() != rank)
      throw l.error(node, "has a result of the wrong rank");
    LoweredValue v;
    v.type = node.type;
    v.kind = ValueKind::Attention;
    v.attention.head = h;
    std::function<Expr(const Index &, const Expr &)> keep;
    if (causal) // The same for every row of a block, so Halide trims the loop over r per block.
      keep = [reach](const Index &i, const Expr &r) {
        const Expr &row = i[i.size() - 2];
        return reach == Reach::UpToRow ? r <= lastRowOfBlock(row) : r >= firstRowOfBlock(row);
      };
    v.attention.product = sumOf("value", shared, v.attention.shared, term, keep);
    return v;
  }
};

LoweredValue lowerAttention(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 3);
  Sizes s = sizesOf(l, node);
  if (streamsAttention(s.tq, s.tk))
    return lowerStreamedAttention(l, node);
  Builder b(l, node, std::make_shared<AttentionHead>());
  b.addWeights();
  return b.forward();
}

/// An earlier attention_grad of `node`'s kernel with the same operands and attributes, or -1.
int siblingOf(const Lowering &l, const KernelNode &node) {
  const codegen::Kernel &kernel = l.kernel();
  for (size_t n = 0; n < l.nodeIndex(node); ++n) {
    const KernelNode &other = kernel.nodes[n];
    if (other.op == node.op && other.operands == node.operands &&
        other.floats == node.floats && other.ints.at("causal") == node.ints.at("causal"))
      return static_cast<int>(kernel.inputs.size() + n);
  }
  return -1;
}

LoweredValue lowerAttentionGrad(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 4);
  int64_t wrt = l.intAttr(node, "wrt");
  if (wrt < 0 || wrt > 2)
    throw l.error(node, "has 'wrt' " + std::to_string(wrt) + ", not 0, 1 or 2");
  l.intAttr(node, "causal");
  int sibling = siblingOf(l, node);
  Sizes s = sizesOf(l, node);
  if (streamsAttention(s.tq, s.tk))
    return lowerStreamedAttentionGrad(l, node, wrt,
                                      sibling >= 0 ? l.value(sibling).attention.head : nullptr);
  if (sibling >= 0)
    return Builder(l, node, l.value(sibling).attention.head).gradient(wrt);
  Builder b(l, node, std::make_shared<AttentionHead>());
  b.addWeights();
  b.addGradientTiles();
  return b.gradient(wrt);
}

} // namespace

void registerAttentionLowerings(OpTable &t) {
  t["attention"] = lowerAttention;
  t["attention_grad"] = lowerAttentionGrad;
}

} // namespace dl::halide
