//===- Reduction.cpp - ONNX's reductions, ArgMax, ArgMin, CumSum and TopK ---===//
//
// ReduceSum (axes as an input since opset 13), ReduceMean, ReduceMax, ReduceMin, ReduceLogSumExp
// (axes as an attribute until opset 18), ArgMax and ArgMin, each one builtin with `axis` and
// `keepdims`; CumSum as cumsum (its axis a known input); TopK as topk (K a known input since
// opset 10, an attribute before; Indices, int64 in ONNX, are dlc's i32 as ArgMax's are).
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"

#include <algorithm>

namespace dlc::importer {

namespace {

Translator reduction(std::string builtin, bool axesInput) {
  return [builtin, axesInput](Context &c) {
    c.requireFloat(0, "its input");
    const Value &x = c.input(0);
    std::vector<int64_t> axes;
    if (axesInput) {
      if (c.has(1))
        axes = c.known(1, "the axes").ints();
    } else {
      axes = c.intsAttr("axes", {});
    }
    bool keep = c.intAttr("keepdims", 1) != 0;
    bool noop = axesInput && c.intAttr("noop_with_empty_axes", 0) != 0;
    if (axes.empty() && noop) {
      c.alias(0, 0);
      return;
    }
    for (int64_t &a : axes)
      a = normalizeAxis(c, a, x.rank(), "axis");
    std::sort(axes.begin(), axes.end());
    if (axes.empty())
      for (int64_t d = 0; d < x.rank(); ++d)
        axes.push_back(d);
    Shape out;
    for (int64_t d = 0; d < x.rank(); ++d) {
      bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
      if (!reduced)
        out.push_back(x.shape[d]);
      else if (keep)
        out.push_back(1);
    }
    std::string expr = builtin + "(" + c.operand(0) + ", axis = " +
                       (axes.size() == 1 ? std::to_string(axes[0]) : formatInts(axes)) +
                       (keep ? ", keepdims = true" : "") + ")";
    c.define(0, expr, DType::F32, out);
  };
}

/// ArgMax and ArgMin: the first index of the extremum (select_last_index = 1 is refused).
Translator argExtremum(std::string builtin) {
  return [builtin](Context &c) {
    const Value &x = c.input(0);
    if (x.dtype != DType::F32 && x.dtype != DType::I32)
      c.fail("its input must be a float or integer tensor, not " + std::string(dtypeName(x.dtype)));
    int64_t axis = normalizeAxis(c, c.intAttr("axis", 0), x.rank(), "axis");
    bool keep = c.intAttr("keepdims", 1) != 0;
    if (int64_t last = c.intAttr("select_last_index", 0))
      c.unsupported("select_last_index", std::to_string(last),
                    "dlc's " + builtin + " takes the first " + (builtin == "argmax" ? "maximum" : "minimum"));
    Shape out = x.shape;
    if (keep)
      out[axis] = 1;
    else
      out.erase(out.begin() + axis);
    c.define(0, builtin + "(" + c.operand(0) + ", axis = " + std::to_string(axis) + (keep ? ", keepdims = true" : "") + ")",
             DType::I32, out);
  };
}

/// CumSum: `reverse` translates; `exclusive` = 1 (the sum before each element) is refused.
void cumsum(Context &c) {
  const Value &x = c.input(0);
  if (x.dtype != DType::F32 && x.dtype != DType::I32)
    c.fail("its input must be a float or integer tensor, not " + std::string(dtypeName(x.dtype)));
  const Tensor &axisTensor = c.known(1, "the axis");
  if (axisTensor.size() != 1)
    c.fail("the axis must be one integer, not " + std::to_string(axisTensor.size()) + " values");
  int64_t axis = normalizeAxis(c, axisTensor.ints()[0], x.rank(), "axis");
  if (int64_t exclusive = c.intAttr("exclusive", 0))
    c.unsupported("exclusive", std::to_string(exclusive),
                  "dlc's cumsum includes each element in its own sum (torch.cumsum's form)");
  bool reverse = c.intAttr("reverse", 0) != 0;
  c.define(0, "cumsum(" + c.operand(0) + ", axis = " + std::to_string(axis) + (reverse ? ", reverse = true" : "") + ")",
           x.dtype, x.shape);
}

/// TopK: `values, indices = topk(x, k, axis, largest, sorted)`. dlc sorts ties by index and
/// returns sorted results for sorted = 0 too, both of which ONNX leaves open.
void topk(Context &c) {
  const Value &x = c.input(0);
  if (x.dtype != DType::F32 && x.dtype != DType::I32)
    c.fail("its input must be a float or integer tensor, not " + std::string(dtypeName(x.dtype)));
  if (x.rank() == 0)
    c.fail("its input must have at least one dimension");
  int64_t axis = normalizeAxis(c, c.intAttr("axis", -1), x.rank(), "axis");
  int64_t k = 0;
  if (c.opset() < 10) {
    k = c.intAttr("k", 0);
  } else {
    const Tensor &kTensor = c.known(1, "K");
    if (kTensor.size() != 1)
      c.fail("K must be one integer, not " + std::to_string(kTensor.size()) + " values");
    k = kTensor.ints()[0];
  }
  if (k < 1 || k > x.shape[axis])
    c.fail("K = " + std::to_string(k) + " is out of range [1, " + std::to_string(x.shape[axis]) +
           "] for axis " + std::to_string(axis) + " of its input " + formatInts(x.shape));
  bool largest = c.intAttr("largest", 1) != 0;
  c.intAttr("sorted", 1); // dlc's results are sorted either way; ONNX leaves the order open.
  Shape out = x.shape;
  out[axis] = k;
  c.defineAll("topk(" + c.operand(0) + ", " + std::to_string(k) + ", axis = " + std::to_string(axis) +
                  (largest ? "" : ", largest = false") + ")",
              std::vector<DType>{x.dtype, DType::I32}, {out, out});
}

} // namespace

void registerReductionTranslators(TranslatorTable &t) {
  t["ReduceSum"] = reduction("sum", true);
  t["ReduceMean"] = reduction("mean", false);
  t["ReduceMax"] = reduction("max", false);
  t["ReduceMin"] = reduction("min", false);
  t["ReduceLogSumExp"] = reduction("logsumexp", false);
  t["ArgMax"] = argExtremum("argmax");
  t["ArgMin"] = argExtremum("argmin");
  t["CumSum"] = cumsum;
  t["TopK"] = topk;
}

} // namespace dlc::importer
