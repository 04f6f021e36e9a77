//===- VJPTest.cpp - Every gradient rule against finite differences -------===//
//
// The cases of every differentiable op family but the window ops (ConvVJPTest.cpp), each checked by
// VJPHarness.h: dl-autodiff's gradient, evaluated by the reference interpreter, against central
// differences of the loss.
//
//===----------------------------------------------------------------------===//
#include "test/unit/gradients/VJPHarness.h"

#include "runtime/rng/Philox.h"

namespace {

using namespace dl::vjptest;

/// The streams of the augmentation cases (see AugmentationCasesDrawBothChoices).
constexpr uint32_t kFlipStream = 5, kCropStream = 6;

std::vector<Case> elementwiseCases() {
  std::vector<Case> cs;
  // add, sub, mul: equal shapes, a lower-rank operand, size-1 dimensions on both sides, scalars.
  for (std::string op : {"add", "sub", "mul"}) {
    cs.push_back(binary(op, "2x3", "2x3", "2x3"));
    cs.push_back(binary(op, "2x3", "3", "2x3"));
    cs.push_back(binary(op, "3", "2x3", "2x3"));
    cs.push_back(binary(op, "3x1", "1x4", "3x4"));
    cs.push_back(binary(op, "2x1x4", "3x1", "2x3x4"));
    cs.push_back(binary(op, "", "2x3", "2x3"));
    cs.push_back(binary(op, "2x3", "", "2x3"));
    cs.push_back(binary(op, "", "", ""));
  }
  // div: the divisor away from 0.
  for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
           {"2x3", "2x3", "2x3"}, {"2x3", "3", "2x3"}, {"3", "2x1", "2x3"},
           {"", "2x2", "2x2"}, {"2x2", "", "2x2"}, {"1x3x1", "2x1x4", "2x3x4"}})
    cs.push_back(binary("div", a, b, out).with(positive(1, 0.5)).with(map(1, [](double x) {
      return int(std::fabs(x) * 1000) % 2 ? x : -x;  // Both signs.
    })));
  // pow: a positive base; the exponent of either sign.
  for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
           {"2x3", "2x3", "2x3"}, {"2x3", "", "2x3"}, {"", "2x3", "2x3"},
           {"3", "2x3", "2x3"}, {"2x1", "1x3", "2x3"}})
    cs.push_back(binary("pow", a, b, out).with(positive(0, 0.3)));
  // maximum and minimum: grids that never tie, so every element has one winner.
  for (std::string op : {"maximum", "minimum"})
    for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
             {"2x3", "2x3", "2x3"}, {"3x1", "4", "3x4"}, {"", "2x3", "2x3"},
             {"2x3", "", "2x3"}, {"2x1x3", "4x1", "2x4x3"}})
      cs.push_back(binary(op, a, b, out).with(grid(0, 0.0)).with(grid(1, 0.1)));
  // prelu: alpha broadcasts into x, whose result shape is x's; x away from the kink at 0.
  for (auto [x, alpha] : std::vector<std::array<std::string, 2>>{
           {"2x3", "2x3"}, {"2x3", "3"}, {"2x3x4", "3x1"}, {"2x3", ""}, {"4x2", "1x2"}})
    cs.push_back(binary("prelu", x, alpha, x).with(awayFrom(0, {0.0})));

  // select: the condition is a dl.cmp of two more parameters; they are trained too and must get
  // exact zeros (the comparison has no gradient and the rule gives the condition none).
  auto select = [](std::string name, std::string t, std::string f, std::string a, std::string b,
                   std::string out) {
    return make("select_" + name, {t, f, a, b},
                "%c = dl.cmp gt, %p2, %p3 : (" + T(a) + ", " + T(b) + ") -> " + T(out, "i1") +
                    "\n%y = dl.select %c, %p0, %p1 : (" + T(out, "i1") + ", " + T(t) + ", " + T(f) +
                    ") -> " + T(out),
                out)
        .with(grid(2, 0.0))
        .with(grid(3, 0.1))
        .zeroGrad({2, 3});
  };
  cs.push_back(select("same_shapes", "2x3", "2x3", "2x3", "2x3", "2x3"));
  cs.push_back(select("scalar_false", "2x3", "", "2x3", "3", "2x3"));
  cs.push_back(select("broadcast_both", "1x3", "2x1", "2x3", "2x3", "2x3"));
  cs.push_back(select("cond_broadcast", "3x4", "4", "3x1", "4", "3x4"));
  // A condition that has fewer dimensions than the values.
  cs.push_back(make("select_cond_lower_rank", {"2x3", "2x3", "3", ""},
                    "%c = dl.cmp gt, %p2, %p3 : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>\n"
                    "%y = dl.select %c, %p0, %p1 : (tensor<3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) "
                    "-> tensor<2x3xf32>",
                    "2x3")
                   .with(grid(2, 0.0))
                   .with(map(3, [](double) { return 0.1; }))
                   .zeroGrad({2, 3}));

  // Unary ops, each at a matrix, a scalar and a rank-3 shape.
  struct U {
    std::string op, attrs;
    std::vector<Prepare> prepare;
  };
  std::vector<U> unaries = {
      {"neg", "", {}},
      {"abs", "", {awayFrom(0, {0.0})}},
      {"exp", "", {}},
      {"log", "", {positive(0, 0.2)}},
      {"sqrt", "", {positive(0, 0.2)}},
      {"rsqrt", "", {positive(0, 0.2)}},
      {"sigmoid", "", {}},
      {"tanh", "", {}},
      {"relu", "", {awayFrom(0, {0.0})}},
      {"gelu", "", {}},
      {"erf", "", {}},
      {"cos", "", {}},
      {"sin", "", {}},
      {"softplus", "", {}},
      {"silu", "", {}},
      {"mish", "", {}},
      // Spread over [-9, 9] so that all three pieces are met, away from the kinks at +-3.
      {"hardswish", "", {map(0, [](double x) { return 3 * x; }), awayFrom(0, {-3.0, 3.0})}},
      {"leaky_relu", "{alpha = 2.000000e-01 : f64}", {awayFrom(0, {0.0})}},
      {"elu", "{alpha = 1.300000e+00 : f64}", {awayFrom(0, {0.0})}},
      {"clamp", "{min = -5.000000e-01 : f64, max = 7.000000e-01 : f64}",
       {awayFrom(0, {-0.5, 0.7})}},
  };
  for (const U &u : unaries)
    for (std::string shape : {"2x3", "", "2x1x3"}) {
      Case c = unary(u.op, shape, u.attrs);
      for (const Prepare &p : u.prepare)
        c = c.with(p);
      cs.push_back(c);
    }
  // floor, ceil and round: a zero gradient, away from the jumps (integers and halves), where the
  // central differences are zero too.
  for (std::string op : {"floor", "ceil", "round"})
    for (std::string shape : {"2x3", "", "2x1x3"})
      cs.push_back(unary(op, shape)
                       .with(map(0, [](double x) { return 2 * x; }))
                       .with(awayFrom(0, {-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5,
                                          2, 2.5, 3, 3.5, 4}))
                       .zeroGrad({0}));
  // mod and fmod: quotients up to about +-8 of both signs, each kept away from the integers where
  // the remainder jumps; the divisor is @p1, the same shape as @p0 or a scalar.
  Prepare awayFromJumps = [](std::vector<Tensor> &ps) {
    for (size_t i = 0; i < ps[0].data.size(); ++i) {
      double &a = ps[0].data[i];
      double b = ps[1].data[ps[1].data.size() == 1 ? 0 : i];
      double q = 4 * a / b, whole = std::floor(q);
      a = (q - whole < 0.1 || q - whole > 0.9 ? whole + 0.5 : q) * b;
    }
  };
  for (std::string op : {"mod", "fmod"})
    for (auto [a, b] : std::vector<std::array<std::string, 2>>{{"2x3", "2x3"}, {"2x3", ""}})
      cs.push_back(binary(op, a, b, a)
                       .with(positive(1, 0.5))
                       .with(map(1, [](double x) { return int(x * 1000) % 2 ? x : -x; }))
                       .with(awayFromJumps));

  // leaky_relu's default alpha and clamp's other regime (every element clipped on one side).
  cs.push_back(unary("leaky_relu", "3x4").named("leaky_relu_default_alpha").with(awayFrom(0, {0.0})));
  cs.push_back(unary("clamp", "3x4", "{min = 0.000000e+00 : f64, max = 6.000000e+00 : f64}")
                   .named("clamp_relu6")
                   .with(awayFrom(0, {0.0, 6.0})));

  // softmax and log_softmax along several axes, negative ones included.
  for (std::string op : {"softmax", "log_softmax"}) {
    auto along = [&](std::string shape, int64_t axis, std::string tag) {
      return make(op + "_" + shape + "_" + tag, {shape},
                  "%y = dl." + op + " %p0 {axis = " + std::to_string(axis) + " : i64} : " + T(shape),
                  shape);
    };
    cs.push_back(unary(op, "3x4").named(op + "_3x4_default_axis"));
    cs.push_back(along("3x4", 0, "axis0"));
    cs.push_back(along("3x4", -2, "axis_m2"));
    cs.push_back(along("2x3x4", 1, "axis1"));
    cs.push_back(along("2x3x4", -1, "axis_m1"));
    cs.push_back(along("2x3x4", 0, "axis0"));
    cs.push_back(along("5", 0, "axis0"));
    // Along a size-1 axis the result is constant (1 or 0): the gradient is exactly zero.
    cs.push_back(along("3x1", 1, "size1_axis").zeroGrad({0}));
  }
  return cs;
}

