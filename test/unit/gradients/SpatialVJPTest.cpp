//===- SpatialVJPTest.cpp - Gradients of the decoder and ONNX spatial ops --===//
//
// conv_transpose2d, max pooling with dilation and ceil_mode, average pooling with ceil_mode and
// count_include_pad = false, and bilinear upsampling (with and without align_corners) through
// dl-autodiff and the reference interpreter, checked against central differences (VJPHarness.h).
// The conv_transpose2d cases include an output padding at least the stride (allowed below the
// dilation), where the VJP slices conv2d's input gradient and pads x for the weight gradient; the
// pooling cases include ceil_mode windows that overhang the input and one that PyTorch drops.
// The values the forward ops compute are SpatialTest.cpp's (test/unit/interpreter), against
// PyTorch.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

namespace {

using namespace dl::vjptest;

/// `{...}` of windowAttrs with `extra` (", name = value" pairs) appended inside the braces.
std::string attrs(std::vector<std::pair<std::string, Pair>> named, const std::string &extra = "") {
  std::string s = windowAttrs(std::move(named));
  return s.substr(0, s.size() - 1) + extra + "}";
}

Case convTranspose(const std::string &name, const std::string &x, const std::string &w, Pair s,
                   Pair p, Pair op, Pair d, const std::string &out) {
  return make("conv_transpose2d_" + name, {x, w},
              "%y = dl.conv_transpose2d %p0, %p1 " +
                  attrs({{"stride", s}, {"padding", p}, {"output_padding", op}, {"dilation", d}}) +
                  " : (" + T(x) + ", " + T(w) + ") -> " + T(out),
              out);
}

Case pool(const std::string &op, const std::string &name, const std::string &x, Pair k, Pair s,
          Pair p, const std::string &extra, const std::string &out) {
  return make(op + "_" + name, {x},
              "%y = dl." + op + " %p0 " +
                  attrs({{"kernel_size", k}, {"stride", s}, {"padding", p}}, extra) + " : (" +
                  T(x) + ") -> " + T(out),
              out);
}

Case bilinear(const std::string &name, const std::string &x, Pair scale, bool align,
              const std::string &out) {
  return make("upsample_bilinear2d_" + name, {x},
              "%y = dl.upsample_bilinear2d %p0 " +
                  attrs({{"scale", scale}}, align ? ", align_corners = true" : "") + " : (" +
                  T(x) + ") -> " + T(out),
              out);
}

std::vector<Case> spatialCases() {
  std::vector<Case> cs;
  cs.push_back(convTranspose("dcgan", "2x3x3x3", "3x2x4x4", {2, 2}, {1, 1}, {0, 0}, {1, 1},
                             "2x2x6x6"));
  cs.push_back(convTranspose("output_padding", "1x2x3x4", "2x3x3x3", {2, 2}, {1, 1}, {1, 1},
                             {1, 1}, "1x3x6x8"));
  cs.push_back(convTranspose("rect_dilated", "1x2x3x4", "2x2x2x3", {2, 1}, {0, 1}, {1, 0},
                             {1, 2}, "1x2x7x6"));
  cs.push_back(convTranspose("op_past_stride", "1x1x3x3", "1x2x2x2", {1, 1}, {0, 0}, {1, 1},
                             {2, 2}, "1x2x6x6"));
  cs.push_back(convTranspose("frozen_input", "1x2x3x3", "2x2x3x3", {2, 2}, {0, 0}, {0, 0},
                             {1, 1}, "1x2x7x7")
                   .freeze({0}));

  // Max pooling: distinct values 0.4 apart, so no window holds a tie or a near-tie.
  auto maxpool = [&](const std::string &name, const std::string &x, Pair k, Pair s, Pair p,
                     const std::string &extra, const std::string &out) {
    cs.push_back(pool("maxpool2d", name, x, k, s, p, extra, out).with(grid(0, 0.0)));
  };
  maxpool("dilation2", "1x2x7x7", {3, 3}, {1, 1}, {0, 0}, ", dilation = array<i64: 2, 2>",
          "1x2x3x3");
  maxpool("dilation_p1_s2", "2x1x8x7", {3, 3}, {2, 2}, {1, 1}, ", dilation = array<i64: 2, 1>",
          "2x1x3x4");
  maxpool("ceil", "1x2x5x5", {2, 2}, {2, 2}, {0, 0}, ", ceil_mode = true", "1x2x3x3");
  maxpool("ceil_drops_window", "1x1x5x5", {2, 2}, {3, 3}, {1, 1}, ", ceil_mode = true",
          "1x1x2x2");
  maxpool("ceil_dilation", "1x1x8x9", {2, 3}, {3, 2}, {1, 1},
          ", dilation = array<i64: 2, 1>, ceil_mode = true", "1x1x3x5");

  auto avgpool = [&](const std::string &name, const std::string &x, Pair k, Pair s, Pair p,
                     const std::string &extra, const std::string &out) {
    cs.push_back(pool("avgpool2d", name, x, k, s, p, extra, out));
  };
  avgpool("exclude_pad", "1x2x5x5", {3, 3}, {2, 2}, {1, 1}, ", count_include_pad = false",
          "1x2x3x3");
  avgpool("ceil", "1x1x5x6", {2, 2}, {2, 2}, {0, 0}, ", ceil_mode = true", "1x1x3x3");
  avgpool("ceil_p1", "1x1x6x5", {3, 3}, {2, 2}, {1, 1}, ", ceil_mode = true", "1x1x4x3");
  avgpool("ceil_p1_exclude", "2x1x6x5", {3, 3}, {2, 2}, {1, 1},
          ", ceil_mode = true, count_include_pad = false", "2x1x4x3");

  cs.push_back(bilinear("x2", "1x2x3x4", {2, 2}, false, "1x2x6x8"));
  cs.push_back(bilinear("x2_align", "1x2x3x4", {2, 2}, true, "1x2x6x8"));
  cs.push_back(bilinear("x3x2", "2x1x3x3", {3, 2}, false, "2x1x9x6"));
  cs.push_back(bilinear("x1x3_align", "1x1x2x3", {1, 3}, true, "1x1x2x9"));
  return cs;
}

INSTANTIATE_TEST_SUITE_P(SpatialOps, VJPTest, ::testing::ValuesIn(spatialCases()), caseName);

TEST(SpatialVJPCases, NamesAreUniqueAndEveryOpIsCovered) {
  expectUniqueNamesCovering(spatialCases(),
                            {"conv_transpose2d", "maxpool2d", "avgpool2d", "upsample_bilinear2d"});
}

TEST(SpatialVJPNonDifferentiable, UpsamplingsGradientOpHasNoGradient) {
  expectNoGradient(make("second_derivative", {"1x1x4x4"},
                        "%y = dl.upsample_bilinear2d_grad %p0 " +
                            windowAttrs({{"scale", {2, 2}}, {"input_size", {2, 2}}}) + " : (" +
                            T("1x1x4x4") + ") -> " + T("1x1x2x2"),
                        "1x1x2x2"),
                   "upsample_bilinear2d_grad");
}

} // namespace
