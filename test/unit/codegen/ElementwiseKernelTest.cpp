//===- ElementwiseKernelTest.cpp - Element-wise ops as Halide kernels ------===//
//
// Tests that constants, the broadcasting binary ops, mod and fmod, cmp/select, the logical ops,
// the unary ops and activations, cast and one_hot compute in f32 what the reference interpreter
// computes in double (compiler/interpreter/Elementwise.cpp): values within f32 rounding, NaN where
// the interpreter propagates it, and exact i32 results including 32-bit wrap-around.
//
//===----------------------------------------------------------------------===//
#include "test/unit/codegen/KernelTestUtil.h"

#include <limits>

namespace dl::codegen::test {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Applies `f` to the NumPy broadcast of `a` and `b` into `out`.
std::vector<double> broadcastBinary(const HostTensor &a, const HostTensor &b, const Shape &out,
                                    const std::function<double(double, double)> &f) {
  int64_t n = 1;
  for (int64_t d : out)
    n *= d;
  std::vector<double> r(n);
  for (int64_t i = 0; i < n; ++i) {
    Shape index = unflatten(i, out);
    r[i] =
        f(a.data[broadcastFlat(a.type.shape, index)], b.data[broadcastFlat(b.type.shape, index)]);
  }
  return r;
}

std::vector<double> map(const HostTensor &x, const std::function<double(double)> &f) {
  std::vector<double> r;
  for (double v : x.data)
    r.push_back(f(v));
  return r;
}

/// A tensor of `values` rounded to f32, as the kernel reads them, so that references computed in
/// double start from the kernel's own inputs (1e30 and -3.1 are no f32 values).
HostTensor f32Values(const Shape &shape, std::vector<double> values) {
  for (double &v : values)
    v = static_cast<float>(v);
  return tensorOf(f32(shape), std::move(values));
}

TEST(Elementwise, BinaryOpsBroadcastLikeNumPy) {
  KernelBuilder b("binary");
  Shape out{4, 3, 5};
  int x = b.input(f32({4, 1, 5})), y = b.input(f32({3, 5})), slope = b.input(f32({5}));
  std::vector<std::string> ops = {"add", "sub", "mul", "div", "maximum", "minimum"};
  for (const std::string &op : ops)
    b.output(b.node(op, {x, y}, f32(out)));
  b.output(b.node("prelu", {x, slope}, f32({4, 1, 5})));

  HostTensor a = randomTensor(f32({4, 1, 5}), 1), c = randomTensor(f32({3, 5}), 2);
  HostTensor s = randomTensor(f32({5}), 3, 0.0, 0.5);
  std::vector<HostTensor> r = run(b.kernel(), {a, c, s});
  ASSERT_EQ(r.size(), ops.size() + 1);
  std::vector<std::function<double(double, double)>> ref = {
      [](double p, double q) { return p + q; },
      [](double p, double q) { return p - q; },
      [](double p, double q) { return p * q; },
      [](double p, double q) { return p / q; },
      [](double p, double q) { return std::max(p, q); },
      [](double p, double q) { return std::min(p, q); }};
  for (size_t k = 0; k < ops.size(); ++k)
    EXPECT_TRUE(allClose(r[k], broadcastBinary(a, c, out, ref[k]), 1e-6)) << ops[k];
  EXPECT_TRUE(allClose(
      r.back(),
      broadcastBinary(a, s, {4, 1, 5}, [](double p, double q) { return p > 0 ? p : q * p; }),
      1e-6));
}

TEST(Elementwise, PowFollowsStdPow) {
  KernelBuilder b("pow");
  int x = b.input(f32({6})), y = b.input(f32({6}));
  b.output(b.node("pow", {x, y}, f32({6})));
  HostTensor base = tensorOf(f32({6}), {2.0, 0.5, 10.0, 3.0, 1.5, 7.25});
  HostTensor exponent = tensorOf(f32({6}), {3.0, -2.0, 0.5, 0.0, 2.5, -1.25});
  std::vector<HostTensor> r = run(b.kernel(), {base, exponent});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(allClose(
      r[0], broadcastBinary(base, exponent, {6}, [](double p, double q) { return std::pow(p, q); }),
      2e-6));
}

TEST(Elementwise, MaximumMinimumAndActivationsPropagateNaN) {
  KernelBuilder b("nan");
  int x = b.input(f32({4})), y = b.input(f32({4}));
  b.output(b.node("maximum", {x, y}, f32({4})));
  b.output(b.node("minimum", {x, y}, f32({4})));
  b.output(b.node("relu", {x}, f32({4})));
  b.output(b.node("clamp", {x}, f32({4}), [](KernelNode &n) {
    n.floats["min"] = -0.5;
    n.floats["max"] = 0.5;
  }));
  HostTensor a = tensorOf(f32({4}), {kNaN, 1.0, -2.0, kNaN});
  HostTensor c = tensorOf(f32({4}), {0.0, kNaN, -3.0, kNaN});
  std::vector<HostTensor> r = run(b.kernel(), {a, c});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(allClose(r[0], {kNaN, kNaN, -2.0, kNaN}, 0));
  EXPECT_TRUE(allClose(r[1], {kNaN, kNaN, -3.0, kNaN}, 0));
  EXPECT_TRUE(allClose(r[2], {kNaN, 1.0, 0.0, kNaN}, 0));
  EXPECT_TRUE(allClose(r[3], {kNaN, 0.5, -0.5, kNaN}, 0));
}

TEST(Elementwise, IntegerOpsWrapAndTruncate) {
  KernelBuilder b("int");
  int x = b.input(i32({6})), y = b.input(i32({6}));
  for (const char *op : {"add", "sub", "mul", "div", "maximum", "minimum"})
    b.output(b.node(op, {x, y}, i32({6})));
  b.output(b.node("neg", {x}, i32({6})));
  b.output(b.node("abs", {x}, i32({6})));
  const double kMax = 2147483647.0, kMin = -2147483648.0;
  HostTensor a = tensorOf(i32({6}), {kMax, kMin, -7, 7, 65536, -5});
  HostTensor c = tensorOf(i32({6}), {1, 1, 2, -2, 65536, 3});
  std::vector<HostTensor> r = run(b.kernel(), {a, c});
  ASSERT_EQ(r.size(), 8u);
  EXPECT_TRUE(allClose(r[0], {kMin, kMin + 1, -5, 5, 131072, -2}, 0));
  EXPECT_TRUE(allClose(r[1], {kMax - 1, kMax, -9, 9, 0, -8}, 0));
  EXPECT_TRUE(allClose(r[2], {kMax, kMin, -14, -14, 0, -15}, 0)); // 2^32 wraps to 0
  EXPECT_TRUE(allClose(r[3], {kMax, kMin, -3, -3, 1, -1}, 0));    // toward zero, not floor
  EXPECT_TRUE(allClose(r[4], {kMax, 1, 2, 7, 65536, 3}, 0));
  EXPECT_TRUE(allClose(r[5], {1, kMin, -7, -2, 65536, -5}, 0));
  EXPECT_TRUE(allClose(r[6], {-kMax, kMin, 7, -7, -65536, 5}, 0)); // -INT_MIN wraps
  EXPECT_TRUE(allClose(r[7], {kMax, kMin, 7, 7, 65536, 5}, 0));
}

TEST(Elementwise, UnaryOpsAndActivationsMatchDoubleReference) {
  KernelBuilder b("unary");
  Shape shape{2, 41};
  int x = b.input(f32(shape));
  struct Case {
    const char *op;
    std::function<double(double)> ref;
    double rtol, atol;
    std::function<void(KernelNode &)> attrs;
  };
  const double alpha = 0.2;
  std::vector<Case> cases = {
      {"neg", [](double v) { return -v; }, 0, 0},
      {"abs", [](double v) { return std::fabs(v); }, 0, 0},
      {"exp", [](double v) { return std::exp(v); }, 2e-6, 0},
      {"sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); }, 2e-6, 0},
      {"tanh", [](double v) { return std::tanh(v); }, 2e-6, 0},
      {"relu", [](double v) { return std::max(v, 0.0); }, 0, 0},
      {"gelu", [](double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }, 2e-6, 1e-30},
      {"softplus", [](double v) { return std::max(v, 0.0) + std::log1p(std::exp(-std::fabs(v))); },
       2e-6, 0},
      {"step", [](double v) { return v > 0 ? 1.0 : 0.0; }, 0, 0},
      {"erf", [](double v) { return std::erf(v); }, 3e-7, 0},
      {"cos", [](double v) { return std::cos(v); }, 2e-6, 2e-7},
      {"sin", [](double v) { return std::sin(v); }, 2e-6, 2e-7},
      {"floor", [](double v) { return std::floor(v); }, 0, 0},
      {"ceil", [](double v) { return std::ceil(v); }, 0, 0},
      {"round", [](double v) { return std::nearbyint(v); }, 0, 0},
      {"silu", [](double v) { return v / (1 + std::exp(-v)); }, 2e-6, 0},
      {"hardswish", [](double v) { return v * std::min(std::max(v + 3, 0.0), 6.0) / 6; }, 2e-7, 0},
      {"mish", [](double v) { return v * std::tanh(std::log1p(std::exp(v))); }, 2e-6, 0},
      {"leaky_relu", [=](double v) { return v > 0 ? v : alpha * v; }, 1e-7, 0,
       [=](KernelNode &n) { n.floats["alpha"] = alpha; }},
      {"elu", [=](double v) { return v > 0 ? v : alpha * std::expm1(v); }, 2e-6, 0,
       [=](KernelNode &n) { n.floats["alpha"] = alpha; }},
      {"clamp", [](double v) { return std::min(std::max(v, -1.5), 2.0); }, 0, 0,
       [](KernelNode &n) {
         n.floats["min"] = -1.5;
         n.floats["max"] = 2.0;
       }},
  };
  for (const Case &c : cases)
    b.output(b.node(c.op, {x}, f32(shape), c.attrs));
  // From -20 to 20, and tiny values where cancellation would show (expm1, log1p, tanh, erf).
  HostTensor in{f32(shape), {}};
  for (int i = 0; i <= 40; ++i)
    in.data.push_back(i - 20.0);
  for (int i = 0; i <= 40; ++i)
    in.data.push_back(static_cast<float>((i - 20) * 1.37e-4));
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), cases.size());
  for (size_t k = 0; k < cases.size(); ++k)
    EXPECT_TRUE(allClose(r[k], map(in, cases[k].ref), cases[k].rtol, cases[k].atol)) << cases[k].op;
}

