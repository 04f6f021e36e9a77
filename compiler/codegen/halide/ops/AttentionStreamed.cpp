//===- AttentionStreamed.cpp - Attention past one tile per head -----------===//
//
// dl.attention and dl.attention_grad when one head's scores pass kWholeTileScores (Lowering.h):
// instead of one [Tq, Tk] tile per head (ops/Attention.cpp), every tile here covers one block of
// kAttentionRows rows against all columns, and the CPU schedule (cpu/AttentionSchedule.cpp)
// computes it inside the loop over row blocks of the value it feeds. A thread holds a few
// [kAttentionRows, T] tiles (for T = 4096, 128 KB each), so memory grows with T * d per head, not
// with T^2. Causal attention trims each block's columns to those its last row sees: the
// reductions that read a tile skip the rest, and Halide's bounds follow.
//
// With q [L..., Tq, d], k [L..., Tk, d], v [L..., Tk, dv] and the output's gradient g:
// forward, by blocks of queries:
//   S = q kT * scale (masked), m = rowmax(S), P = exp(S - m), l = rowsum(P), o = (P v) / l
// gradients: first, by blocks of queries, the statistics of each query row (computed once for the
// three gradients, [L..., Tq] each): m, l and delta = rowsum(W * dP), with W = P / l and
// dP = g vT; then each gradient by blocks of its own rows, recomputing what it needs from them:
//   dq (blocks of queries): dS = W * (dP - delta) * scale,            dq = dS k
//   dk (blocks of keys):    dS^T from S^T = k qT, dP^T = v gT,       dk = dS^T q
//   dv (blocks of keys):    W^T from S^T,                            dv = W^T g
// The softmax is not online (no rescaled running sum, as FlashAttention needs on a GPU): a whole
// row block of scores fits a core's L2 cache, so each block takes its row maxima first.
//
// Streaming recomputes more than the whole tile does (the statistics: S and dP once more; dk and
// dv: S^T each; about 12 products of [T, T, d] per train step against 7), so it is chosen past
// kWholeTileScores only, where the tiles would grow as T^2.
//
// Not done: the forward's statistics are not saved for the backward (the gradients recompute
// them, one more pass over the scores), and dk and dv recompute S^T each.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/ops/AttentionNode.h"

namespace dl::halide {
namespace {

using Halide::Expr;
using Halide::Func;

/// Which side of the scores a tile's rows run along: queries ([Tq, Tk] tiles) or keys ([Tk, Tq]).
enum class Rows { Queries, Keys };

using Body = std::function<Expr(const Index &)>;
using Term = std::function<Expr(const Index &, const Expr &)>;
using Tiles = std::vector<AttentionTile>;

class Streamed : attention::Node {
public:
  Streamed(Lowering &l, const KernelNode &node, std::shared_ptr<AttentionHead> head)
      : Node(l, node, std::move(head)) {
    h->streamed = true;
  }

  LoweredValue forward() {
    LoweredValue v = value();
    Tiles &tiles = v.attention.rowTiles;
    Func S = maskedScores(scores(Rows::Queries, tiles), Rows::Queries);
    Func m = rowReduction("max", S, minusInfinity(), maxPropagatingNaN, tiles);
    Func P = tile("P", Rows::Queries, tiles, [&](const Index &i) {
      return Halide::exp(at(S, i, row(i), column(i)) - atRow(m, i, row(i)));
    });
    Func sum = rowReduction("sum", P, Expr(0.0f), plus, tiles);
    product(v, s.tk, Rows::Queries, [&](const Index &i, const Expr &r) {
      return at(P, i, clampRow(row(i), s.tq), r) * operand(2, i, r, column(i));
    });
    Func o = v.attention.product;
    v.func = l.newFunc(node);
    Lowering::define(v.func, rank, [&](const Index &i) {
      return Lowering::call(o, i) / atRow(sum, i, row(i));
    });
    return v;
  }

