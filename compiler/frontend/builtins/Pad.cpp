//===- Pad.cpp - pad(x, pads, mode, value), PyTorch's F.pad ---------------===//
//
// pad(x, pads, mode = "constant", value = 0) in F.pad's argument order. `pads` is F.pad's flat
// list, last dimension first ([left, right, top, bottom, ...], an even count of at most twice the
// rank, the leading dimensions not padded), or one [before, after] pair per dimension, first
// dimension first (dlc's older form). Modes:
//   "constant"   ShapeOps.td's dl.pad with `value` (negative amounts crop, as in PyTorch);
//   "reflect"    x mirrored about its first and last elements, which are not repeated (each
//                amount below the dimension's size, as PyTorch requires);
//   "replicate"  the first and last elements repeated.
// reflect and replicate are written with the ops whose gradients already exist: along each padded
// dimension the pieces are one-element slices of x (reflect: x[k] for k = before .. 1, and
// x[n - 1 - k] for k = 1 .. after; replicate: x[0] and x[n - 1] broadcast to the amount),
// concatenated around x. Their gradients sum each padded element's gradient back onto the element
// it copies. Dimensions are padded one after the other; both modes are separable, so the corners
// come out as PyTorch's.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/builtins/Builtins.h"

namespace dlc {

namespace shape = dl::shape;
namespace dlo = mlir::dl;
using mlir::Value;

namespace {

/// A string argument in quotes, anything else as Val::describe says it.
std::string quoted(const Val &v) {
  return v.kind == Val::Kind::String ? "\"" + v.s + "\"" : v.describe();
}

/// Reads `pads` (either form) into per-dimension amounts; false after reporting an error.
bool readPads(Elaborator &E, const BuiltinCall &c, Value x, std::vector<int64_t> &low,
              std::vector<int64_t> &high) {
  int64_t rank = typeOf(x).getRank();
  const Val &pads = c[1];
  std::string form = "pad takes F.pad's flat list of integers, last dimension first ([left, right, "
                     "top, bottom, ...], at most two per dimension), or one [before, after] pair "
                     "of integers per dimension, for " + describeType(x.getType());
  if (pads.kind != Val::Kind::List || pads.list.empty()) {
    E.error(c.locOf(1), form + ", not " + pads.describe());
    return false;
  }
  low.assign(rank, 0);
  high.assign(rank, 0);
  bool nested = pads.list[0].kind == Val::Kind::List;
  bool ok = nested ? (int64_t)pads.list.size() == rank
                   : pads.list.size() % 2 == 0 && (int64_t)pads.list.size() <= 2 * rank;
  for (size_t i = 0; ok && i < pads.list.size(); ++i) {
    const Val &p = pads.list[i];
    if (nested) {
      ok = p.kind == Val::Kind::List && p.list.size() == 2 && p.list[0].kind == Val::Kind::Int &&
           p.list[1].kind == Val::Kind::Int;
      if (ok) {
        low[i] = p.list[0].i;
        high[i] = p.list[1].i;
      }
    } else {
      ok = p.kind == Val::Kind::Int;
      int64_t d = rank - 1 - int64_t(i / 2);
      if (ok)
        (i % 2 ? high : low)[d] = p.i;
    }
  }
  if (!ok) {
    E.error(c.locOf(1), form + ", not " + pads.describe());
    return false;
  }
  for (int64_t d = 0; d < rank; ++d)
    if (std::abs(low[d]) > Elaborator::kMaxElements ||
        std::abs(high[d]) > Elaborator::kMaxElements) {
      E.error(c.locOf(1), "padding of " + describeType(x.getType()) +
                              " is too large: a tensor holds at most 2^40 elements");
      return false;
    }
  return true;
}

/// x[index] along `axis` (that dimension of size 1), broadcast to `count` along it.
Value edgePiece(Elaborator &E, SourceLoc at, Value x, int64_t axis, int64_t index, int64_t count) {
  shape::Shape s = shapeOf(x.getType());
  mlir::Type element = typeOf(x).getElementType();
  std::vector<int64_t> start(s.size(), 0), limit = s, stride(s.size(), 1);
  start[axis] = index;
  limit[axis] = index + 1;
  shape::Shape one = s;
  one[axis] = 1;
  mlir::OpBuilder &b = E.builder();
  Value piece = E.create<dlo::SliceOp>(at, E.tensorType(one, element), x,
                                       b.getDenseI64ArrayAttr(start), b.getDenseI64ArrayAttr(limit),
                                       b.getDenseI64ArrayAttr(stride));
  if (count == 1)
    return piece;
  shape::Shape wide = s;
  wide[axis] = count;
  return E.create<dlo::BroadcastToOp>(at, E.tensorType(wide, element), piece);
}

/// x padded along `axis` by `before` and `after` elements, reflected or replicated.
Value padAxis(Elaborator &E, SourceLoc at, Value x, int64_t axis, int64_t before, int64_t after,
              bool reflect) {
  int64_t n = shapeOf(x.getType())[axis];
  std::vector<Value> parts;
  if (reflect) {
    for (int64_t k = before; k >= 1; --k)
      parts.push_back(edgePiece(E, at, x, axis, k, 1));
  } else if (before > 0) {
    parts.push_back(edgePiece(E, at, x, axis, 0, before));
  }
  parts.push_back(x);
  if (reflect) {
    for (int64_t k = 1; k <= after; ++k)
      parts.push_back(edgePiece(E, at, x, axis, n - 1 - k, 1));
  } else if (after > 0) {
    parts.push_back(edgePiece(E, at, x, axis, n - 1, after));
  }
  shape::Shape out = shapeOf(x.getType());
  out[axis] += before + after;
  return E.create<dlo::ConcatOp>(at, E.tensorType(out, typeOf(x).getElementType()), parts,
                                 E.builder().getI64IntegerAttr(axis));
}

std::optional<Val> pad(Elaborator &E, const BuiltinCall &c) {
  std::optional<Value> x = E.requireTensor(c[0], c.locOf(0), "the argument of 'pad'", false);
  std::optional<double> value =
      E.requireNumber(c[3], c.locOf(3), "'value'", /*allowInfinity=*/true);
  if (!x || !value)
    return std::nullopt;
  if (c[2].kind != Val::Kind::String ||
      (c[2].s != "constant" && c[2].s != "reflect" && c[2].s != "replicate")) {
    E.error(c.locOf(2), "'mode' of 'pad' must be \"constant\", \"reflect\" or \"replicate\", not " +
                            quoted(c[2]));
    return std::nullopt;
  }
  std::vector<int64_t> low, high;
  if (!readPads(E, c, *x, low, high))
    return std::nullopt;
  shape::Shape in = shapeOf(x->getType()), out;
  std::string why;
  if (c[2].s == "constant") {
    if (!shape::pad(in, low, high, out, why)) {
      E.error(c.locOf(1), "cannot pad " + describeType(x->getType()) + ": " + why);
      return std::nullopt;
    }
    mlir::OpBuilder &b = E.builder();
    return Val::ofTensor(E.create<dlo::PadOp>(
        c.loc, E.tensorType(out, typeOf(*x).getElementType()), *x, b.getDenseI64ArrayAttr(low),
        b.getDenseI64ArrayAttr(high), b.getF64FloatAttr(*value)));
  }
  bool reflect = c[2].s == "reflect";
  if (*value != 0) {
    E.error(c.locOf(3), "pad mode \"" + c[2].s + "\" takes no 'value', as in PyTorch");
    return std::nullopt;
  }
  for (size_t d = 0; d < in.size(); ++d) {
    std::string along = "cannot pad " + describeType(x->getType()) + " in mode \"" + c[2].s +
                        "\": dimension " + std::to_string(d) + " (size " +
                        std::to_string(in[d]) + ") ";
    if (low[d] < 0 || high[d] < 0) {
      E.error(c.locOf(1), along + "has a negative amount [" + std::to_string(low[d]) + ", " +
                              std::to_string(high[d]) + "]");
      return std::nullopt;
    }
    if (reflect && (low[d] >= in[d] || high[d] >= in[d])) {
      E.error(c.locOf(1), along + "needs amounts below its size, not [" +
                              std::to_string(low[d]) + ", " + std::to_string(high[d]) + "]");
      return std::nullopt;
    }
  }
  out = in;
  for (size_t d = 0; d < in.size(); ++d)
    out[d] += low[d] + high[d];
  if (!E.checkSize(out, typeOf(*x).getElementType(), c.loc, "the result of 'pad'"))
    return std::nullopt;
  Value y = *x;
  for (size_t d = in.size(); d-- > 0;)
    if (low[d] > 0 || high[d] > 0)
      y = padAxis(E, c.loc, y, int64_t(d), low[d], high[d], reflect);
  return Val::ofTensor(y);
}

} // namespace

void registerPadBuiltins(BuiltinTable &t) {
  t["pad"] = {{req("x"), req("pads"), opt("mode", Val::string("constant")),
               opt("value", Val::number(0.0))},
              pad};
}

} // namespace dlc
