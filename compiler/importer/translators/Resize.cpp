//===- Resize.cpp - ONNX Resize and Upsample as dlc's upsample ------------===//
//
// dlc's upsample(x, scale, mode, align_corners) is F.interpolate of [N, C, H, W] by whole factors.
// A Resize maps to it when it scales H and W only, by whole factors ≥ 1,
// and its coordinate mapping computes what F.interpolate does:
//   nearest  asymmetric + floor (PyTorch's export), half_pixel or pytorch_half_pixel with either
//            round_prefer_floor or round_prefer_ceil, tf_half_pixel_for_nn + floor: at a whole
//            factor s, output i reads input floor(i / s) in each of these;
//   linear   half_pixel or pytorch_half_pixel (align_corners = false) and align_corners.
// Anything else (cubic, asymmetric linear, downsampling, fractional factors, roi crops, axes,
// antialias) is an error naming the attribute or input.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"

#include <cmath>

namespace dlc::importer {

namespace {

/// The whole factors [sh, sw] of a Resize, from its scales or sizes input.
std::vector<int64_t> factors(Context &c, int scalesInput, int sizesInput) {
  const Value &x = c.input(0);
  std::vector<double> scales;
  if (c.has(scalesInput) && c.known(scalesInput, "the scales").size() > 0) {
    scales = c.known(scalesInput, "the scales").values;
  } else if (sizesInput >= 0 && c.has(sizesInput)) {
    std::vector<int64_t> sizes = c.known(sizesInput, "the sizes").ints();
    if (static_cast<int64_t>(sizes.size()) != x.rank())
      c.fail("sizes " + formatShape(sizes) + " do not have one entry per dimension of " + formatShape(x.shape));
    for (int64_t d = 0; d < x.rank(); ++d) {
      if (sizes[d] % x.shape[d] != 0)
        c.unsupported("sizes", formatShape(sizes), "dlc's upsample scales " + formatShape(x.shape) +
                      " by whole factors only");
      scales.push_back(static_cast<double>(sizes[d] / x.shape[d]));
    }
  } else {
    c.fail("it has neither scales nor sizes");
  }
  if (static_cast<int64_t>(scales.size()) != x.rank())
    c.fail("scales of " + std::to_string(scales.size()) + " entries do not match " + formatShape(x.shape));
  std::vector<int64_t> whole;
  for (int64_t d = 0; d < x.rank(); ++d) {
    double s = scales[d];
    bool ok = s >= 1 && s == std::floor(s) && (d >= 2 || s == 1);
    if (!ok) {
      std::string list;
      for (size_t i = 0; i < scales.size(); ++i)
        list += (i ? ", " : "") + formatFloat(scales[i]);
      c.unsupported("scales", "[" + list + "]", "dlc's upsample scales H and W of [N, C, H, W] by whole "
                    "factors of at least 1");
    }
    if (d >= 2)
      whole.push_back(static_cast<int64_t>(s));
  }
  return whole;
}

void resize(Context &c) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  if (x.rank() != 4)
    c.fail("its input is " + formatShape(x.shape) + "; dlc's upsample takes [N, C, H, W]");
  bool legacy = c.numInputs() == 2; // Opset 10: X, scales, and F.interpolate's mapping.
  std::string mode = c.stringAttr("mode", "nearest");
  std::string transform = legacy ? "asymmetric" : c.stringAttr("coordinate_transformation_mode", "half_pixel");
  std::string nearest = legacy ? "floor" : c.stringAttr("nearest_mode", "round_prefer_floor");
  if (!legacy) {
    c.floatAttr("cubic_coeff_a", -0.75);      // Cubic only, which is refused.
    c.floatAttr("extrapolation_value", 0.0);  // tf_crop_and_resize only, which is refused.
    if (c.intAttr("exclude_outside", 0) != 0)
      c.unsupported("exclude_outside", "1", "F.interpolate has no such option");
    if (c.intAttr("antialias", 0) != 0)
      c.unsupported("antialias", "1", "dlc's upsample does not antialias");
    if (c.hasAttr("axes"))
      c.unsupported("axes", formatShape(c.intsAttr("axes", {})), "give scales or sizes for every dimension");
    std::string policy = c.stringAttr("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch")
      c.unsupported("keep_aspect_ratio_policy", "\"" + policy + "\"", "dlc's upsample stretches");
  }
  std::string dlMode, extra;
  if (mode == "nearest") {
    bool half = transform == "half_pixel" || transform == "pytorch_half_pixel";
    bool same = (transform == "asymmetric" && nearest == "floor") ||
                (half && (nearest == "round_prefer_floor" || nearest == "round_prefer_ceil")) ||
                (transform == "tf_half_pixel_for_nn" && nearest == "floor");
    if (!same) {
      bool known = half || transform == "asymmetric" || transform == "tf_half_pixel_for_nn";
      c.unsupported(known ? "nearest_mode" : "coordinate_transformation_mode",
                    "\"" + (known ? nearest : transform) + "\"",
                    "with coordinate_transformation_mode \"" + transform + "\" and nearest_mode \"" +
                        nearest + "\" it is not F.interpolate's nearest (asymmetric with floor, or "
                        "half_pixel with round_prefer_floor)");
    }
    dlMode = "nearest";
  } else if (mode == "linear") {
    if (transform == "align_corners")
      extra = ", align_corners = true";
    else if (transform != "half_pixel" && transform != "pytorch_half_pixel")
      c.unsupported("coordinate_transformation_mode", "\"" + transform + "\"",
                    "dlc's bilinear upsample is half_pixel (align_corners = false) or align_corners");
    dlMode = "bilinear";
  } else {
    c.unsupported("mode", "\"" + mode + "\"", "dlc's upsample is nearest or bilinear");
  }
  if (transform == "tf_crop_and_resize")
    c.unsupported("coordinate_transformation_mode", "\"tf_crop_and_resize\"", "dlc's upsample does not crop");
  std::vector<int64_t> f = legacy ? factors(c, 1, -1) : factors(c, 2, 3);
  Shape out{x.shape[0], x.shape[1], x.shape[2] * f[0], x.shape[3] * f[1]};
  std::string expr = "upsample(" + c.operand(0) + ", " + formatInts(f, true) +
                     (dlMode == "nearest" ? "" : ", mode = \"bilinear\"") + extra + ")";
  c.define(0, expr, DType::F32, out);
}

} // namespace

void registerResizeTranslators(TranslatorTable &t) {
  t["Resize"] = resize;
}

} // namespace dlc::importer