  /// The statistics of each query row that the gradients share (AttentionHead::stats).
  void addStats() {
    Tiles &tiles = h->tiles;
    Func S = maskedScores(scores(Rows::Queries, tiles), Rows::Queries);
    Func m = rowReduction("max", S, minusInfinity(), maxPropagatingNaN, tiles);
    Func P = tile("P", Rows::Queries, tiles, [&](const Index &i) {
      return Halide::exp(at(S, i, row(i), column(i)) - atRow(m, i, row(i)));
    });
    Func sum = rowReduction("sum", P, Expr(0.0f), plus, tiles);
    Func dP = gradientProducts(Rows::Queries, tiles);
    Func weighted = l.newFunc(node, "_WdP");
    Lowering::define(weighted, rank, [&](const Index &i) {
      return at(P, i, row(i), column(i)) / atRow(sum, i, row(i)) * at(dP, i, row(i), column(i));
    });
    Func delta = rowReduction("delta", weighted, Expr(0.0f), plus, tiles);
    h->stats = l.newFunc(node, "_stats");
    h->statsShape = s.lead;
    h->statsShape.push_back(s.tq);
    Index i = Lowering::coordinates(rank - 1);
    std::vector<Expr> args(i.rbegin(), i.rend());
    h->stats(args) = Halide::Tuple(Lowering::call(m, i), Lowering::call(sum, i),
                                   Lowering::call(delta, i));
  }

  LoweredValue gradient(int64_t wrt) {
    LoweredValue v = value();
    Tiles &tiles = v.attention.rowTiles;
    Rows rows = wrt == 0 ? Rows::Queries : Rows::Keys;
    Func S = maskedScores(scores(rows, tiles), rows);
    // The query of a tile element: its row, or with keys along the rows, its column.
    auto query = [rows](const Index &i) { return rows == Rows::Queries ? row(i) : column(i); };
    auto weights = [&](const Index &i) {
      return Halide::exp(at(S, i, row(i), column(i)) - stat(i, query(i), 0)) / stat(i, query(i), 1);
    };
    if (wrt == 2) { // dv = W^T g
      Func W = tile("WT", rows, tiles, weights);
      product(v, s.tq, rows, [&](const Index &i, const Expr &r) {
        return at(W, i, clampRow(row(i), s.tk), r) * operand(3, i, r, column(i));
      });
    } else {
      Func dP = gradientProducts(rows, tiles);
      Func dS = tile(rows == Rows::Queries ? "dS" : "dST", rows, tiles, [&](const Index &i) {
        return weights(i) * (at(dP, i, row(i), column(i)) - stat(i, query(i), 2)) *
               static_cast<float>(scale);
      });
      if (wrt == 0) // dq = dS k
        product(v, s.tk, rows, [&](const Index &i, const Expr &r) {
          return at(dS, i, clampRow(row(i), s.tq), r) * operand(1, i, r, column(i));
        });
      else // dk = dS^T q
        product(v, s.tq, rows, [&](const Index &i, const Expr &r) {
          return at(dS, i, clampRow(row(i), s.tk), r) * operand(0, i, r, column(i));
        });
    }
    v.func = v.attention.product;
    return v;
  }

private:
  static Expr row(const Index &i) { return i[i.size() - 2]; }
  static Expr column(const Index &i) { return i[i.size() - 1]; }
  static Expr plus(Expr a, Expr b) { return a + b; }
  Shape tileShape(int64_t rows, int64_t columns) const {
    Shape shape = s.lead;
    shape.push_back(rows);
    shape.push_back(columns);
    return shape;
  }
  Shape tileShape(Rows rows) const {
    return rows == Rows::Queries ? tileShape(s.tq, s.tk) : tileShape(s.tk, s.tq);
  }
  /// Statistic `which` (0: max, 1: sum, 2: delta) of query row `query`.
  Expr stat(const Index &i, const Expr &query, int which) const {
    std::vector<Expr> args = {query};
    for (size_t d = s.lead.size(); d-- > 0;)
      args.push_back(i[d]);
    return h->stats(args)[which];
  }

  LoweredValue value() const {
    if (node.type.shape.size() != rank)
      throw l.error(node, "has a result of the wrong rank");
    LoweredValue v;
    v.type = node.type;
    v.kind = ValueKind::Attention;
    v.attention.head = h;
    return v;
  }

