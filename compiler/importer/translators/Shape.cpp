//===- Shape.cpp - ONNX's shape and data-movement ops ---------------------===//
//
// Reshape, Flatten, Transpose, Squeeze/Unsqueeze, Concat, Split, Slice, Gather, Pad, Expand, Tile,
// Trilu, and the ops of shape arithmetic PyTorch exports (Shape, Constant, ConstantOfShape, Range, Identity),
// folded when their inputs are known. A Gather of an f32 initializer by computed ids is an
// `Embedding` layer; GatherElements is gather (torch.gather), its negative indices counted from
// the end as ONNX allows (dlc's gather, as torch's, takes [0, s) only); Dropout is dlc's dropout
// (the identity in forward, as in inference).
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"
#include "compiler/importer/translators/Fold.h"

#include <algorithm>
#include <cmath>

namespace dlc::importer {

namespace {

void constant(Context &c) {
  if (const onnx::AttributeProto *a = c.attr("value")) {
    c.defineKnown(0, readTensor(a->t(), "the value of " + describeNode(c.node(), 0)));
  } else if (const onnx::AttributeProto *f = c.attr("value_float")) {
    c.defineKnown(0, makeTensor(DType::F32, {}, {f->f()}));
  } else if (const onnx::AttributeProto *fs = c.attr("value_floats")) {
    c.defineKnown(0, makeTensor(DType::F32, {fs->floats_size()}, {fs->floats().begin(), fs->floats().end()}));
  } else if (const onnx::AttributeProto *i = c.attr("value_int")) {
    c.defineKnown(0, makeTensor(DType::I64, {}, {static_cast<double>(i->i())}));
  } else if (const onnx::AttributeProto *is = c.attr("value_ints")) {
    c.defineKnown(0, makeTensor(DType::I64, {is->ints_size()}, {is->ints().begin(), is->ints().end()}));
  } else {
    c.fail("it holds no value dlc reads (value, value_float(s), value_int(s); not strings or sparse)");
  }
}

void shapeOp(Context &c) {
  const Shape &s = c.input(0).shape;
  int64_t rank = static_cast<int64_t>(s.size());
  int64_t start = c.intAttr("start", 0), end = c.intAttr("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  std::vector<double> dims(s.begin() + start, s.begin() + std::max(start, end));
  c.defineKnown(0, makeTensor(DType::I64, {static_cast<int64_t>(dims.size())}, dims));
}

/// The output of a reshape to `target` (0 copies, -1 infers), or fails.
Shape reshaped(Context &c, const Shape &in, std::vector<int64_t> target, bool allowZero) {
  int64_t known = 1, infer = -1;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && !allowZero) {
      if (d >= in.size())
        c.fail("the new shape " + formatShape(target) + " copies a dimension " + formatShape(in) + " lacks");
      target[d] = in[d];
    }
    if (target[d] == -1) {
      if (infer >= 0)
        c.fail("the new shape " + formatShape(target) + " has two -1");
      infer = static_cast<int64_t>(d);
    } else {
      known *= target[d];
    }
  }
  if (infer >= 0)
    target[infer] = known ? numElements(in) / known : 0;
  if (numElements(target) != numElements(in))
    c.fail("cannot reshape " + formatShape(in) + " to " + formatShape(target));
  return target;
}

/// Defines output 0 as input 0 reshaped to `out`: folded, aliased, or `reshape(x, out)`.
void reshapeTo(Context &c, const Shape &out) {
  const Value &x = c.input(0);
  if (x.known) {
    c.defineKnown(0, makeTensor(x.known->dtype, out, x.known->values), x.origin);
  } else if (out == x.shape) {
    c.alias(0, 0);
  } else {
    c.define(0, "reshape(" + c.operand(0) + ", " + formatShape(out) + ")", x.dtype, out);
  }
}

void reshape(Context &c) {
  bool allowZero = c.intAttr("allowzero", 0) != 0;
  reshapeTo(c, reshaped(c, c.input(0).shape, c.known(1, "the new shape").ints(), allowZero));
}

void flatten(Context &c) {
  const Value &x = c.input(0);
  int64_t axis = c.intAttr("axis", 1);
  axis = axis < 0 ? axis + x.rank() : axis;
  if (axis < 0 || axis > x.rank())
    c.fail("axis " + std::to_string(axis) + " is out of range for " + formatShape(x.shape));
  Shape out{numElements(Shape(x.shape.begin(), x.shape.begin() + axis)),
            numElements(Shape(x.shape.begin() + axis, x.shape.end()))};
  if (axis == 1 && !x.known && x.rank() > 2) {
    c.define(0, "flatten(" + c.operand(0) + ")", x.dtype, out);
    return;
  }
  reshapeTo(c, out);
}

std::vector<int64_t> axesOf(Context &c, int input, int64_t rank) {
  std::vector<int64_t> axes;
  if (c.has(input))
    axes = c.known(input, "the axes").ints();
  for (int64_t &a : axes)
    a = normalizeAxis(c, a, rank, "axis");
  return axes;
}

void squeeze(Context &c) {
  const Value &x = c.input(0);
  std::vector<int64_t> axes = axesOf(c, 1, x.rank());
  Shape out;
  for (int64_t d = 0; d < x.rank(); ++d) {
    bool listed = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (listed && x.shape[d] != 1)
      c.fail("cannot squeeze dimension " + std::to_string(d) + " of " + formatShape(x.shape));
    if (!(listed || (axes.empty() && x.shape[d] == 1)))
      out.push_back(x.shape[d]);
  }
  reshapeTo(c, out);
}

void unsqueeze(Context &c) {
  const Value &x = c.input(0);
  int64_t rank = x.rank() + static_cast<int64_t>(c.known(1, "the axes").size());
  std::vector<int64_t> axes = axesOf(c, 1, rank);
  Shape out;
  for (int64_t d = 0, k = 0; d < rank; ++d)
    out.push_back(std::find(axes.begin(), axes.end(), d) != axes.end() ? 1 : x.shape[k++]);
  reshapeTo(c, out);
}

void transpose(Context &c) {
  const Value &x = c.input(0);
  std::vector<int64_t> perm;
  for (int64_t d = x.rank() - 1; d >= 0; --d)
    perm.push_back(d);
  perm = c.intsAttr("perm", perm);
  if (static_cast<int64_t>(perm.size()) != x.rank())
    c.fail("perm " + formatShape(perm) + " does not fit " + formatShape(x.shape));
  Shape out;
  for (int64_t p : perm)
    out.push_back(x.shape.at(normalizeAxis(c, p, x.rank(), "perm entry")));
  if (x.known) {
    c.defineKnown(0, foldTranspose(*x.known, perm), x.origin);
    return;
  }
  c.define(0, "transpose(" + c.operand(0) + ", " + formatShape(perm) + ")", x.dtype, out);
}

void concat(Context &c) {
  const Value &first = c.input(0);
  int64_t axis = normalizeAxis(c, c.intAttr("axis", 0), first.rank(), "axis");
  Shape out = first.shape;
  out[axis] = 0;
  std::vector<const Tensor *> parts;
  for (int i = 0; i < c.numInputs(); ++i) {
    const Value &v = c.input(i);
    if (v.rank() != first.rank())
      c.fail("its inputs have ranks " + std::to_string(first.rank()) + " and " + std::to_string(v.rank()));
    out[axis] += v.shape[axis];
    if (v.known)
      parts.push_back(&*v.known);
  }
  if (static_cast<int>(parts.size()) == c.numInputs()) {
    c.defineKnown(0, foldConcat(parts, axis));
    return;
  }
  std::string list;
  for (int i = 0; i < c.numInputs(); ++i)
    list += (i ? ", " : "") + c.operand(i);
  c.define(0, "concat([" + list + "], axis = " + std::to_string(axis) + ")", first.dtype, out);
}

/// `x[...]` taking [begin, end) along each dimension ("i" for a single index when `drop`).
std::string subscript(const std::string &x, const Shape &in, const std::vector<int64_t> &begin,
                      const std::vector<int64_t> &end, const std::vector<bool> &drop) {
  std::string s = x + "[";
  for (size_t d = 0; d < in.size(); ++d) {
    s += d ? ", " : "";
    if (drop[d])
      s += std::to_string(begin[d]);
    else if (begin[d] == 0 && end[d] == in[d])
      s += ":";
    else
      s += std::to_string(begin[d]) + ":" + std::to_string(end[d]);
  }
  return s + "]";
}

void split(Context &c) {
  const Value &x = c.input(0);
  int64_t axis = normalizeAxis(c, c.intAttr("axis", 0), x.rank(), "axis");
  int64_t parts = c.numOutputs();
  std::vector<int64_t> sizes = c.has(1) ? c.known(1, "the split sizes").ints()
                                        : std::vector<int64_t>(parts, x.shape[axis] / parts);
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (static_cast<int64_t>(sizes.size()) != parts || total != x.shape[axis])
    c.fail("the split " + formatShape(sizes) + " does not cover dimension " + std::to_string(axis) + " of " +
           formatShape(x.shape) + " in " + std::to_string(parts) + " parts");
  bool equal = std::all_of(sizes.begin(), sizes.end(), [&](int64_t s) { return s == sizes[0]; });
  std::vector<Shape> shapes;
  for (int64_t s : sizes) {
    Shape piece = x.shape;
    piece[axis] = s;
    shapes.push_back(piece);
  }
  if (equal && !x.known && parts > 1) {
    c.defineAll("split(" + c.operand(0) + ", " + std::to_string(parts) + ", axis = " + std::to_string(axis) + ")",
                x.dtype, shapes);
    return;
  }
  std::string in = c.operand(0);
  std::vector<int64_t> begin(x.rank(), 0), end(x.shape.begin(), x.shape.end());
  for (int64_t i = 0, at = 0; i < parts; at += sizes[i], ++i) {
    begin[axis] = at;
    end[axis] = at + sizes[i];
    c.define(static_cast<int>(i), subscript(in, x.shape, begin, end, std::vector<bool>(x.rank(), false)),
             x.dtype, shapes[i]);
  }
}

void slice(Context &c) {
  const Value &x = c.input(0);
  std::vector<int64_t> starts = c.known(1, "the starts").ints(), ends = c.known(2, "the ends").ints();
  std::vector<int64_t> axes;
  if (c.has(3))
    axes = axesOf(c, 3, x.rank());
  else
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> steps = c.has(4) ? c.known(4, "the steps").ints() : std::vector<int64_t>(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    c.fail("starts, ends, axes and steps differ in length");
  std::vector<int64_t> b(x.rank(), 0), e(x.shape.begin(), x.shape.end()), st(x.rank(), 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t d = axes[i], n = x.shape[d], step = steps[i];
    if (step == 0)
      c.fail("a step of 0");
    // ONNX's clamping: [0, n] for a forward step; starts in [0, n - 1] and ends in [-1, n - 1]
    // for a backward one.
    auto clampIndex = [&](int64_t v, bool isEnd) {
      if (v < 0)
        v += n;
      if (step > 0)
        return std::clamp<int64_t>(v, 0, n);
      return std::clamp<int64_t>(v, isEnd ? -1 : 0, n - 1);
    };
    b[d] = clampIndex(starts[i], false);
    e[d] = clampIndex(ends[i], true);
    st[d] = step;
  }
  if (x.known) {
    c.defineKnown(0, foldSlice(*x.known, b, e, st));
    return;
  }
  Shape out = x.shape;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (st[d] != 1)
      c.fail("a step of " + std::to_string(st[d]) + " along dimension " + std::to_string(d) +
             " cannot be expressed: dlc's subscripts take contiguous ranges");
    e[d] = std::max(e[d], b[d]);
    out[d] = e[d] - b[d];
  }
  if (out == x.shape) {
    c.alias(0, 0);
    return;
  }
  if (numElements(out) == 0)
    c.fail("the slice of " + formatShape(x.shape) + " is empty");
  c.define(0, subscript(c.operand(0), x.shape, b, e, std::vector<bool>(x.rank(), false)), x.dtype, out);
}

void gather(Context &c) {
  const Value &data = c.input(0), &idx = c.input(1);
  int64_t axis = normalizeAxis(c, c.intAttr("axis", 0), data.rank(), "axis");
  if (idx.dtype == DType::F32)
    c.fail("its indices are f32");
  if (data.known && idx.known) {
    std::vector<int64_t> indices = idx.known->ints();
    for (int64_t &i : indices) {
      i = i < 0 ? i + data.shape[axis] : i;
      if (i < 0 || i >= data.shape[axis])
        c.fail("index out of range");
    }
    c.defineKnown(0, foldGather(*data.known, indices, idx.shape, axis));
    return;
  }
  if (data.known && !data.origin.empty() && data.dtype == DType::F32 && data.rank() == 2 && axis == 0) {
    std::string inst = c.program().addLayer(c.layerHint(0),
                                            "Embedding(" + std::to_string(data.shape[0]) + ", " +
                                                std::to_string(data.shape[1]) + ")",
                                            {{"weight", *data.known}});
    Shape out = idx.shape;
    out.push_back(data.shape[1]);
    c.define(0, inst + "(" + c.operand(1) + ")", DType::F32, out);
    return;
  }
  if (!data.known && !idx.known && data.dtype == DType::F32) {
    // Computed data by computed indices (a loss's class weights by the labels): gather along
    // `axis` by the indices flattened to N and broadcast over the data's other axes, then the
    // result [d0, .., N, .., dn-1] reshaped to ONNX's [d0, .., S..., .., dn-1]. ONNX's negative
    // indices count from the end.
    std::string i = c.operand(1);
    std::string wrapped = "where(" + i + " < 0, " + i + " + " + std::to_string(data.shape[axis]) + ", " + i + ")";
    Shape column(data.rank(), 1), picked = data.shape;
    column[axis] = picked[axis] = numElements(idx.shape);
    std::string index = idx.shape == column ? wrapped : "reshape(" + wrapped + ", " + formatShape(column) + ")";
    if (picked != column)
      index = "broadcast(" + index + ", " + formatShape(picked) + ")";
    std::string expr = "gather(" + c.operand(0) + ", " + std::to_string(axis) + ", " + index + ")";
    Shape result(data.shape.begin(), data.shape.begin() + axis);
    result.insert(result.end(), idx.shape.begin(), idx.shape.end());
    result.insert(result.end(), data.shape.begin() + axis + 1, data.shape.end());
    c.define(0, result == picked ? expr : "reshape(" + expr + ", " + formatShape(result) + ")", DType::F32,
             result);
    return;
  }
  if (data.known || !idx.known)
    c.fail("dlc translates Gather of an f32 matrix initializer by computed ids (an embedding), of computed f32 "
           "data by computed indices (gather), or of a computed tensor by known indices, not this one");
  std::vector<int64_t> indices = idx.known->ints();
  for (int64_t &i : indices)
    i = i < 0 ? i + data.shape[axis] : i;
  std::vector<int64_t> b(data.rank(), 0), e(data.shape.begin(), data.shape.end());
  std::vector<bool> drop(data.rank(), false);
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  bool contiguous = idx.rank() == 1 && !indices.empty();
  for (size_t i = 1; contiguous && i < indices.size(); ++i)
    contiguous = indices[i] == indices[i - 1] + 1;
  if (idx.rank() == 0) {
    b[axis] = indices[0];
    drop[axis] = true;
  } else if (contiguous) {
    b[axis] = indices[0];
    e[axis] = indices.back() + 1;
  } else {
    c.fail("the indices " + formatShape(indices) + " are not one index or a contiguous range");
  }
  if (b[axis] < 0 || b[axis] >= data.shape[axis] || e[axis] > data.shape[axis])
    c.fail("index out of range for " + formatShape(data.shape));
  c.define(0, subscript(c.operand(0), data.shape, b, e, drop), data.dtype, out);
}

/// GatherElements: gather(data, axis, indices). Known indices are checked and made non-negative
/// here; computed ones go through where(i < 0, i + s, i), ONNX's reading of -s..-1. An index still
/// outside the axis fails the model at run time (dlc's gather checks its indices).
void gatherElements(Context &c) {
  const Value &data = c.input(0), &idx = c.input(1);
  int64_t axis = normalizeAxis(c, c.intAttr("axis", 0), data.rank(), "axis");
  if (idx.dtype != DType::I32 && idx.dtype != DType::I64)
    c.fail("its indices must be integers, not " + std::string(dtypeName(idx.dtype)));
  if (idx.rank() != data.rank())
    c.fail("its indices " + formatShape(idx.shape) + " must have the data's rank " +
           std::to_string(data.rank()) + " " + formatShape(data.shape));
  for (int64_t d = 0; d < data.rank(); ++d)
    if (d != axis && idx.shape[d] > data.shape[d])
      c.fail("its indices " + formatShape(idx.shape) + " are larger than the data " +
             formatShape(data.shape) + " on axis " + std::to_string(d) + ", which is not `axis`");
  int64_t extent = data.shape[axis];
  std::vector<int64_t> known;
  if (idx.known) {
    known = idx.known->ints();
    for (int64_t &i : known) {
      if (i < -extent || i >= extent)
        c.fail("index " + std::to_string(i) + " is out of range [" + std::to_string(-extent) + ", " +
               std::to_string(extent - 1) + "] for axis " + std::to_string(axis) + " of " +
               formatShape(data.shape));
      i = i < 0 ? i + extent : i;
    }
  }
  if (data.known && idx.known) {
    c.defineKnown(0, foldGatherElements(*data.known, known, idx.shape, axis));
    return;
  }
  if (data.dtype != DType::F32)
    c.fail("dlc's gather takes f32 data, not " + std::string(dtypeName(data.dtype)));
  std::string index;
  if (idx.known) {
    // dlc keeps constants as f32 buffers: exact for indices below 2^24.
    if (extent > (int64_t(1) << 24))
      c.fail("known indices into an axis of " + std::to_string(extent) + " elements do not fit f32");
    std::vector<double> values(known.begin(), known.end());
    index = "i32(" + c.stateFor(makeTensor(DType::F32, idx.shape, std::move(values)),
                                c.node().input(1), /*buffer=*/true) + ")";
  } else {
    index = c.operand(1);
    index = "where(" + index + " < 0, " + index + " + " + std::to_string(extent) + ", " + index + ")";
  }
  c.define(0, "gather(" + c.operand(0) + ", " + std::to_string(axis) + ", " + index + ")",
           DType::F32, idx.shape);
}

void pad(Context &c) {
  const Value &x = c.input(0);
  std::string mode = c.stringAttr("mode", "constant");
  // ONNX's edge is PyTorch's (and dlc's) replicate; reflect is the same in both.
  std::string dlMode = mode == "edge" ? "replicate" : mode;
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    c.unsupported("mode", "\"" + mode + "\"", "dlc's pad modes are constant, reflect and edge (replicate)");
  if (c.has(3))
    c.fail("the axes input of Pad is not supported; give pads for every dimension");
  std::vector<int64_t> pads = c.known(1, "the pads").ints();
  if (static_cast<int64_t>(pads.size()) != 2 * x.rank())
    c.fail("pads " + formatShape(pads) + " do not have two entries per dimension of " + formatShape(x.shape));
  double value = 0;
  if (c.has(2) && mode == "constant") {
    const Tensor &v = c.known(2, "the constant value");
    value = v.values.at(0);
  }
  std::string list;
  Shape out = x.shape;
  for (int64_t d = 0; d < x.rank(); ++d) {
    int64_t lo = pads[d], hi = pads[d + x.rank()];
    if (lo < 0 || hi < 0)
      c.fail("negative pads " + formatShape(pads) + " (cropping) are not supported");
    if (mode == "reflect" && (lo >= x.shape[d] || hi >= x.shape[d]))
      c.fail("reflect pads " + formatShape(pads) + " must be below the size of each dimension of " +
             formatShape(x.shape));
    out[d] += lo + hi;
    list += std::string(d ? ", " : "") + "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  }
  std::string fill = mode != "constant" ? ", mode = \"" + dlMode + "\""
                     : value == 0 && !std::signbit(value) ? "" : ", value = " + formatFloat(value);
  c.define(0, "pad(" + c.operand(0) + ", [" + list + "]" + fill + ")", x.dtype, out);
}

void expand(Context &c) {
  const Value &x = c.input(0);
  std::vector<int64_t> target = c.known(1, "the shape").ints();
  Shape out = broadcastShapes(c, x.shape, target);
  if (x.known) {
    c.defineKnown(0, foldBinary(*x.known, makeTensor(x.known->dtype, {}, {0}), out, x.known->dtype,
                                [](double a, double) { return a; }));
  } else if (out == x.shape) {
    c.alias(0, 0);
  } else {
    c.define(0, "broadcast(" + c.operand(0) + ", " + formatShape(out) + ")", x.dtype, out);
  }
}

void constantOfShape(Context &c) {
  Shape shape = c.known(0, "the shape").ints();
  Tensor fill = makeTensor(DType::F32, {1}, {0.0});
  if (const onnx::AttributeProto *a = c.attr("value"))
    fill = readTensor(a->t(), "the value of " + describeNode(c.node(), 0));
  c.defineKnown(0, makeTensor(fill.dtype, shape, std::vector<double>(numElements(shape), fill.values.at(0))));
}

void range(Context &c) {
  double start = c.known(0, "the start").values.at(0), limit = c.known(1, "the limit").values.at(0);
  double delta = c.known(2, "the delta").values.at(0);
  if (delta == 0)
    c.fail("a delta of 0");
  int64_t n = std::max<int64_t>(static_cast<int64_t>(std::ceil((limit - start) / delta)), 0);
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(start + i * delta);
  c.defineKnown(0, makeTensor(c.input(0).dtype, {n}, values));
}

void dropout(Context &c) {
  c.ignoreAttr("seed"); // dlc draws from its own seed (dl-run --seed).
  if (c.outputUsed(1))
    c.fail("its mask output is used; dlc's dropout has none");
  if (c.has(2) && c.known(2, "training_mode").values.at(0) != 0)
    c.fail("training_mode is true: the graph drops in inference; dlc's dropout drops only in train steps");
  double p = c.has(1) ? c.known(1, "the ratio").values.at(0) : 0.5;
  if (p == 0) {
    c.alias(0, 0);
    return;
  }
  c.define(0, "dropout(" + c.operand(0) + ", " + formatFloat(p) + ")", DType::F32, c.input(0).shape);
}

/// Tile: `repeats` (a known input, one per dimension) as tile(x, repeats).
void tileOp(Context &c) {
  const Value &x = c.input(0);
  std::vector<int64_t> reps = c.known(1, "the repeats").ints();
  if (static_cast<int64_t>(reps.size()) != x.rank())
    c.fail("repeats has " + std::to_string(reps.size()) + " values for an input of rank " +
           std::to_string(x.rank()) + " " + formatShape(x.shape));
  Shape out = x.shape;
  for (size_t d = 0; d < reps.size(); ++d) {
    if (reps[d] < 1)
      c.fail("repeats " + formatInts(reps) + " has a value below 1; dlc's tensors have no empty dimensions");
    out[d] *= reps[d];
  }
  if (out == x.shape)
    c.alias(0, 0);
  else
    c.define(0, "tile(" + c.operand(0) + ", " + formatInts(reps) + ")", x.dtype, out);
}

/// Trilu: the upper (upper = 1, ONNX's default) or lower triangle of the last two dimensions from
/// diagonal k (input 1, known; 0 when absent), zeros elsewhere. Folded for a known input, as the
/// causal mask is that PyTorch's nn.Transformer.generate_square_subsequent_mask builds by triu in a
/// forward; for a computed f32 or i32 input `where(keep > 0.5, x, 0.0)` (or 0) with `keep` a 0/1
/// buffer of the two dimensions (x * keep would turn an inf or NaN outside the triangle into NaN).
void trilu(Context &c) {
  const Value &x = c.input(0);
  if (x.rank() < 2)
    c.fail("its input must have rank 2 or more, not " + formatShape(x.shape));
  int64_t k = 0;
  if (c.has(1)) {
    std::vector<int64_t> ks = c.known(1, "the diagonal k").ints();
    if (ks.size() != 1)
      c.fail("the diagonal k must be one number, not " + std::to_string(ks.size()) + " values");
    k = ks[0];
  }
  bool upper = c.intAttr("upper", 1) != 0;
  int64_t rows = x.shape[size_t(x.rank() - 2)], cols = x.shape[size_t(x.rank() - 1)];
  auto kept = [&](int64_t i, int64_t j) { return upper ? j - i >= k : j - i <= k; };
  if (x.known) {
    Tensor out = *x.known;
    for (int64_t e = 0; e < out.size(); ++e)
      if (!kept((e / cols) % rows, e % cols))
        out.values[size_t(e)] = 0;
    c.defineKnown(0, out);
    return;
  }
  if (x.dtype != DType::F32 && x.dtype != DType::I32)
    c.fail("the triangle of a computed " + std::string(dtypeName(x.dtype)) +
           " tensor is not supported (of f32 and i32 tensors and of constants it is)");
  std::vector<double> keep;
  for (int64_t e = 0; e < rows * cols; ++e)
    keep.push_back(kept(e / cols, e % cols) ? 1.0 : 0.0);
  if (std::all_of(keep.begin(), keep.end(), [](double v) { return v != 0; })) {
    c.alias(0, 0);
    return;
  }
  std::string mask = c.stateFor(makeTensor(DType::F32, {rows, cols}, keep), (upper ? "triu" : "tril"), true);
  c.define(0, "where(" + mask + " > 0.5, " + c.operand(0) + (x.dtype == DType::F32 ? ", 0.0)" : ", 0)"), x.dtype,
           x.shape);
}

} // namespace

void registerShapeTranslators(TranslatorTable &t) {
  t["Constant"] = constant;
  t["Identity"] = [](Context &c) { c.alias(0, 0); };
  t["Dropout"] = dropout;
  t["Shape"] = shapeOp;
  t["Size"] = [](Context &c) {
    c.defineKnown(0, makeTensor(DType::I64, {}, {static_cast<double>(numElements(c.input(0).shape))}));
  };
  t["Reshape"] = reshape;
  t["Flatten"] = flatten;
  t["Squeeze"] = squeeze;
  t["Unsqueeze"] = unsqueeze;
  t["Transpose"] = transpose;
  t["Concat"] = concat;
  t["Split"] = split;
  t["Slice"] = slice;
  t["Gather"] = gather;
  t["GatherElements"] = gatherElements;
  t["Pad"] = pad;
  t["Expand"] = expand;
  t["ConstantOfShape"] = constantOfShape;
  t["Range"] = range;
  t["Tile"] = tileOp;
  t["Trilu"] = trilu;
}

} // namespace dlc::importer
