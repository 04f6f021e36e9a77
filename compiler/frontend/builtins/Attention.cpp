//===- Attention.cpp - Scaled dot-product attention -----------------------===//
//
// attention(q, k, v, causal = false) = softmax(q @ k^T / sqrt(d) [+ mask]) @ v. q is [..., Tq, d],
// k [..., Tk, d] and v [..., Tk, dv], the leading dimensions broadcasting as in matmul; the result
// is [..., Tq, dv]. With causal = true (Tq = Tk), query i attends to keys 0..i only: the mask adds
// -inf above the diagonal before the softmax, whose row maximum keeps it stable (the diagonal is
// always finite).
//
// When q, k and v share their leading dimensions, attention is one dl.attention op, which the code
// generator computes without writing the scores out: head by head while one head's scores fit a
// cache-sized tile, by blocks of rows past it (compiler/codegen/halide/ops/AttentionStreamed.cpp).
// Otherwise (or with dlc --attention=composed) it is written in terms of the dialect's matmul,
// transpose, softmax and element-wise ops, with a constant mask.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

#include <cmath>
#include <limits>

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// The [t, t] causal mask: 0 on and below the diagonal, -inf above it.
Value causalMask(Elaborator &E, int64_t t, SourceLoc at) {
  std::vector<float> values(size_t(t * t), 0.0f);
  for (int64_t i = 0; i < t; ++i)
    for (int64_t j = i + 1; j < t; ++j)
      values[size_t(i * t + j)] = -std::numeric_limits<float>::infinity();
  auto type = E.tensorType({t, t}, E.f32());
  auto value = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(values));
  return E.create<dlo::ConstantOp>(at, type, value);
}

/// Whether attention of q, k and v (whose last dimensions agree) can be one dl.attention op.
bool fusible(const shape::Shape &qs, const shape::Shape &ks, const shape::Shape &vs) {
  size_t r = qs.size();
  return ks.size() == r && vs.size() == r &&
         std::equal(qs.begin(), qs.end() - 2, ks.begin()) &&
         std::equal(qs.begin(), qs.end() - 2, vs.begin());
}

/// [..., Tq, dv]: the queries' shape with the values' last dimension.
shape::Shape attentionShape(shape::Shape qs, const shape::Shape &vs) {
  qs.back() = vs.back();
  return qs;
}

double scaleFor(const shape::Shape &qs) { return 1.0 / std::sqrt(double(qs.back())); }

std::optional<Val> attention(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> q = E.requireTensor(c[0], c.locOf(0), "the queries of 'attention'");
  std::optional<Value> k = E.requireTensor(c[1], c.locOf(1), "the keys of 'attention'");
  std::optional<Value> v = E.requireTensor(c[2], c.locOf(2), "the values of 'attention'");
  if (!q || !k || !v)
    return std::nullopt;
  if (c.has(3) && c[3].kind != Val::Kind::Bool) {
    E.error(c.locOf(3), "'causal' must be true or false, not " + c[3].describe());
    return std::nullopt;
  }
  bool causal = c.has(3) && c[3].b;
  shape::Shape qs = shapeOf(q->getType()), ks = shapeOf(k->getType());
  for (auto [value, what] : {std::pair{*q, "queries"}, {*k, "keys"}, {*v, "values"}})
    if (shapeOf(value.getType()).size() < 2) {
      E.error(c.loc, std::string("attention needs ") + what +
                         " of rank 2 or more ([..., T, d]), not " + describeType(value.getType()));
      return std::nullopt;
    }

  shape::Shape vs = shapeOf(v->getType());
  if (qs.back() != ks.back() || ks[ks.size() - 2] != vs[vs.size() - 2]) {
    E.error(c.loc, "attention of queries " + describeType(q->getType()) + ", keys " +
                       describeType(k->getType()) + " and values " + describeType(v->getType()) +
                       ": queries and keys need one last dimension d, keys and values one number "
                       "of positions ([..., Tq, d], [..., Tk, d], [..., Tk, dv])");
    return std::nullopt;
  }

  int64_t tq = qs[qs.size() - 2], tk = ks[ks.size() - 2];
  if (causal && tq != tk) {
    E.error(c.locOf(3), "causal attention needs as many queries as keys, not " +
                            std::to_string(tq) + " and " + std::to_string(tk));
    return std::nullopt;
  }

  if (E.options().fuseAttention && fusible(qs, ks, vs)) {
    auto type = E.tensorType(attentionShape(qs, vs), E.f32());
    Value out = E.create<dlo::AttentionOp>(c.loc, type, *q, *k, *v, E.builder().getBoolAttr(causal),
                                           E.builder().getF64FloatAttr(scaleFor(qs)));
    return Val::ofTensor(out);
  }

  // k^T over the last two dimensions.
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < int64_t(ks.size()); ++d)
    perm.push_back(d);
  std::swap(perm[ks.size() - 1], perm[ks.size() - 2]);
  shape::Shape kts = ks;
  std::swap(kts[ks.size() - 1], kts[ks.size() - 2]);
  Value kt = E.create<dlo::TransposeOp>(c.loc, E.tensorType(kts, E.f32()), *k,
                                        E.builder().getDenseI64ArrayAttr(perm));
  std::optional<Value> scores = E.matmul(*q, kt, c.loc);
  if (!scores)
    return std::nullopt;
  double scale = scaleFor(qs);
  std::optional<Val> scaled =
      E.binary("*", Val::ofTensor(*scores), Val::number(scale), c.loc);
  if (!scaled)
    return std::nullopt;
  if (causal) {
    scaled = E.binary("+", *scaled, Val::ofTensor(causalMask(E, tq, c.loc)), c.loc);
    if (!scaled)
      return std::nullopt;
  }
  Value weights = E.create<dlo::SoftmaxOp>(c.loc, scaled->tensor.getType(), scaled->tensor,
                                           E.builder().getI64IntegerAttr(-1));
  std::optional<Value> out = E.matmul(weights, *v, c.loc);
  if (!out)
    return std::nullopt;
  return Val::ofTensor(*out);
}

} // namespace

void registerAttentionBuiltins(BuiltinTable &t) {
  t["attention"] = {{req("q"), req("k"), req("v"), opt("causal", Val::boolean(false))}, attention};
}

} // namespace dlc