  /// Operand `o` ([L..., T, e]) transposed to [L..., e, T], once for the kernel. Its columns
  /// are clamped: a block of a tile may overhang the last one.
  Func transposed(size_t o, const std::string &what) {
    auto found = h->transposed.find(o);
    if (found != h->transposed.end())
      return found->second;
    const Shape &shape = l.operand(node, o).type.shape;
    int64_t t = shape[rank - 2], e = shape[rank - 1];
    AttentionTile tile;
    tile.func = tileFunc(what);
    tile.shape = tileShape(e, t);
    tile.transposes = true;
    Lowering::define(tile.func, rank, [&](const Index &i) {
      return operand(o, i, Halide::min(column(i), static_cast<int>(t) - 1), row(i));
    });
    h->rootTiles.push_back(tile);
    h->transposed[o] = tile.func;
    return tile.func;
  }

  /// Whether a query does not see a key at tile element `i` (causal only).
  Expr masked(Rows rows, const Index &i) const {
    return rows == Rows::Queries ? column(i) > row(i) : row(i) > column(i);
  }

  /// A pure tile over tileShape(rows).
  Func tile(const std::string &what, Rows rows, Tiles &tiles, const Body &body) {
    AttentionTile t;
    t.func = tileFunc(what);
    t.shape = tileShape(rows);
    Lowering::define(t.func, rank, body);
    tiles.push_back(t);
    return t.func;
  }

  /// A tile over tileShape(rows) that is epilogue(i, sum over r in [0, shared) of term(i, r)).
  Func productTile(const std::string &what, Rows rows, int64_t shared, Tiles &tiles,
                   const Term &term, const Term &epilogue) {
    AttentionTile t;
    t.shape = tileShape(rows);
    t.product = tileFunc(what + "_product");
    Lowering::define(t.product, rank, [](const Index &) { return Expr(0.0f); });
    Halide::RDom r(0, static_cast<int>(shared), l.funcName(node, "_" + what + "_r"));
    Index i = Lowering::coordinates(rank);
    std::vector<Expr> args(i.rbegin(), i.rend());
    t.product(args) += term(i, r.x);
    t.shared = r.x;
    t.hasProduct = true;
    t.func = tileFunc(what);
    Func product = t.product;
    Lowering::define(t.func, rank,
                     [&](const Index &at) { return epilogue(at, Lowering::call(product, at)); });
    tiles.push_back(t);
    return t.func;
  }

  /// The scaled scores along `rows`, -inf where the query does not see the key.
  Func scores(Rows rows, Tiles &tiles) {
    bool queries = rows == Rows::Queries;
    size_t a = queries ? 0 : 1;
    Func otherT = queries ? transposed(1, "kT") : transposed(0, "qT");
    int64_t rowCount = queries ? s.tq : s.tk;
    return productTile(
        queries ? "S" : "ST", rows, s.d, tiles,
        [&, a, otherT, rowCount](const Index &i, const Expr &r) {
          return operand(a, i, clampRow(row(i), rowCount), r) * at(otherT, i, r, column(i));
        },
        [&](const Index &, const Expr &product) { return product * static_cast<float>(scale); });
  }

  /// `S` with -inf where the query does not see the key (causal), inlined into its readers.
  /// (The mask is not in the product tile itself: there, Halide's bounds of the tile's product
  /// doubled to two row blocks.)
  Func maskedScores(const Func &S, Rows rows) {
    if (!causal)
      return S;
    Func f = l.newFunc(node, "_masked");
    Lowering::define(f, rank, [&](const Index &i) {
      // Strict: Halide compiles float code assuming no infinities.
      return Halide::strict_float(
          Halide::select(masked(rows, i), minusInfinity(), at(S, i, row(i), column(i))));
    });
    return f;
  }