std::vector<Case> matmulCases() {
  std::vector<Case> cs;
  for (auto [a, b, out] : std::vector<std::array<std::string, 3>>{
           {"3x4", "4x2", "3x2"},          // Plain.
           {"1x4", "4x1", "1x1"},          // Size-1 rows and columns.
           {"4", "4x2", "2"},              // 1-D lhs: a row vector.
           {"3x4", "4", "3"},              // 1-D rhs: a column vector.
           {"4", "4", ""},                 // Dot product.
           {"2x3x4", "2x4x5", "2x3x5"},    // Batched.
           {"2x3x4", "4x5", "2x3x5"},      // Shared rhs across the batch.
           {"3x4", "2x4x5", "2x3x5"},      // Shared lhs across the batch.
           {"1x3x4", "2x4x5", "2x3x5"},    // Size-1 batch broadcast.
           {"2x1x3x4", "3x4x2", "2x3x3x2"}, // Batch dims broadcast both ways.
           {"4", "2x4x3", "2x3"},          // 1-D lhs against a batch.
           {"2x3x4", "4", "2x3"},          // Batch against a 1-D rhs.
       })
    cs.push_back(binary("matmul", a, b, out));
  return cs;
}

std::vector<Case> reductionCases() {
  std::vector<Case> cs;
  for (std::string op : {"sum", "mean", "reduce_max", "reduce_min", "logsumexp"}) {
    cs.push_back(reduce(op, "2x3", "", false, "", "all"));
    cs.push_back(reduce(op, "2x3", "", true, "1x1", "all"));
    cs.push_back(reduce(op, "2x3x4", "1", false, "2x4", "ax1"));
    cs.push_back(reduce(op, "2x3x4", "0, 2", false, "3", "ax0_2"));
    cs.push_back(reduce(op, "2x3x4", "0, 2", true, "1x3x1", "ax0_2"));
    cs.push_back(reduce(op, "2x3", "-1", false, "2", "ax_m1"));
    cs.push_back(reduce(op, "2x3x4", "-1, 0", true, "1x3x1", "ax_m1_0"));
    cs.push_back(reduce(op, "2x3x4", "-2", true, "2x1x4", "ax_m2"));
    cs.push_back(reduce(op, "3x1x4", "1", false, "3x4", "size1_axis"));
    cs.push_back(reduce(op, "5", "0", false, "", "vector"));
  }
  // cumsum: the reverse cumulative sum of the gradient, along each axis and reversed.
  for (auto [axis, reverse] : std::vector<std::pair<int, bool>>{{0, false}, {1, false}, {-1, true}, {0, true}})
    cs.push_back(make("cumsum_ax" + (axis < 0 ? "_m1" : std::to_string(axis)) + (reverse ? "_rev" : ""), {"2x3x4"},
                      "%y = dl.cumsum %p0 {axis = " + std::to_string(axis) + " : i64, reverse = " +
                          (reverse ? "true" : "false") + "} : (" + T("2x3x4") + ") -> " + T("2x3x4"),
                      "2x3x4"));
  // topk: the values' gradient goes back to the elements they came from (grids never tie, so the
  // selection is the same at x +- h); along the last axis, axis 0 (smallest) and a middle axis.
  for (auto [name, in, attrs, out] : std::vector<std::array<std::string, 4>>{
           {"topk_last_axis", "2x5", "k = 3 : i64", "2x3"},
           {"topk_axis0_smallest", "4x3", "k = 2 : i64, axis = 0 : i64, largest = false", "2x3"},
           {"topk_axis1_3d", "2x4x3", "k = 2 : i64, axis = 1 : i64", "2x2x3"}})
    cs.push_back(make(name, {in},
                      "%y, %i = dl.topk %p0 {" + attrs + "} : (" + T(in) + ") -> (" + T(out) + ", " +
                          T(out, "i32") + ")",
                      out)
                     .with(grid(0, 0.0)));
  return cs;
}