TEST(Elementwise, LogSqrtRsqrtOnPositiveValues) {
  KernelBuilder b("positive");
  int x = b.input(f32({64}));
  b.output(b.node("log", {x}, f32({64})));
  b.output(b.node("sqrt", {x}, f32({64})));
  b.output(b.node("rsqrt", {x}, f32({64})));
  HostTensor in = randomTensor(f32({64}), 7, 1e-3, 100.0);
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(allClose(r[0], map(in, [](double v) { return std::log(v); }), 2e-6, 1e-7));
  EXPECT_TRUE(allClose(r[1], map(in, [](double v) { return std::sqrt(v); }), 1e-7));
  EXPECT_TRUE(allClose(r[2], map(in, [](double v) { return 1 / std::sqrt(v); }), 2e-7));
}

TEST(Elementwise, ErfIsAccurateToAboutAnUlpEverywhere) {
  // A dense sweep over [-5, 5], where erf goes from -1 through 0 to 1.
  const int n = 20001;
  KernelBuilder b("erf");
  int x = b.input(f32({n}));
  b.output(b.node("erf", {x}, f32({n})));
  HostTensor in{f32({n}), {}};
  for (int i = 0; i < n; ++i)
    in.data.push_back(static_cast<float>(-5.0 + 10.0 * i / (n - 1)));
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), 1u);
  // 2^-23 relative: within an ulp of the double result.
  EXPECT_TRUE(allClose(r[0], map(in, [](double v) { return std::erf(v); }), 1.2e-7, 1e-30));
}

