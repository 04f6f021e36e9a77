//===- Conv.cpp - dl.conv2d, its gradients, conv_transpose2d --------------===//
//
// The four convolutions of ConvOps.td (NCHW, f32), written as direct convolutions that a schedule
// can register-block like a matmul (cpu/ConvSchedule.cpp). Tap (p, q) of output (i, j) reads input
// row i * sh - ph + p * dh and column j * sw - pw + q * dw, zero outside the input.
//
//   conv2d              y(n, o, i, j) = sum_{c,p,q} xpad(n, c, i*sh + p*dh, j*sw + q*dw)
//                                                    w(o, c, p, q)
//                       where xpad is x shifted by the padding, zero outside x.
//   conv2d_grad_input   the same form with stride 1: the input of the taps is gy spread out (a
//                       zero between consecutive elements for stride > 1) and padded, and the
//                       weights are w with its channel axes swapped and its taps flipped:
//                       gx(n, c, h, v) = sum_{o,p,q} gyd(n, o, h + ph + p*dh, v + pw + q*dw)
//                                                    w(o, c, KH-1-p, KW-1-q)
//                       where gyd(t) = gy((t - (KH-1)*dh) / sh) when that divides, zero otherwise.
//   conv_transpose2d    conv2d_grad_input of gy = x with w [C, O, KH, KW] read as the weight of a
//                       conv2d from O to C channels (the same layout); the result's size comes
//                       from output_padding instead of input_size.
//   conv2d_grad_weight  gw(o, c, p, q) = sum_{n,i,j} gy(n, o, i, j) xpad(n, c, i*sh + p*dh, ...),
//                       summed first into kWeightGradientLanes partial sums along j (so the
//                       innermost loop is a vector along the output's rows) per group of samples,
//                       then over the groups, then across the lanes.
//
// The padded (and spread) input is a Func of its own (ConvolutionFuncs::source), which the
// schedule computes into a buffer (per sample, or once) so that the taps read it without bounds
// checks; conv2d_grad_weight may also read gy through rows padded to whole vectors (a helper).
// Sums are in f32.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Lowering.h"

#include <algorithm>