std::vector<Case> shapeCases() {
  std::vector<Case> cs;
  auto reshape = [](std::string in, std::string out) {
    return make("reshape_" + nameOf(in) + "_to_" + nameOf(out), {in},
                "%y = dl.reshape %p0 : (" + T(in) + ") -> " + T(out), out);
  };
  cs.push_back(reshape("2x3x4", "6x4"));
  cs.push_back(reshape("6", "2x1x3"));
  cs.push_back(reshape("", "1x1"));
  cs.push_back(reshape("2x3", "3x2"));

  auto transpose = [](std::string in, std::string perm, std::string out, std::string tag) {
    return make("transpose_" + in + "_" + tag, {in},
                "%y = dl.transpose %p0 {perm = array<i64: " + perm + ">} : (" + T(in) + ") -> " +
                    T(out),
                out);
  };
  cs.push_back(transpose("2x3", "1, 0", "3x2", "10"));
  cs.push_back(transpose("2x3x4", "2, 0, 1", "4x2x3", "201"));
  cs.push_back(transpose("2x3x4", "1, 2, 0", "3x4x2", "120"));
  cs.push_back(transpose("2x1x3", "0, 2, 1", "2x3x1", "021"));

  auto broadcastTo = [](std::string in, std::string out) {
    return make("broadcast_to_" + nameOf(in) + "_to_" + out, {in},
                "%y = dl.broadcast_to %p0 : (" + T(in) + ") -> " + T(out), out);
  };
  cs.push_back(broadcastTo("3", "2x3"));
  cs.push_back(broadcastTo("3x1", "2x3x4"));
  cs.push_back(broadcastTo("", "2x2"));
  cs.push_back(broadcastTo("1x3", "4x3"));
  cs.push_back(broadcastTo("2x1x1", "2x3x4"));

  cs.push_back(make("concat_axis1", {"2x3", "2x2"},
                    "%y = dl.concat %p0, %p1 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xf32>) "
                    "-> tensor<2x5xf32>",
                    "2x5"));
  cs.push_back(make("concat_three_axis0", {"1x3", "2x3", "3x3"},
                    "%y = dl.concat %p0, %p1, %p2 {axis = 0 : i64} : (tensor<1x3xf32>, "
                    "tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<6x3xf32>",
                    "6x3"));
  cs.push_back(make("concat_axis_m1", {"2x1x2", "2x1x3"},
                    "%y = dl.concat %p0, %p1 {axis = -1 : i64} : (tensor<2x1x2xf32>, "
                    "tensor<2x1x3xf32>) -> tensor<2x1x5xf32>",
                    "2x1x5"));
  cs.push_back(make("concat_axis_m2", {"2x3", "1x3"},
                    "%y = dl.concat %p0, %p1 {axis = -2 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) "
                    "-> tensor<3x3xf32>",
                    "3x3"));
  cs.push_back(make("concat_1d", {"2", "3"},
                    "%y = dl.concat %p0, %p1 {axis = 0 : i64} : (tensor<2xf32>, tensor<3xf32>) -> "
                    "tensor<5xf32>",
                    "5"));

  // split: one part unused (its slice of the gradient is zero), the others swapped.
  cs.push_back(make("split_axis1_part_unused", {"2x6"},
                    "%a, %b, %c = dl.split %p0 {parts = 3 : i64, axis = 1 : i64} : "
                    "(tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>)\n"
                    "%y = dl.concat %c, %a {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x2xf32>) -> "
                    "tensor<2x4xf32>",
                    "2x4"));
  cs.push_back(make("split_axis_m2_product", {"4x3"},
                    "%a, %b = dl.split %p0 {parts = 2 : i64, axis = -2 : i64} : (tensor<4x3xf32>) "
                    "-> (tensor<2x3xf32>, tensor<2x3xf32>)\n"
                    "%y = dl.mul %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("split_axis0_1d", {"6"},
                    "%a, %b, %c = dl.split %p0 {parts = 3 : i64, axis = 0 : i64} : (tensor<6xf32>) "
                    "-> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)\n"
                    "%ab = dl.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>\n"
                    "%y = dl.sub %ab, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>",
                    "2"));

  auto slice = [](std::string in, std::string start, std::string limit, std::string out,
                  std::string tag) {
    std::string ones;
    for (size_t d = 0; d < parseShape(in).size(); ++d)
      ones += d ? ", 1" : "1";
    return make("slice_" + in + "_" + tag, {in},
                "%y = dl.slice %p0 {start = array<i64: " + start + ">, limit = array<i64: " + limit +
                    ">, stride = array<i64: " + ones + ">} : (" + T(in) + ") -> " + T(out),
                out);
  };
  cs.push_back(slice("4x5", "1, 0", "3, 4", "2x4", "rows_cols"));
  cs.push_back(slice("2x3x4", "0, 1, 1", "2, 3, 3", "2x2x2", "inner"));
  cs.push_back(slice("6", "2", "5", "3", "middle"));
  cs.push_back(slice("3x4", "0, 0", "3, 4", "3x4", "whole"));

  auto pad = [](std::string in, std::string low, std::string high, std::string value,
                std::string out, std::string tag) {
    return make("pad_" + in + "_" + tag, {in},
                "%y = dl.pad %p0 {low = array<i64: " + low + ">, high = array<i64: " + high +
                    ">, value = " + value + " : f64} : (" + T(in) + ") -> " + T(out),
                out);
  };
  cs.push_back(pad("2x3", "1, 0", "0, 2", "5.000000e-01", "3x5", "value"));
  cs.push_back(pad("3", "2", "1", "0.000000e+00", "6", "zero"));
  cs.push_back(pad("2x1x2", "0, 1, 1", "1, 1, 0", "-1.000000e+00", "3x3x3", "rank3"));

  // dropout: the interpreter's step is fixed, so the gradient's mask is the forward's.
  cs.push_back(make("dropout_4x5_p05", {"4x5"},
                    "%y = dl.dropout %p0 {p = 5.000000e-01 : f64, stream = 3 : i64} : "
                    "tensor<4x5xf32>",
                    "4x5"));
  cs.push_back(make("dropout_2x3x4_p025", {"2x3x4"},
                    "%y = dl.dropout %p0 {p = 2.500000e-01 : f64, stream = 0 : i64} : "
                    "tensor<2x3x4xf32>",
                    "2x3x4"));
  // Two dropouts of different streams on one path.
  cs.push_back(make("dropout_twice", {"3x4"},
                    "%d = dl.dropout %p0 {p = 3.000000e-01 : f64, stream = 1 : i64} : "
                    "tensor<3x4xf32>\n"
                    "%t = dl.tanh %d : tensor<3x4xf32>\n"
                    "%y = dl.dropout %t {p = 2.000000e-01 : f64, stream = 2 : i64} : tensor<3x4xf32>",
                    "3x4"));

  // The data augmentations, with the interpreter's step fixed as for dropout: the gradient's flips
  // and windows are the forward's. AugmentationCasesDrawBothChoices checks that these streams flip
  // some samples and not others, and place the windows in more than one corner.
  cs.push_back(make("random_flip_width", {"8x2x3x4"},
                    "%y = dl.random_flip %p0 {axis = 3 : i64, stream = " +
                        std::to_string(kFlipStream) + " : i64} : tensor<8x2x3x4xf32>",
                    "8x2x3x4"));
  cs.push_back(make("random_flip_height_p07", {"8x1x5x3"},
                    "%y = dl.random_flip %p0 {axis = -2 : i64, p = 7.000000e-01 : f64, stream = " +
                        std::to_string(kFlipStream) + " : i64} : tensor<8x1x5x3xf32>",
                    "8x1x5x3"));
  // A translation (the window of the input's size), a smaller window, and a larger one than the
  // input that only the padding allows; each through tanh, so the incoming gradient varies.
  auto crop = [](std::string in, std::string size, std::string padding, std::string out,
                 std::string tag) {
    return make("random_crop_" + tag, {in},
                "%c = dl.random_crop %p0 {size = array<i64: " + size + ">, padding = array<i64: " +
                    padding + ">, stream = " + std::to_string(kCropStream) + " : i64} : (" +
                    T(in) + ") -> " + T(out) + "\n%y = dl.tanh %c : " + T(out),
                out);
  };
  cs.push_back(crop("8x2x5x6", "5, 6", "2, 2", "8x2x5x6", "translate"));
  cs.push_back(crop("8x1x6x5", "4, 3", "1, 0", "8x1x4x3", "smaller"));
  cs.push_back(crop("8x1x3x4", "6, 5", "2, 1", "8x1x6x5", "larger"));
  cs.push_back(make("gaussian_noise", {"3x4"},
                    "%n = dl.gaussian_noise %p0 {std = 5.000000e-01 : f64, stream = 2 : i64} : "
                    "tensor<3x4xf32>\n%y = dl.tanh %n : tensor<3x4xf32>",
                    "3x4"));
  return cs;
}