/// `points` values evenly over [-bound, bound] and each of `extra` with both signs, as f32.
std::vector<double> sweep(double bound, int points, const std::vector<double> &extra) {
  std::vector<double> values;
  for (int i = 0; i < points; ++i)
    values.push_back(static_cast<float>(-bound + 2 * bound * i / (points - 1)));
  for (double v : extra)
    for (double sign : {1.0, -1.0})
      values.push_back(static_cast<float>(sign * v));
  return values;
}

/// Runs unary `op` on `values` and requires each result within `ulps` of the f32 rounding of
/// `reference` (in double), or within `atol`.
void expectWithinUlps(const std::string &op, const std::vector<double> &values,
                      const std::function<double(double)> &reference, double ulps,
                      double atol = 0) {
  int64_t n = static_cast<int64_t>(values.size());
  KernelBuilder b(op + "_sweep");
  int x = b.input(f32({n}));
  b.output(b.node(op, {x}, f32({n})));
  HostTensor in = f32Values({n}, values);
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), 1u);
  for (int64_t i = 0; i < n; ++i) {
    double expected = static_cast<float>(reference(in.data[i]));
    double ulp = std::nextafter(static_cast<float>(std::fabs(expected)), 2e38f) -
                 static_cast<float>(std::fabs(expected));
    ASSERT_LE(std::fabs(r[0].data[i] - expected), std::max(ulps * ulp, atol))
        << op << "(" << in.data[i] << ")";
  }
}

