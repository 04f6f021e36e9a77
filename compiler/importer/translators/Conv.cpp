//===- Conv.cpp - Conv and pooling ------------------------------------------===//
//
// 2-D convolutions, transposed convolutions and pooling over NCHW tensors. A Conv (ConvTranspose)
// by a square initializer kernel becomes a `Conv2d` (`ConvTranspose2d`) layer (ONNX's weight
// layouts [cout, cin, kh, kw] and [cin, cout, kh, kw] are dlc's); other kernels use the builtin
// conv2d/conv_transpose2d with the weight and bias as parameters. Asymmetric convolution padding
// becomes an explicit pad (zeros, as Conv pads); asymmetric ConvTranspose pads crop the output.
// MaxPool's dilations and ceil_mode and AveragePool's ceil_mode and count_include_pad map to
// maxpool2d/avgpool2d's; uneven or wide pool pads (auto_pad SAME_*) become an explicit pad (see
// pool). Grouped convolutions, 1-D and 3-D ones, and pads with ceil_mode that no dlc pool takes
// are errors naming the attribute.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"

namespace dlc::importer {

namespace {

/// The window of a Conv or pool: kernel, strides, pads [top, left, bottom, right], dilations.
struct Window {
  std::vector<int64_t> kernel, strides, pads, dilations;
};

/// The window over x's H and W. With `lift1d`, a 1-D window over [N, C, L] is read too, as the 2-D
/// window of height 1 over [N, C, 1, L] (how pool translates 1-D pools).
Window readWindow(Context &c, std::vector<int64_t> kernel, bool dilationsAllowed, bool lift1d = false) {
  const Value &x = c.input(0);
  size_t dims = lift1d && x.rank() == 3 ? 1 : 2;
  if (x.rank() != int64_t(dims) + 2)
    c.fail("its input is " + formatShape(x.shape) + "; dlc's convolutions and pools are 2-D over [N, C, H, W]" +
           (lift1d ? " (or 1-D over [N, C, L])" : ""));
  Window w;
  w.kernel = c.intsAttr("kernel_shape", kernel);
  if (w.kernel.size() != dims)
    c.fail("kernel_shape " + formatShape(w.kernel) + " is not " + std::to_string(dims) + "-D");
  if (!kernel.empty() && w.kernel != kernel)
    c.fail("kernel_shape " + formatShape(w.kernel) + " differs from the weight's " + formatShape(kernel));
  w.strides = c.intsAttr("strides", std::vector<int64_t>(dims, 1));
  w.dilations = c.intsAttr("dilations", std::vector<int64_t>(dims, 1));
  if (!dilationsAllowed && w.dilations != std::vector<int64_t>(dims, 1))
    c.unsupported("dilations", formatShape(w.dilations), "dlc's pools have no dilation");
  w.pads = c.intsAttr("pads", std::vector<int64_t>(2 * dims, 0));
  if (w.strides.size() != dims || w.dilations.size() != dims || w.pads.size() != 2 * dims)
    c.fail("strides, dilations and pads must have " + std::to_string(dims) + ", " + std::to_string(dims) +
           " and " + std::to_string(2 * dims) + " entries");
  if (dims == 1) { // [N, C, L] as [N, C, 1, L]: a window of height 1.
    w.kernel.insert(w.kernel.begin(), 1);
    w.strides.insert(w.strides.begin(), 1);
    w.dilations.insert(w.dilations.begin(), 1);
    w.pads = {0, w.pads[0], 0, w.pads[1]};
  }
  Shape spatial(x.shape.end() - int64_t(dims), x.shape.end());
  if (dims == 1)
    spatial.insert(spatial.begin(), 1);
  std::string autoPad = c.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads = {0, 0, 0, 0};
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      int64_t in = spatial[d], s = w.strides[d];
      int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
      int64_t total = std::max<int64_t>(((in + s - 1) / s - 1) * s + extent - in, 0);
      int64_t small = total / 2, large = total - small;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[d + 2] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    c.unsupported("auto_pad", autoPad, "not an ONNX auto_pad");
  }
  return w;
}

/// The output size of dimension d (0: height, 1: width), rounding down (or up for ceil_mode).
int64_t outSize(const Value &x, const Window &w, int d, bool ceil) {
  int64_t span = x.shape[2 + d] + w.pads[d] + w.pads[d + 2] - ((w.kernel[d] - 1) * w.dilations[d] + 1);
  int64_t out = (ceil ? (span + w.strides[d] - 1) / w.strides[d] : span / w.strides[d]) + 1;
  // ceil_mode never starts a window in the bottom or right padding alone (ONNX, PyTorch).
  if (ceil && (out - 1) * w.strides[d] >= x.shape[2 + d] + w.pads[d])
    --out;
  return out;
}

bool symmetric(const Window &w) { return w.pads[0] == w.pads[2] && w.pads[1] == w.pads[3]; }

/// ", stride = 2, padding = 1" without the defaults.
std::string windowArgs(const Window &w, bool withDilation, const std::vector<int64_t> &defaultStride) {
  std::string s;
  if (w.strides != defaultStride)
    s += ", stride = " + formatInts(w.strides, true);
  std::vector<int64_t> pad{w.pads[0], w.pads[1]};
  if (pad != std::vector<int64_t>{0, 0})
    s += ", padding = " + formatInts(pad, true);
  if (withDilation && w.dilations != std::vector<int64_t>{1, 1})
    s += ", dilation = " + formatInts(w.dilations, true);
  return s;
}

void conv(Context &c) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0), &wv = c.input(1);
  if (wv.rank() != 4)
    c.fail("the weight is " + formatShape(wv.shape) + "; dlc's convolutions are 2-D");
  int64_t group = c.intAttr("group", 1);
  if (group != 1)
    c.unsupported("group", std::to_string(group), "dlc has no grouped or depthwise convolution");
  Window w = readWindow(c, {wv.shape[2], wv.shape[3]}, true);
  int64_t cout = wv.shape[0], cin = wv.shape[1];
  if (x.shape[1] != cin)
    c.fail("the input " + formatShape(x.shape) + " has " + std::to_string(x.shape[1]) +
           " channels, the weight " + formatShape(wv.shape) + " takes " + std::to_string(cin));
  Shape out{x.shape[0], cout, outSize(x, w, 0, false), outSize(x, w, 1, false)};
  if (out[2] <= 0 || out[3] <= 0)
    c.fail("the window does not fit the input " + formatShape(x.shape));
  std::string in = c.operand(0);
  if (!symmetric(w)) {
    in = "pad(" + in + ", [[0, 0], [0, 0], [" + std::to_string(w.pads[0]) + ", " + std::to_string(w.pads[2]) +
         "], [" + std::to_string(w.pads[1]) + ", " + std::to_string(w.pads[3]) + "]])";
    w.pads = {0, 0, 0, 0};
  }
  std::optional<Tensor> bias;
  if (c.has(2)) {
    if (!c.isKnown(2) || c.input(2).origin.empty())
      c.fail("the bias must be an initializer");
    bias = *c.input(2).known;
  }
  bool layer = wv.known && !wv.origin.empty() && wv.shape[2] == wv.shape[3];
  if (layer) {
    Tensor b = bias ? *bias : makeTensor(DType::F32, {cout}, std::vector<double>(cout, 0.0));
    std::string call = "Conv2d(" + std::to_string(cin) + ", " + std::to_string(cout) + ", " +
                       std::to_string(wv.shape[2]) + windowArgs(w, true, {1, 1}) + ")";
    std::string inst = c.program().addLayer(c.layerHint(1), call, {{"W", *wv.known}, {"b", std::move(b)}});
    c.define(0, inst + "(" + in + ")", DType::F32, out);
    return;
  }
  std::string expr = "conv2d(" + in + ", " + c.operand(1) + windowArgs(w, true, {1, 1}) + ")";
  if (bias)
    expr += " + reshape(" + c.operand(2) + ", [" + std::to_string(cout) + ", 1, 1])";
  c.define(0, expr, DType::F32, out);
}