std::vector<Case> lossCases() {
  std::vector<Case> cs;
  // Both operands of every elementwise loss are trained: predictions and targets.
  cs.push_back(loss("mse", "4x3"));
  cs.push_back(loss("mse", "5"));
  cs.push_back(loss("mse", ""));
  cs.push_back(loss("mae", "4x3").with(residualAwayFrom(0, 1, {0.0})));
  cs.push_back(loss("mae", "2x3x2").with(residualAwayFrom(0, 1, {0.0})));
  cs.push_back(loss("huber", "4x3").with(residualAwayFrom(0, 1, {-1.0, 1.0})));
  cs.push_back(loss("huber", "3x4", "{delta = 5.000000e-01 : f64}")
                   .named("huber_3x4_delta05")
                   .with(residualAwayFrom(0, 1, {-0.5, 0.5})));
  cs.push_back(loss("bce", "4x3").with(probability(0)).with(probability(1)));
  cs.push_back(loss("bce", "6").with(probability(0)).with(probability(1)));
  cs.push_back(loss("bce_with_logits", "4x3").with(probability(1)));
  cs.push_back(loss("bce_with_logits", "2x3x2").with(map(0, [](double x) { return 3 * x; }))
                   .with(probability(1)));
  cs.push_back(loss("hinge", "4x3").with(signs(1)).with(marginAwayFromOne(0, 1)));
  cs.push_back(loss("hinge", "8").with(map(0, [](double x) { return 2 * x; })).with(signs(1))
                   .with(marginAwayFromOne(0, 1)));
  cs.push_back(loss("kl_div", "4x3").with(positive(1, 0.1)));
  cs.push_back(loss("kl_div", "2x3x2").with(positive(1, 0.1)));
  // kl_div of log-probabilities against probabilities, as it is used.
  cs.push_back(make("kl_div_log_softmax_softmax", {"4x5", "4x5"},
                    "%lq = dl.log_softmax %p0 : tensor<4x5xf32>\n"
                    "%t = dl.softmax %p1 : tensor<4x5xf32>\n"
                    "%y = dl.kl_div %lq, %t : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>",
                    ""));

  // cross_entropy with class ids (a constant), 2-D and 3-D logits.
  cs.push_back(make("cross_entropy_labels_4x5", {"4x5"},
                    "%labels = dl.constant dense<[0, 3, 4, 1]> : tensor<4xi32>\n"
                    "%y = dl.cross_entropy %p0, %labels : (tensor<4x5xf32>, tensor<4xi32>) -> "
                    "tensor<f32>",
                    ""));
  cs.push_back(make("cross_entropy_labels_2x3x4", {"2x3x4"},
                    "%labels = dl.constant dense<[[0, 3, 1], [2, 2, 0]]> : tensor<2x3xi32>\n"
                    "%y = dl.cross_entropy %p0, %labels : (tensor<2x3x4xf32>, tensor<2x3xi32>) -> "
                    "tensor<f32>",
                    ""));
  cs.push_back(make("cross_entropy_labels_1d", {"6"},
                    "%label = dl.constant dense<2> : tensor<i32>\n"
                    "%y = dl.cross_entropy %p0, %label : (tensor<6xf32>, tensor<i32>) -> "
                    "tensor<f32>",
                    ""));
  // cross_entropy with soft targets, trained: positive and not normalized, or a softmax.
  cs.push_back(make("cross_entropy_soft_targets", {"4x5", "4x5"},
                    "%y = dl.cross_entropy %p0, %p1 : (tensor<4x5xf32>, tensor<4x5xf32>) -> "
                    "tensor<f32>",
                    "")
                   .with(positive(1, 0.05)));
  cs.push_back(make("cross_entropy_softmax_targets", {"2x3x4", "2x3x4"},
                    "%t = dl.softmax %p1 : tensor<2x3x4xf32>\n"
                    "%y = dl.cross_entropy %p0, %t : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> "
                    "tensor<f32>",
                    ""));

  // The class losses' options: a trained class weight (its gradient includes the weighted mean's
  // denominator), ignore_index, label smoothing, reduction "none" (summed here) and "sum", soft
  // targets with a weight, nll with a weight.
  cs.push_back(make("cross_entropy_weight_ignore_smoothing", {"4x5", "5"},
                    "%labels = dl.constant dense<[0, 2, 4, 1]> : tensor<4xi32>\n"
                    "%y = dl.cross_entropy %p0, %labels weight %p1 {ignore_index = 2 : i64, "
                    "label_smoothing = 2.000000e-01 : f64} : (tensor<4x5xf32>, tensor<4xi32>, "
                    "tensor<5xf32>) -> tensor<f32>",
                    "")
                   .with(positive(1, 0.1)));
  cs.push_back(make("cross_entropy_none_2x3x4", {"2x3x4"},
                    "%labels = dl.constant dense<[[0, -100, 1], [2, 3, -100]]> : tensor<2x3xi32>\n"
                    "%r = dl.cross_entropy %p0, %labels {reduction = \"none\", label_smoothing = "
                    "1.000000e-01 : f64} : (tensor<2x3x4xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>\n"
                    "%y = dl.sum %r {axes = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<f32>",
                    ""));
  cs.push_back(make("cross_entropy_soft_weight_sum", {"4x5", "4x5", "5"},
                    "%y = dl.cross_entropy %p0, %p1 weight %p2 {reduction = \"sum\", label_smoothing = "
                    "3.000000e-01 : f64} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<5xf32>) -> "
                    "tensor<f32>",
                    "")
                   .with(positive(1, 0.05))
                   .with(positive(2, 0.1)));
  cs.push_back(make("nll_weight_ignore", {"4x5", "5"},
                    "%labels = dl.constant dense<[4, 0, 2, 0]> : tensor<4xi32>\n"
                    "%y = dl.nll %p0, %labels weight %p1 {ignore_index = 0 : i64} : (tensor<4x5xf32>, "
                    "tensor<4xi32>, tensor<5xf32>) -> tensor<f32>",
                    "")
                   .with(positive(1, 0.1)));

  // nll of log-probabilities, and of raw scores (the rule does not assume normalization).
  cs.push_back(make("nll_log_softmax", {"4x5"},
                    "%lp = dl.log_softmax %p0 : tensor<4x5xf32>\n"
                    "%labels = dl.constant dense<[4, 0, 2, 2]> : tensor<4xi32>\n"
                    "%y = dl.nll %lp, %labels : (tensor<4x5xf32>, tensor<4xi32>) -> tensor<f32>",
                    ""));
  cs.push_back(make("nll_raw_2x2x3", {"2x2x3"},
                    "%labels = dl.constant dense<[[0, 2], [1, 1]]> : tensor<2x2xi32>\n"
                    "%y = dl.nll %p0, %labels : (tensor<2x2x3xf32>, tensor<2x2xi32>) -> tensor<f32>",
                    ""));

  cs.push_back(make("kl_normal_4x3", {"4x3", "4x3"},
                    "%y = dl.kl_normal %p0, %p1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>",
                    ""));
  cs.push_back(make("kl_normal_2x3x2", {"2x3x2", "2x3x2"},
                    "%y = dl.kl_normal %p0, %p1 : (tensor<2x3x2xf32>, tensor<2x3x2xf32>) -> "
                    "tensor<f32>",
                    ""));
  cs.push_back(make("kl_normal_1d", {"5", "5"},
                    "%y = dl.kl_normal %p0, %p1 : (tensor<5xf32>, tensor<5xf32>) -> tensor<f32>",
                    ""));
  // A target that is not trained: only the prediction's gradient is built and returned.
  cs.push_back(loss("mse", "3x2").named("mse_frozen_target").freeze({1}));
  return cs;
}