TEST(Elementwise, GeluIsAccurateToAFewUlpsEverywhere) {
  // gelu(x) = x Phi(x), Phi in f32 from three fits (MathFunctions.cpp) switching at |x| / sqrt 2 =
  // 0.75 and 2: a dense sweep over [-14, 14] and the neighbours of each switch and of -13, below
  // which dlc gives 0. 4 ulps of the double result (the edge values' table allows 8), or 1e-30
  // where gelu is tinier than that (x < -11.6). PyTorch's float gelu computes 1 + erf(x / sqrt 2):
  // it loses every digit below -5 and gives 0 from -8.3 on.
  std::vector<double> extra = {1e-20, 1e-38, 1e-44, 3e-4, 20.0, 1e30};
  for (double a : {0.75, 2.0, 13 / std::sqrt(2.0)})
    for (double nudge : {0.0, 1e-6, -1e-6})
      extra.push_back((a + nudge) * std::sqrt(2.0));
  expectWithinUlps("gelu", sweep(14, 40000, extra),
                   [](double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }, 4, 1e-30);
}

TEST(Elementwise, TanhIsAccurateToAFewUlpsEverywhere) {
  // tanh switches from its polynomial to 1 - 2 / (e^2x + 1) at |x| = 0.55: a dense sweep over
  // [-12, 12] crossing it, the neighbours of the switch, tiny values (a^2 underflows) and values
  // where e^2x overflows. 4 ulps of the double result (the polynomial's 1.5 and the quotient's 2,
  // plus Halide's exp; the edge values' table allows 8).
  expectWithinUlps("tanh",
                   sweep(12, 20000, {0.55, 0.5499999, 0.5500001, 1e-20, 1e-38, 1e-44, 3e-4, 44.0,
                                     44.5, 60.0}),
                   [](double v) { return std::tanh(v); }, 4);
}

TEST(Elementwise, RoundingFunctionsOnHalvesAndLargeValues) {
  // Halves (round goes to even), values just off them, and the largest non-integers of f32.
  std::vector<double> values = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, -0.49999997,
                                8388607.5, -8388607.5, 8388609, 1e30, -0.25, 3.75};
  int64_t n = static_cast<int64_t>(values.size());
  KernelBuilder b("rounding");
  int x = b.input(f32({n}));
  for (const char *op : {"floor", "ceil", "round"})
    b.output(b.node(op, {x}, f32({n})));
  HostTensor in = f32Values({n}, values);
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(allClose(r[0], map(in, [](double v) { return std::floor(v); }), 0));
  EXPECT_TRUE(allClose(r[1], map(in, [](double v) { return std::ceil(v); }), 0));
  EXPECT_TRUE(allClose(r[2], map(in, [](double v) { return std::nearbyint(v); }), 0));
}