namespace dl::halide {
namespace {

/// conv2d_grad_weight sums samples in groups of about this many bytes of input and output gradient.
constexpr int64_t kSampleGroupBytes = 512 * 1024;

using Halide::Expr;
using Halide::Func;

/// Stride, padding and dilation of a convolution, [height, width], checked.
struct ConvGeometry {
  int64_t sh, sw, ph, pw, dh, dw;
};

ConvGeometry convGeometry(Lowering &l, const KernelNode &node) {
  auto pair = [&](const std::string &name, std::vector<int64_t> fallback) {
    std::vector<int64_t> v = l.intsAttr(node, name, fallback);
    if (v.size() != 2)
      throw l.error(node, name + " needs two values, [height, width]");
    return v;
  };
  std::vector<int64_t> s = pair("stride", {1, 1}), p = pair("padding", {0, 0}),
                       d = pair("dilation", {1, 1});
  if (s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || p[0] < 0 || p[1] < 0)
    throw l.error(node, "needs strides and dilations >= 1 and paddings >= 0");
  return {s[0], s[1], p[0], p[1], d[0], d[1]};
}

/// PyTorch's output size of a window op along one dimension.
int64_t windowOutput(int64_t in, int64_t pad, int64_t dilation, int64_t kernel, int64_t stride) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

/// Checks that `t` is an f32 tensor of rank 4.
void expectNchw(Lowering &l, const KernelNode &node, const TensorType &t, const char *what) {
  if (t.dtype != DType::F32 || t.shape.size() != 4)
    throw l.error(node, std::string("needs an f32 ") + what + " of rank 4");
}

/// Checks the output sizes of a convolution from input [.., H, W] with kernel [KH, KW] against
/// the output [.., OH, OW].
void checkSizes(Lowering &l, const KernelNode &node, const ConvGeometry &g, const Shape &in,
                const Shape &kernel, const Shape &out) {
  int64_t oh = windowOutput(in[2], g.ph, g.dh, kernel[2], g.sh);
  int64_t ow = windowOutput(in[3], g.pw, g.dw, kernel[3], g.sw);
  if (oh < 1 || ow < 1 || oh != out[2] || ow != out[3])
    throw l.error(node, "output size does not match the input, kernel, stride, padding and "
                        "dilation");
}

int i32(int64_t v) { return static_cast<int>(v); }

/// `x` (N, C, H, W) shifted by the padding: element (n, c, a, b) is x(n, c, a - ph, b - pw), zero
/// outside x. Written as zeros, then x copied into the interior row by row (an update): a single
/// definition with a clamped read gathers its vectors wherever they overlap the border.
Func paddedInput(Lowering &l, const KernelNode &node, const LoweredValue &x, int64_t ph, int64_t pw,
                 const std::string &suffix) {
  const Shape &s = x.type.shape;
  Func f = l.newFunc(node, suffix);
  Lowering::define(f, 4, [](const Index &) { return Expr(0.0f); });
  Halide::RDom r(0, i32(s[3]), 0, i32(s[2]), l.funcName(node, suffix + "_interior"));
  Index i = Lowering::coordinates(4);
  f(r.x + i32(pw), r.y + i32(ph), i[1], i[0]) = Lowering::call(x.func, {i[0], i[1], r.y, r.x});
  return f;
}

/// Records how the taps read the source (see ConvolutionFuncs).
void setTaps(ConvolutionFuncs &c, const ConvGeometry &g, int64_t kh, int64_t kw, int64_t offH,
             int64_t offW, int64_t batch, int64_t channels, int64_t rows, int64_t cols) {
  c.stride[0] = g.sh;
  c.stride[1] = g.sw;
  c.dilation[0] = g.dh;
  c.dilation[1] = g.dw;
  c.offset[0] = offH;
  c.offset[1] = offW;
  c.kernel[0] = kh;
  c.kernel[1] = kw;
  c.sourceBatch = batch;
  c.sourceChannels = channels;
  c.outputExtent[0] = rows;
  c.outputExtent[1] = cols;
}

/// The direct form shared by conv2d and conv2d_grad_input: result (n, oc, i, j) =
/// sum_{ic,p,q} source(n, ic, i*sh + p*dh + offH, j*sw + q*dw + offW) * weight(oc, ic, p, q), with
/// `oc` clamped into [0, OC) before `weight` sees it (register blocks may overhang the channels).
LoweredValue
directConvolution(Lowering &l, const KernelNode &node, Func source, int64_t inChannels, int64_t kh,
                  int64_t kw, const ConvGeometry &g, int64_t offH, int64_t offW,
                  const std::function<Expr(Expr oc, Expr ic, Expr p, Expr q)> &weight) {
  const Shape &out = node.type.shape;
  LoweredValue v;
  v.kind = ValueKind::Convolution;
  Func prod = l.newFunc(node);
  Lowering::define(prod, 4, [](const Index &) { return Expr(0.0f); });
  v.func = prod;
  v.convolution.form = ConvolutionFuncs::Form::Direct;
  v.convolution.product = prod;
  v.convolution.source = source;
  setTaps(v.convolution, g, kh, kw, offH, offW, out[0], inChannels, out[2], out[3]);
  v.convolution.multiplyAdds = out[0] * out[1] * out[2] * out[3] * inChannels * kh * kw;
  if (inChannels == 0)
    return v;
  Halide::RDom r(0, i32(kw), 0, i32(kh), 0, i32(inChannels), l.funcName(node, "_r"));
  Index o = Lowering::coordinates(4);
  Expr oc = Halide::clamp(o[1], 0, i32(out[1]) - 1);
  Expr tap = Lowering::call(source, {o[0], r.z, o[2] * i32(g.sh) + r.y * i32(g.dh) + i32(offH),
                                     o[3] * i32(g.sw) + r.x * i32(g.dw) + i32(offW)});
  prod(o[3], o[2], o[1], o[0]) += tap * weight(oc, r.z, r.y, r.x);
  return v;
}

LoweredValue lowerConv2d(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &x = l.operand(node, 0), &w = l.operand(node, 1);
  expectNchw(l, node, x.type, "input");
  expectNchw(l, node, w.type, "weight");
  expectNchw(l, node, node.type, "result");
  const Shape &sx = x.type.shape, &sw = w.type.shape, &sy = node.type.shape;
  if (sw[1] != sx[1] || sy[0] != sx[0] || sy[1] != sw[0])
    throw l.error(node, "has channels or batch that do not match its operands");
  ConvGeometry g = convGeometry(l, node);
  checkSizes(l, node, g, sx, sw, sy);
  Func xp = paddedInput(l, node, x, g.ph, g.pw, "_xpad");
  return directConvolution(l, node, xp, sx[1], sw[2], sw[3], g, 0, 0,
                           [&](Expr oc, Expr ic, Expr p, Expr q) {
                             return Lowering::call(w.func, {oc, ic, p, q});
                           });
}

/// The transposed convolution shared by conv2d_grad_input and conv_transpose2d: result (n, c, h, v)
/// = sum_{o,p,q} gy(n, o, i, j) w(o, c, p, q) over the taps with h = i*sh - ph + p*dh (and
/// likewise v), written as a direct convolution of gy spread out and padded with the flipped
/// weights (see the file comment). Rows and columns of the result that no tap reaches (an
/// output_padding of conv_transpose2d at least its stride) read only zeros of the spread gy.
LoweredValue transposedConvolution(Lowering &l, const KernelNode &node, const LoweredValue &gy,
                                   const LoweredValue &w, const ConvGeometry &g) {
  const Shape &sgy = gy.type.shape, &sw = w.type.shape;
  int64_t kh = sw[2], kw = sw[3];
  // gyd(n, o, a, b): gy at row (a - (KH-1)*dh) / sh when that is a whole row of gy, else zero.
  // With stride 1, gy zero-padded (as conv2d pads its input).
  Func gyd;
  if (g.sh == 1 && g.sw == 1) {
    gyd = paddedInput(l, node, gy, (kh - 1) * g.dh, (kw - 1) * g.dw, "_gy_padded");
  } else {
    gyd = l.newFunc(node, "_gy_spread");
    Lowering::define(gyd, 4, [&](const Index &i) {
      Expr th = i[2] - i32((kh - 1) * g.dh), tw = i[3] - i32((kw - 1) * g.dw);
      Expr row = th / i32(g.sh), col = tw / i32(g.sw); // Halide divides rounding down
      Expr inside = th % i32(g.sh) == 0 && tw % i32(g.sw) == 0 && row >= 0 && row < i32(sgy[2]) &&
                    col >= 0 && col < i32(sgy[3]);
      Expr value = Lowering::call(gy.func, {i[0], i[1], Halide::clamp(row, 0, i32(sgy[2]) - 1),
                                            Halide::clamp(col, 0, i32(sgy[3]) - 1)});
      return Halide::select(inside, value, 0.0f);
    });
  }
  ConvGeometry unit{1, 1, 0, 0, g.dh, g.dw};
  LoweredValue v = directConvolution(
      l, node, gyd, sgy[1], kh, kw, unit, g.ph, g.pw, [&](Expr oc, Expr ic, Expr p, Expr q) {
        return Lowering::call(w.func, {ic, oc, i32(kh - 1) - p, i32(kw - 1) - q});
      });
  // Count the multiply-adds of the taps that are not known zeros.
  v.convolution.multiplyAdds = sgy[0] * sgy[1] * sgy[2] * sgy[3] * sw[1] * kh * kw;
  return v;
}

LoweredValue lowerConv2dGradInput(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &gy = l.operand(node, 0), &w = l.operand(node, 1);
  expectNchw(l, node, gy.type, "output gradient");
  expectNchw(l, node, w.type, "weight");
  expectNchw(l, node, node.type, "result");
  const Shape &sgy = gy.type.shape, &sw = w.type.shape, &sx = node.type.shape;
  std::vector<int64_t> inputSize = l.intsAttr(node, "input_size");
  if (inputSize.size() != 2 || inputSize[0] != sx[2] || inputSize[1] != sx[3])
    throw l.error(node, "input_size does not match the result's spatial size");
  if (sgy[1] != sw[0] || sx[0] != sgy[0] || sx[1] != sw[1])
    throw l.error(node, "has channels or batch that do not match its operands");
  ConvGeometry g = convGeometry(l, node);
  checkSizes(l, node, g, sx, sw, sgy);
  return transposedConvolution(l, node, gy, w, g);
}

/// conv_transpose2d(x [N, C, H, W], w [C, O, KH, KW]) is conv2d_grad_input with x as the output
/// gradient and w as the weight of a conv2d from O to C channels.
LoweredValue lowerConvTranspose2d(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &x = l.operand(node, 0), &w = l.operand(node, 1);
  expectNchw(l, node, x.type, "input");
  expectNchw(l, node, w.type, "weight");
  expectNchw(l, node, node.type, "result");
  const Shape &sx = x.type.shape, &sw = w.type.shape, &sy = node.type.shape;
  if (sx[1] != sw[0] || sy[0] != sx[0] || sy[1] != sw[1])
    throw l.error(node, "has channels or batch that do not match its operands");
  ConvGeometry g = convGeometry(l, node);
  std::vector<int64_t> op = l.intsAttr(node, "output_padding", {0, 0});
  int64_t stride[2] = {g.sh, g.sw}, pad[2] = {g.ph, g.pw}, dil[2] = {g.dh, g.dw};
  for (int d = 0; d < 2; ++d)
    if (op.size() != 2 || op[d] < 0 || (op[d] >= stride[d] && op[d] >= dil[d]) ||
        sy[2 + d] != (sx[2 + d] - 1) * stride[d] - 2 * pad[d] + dil[d] * (sw[2 + d] - 1) +
                         op[d] + 1)
      throw l.error(node, "output size does not match the input, kernel, stride, padding, "
                          "output_padding and dilation");
  return transposedConvolution(l, node, x, w, g);
}

LoweredValue lowerConv2dGradWeight(Lowering &l, const KernelNode &node) {
  l.expectOperands(node, 2);
  const LoweredValue &x = l.operand(node, 0), &gy = l.operand(node, 1);
  expectNchw(l, node, x.type, "input");
  expectNchw(l, node, gy.type, "output gradient");
  expectNchw(l, node, node.type, "result");
  const Shape &sx = x.type.shape, &sgy = gy.type.shape, &sw = node.type.shape;
  std::vector<int64_t> kernelSize = l.intsAttr(node, "kernel_size");
  if (kernelSize.size() != 2 || kernelSize[0] != sw[2] || kernelSize[1] != sw[3])
    throw l.error(node, "kernel_size does not match the result's taps");
  if (sw[0] != sgy[1] || sw[1] != sx[1] || sgy[0] != sx[0])
    throw l.error(node, "has channels or batch that do not match its operands");
  ConvGeometry g = convGeometry(l, node);
  checkSizes(l, node, g, sx, sw, sgy);

  Func xp = paddedInput(l, node, x, g.ph, g.pw, "_xpad");
  const int lanes = kWeightGradientLanes;
  int64_t batch = sgy[0], oh = sgy[2], ow = sgy[3], chunks = (ow + lanes - 1) / lanes;
  // Samples are summed in groups whose inputs and output gradients fit in L2 together: every
  // register block of a group reads them all, and from memory each would read them again.
  int64_t sampleBytes = 4 * (sx[1] * (sx[2] + 2 * g.ph) * (sx[3] + 2 * g.pw) + sgy[1] * oh * ow);
  int64_t samples = std::max<int64_t>(1, kSampleGroupBytes / std::max<int64_t>(sampleBytes, 1));
  while (batch % samples != 0)
    --samples;
  // group(group index, o, c, p, q, lane) = sum over (column chunk k, output row i, sample n of
  // the group) of gy(n, o, i, j) * tap, for j = k * lanes + lane; columns past OW read zeros.
  Func group = l.newFunc(node, "_group");
  Lowering::define(group, 6, [](const Index &) { return Expr(0.0f); });
  Index o = Lowering::coordinates(6);
  Halide::RDom r(0, i32(chunks), 0, i32(oh), 0, i32(samples), l.funcName(node, "_r"));
  Expr n = o[0] * i32(samples) + r.z, j = r.x * lanes + o[5];
  // Rows of gy padded with zeros to whole vectors, computed once when each vector is read by many
  // taps: a row of 14 read as a vector of 16 takes a dozen shuffles.
  Func gyRows = gy.func;
  std::vector<std::pair<Func, Shape>> helpers;
  if (ow % lanes != 0 && sx[1] * sw[2] * sw[3] >= 32) {
    gyRows = l.newFunc(node, "_gy_padded");
    Lowering::define(gyRows, 4, [&](const Index &i) {
      Expr value = Lowering::call(gy.func, {i[0], i[1], i[2], Halide::min(i[3], i32(ow) - 1)});
      return Halide::select(i[3] < i32(ow), value, 0.0f);
    });
    helpers.emplace_back(gyRows, Shape{batch, sgy[1], oh, chunks * lanes});
  }
  Expr gyAt = Lowering::call(gyRows, {n, Halide::clamp(o[1], 0, i32(sw[0]) - 1), r.y,
                                      helpers.empty() ? Halide::min(j, i32(ow) - 1) : j});
  if (helpers.empty() && ow % lanes != 0)
    gyAt = Halide::select(j < i32(ow), gyAt, 0.0f);
  Expr tap = Lowering::call(
      xp, {n, o[2], r.y * i32(g.sh) + o[3] * i32(g.dh), j * i32(g.sw) + o[4] * i32(g.dw)});
  group(o[5], o[4], o[3], o[2], o[1], o[0]) += gyAt * tap;
  // lanesTotal(o, c, p, q, lane): the groups added up.
  Func lanesTotal = l.newFunc(node, "_lanes");
  Lowering::define(lanesTotal, 5, [](const Index &) { return Expr(0.0f); });
  Index t = Lowering::coordinates(5);
  Halide::RDom rg(0, i32(batch / samples), l.funcName(node, "_groups"));
  lanesTotal(t[4], t[3], t[2], t[1], t[0]) += group(t[4], t[3], t[2], t[1], t[0], rg.x);

  LoweredValue v;
  v.kind = ValueKind::Convolution;
  v.func = l.newFunc(node);
  Lowering::define(v.func, 4, [&](const Index &i) {
    Expr sum = Lowering::call(lanesTotal, {i[0], i[1], i[2], i[3], 0});
    for (int lane = 1; lane < lanes; ++lane)
      sum += Lowering::call(lanesTotal, {i[0], i[1], i[2], i[3], lane});
    return sum;
  });
  v.convolution.form = ConvolutionFuncs::Form::WeightGradient;
  v.convolution.product = group;
  v.convolution.lanesTotal = lanesTotal;
  v.helpers = std::move(helpers);
  v.convolution.source = xp;
  setTaps(v.convolution, g, sw[2], sw[3], 0, 0, sx[0], sx[1], oh, chunks * lanes);
  v.convolution.multiplyAdds = sgy[0] * sgy[1] * oh * ow * sw[1] * sw[2] * sw[3];
  return v;
}

} // namespace

void registerConvLowerings(OpTable &t) {
  t["conv2d"] = lowerConv2d;
  t["conv2d_grad_input"] = lowerConv2dGradInput;
  t["conv2d_grad_weight"] = lowerConv2dGradWeight;
  t["conv_transpose2d"] = lowerConvTranspose2d;
}

} // namespace dl::halide