/// `pad(x, ...)` of H and W by the window's pads (top, bottom; left, right), with `value`.
std::string explicitPad(const std::string &x, const Window &w, const std::string &value) {
  return "pad(" + x + ", [[0, 0], [0, 0], [" + std::to_string(w.pads[0]) + ", " + std::to_string(w.pads[2]) +
         "], [" + std::to_string(w.pads[1]) + ", " + std::to_string(w.pads[3]) + "]]" +
         (value.empty() ? "" : ", value = " + value) + ")";
}

/// For AveragePool with count_include_pad = 0 over uneven or wide pads: per output position, the
/// window's size over the number of its cells inside the input ([OH, OW]), which turns the average
/// over the zero-padded window (avgpool2d's, dividing by the window's size) into ONNX's.
Tensor validCountScale(Context &c, const Value &x, const Window &w, const Shape &out) {
  std::vector<std::vector<int64_t>> counts(2);
  for (int d = 0; d < 2; ++d)
    for (int64_t o = 0; o < out[2 + d]; ++o) {
      int64_t n = 0;
      for (int64_t k = 0; k < w.kernel[d]; ++k) {
        int64_t i = o * w.strides[d] - w.pads[d] + k;
        n += i >= 0 && i < x.shape[2 + d];
      }
      if (n == 0)
        c.unsupported("pads", formatShape(w.pads), "a window lies wholly in the padding, and with "
                      "count_include_pad = 0 its average is of no cells");
      counts[d].push_back(n);
    }
  std::vector<double> scale;
  for (int64_t nh : counts[0])
    for (int64_t nw : counts[1])
      scale.push_back(static_cast<double>(w.kernel[0] * w.kernel[1]) / static_cast<double>(nh * nw));
  return makeTensor(DType::F32, {out[2], out[3]}, std::move(scale));
}