TEST(Elementwise, ActivationsFarBelowZeroKeepTheirSubnormalDigits) {
  // silu(x) and mish(x) are about x e^x below -20: subnormal below about -87, 0 below -110.
  std::vector<double> values;
  for (double v = -20.5; v > -120; v -= 2.75)
    values.push_back(v);
  int64_t n = static_cast<int64_t>(values.size());
  KernelBuilder b("tails");
  int x = b.input(f32({n}));
  b.output(b.node("silu", {x}, f32({n})));
  b.output(b.node("mish", {x}, f32({n})));
  HostTensor in = tensorOf(f32({n}), values);
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), 2u);
  // Within half an ulp of the smallest subnormal, on top of f32 rounding of normal results.
  EXPECT_TRUE(allClose(r[0], map(in, [](double v) { return v / (1 + std::exp(-v)); }), 2e-7,
                       1.5e-45));
  EXPECT_TRUE(allClose(r[1], map(in, [](double v) { return v * std::tanh(std::log1p(std::exp(v))); }),
                       2e-7, 1.5e-45));
}

TEST(Elementwise, ModAndFmodBroadcastAndAreExact) {
  KernelBuilder b("remainders");
  Shape out{4, 6};
  int x = b.input(f32({4, 1})), y = b.input(f32({6})), ix = b.input(i32({8})), iy = b.input(i32({8}));
  b.output(b.node("mod", {x, y}, f32(out)));
  b.output(b.node("fmod", {x, y}, f32(out)));
  b.output(b.node("mod", {ix, iy}, i32({8})));
  b.output(b.node("fmod", {ix, iy}, i32({8})));
  HostTensor a = f32Values({4, 1}, {5.5, -5.5, 1e30, -7.25});
  HostTensor c = f32Values({6}, {2, -2, 0.75, -3.1, 1e-30, 7});
  const double kMin = -2147483648.0, kMax = 2147483647.0;
  HostTensor ia = tensorOf(i32({8}), {7, -7, 7, -7, kMin, kMin, kMax, 5});
  HostTensor ib = tensorOf(i32({8}), {3, 3, -3, -3, -1, kMin, kMin, 0});
  std::vector<HostTensor> r = run(b.kernel(), {a, c, ia, ib});
  ASSERT_EQ(r.size(), 4u);
  auto pythonMod = [](double p, double q) {
    double m = std::fmod(p, q);
    return m != 0 && (q < 0) != (m < 0) ? m + q : m;
  };
  // fmod is exact, so only mod's final addition rounds.
  EXPECT_TRUE(allClose(r[0], broadcastBinary(a, c, out, pythonMod), 1e-7));
  EXPECT_TRUE(allClose(r[1], broadcastBinary(a, c, out, [](double p, double q) {
                         return std::fmod(p, q);
                       }),
                       0));
  // By zero, a kernel gives 0 (the interpreter refuses).
  EXPECT_TRUE(allClose(r[2], {1, 2, -2, -1, 0, 0, -1, 0}, 0));
  EXPECT_TRUE(allClose(r[3], {1, -1, 1, -1, 0, 0, kMax, 0}, 0));
}