  /// dP = g vT along the queries, or dP^T = v gT along the keys.
  Func gradientProducts(Rows rows, Tiles &tiles) {
    bool queries = rows == Rows::Queries;
    size_t a = queries ? 3 : 2;
    Func otherT = queries ? transposed(2, "vT") : transposed(3, "gT");
    int64_t rowCount = queries ? s.tq : s.tk;
    return productTile(
        queries ? "dP" : "dPT", rows, s.dv, tiles,
        [&, a, otherT, rowCount](const Index &i, const Expr &r) {
          return operand(a, i, clampRow(row(i), rowCount), r) * at(otherT, i, r, column(i));
        },
        [](const Index &, const Expr &product) { return product; });
  }

  /// The reduction of each row of [L..., Tq, Tk] tile `source` with `combine` from `identity`, in
  /// kRowLanes lanes and then across them. Causal: only the chunks of columns up to the last row
  /// of the row's block (the rest of the row is masked: the identity).
  Func rowReduction(const std::string &what, const Func &source, const Expr &identity,
                    const std::function<Expr(Expr, Expr)> &combine, Tiles &tiles) {
    AttentionTile t;
    t.isRowReduction = true;
    t.shape = s.lead;
    t.shape.push_back(s.tq);
    t.lanes = tileFunc(what + "_lanes");
    Index i = Lowering::coordinates(rank); // [L..., row, lane]
    std::vector<Expr> args(i.rbegin(), i.rend());
    t.lanes(args) = identity;
    int chunks = static_cast<int>((s.tk + kRowLanes - 1) / kRowLanes);
    Halide::RDom chunk(0, chunks, l.funcName(node, "_" + what + "_chunk"));
    if (causal)
      chunk.where(chunk.x * kRowLanes <= lastRowOfBlock(row(i)));
    Expr c = chunk.x * kRowLanes + column(i);
    Expr element = at(source, i, row(i), Halide::min(c, static_cast<int>(s.tk) - 1));
    if (s.tk % kRowLanes != 0)
      element = Halide::select(c < static_cast<int>(s.tk), element, identity);
    t.lanes(args) = combine(t.lanes(args), element);

    t.func = tileFunc(what);
    Index r = Lowering::coordinates(rank - 1); // [L..., row]
    std::vector<Expr> rowArgs(r.rbegin(), r.rend());
    t.func(rowArgs) = identity;
    Halide::RDom lane(0, kRowLanes, l.funcName(node, "_" + what + "_lane"));
    Index laneIndex = r;
    laneIndex.push_back(lane.x);
    t.func(rowArgs) = combine(t.func(rowArgs), Lowering::call(t.lanes, laneIndex));
    tiles.push_back(t);
    return t.func;
  }

  /// The value's own product over [L..., rows, columns] (the node's shape): the sum of term(i, r)
  /// over r in [0, shared). Causal: a block of queries stops at the keys its last row sees; a
  /// block of keys starts at the queries its first row is seen by.
  void product(LoweredValue &v, int64_t shared, Rows rows, const Term &term) {
    Func f = tileFunc("value_product");
    Lowering::define(f, rank, [](const Index &) { return Expr(0.0f); });
    Halide::RDom r(0, static_cast<int>(shared), l.funcName(node, "_value_r"));
    Index i = Lowering::coordinates(rank);
    if (causal)
      r.where(rows == Rows::Queries ? r.x <= lastRowOfBlock(row(i))
                                    : r.x >= firstRowOfBlock(row(i)));
    std::vector<Expr> args(i.rbegin(), i.rend());
    f(args) += term(i, r.x);
    v.attention.product = f;
    v.attention.shared = r.x;
  }
};

} // namespace

LoweredValue lowerStreamedAttention(Lowering &l, const KernelNode &node) {
  return Streamed(l, node, std::make_shared<AttentionHead>()).forward();
}

LoweredValue lowerStreamedAttentionGrad(Lowering &l, const KernelNode &node, int64_t wrt,
                                        std::shared_ptr<AttentionHead> sibling) {
  if (sibling)
    return Streamed(l, node, std::move(sibling)).gradient(wrt);
  Streamed b(l, node, std::make_shared<AttentionHead>());
  b.addStats();
  return b.gradient(wrt);
}

} // namespace dl::halide