/// MaxPool and AveragePool. Pads dlc's pools take (even, at most half the kernel) stay theirs;
/// others become an explicit pad: with -inf for a max (the identity of max: ONNX's padding is
/// never chosen), with zeros for an average counting the padding, and for one that does not, zeros
/// and a constant rescaling by each window's size over its cells inside the input (validCountScale).
void pool(Context &c, bool isMax) {
  c.requireFloat(0, "X");
  Window w = readWindow(c, {}, isMax, /*lift1d=*/true);
  // A 1-D pool runs as the 2-D one over [N, C, 1, L].
  bool oneD = c.input(0).rank() == 3;
  Value x = c.input(0);
  if (oneD)
    x.shape.insert(x.shape.begin() + 2, 1);
  bool ceil = c.intAttr("ceil_mode", 0) != 0;
  Shape out{x.shape[0], x.shape[1], outSize(x, w, 0, ceil), outSize(x, w, 1, ceil)};
  if (out[2] <= 0 || out[3] <= 0)
    c.fail("the window does not fit the input " + formatShape(x.shape));
  bool wide = w.pads[0] > w.kernel[0] / 2 || w.pads[1] > w.kernel[1] / 2;
  bool padded = w.pads != std::vector<int64_t>{0, 0, 0, 0};
  bool include = !isMax && c.intAttr("count_include_pad", 0) != 0;
  std::string in = c.operand(0), scale;
  if (oneD)
    in = "reshape(" + in + ", " + formatShape(x.shape) + ")";
  if (padded && (!symmetric(w) || wide)) {
    if (ceil) {
      // With the padding made explicit, ceil_mode can no longer drop a last window that starts in
      // the bottom or right padding (ONNX does): take it only where no such window arises.
      Window inner = w;
      inner.pads = {0, 0, 0, 0};
      Value padX = x;
      padX.shape[2] += w.pads[0] + w.pads[2];
      padX.shape[3] += w.pads[1] + w.pads[3];
      if (!isMax || outSize(padX, inner, 0, true) != out[2] || outSize(padX, inner, 1, true) != out[3])
        c.unsupported("pads", formatShape(w.pads), "with ceil_mode = 1, ONNX drops a last window "
                      "starting in the padding" + std::string(isMax ? "" : " and divides by the cells up to "
                      "the padding's end") + ", which dlc's " + (isMax ? "maxpool2d" : "avgpool2d") + " does only for even padding of at "
                      "most half the kernel " + formatShape(w.kernel));
    }
    if (!isMax && !include)
      scale = c.stateFor(validCountScale(c, x, w, out), "pool_divisor_scale", /*buffer=*/true);
    in = explicitPad(in, w, isMax ? "-inf" : "");
    w.pads = {0, 0, 0, 0};
    padded = false;
  }
  std::string extra;
  if (isMax) {
    int64_t order = c.intAttr("storage_order", 0);
    (void)order; // Only the Indices output depends on it, and that output is not translated.
    if (w.dilations != std::vector<int64_t>{1, 1})
      extra += ", dilation = " + formatInts(w.dilations, true);
  } else if (padded && !include) {
    extra += ", count_include_pad = false";
  }
  if (ceil)
    extra += ", ceil_mode = true";
  std::string expr = std::string(isMax ? "maxpool2d(" : "avgpool2d(") + in + ", " +
                     formatInts(w.kernel, true) + windowArgs(w, false, w.kernel) + extra + ")";
  if (!scale.empty())
    expr += " * " + scale;
  if (oneD) {
    out.erase(out.begin() + 2);
    expr = "reshape(" + expr + ", " + formatShape(out) + ")";
  }
  c.define(0, expr, DType::F32, out);
}