TEST(Elementwise, FmodIsExactAtEveryRatio) {
  // Dividends and divisors of every binary order of magnitude, both signs: the quotient ranges up
  // to 2^276, where anything but an exact algorithm returns noise.
  const int64_t n = 4096;
  HostTensor a = randomTensor(f32({n}), 11), c = randomTensor(f32({n}), 12);
  for (int64_t i = 0; i < n; ++i) {
    a.data[i] = static_cast<float>(a.data[i] * std::ldexp(1.0, static_cast<int>(i * 37 % 254) - 126));
    c.data[i] = static_cast<float>(c.data[i] * std::ldexp(1.0, static_cast<int>(i * 53 % 276) - 149));
    if (c.data[i] == 0)
      c.data[i] = 1e-45;
    if (i % 64 == 0) // an exact multiple: a zero remainder, which takes the dividend's sign
      a.data[i] = static_cast<float>(c.data[i] * (i % 128 ? -4.0 : 2.0));
  }
  KernelBuilder b("fmod_sweep");
  int x = b.input(f32({n})), y = b.input(f32({n}));
  b.output(b.node("fmod", {x, y}, f32({n})));
  b.output(b.node("mod", {x, y}, f32({n})));
  std::vector<HostTensor> r = run(b.kernel(), {a, c});
  ASSERT_EQ(r.size(), 2u);
  std::vector<double> exact, python;
  for (int64_t i = 0; i < n; ++i) {
    float m = std::fmod(static_cast<float>(a.data[i]), static_cast<float>(c.data[i]));
    exact.push_back(m);
    float q = static_cast<float>(c.data[i]);
    python.push_back(m != 0 && (q < 0) != (m < 0) ? static_cast<float>(m + q) : m);
  }
  EXPECT_TRUE(allClose(r[0], exact, 0));
  EXPECT_TRUE(allClose(r[1], python, 0));
  int zeros = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (exact[i] != 0)
      continue;
    ++zeros;
    EXPECT_EQ(std::signbit(r[0].data[i]), std::signbit(a.data[i])) << "fmod(" << a.data[i] << ", "
                                                                   << c.data[i] << ")";
  }
  EXPECT_GE(zeros, n / 128);
}

TEST(Elementwise, LogicalOpsOnBooleans) {
  KernelBuilder b("logical");
  int x = b.input(f32({2, 4})), y = b.input(f32({4}));
  int p = b.node("cmp", {x, y}, i1({2, 4}), [](KernelNode &n) { n.strings["predicate"] = "gt"; });
  int q = b.node("cmp", {y, y}, i1({4}), [](KernelNode &n) { n.strings["predicate"] = "eq"; });
  for (const char *op : {"logical_and", "logical_or", "logical_xor"})
    b.output(b.node("cast", {b.node(op, {p, q}, i1({2, 4}))}, f32({2, 4})));
  b.output(b.node("logical_not", {p}, i1({2, 4})));
  // y holds a NaN, so q (y == y) is false there.
  HostTensor a = tensorOf(f32({2, 4}), {1, 2, 3, 4, -1, 5, 0, 9});
  HostTensor c = tensorOf(f32({4}), {0, kNaN, 3, 8});
  std::vector<HostTensor> r = run(b.kernel(), {a, c});
  ASSERT_EQ(r.size(), 4u);
  // p = x > y: [1 0 0 0; 0 0 0 1], q = [1 0 1 1].
  EXPECT_TRUE(allClose(r[0], {1, 0, 0, 0, 0, 0, 0, 1}, 0));
  EXPECT_TRUE(allClose(r[1], {1, 0, 1, 1, 1, 0, 1, 1}, 0));
  EXPECT_TRUE(allClose(r[2], {0, 0, 1, 1, 1, 0, 1, 0}, 0));
  EXPECT_TRUE(allClose(r[3], {0, 1, 1, 1, 1, 1, 1, 0}, 0));
}