/// Values used more than once, gradients summed over broadcasts, and small compositions.
std::vector<Case> compositionCases() {
  std::vector<Case> cs;
  cs.push_back(make("shared_weight_two_loads", {"3x3", "2x3"},
                    "%h = dl.matmul %p1, %p0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>\n"
                    "%w2 = dl.load @p0 : tensor<3x3xf32>\n"
                    "%y = dl.matmul %h, %w2 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("shared_weight_frozen_input", {"3x3", "2x3"},
                    "%h = dl.matmul %p1, %p0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>\n"
                    "%a = dl.tanh %h : tensor<2x3xf32>\n"
                    "%y = dl.matmul %a, %p0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>",
                    "2x3")
                   .freeze({1}));
  cs.push_back(make("same_value_both_operands", {"2x3"},
                    "%y = dl.mul %p0, %p0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("residual", {"2x3"},
                    "%t = dl.tanh %p0 : tensor<2x3xf32>\n"
                    "%e = dl.exp %t : tensor<2x3xf32>\n"
                    "%s = dl.add %e, %p0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>\n"
                    "%y = dl.mul %s, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  cs.push_back(make("value_used_three_times", {"4"},
                    "%a = dl.sigmoid %p0 : tensor<4xf32>\n"
                    "%b = dl.mul %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n"
                    "%y = dl.div %b, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>",
                    "4"));
  // A broadcast operand whose gradient sums over a size-1 dimension it keeps.
  cs.push_back(binary("add", "3x1", "3x4", "3x4").named("sum_over_size1_dim_add"));
  cs.push_back(binary("mul", "1x4x1", "2x4x3", "2x4x3").named("sum_over_size1_dims_mul"));
  cs.push_back(make("broadcast_param_used_twice", {"3", "2x3"},
                    "%b = dl.broadcast_to %p0 : (tensor<3xf32>) -> tensor<2x3xf32>\n"
                    "%s = dl.add %p1, %p0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>\n"
                    "%y = dl.mul %s, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3"));
  // A small classifier: dense, bias, tanh, dense, cross-entropy; the input is not trained.
  cs.push_back(make("mlp_cross_entropy", {"4x3", "3x5", "5", "5x3"},
                    "%h = dl.matmul %p0, %p1 : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>\n"
                    "%hb = dl.add %h, %p2 : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>\n"
                    "%a = dl.tanh %hb : tensor<4x5xf32>\n"
                    "%z = dl.matmul %a, %p3 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>\n"
                    "%labels = dl.constant dense<[2, 0, 1, 1]> : tensor<4xi32>\n"
                    "%y = dl.cross_entropy %z, %labels : (tensor<4x3xf32>, tensor<4xi32>) -> "
                    "tensor<f32>",
                    "")
                   .freeze({0}));
  // A layer norm written out: mean, centring, variance, rsqrt.
  cs.push_back(make("layer_norm", {"3x4", "4"},
                    "%m = dl.mean %p0 {axes = array<i64: -1>, keepdims = true} : (tensor<3x4xf32>) -> "
                    "tensor<3x1xf32>\n"
                    "%c = dl.sub %p0, %m : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>\n"
                    "%sq = dl.mul %c, %c : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>\n"
                    "%v = dl.mean %sq {axes = array<i64: 1>, keepdims = true} : (tensor<3x4xf32>) -> "
                    "tensor<3x1xf32>\n"
                    "%eps = dl.constant dense<1.000000e-05> : tensor<f32>\n"
                    "%ve = dl.add %v, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>\n"
                    "%r = dl.rsqrt %ve : tensor<3x1xf32>\n"
                    "%n = dl.mul %c, %r : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>\n"
                    "%y = dl.mul %n, %p1 : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>",
                    "3x4"));
  // dl.step only decides a select's condition: no gradient has to flow through it.
  cs.push_back(make("step_only_in_condition", {"2x3", "2x3", "2x3"},
                    "%s = dl.step %p2 : tensor<2x3xf32>\n"
                    "%half = dl.constant dense<5.000000e-01> : tensor<f32>\n"
                    "%c = dl.cmp gt, %s, %half : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>\n"
                    "%y = dl.select %c, %p0, %p1 : (tensor<2x3xi1>, tensor<2x3xf32>, "
                    "tensor<2x3xf32>) -> tensor<2x3xf32>",
                    "2x3")
                   .with(awayFrom(2, {0.0}))
                   .zeroGrad({2}));
  return cs;
}