/// ConvTranspose (group 1): conv_transpose2d, or a ConvTranspose2d layer for a square initializer
/// kernel. ONNX crops `pads` from the full output; uneven pads crop the difference by a subscript.
void convTranspose(Context &c) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0), &wv = c.input(1);
  if (x.rank() != 4 || wv.rank() != 4)
    c.fail("its input is " + formatShape(x.shape) + " and its weight " + formatShape(wv.shape) +
           "; dlc's transposed convolutions are 2-D over [N, C, H, W]");
  int64_t group = c.intAttr("group", 1);
  if (group != 1)
    c.unsupported("group", std::to_string(group), "dlc has no grouped transposed convolution");
  int64_t cin = wv.shape[0], cout = wv.shape[1];
  if (x.shape[1] != cin)
    c.fail("the input " + formatShape(x.shape) + " has " + std::to_string(x.shape[1]) +
           " channels, the weight " + formatShape(wv.shape) + " takes " + std::to_string(cin));
  std::vector<int64_t> kernel = c.intsAttr("kernel_shape", {wv.shape[2], wv.shape[3]});
  if (kernel != std::vector<int64_t>{wv.shape[2], wv.shape[3]})
    c.fail("kernel_shape " + formatShape(kernel) + " differs from the weight's " + formatShape(wv.shape));
  std::vector<int64_t> strides = c.intsAttr("strides", {1, 1}), dil = c.intsAttr("dilations", {1, 1});
  std::vector<int64_t> outPad = c.intsAttr("output_padding", {0, 0}), pads = c.intsAttr("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || dil.size() != 2 || outPad.size() != 2 || pads.size() != 4)
    c.fail("strides, dilations, output_padding and pads must have 2, 2, 2 and 4 entries");
  std::vector<int64_t> full(2);
  for (int d = 0; d < 2; ++d)
    full[d] = strides[d] * (x.shape[2 + d] - 1) + outPad[d] + (kernel[d] - 1) * dil[d] + 1;
  std::string autoPad = c.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) { // ONNX: the output is input x stride.
      int64_t total = std::max<int64_t>(full[d] - x.shape[2 + d] * strides[d], 0);
      pads[d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[d + 2] = total - pads[d];
    }
  } else if (autoPad == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (autoPad != "NOTSET") {
    c.unsupported("auto_pad", autoPad, "not an ONNX auto_pad");
  }
  Shape out{x.shape[0], cout, full[0] - pads[0] - pads[2], full[1] - pads[1] - pads[3]};
  if (c.hasAttr("output_shape")) {
    std::vector<int64_t> want = c.intsAttr("output_shape", {});
    Shape spatial{out[2], out[3]};
    if (want.size() < 2 || std::vector<int64_t>(want.end() - 2, want.end()) != spatial)
      c.unsupported("output_shape", formatShape(want), "dlc takes the output size from pads, which "
                    "give " + formatShape(spatial));
  }
  if (out[2] <= 0 || out[3] <= 0)
    c.fail("pads " + formatShape(pads) + " crop the whole output of " + formatShape(x.shape));
  for (int64_t p : pads)
    if (p < 0)
      c.fail("negative pads " + formatShape(pads) + " are not supported");
  std::vector<int64_t> common{std::min(pads[0], pads[2]), std::min(pads[1], pads[3])};
  std::string args;
  if (strides != std::vector<int64_t>{1, 1})
    args += ", stride = " + formatInts(strides, true);
  if (common != std::vector<int64_t>{0, 0})
    args += ", padding = " + formatInts(common, true);
  if (outPad != std::vector<int64_t>{0, 0})
    args += ", output_padding = " + formatInts(outPad, true);
  if (dil != std::vector<int64_t>{1, 1})
    args += ", dilation = " + formatInts(dil, true);
  std::optional<Tensor> bias;
  if (c.has(2)) {
    if (!c.isKnown(2) || c.input(2).origin.empty())
      c.fail("the bias must be an initializer");
    bias = *c.input(2).known;
  }
  std::string expr;
  if (wv.known && !wv.origin.empty() && wv.shape[2] == wv.shape[3]) {
    Tensor b = bias ? *bias : makeTensor(DType::F32, {cout}, std::vector<double>(cout, 0.0));
    std::string call = "ConvTranspose2d(" + std::to_string(cin) + ", " + std::to_string(cout) + ", " +
                       std::to_string(wv.shape[2]) + args + ")";
    std::string inst = c.program().addLayer(c.layerHint(1), call, {{"W", *wv.known}, {"b", std::move(b)}});
    expr = inst + "(" + c.operand(0) + ")";
  } else {
    expr = "conv_transpose2d(" + c.operand(0) + ", " + c.operand(1) + args + ")";
    if (bias)
      expr += " + reshape(" + c.operand(2) + ", [" + std::to_string(cout) + ", 1, 1])";
  }
  if (pads[0] != pads[2] || pads[1] != pads[3]) {
    // The shared padding is cropped already: crop what is left of each side.
    int64_t top = pads[0] - common[0], left = pads[1] - common[1];
    expr = "(" + expr + ")[:, :, " + std::to_string(top) + ":" + std::to_string(top + out[2]) + ", " +
           std::to_string(left) + ":" + std::to_string(left + out[3]) + "]";
  }
  c.define(0, expr, DType::F32, out);
}

void globalPool(Context &c, const char *reduce) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  if (x.rank() < 3)
    c.fail("its input " + formatShape(x.shape) + " has no spatial dimensions");
  Shape out = x.shape;
  std::vector<int64_t> axes;
  for (int64_t d = 2; d < x.rank(); ++d) {
    axes.push_back(d);
    out[d] = 1;
  }
  c.define(0, std::string(reduce) + "(" + c.operand(0) + ", axis = " + formatInts(axes) + ", keepdims = true)",
           DType::F32, out);
}

} // namespace

void registerConvTranslators(TranslatorTable &t) {
  t["Conv"] = conv;
  t["ConvTranspose"] = convTranspose;
  t["MaxPool"] = [](Context &c) { pool(c, true); };
  t["AveragePool"] = [](Context &c) { pool(c, false); };
  t["GlobalAveragePool"] = [](Context &c) { globalPool(c, "mean"); };
  t["GlobalMaxPool"] = [](Context &c) { globalPool(c, "max"); };
}

} // namespace dlc::importer