TEST(Elementwise, CmpSelectCastAndOneHot) {
  KernelBuilder b("logic");
  int x = b.input(f32({2, 4})), y = b.input(f32({4})), ids = b.input(i32({3}));
  std::vector<std::string> predicates = {"eq", "ne", "lt", "le", "gt", "ge"};
  std::vector<int> masks;
  for (const std::string &p : predicates) {
    masks.push_back(
        b.node("cmp", {x, y}, i1({2, 4}), [&](KernelNode &n) { n.strings["predicate"] = p; }));
    b.output(masks.back());
  }
  b.output(b.node("select", {masks[4], x, y}, f32({2, 4}))); // where(x > y, x, y)
  b.output(b.node("cast", {masks[2]}, f32({2, 4})));         // bool -> f32
  b.output(b.node("cast", {x}, i32({2, 4})));                // truncates toward zero
  b.output(b.node("cast", {x}, i1({2, 4})));                 // nonzero
  b.output(b.node("cast", {ids}, f32({3})));
  b.output(b.node("one_hot", {ids}, f32({3, 4}), [](KernelNode &n) { n.ints["classes"] = {4}; }));

  HostTensor a = tensorOf(f32({2, 4}), {1.5, -2.5, 0.0, 3.0, -0.5, 2.0, 7.75, 3e9});
  HostTensor c = tensorOf(f32({4}), {1.5, 0.0, 1.0, -1.0});
  HostTensor labels = tensorOf(i32({3}), {2, -1, 3});
  std::vector<HostTensor> r = run(b.kernel(), {a, c, labels});
  ASSERT_EQ(r.size(), predicates.size() + 6);
  std::vector<std::function<bool(double, double)>> ref = {
      [](double p, double q) { return p == q; }, [](double p, double q) { return p != q; },
      [](double p, double q) { return p < q; },  [](double p, double q) { return p <= q; },
      [](double p, double q) { return p > q; },  [](double p, double q) { return p >= q; }};
  for (size_t k = 0; k < predicates.size(); ++k)
    EXPECT_TRUE(allClose(
        r[k],
        broadcastBinary(a, c, {2, 4}, [&](double p, double q) { return ref[k](p, q) ? 1.0 : 0.0; }),
        0))
        << predicates[k];
  size_t k = predicates.size();
  EXPECT_TRUE(allClose(
      r[k++], broadcastBinary(a, c, {2, 4}, [](double p, double q) { return p > q ? p : q; }), 0));
  EXPECT_TRUE(allClose(r[k++], {0, 1, 1, 0, 1, 0, 0, 0}, 0));
  EXPECT_TRUE(allClose(r[k++], {1, -2, 0, 3, 0, 2, 7, 2147483647.0}, 0)); // saturates
  EXPECT_TRUE(allClose(r[k++], {1, 1, 0, 1, 1, 1, 1, 1}, 0));
  EXPECT_TRUE(allClose(r[k++], {2, -1, 3}, 0));
  EXPECT_TRUE(allClose(r[k++], {0, 0, 1, 0, /*out of range*/ 0, 0, 0, 0, 0, 0, 0, 1}, 0));
}

TEST(Elementwise, ConstantsSplatDenseAndBoolean) {
  KernelBuilder b("constants");
  int x = b.input(f32({2, 3}));
  int splat = b.node("constant", {}, f32({}), [](KernelNode &n) {
    n.constant = {0.25};
    n.splat = true;
  });
  int dense =
      b.node("constant", {}, f32({2, 3}), [](KernelNode &n) { n.constant = {1, 2, 3, 4, 5, 6}; });
  int mask = b.node("constant", {}, i1({3}), [](KernelNode &n) { n.constant = {1, 0, 1}; });
  int ints = b.node("constant", {}, i32({3}), [](KernelNode &n) { n.constant = {-4, 0, 9}; });
  int scaled = b.node("mul", {x, splat}, f32({2, 3}));
  b.output(b.node("add", {scaled, dense}, f32({2, 3})));
  b.output(b.node("select", {mask, x, dense}, f32({2, 3})));
  b.output(ints);
  b.output(mask);
  HostTensor in = tensorOf(f32({2, 3}), {4, 8, 12, 16, 20, 24});
  std::vector<HostTensor> r = run(b.kernel(), {in});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(allClose(r[0], {2, 4, 6, 8, 10, 12}, 0));
  EXPECT_TRUE(allClose(r[1], {4, 2, 12, 16, 5, 24}, 0));
  EXPECT_TRUE(allClose(r[2], {-4, 0, 9}, 0));
  EXPECT_TRUE(allClose(r[3], {1, 0, 1}, 0));
}

} // namespace
} // namespace dl::codegen::test