std::vector<Case> allCases() {
  std::vector<Case> all;
  for (auto part : {elementwiseCases(), matmulCases(), reductionCases(), shapeCases(), lossCases(),
                    compositionCases()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

// The one test of every family's cases (VJPHarness.h): the other <Family>VJPTest.cpp files
// instantiate it too.
TEST_P(VJPTest, MatchesCentralDifferences) { checkAgainstCentralDifferences(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Ops, VJPTest, ::testing::ValuesIn(allCases()), caseName);

TEST(VJPCases, NamesAreUniqueAndEveryDifferentiableOpIsCovered) {
  expectUniqueNamesCovering(
      allCases(),
      {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "prelu", "select", "neg", "abs",
        "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "relu", "gelu", "erf", "cos", "softplus",
        "sin", "floor", "ceil", "round", "silu", "hardswish", "mish", "mod", "fmod",
        "leaky_relu", "elu", "clamp", "softmax", "log_softmax", "matmul", "sum", "mean",
        "reduce_max", "reduce_min", "logsumexp", "cumsum", "topk", "reshape", "transpose", "broadcast_to", "concat",
        "split", "slice", "pad", "dropout", "random_flip", "random_crop", "gaussian_noise", "mse", "mae", "huber", "bce", "bce_with_logits", "hinge",
        "kl_div", "cross_entropy", "nll", "kl_normal"});
}

// The harness's interpreter draws with seed 1 at step 1 (VJPHarness.h): there, the 8 samples of
// the flip cases must include flipped and unflipped ones (at p = 0.5 and 0.7), and the crop cases'
// windows more than one corner, or their gradients would check only half the rule.
TEST(VJPCases, AugmentationCasesDrawBothChoices) {
  std::set<bool> flips05, flips07;
  std::set<std::pair<uint32_t, uint32_t>> corners;
  for (uint64_t n = 0; n < 8; ++n) {
    uint32_t flipWord = dl::rng::drawWords(1, n, kFlipStream, 1).w[0];
    flips05.insert(dl::rng::unitBelow(flipWord, 0.5));
    flips07.insert(dl::rng::unitBelow(flipWord, 0.7));
    dl::rng::Words4 crop = dl::rng::drawWords(1, n, kCropStream, 1);
    corners.insert({dl::rng::below(crop.w[0], 3), dl::rng::below(crop.w[1], 2)});
  }
  EXPECT_EQ(flips05.size(), 2u);
  EXPECT_EQ(flips07.size(), 2u);
  EXPECT_GE(corners.size(), 3u);
}

//===----------------------------------------------------------------------===//
// Ops without a gradient
//===----------------------------------------------------------------------===//

TEST(VJPNonDifferentiable, StepOnTheLossPathFailsThePass) {
  Case c = make("step", {"2x3", "2x3"},
                "%s = dl.step %p0 : tensor<2x3xf32>\n"
                "%y = dl.mul %s, %p1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>",
                "2x3");
  std::string diagnostics = expectNoGradient(c, "step");
  EXPECT_NE(diagnostics.find("which has no gradient"), std::string::npos) << diagnostics;
}

TEST(VJPNonDifferentiable, StepOffTheLossPathIsFine) {
  Case c = make("step", {"2x3"},
                "%unused = dl.step %p0 : tensor<2x3xf32>\n"
                "%y = dl.tanh %p0 : tensor<2x3xf32>",
                "2x3");
  Compiled compiled(modelText(c));
  ASSERT_TRUE(compiled.module) << compiled.diagnostics;
  EXPECT_TRUE(succeeded(compiled.differentiate())) << compiled.diagnostics;
}

} // namespace
