//===- Conv.cpp - Conv and pooling ------------------------------------------===//
//
// 2-D convolutions, transposed convolutions and pooling over NCHW tensors. A Conv (ConvTranspose)
// by a square initializer kernel becomes a `Conv2d` (`ConvTranspose2d`) layer (ONNX's weight
// layouts [cout, cin, kh, kw] and [cin, cout, kh, kw] are dlc's); other kernels use the builtin
// conv2d/conv_transpose2d with the weight and bias as parameters. Asymmetric convolution padding
// becomes an explicit pad (zeros, as Conv pads); asymmetric ConvTranspose pads crop the output.
// MaxPool's dilations and ceil_mode and AveragePool's ceil_mode and count_include_pad map to
// maxpool2d/avgpool2d's. Grouped convolutions, 1-D and 3-D ones, and the pads no dlc pool takes
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

Window readWindow(Context &c, std::vector<int64_t> kernel, bool dilationsAllowed) {
  const Value &x = c.input(0);
  if (x.rank() != 4)
    c.fail("its input is " + formatShape(x.shape) + "; dlc's convolutions and pools are 2-D over [N, C, H, W]");
  Window w;
  w.kernel = c.intsAttr("kernel_shape", kernel);
  if (w.kernel.size() != 2)
    c.fail("kernel_shape " + formatShape(w.kernel) + " is not 2-D");
  if (!kernel.empty() && w.kernel != kernel)
    c.fail("kernel_shape " + formatShape(w.kernel) + " differs from the weight's " + formatShape(kernel));
  w.strides = c.intsAttr("strides", {1, 1});
  w.dilations = c.intsAttr("dilations", {1, 1});
  if (!dilationsAllowed && w.dilations != std::vector<int64_t>{1, 1})
    c.unsupported("dilations", formatShape(w.dilations), "dlc's pools have no dilation");
  w.pads = c.intsAttr("pads", {0, 0, 0, 0});
  if (w.strides.size() != 2 || w.dilations.size() != 2 || w.pads.size() != 4)
    c.fail("strides, dilations and pads must have 2, 2 and 4 entries");
  std::string autoPad = c.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads = {0, 0, 0, 0};
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      int64_t in = x.shape[2 + d], s = w.strides[d];
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

void pool(Context &c, bool isMax) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  Window w = readWindow(c, {}, isMax);
  bool ceil = c.intAttr("ceil_mode", 0) != 0;
  Shape out{x.shape[0], x.shape[1], outSize(x, w, 0, ceil), outSize(x, w, 1, ceil)};
  if (out[2] <= 0 || out[3] <= 0)
    c.fail("the window does not fit the input " + formatShape(x.shape));
  bool wide = w.pads[0] > w.kernel[0] / 2 || w.pads[1] > w.kernel[1] / 2;
  std::string in = c.operand(0);
  if (isMax && !symmetric(w))
    c.unsupported("pads", formatShape(w.pads), "dlc's pools pad both sides of a dimension alike");
  if (isMax && wide)
    c.unsupported("pads", formatShape(w.pads), "dlc's maxpool2d pads at most half the kernel " +
                  formatShape(w.kernel) + " (PyTorch's rule)");
  std::string extra;
  if (isMax) {
    int64_t order = c.intAttr("storage_order", 0);
    (void)order; // Only the Indices output depends on it, and that output is not translated.
    if (w.dilations != std::vector<int64_t>{1, 1})
      extra += ", dilation = " + formatInts(w.dilations, true);
  } else {
    bool padded = w.pads != std::vector<int64_t>{0, 0, 0, 0};
    bool include = c.intAttr("count_include_pad", 0) != 0;
    // Counting the padding, an average over explicit zeros is the same: pads that are uneven or
    // wider than avgpool2d's half kernel become a pad (without ceil_mode, whose last window and
    // divisor depend on where the padding ends).
    if (padded && (!symmetric(w) || wide)) {
      if (!include)
        c.unsupported("pads", formatShape(w.pads), "with count_include_pad = 0, dlc's avgpool2d pads "
                      "both sides alike, at most half the kernel " + formatShape(w.kernel));
      if (ceil)
        c.unsupported("pads", formatShape(w.pads), "with ceil_mode = 1, dlc's avgpool2d pads both "
                      "sides alike, at most half the kernel " + formatShape(w.kernel));
      in = "pad(" + in + ", [[0, 0], [0, 0], [" + std::to_string(w.pads[0]) + ", " + std::to_string(w.pads[2]) +
           "], [" + std::to_string(w.pads[1]) + ", " + std::to_string(w.pads[3]) + "]])";
      w.pads = {0, 0, 0, 0};
      padded = false;
    }
    if (padded && !include)
      extra += ", count_include_pad = false";
  }
  if (ceil)
    extra += ", ceil_mode = true";
  std::string expr = std::string(isMax ? "maxpool2d(" : "avgpool2d(") + in + ", " +
                     formatInts(w.kernel, true) + windowArgs(w, false, w.kernel) + extra + ")";
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
