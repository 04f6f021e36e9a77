//===- ElementwiseTest.cpp - Constants, elementwise ops, activations, cast ===//
//
// Values computed by hand (or as closed forms with <cmath>) for every elementwise op, NumPy
// broadcasting in each of its forms, i32 wrapping and the stable forms of sigmoid, softplus and
// softmax.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

namespace dl::interp::test {
namespace {

using ElementwiseTest = InterpreterTest;

/// `@f(%a: A, %b: B) -> R { %r = dl.OP %a, %b; return %r }`.
std::string binaryFunc(const std::string &op, const std::string &a, const std::string &b,
                       const std::string &r) {
  return "func.func @f(%a: " + a + ", %b: " + b + ") -> " + r + " {\n  %r = dl." + op +
         " %a, %b : (" + a + ", " + b + ") -> " + r + "\n  return %r : " + r + "\n}";
}

/// `@f(%x: T) -> T { %r = dl.OP %x ATTRS : T; return %r }`.
std::string unaryFunc(const std::string &op, const std::string &type, const std::string &attrs = "") {
  return "func.func @f(%x: " + type + ") -> " + type + " {\n  %r = dl." + op + " %x " + attrs +
         " : " + type + "\n  return %r : " + type + "\n}";
}

TEST_F(ElementwiseTest, ConstantSplatAndDense) {
  Tensor splat = run1(R"(func.func @f() -> tensor<2x2xf32> {
    %c = dl.constant dense<1.5> : tensor<2x2xf32>
    return %c : tensor<2x2xf32>
  })", {});
  expectTensor(splat, {2, 2}, {1.5, 1.5, 1.5, 1.5});
  std::vector<Tensor> r = run(R"(func.func @f() -> (tensor<3xf32>, tensor<2xi32>, tensor<2xi1>) {
    %a = dl.constant dense<[1.0, -2.5, 3.25]> : tensor<3xf32>
    %b = dl.constant dense<[7, -8]> : tensor<2xi32>
    %c = dl.constant dense<[true, false]> : tensor<2xi1>
    return %a, %b, %c : tensor<3xf32>, tensor<2xi32>, tensor<2xi1>
  })", {});
  ASSERT_EQ(r.size(), 3u);
  expectTensor(r[0], {3}, {1.0, -2.5, 3.25});
  expectTensor(r[1], {2}, {7, -8});
  EXPECT_EQ(r[1].kind, ElementKind::I32);
  expectTensor(r[2], {2}, {1, 0});
  EXPECT_EQ(r[2].kind, ElementKind::I1);
}

TEST_F(ElementwiseTest, AddBroadcastsRowVector) {
  Tensor r = run1(binaryFunc("add", "tensor<2x3xf32>", "tensor<3xf32>", "tensor<2x3xf32>"),
                  {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {10, 20, 30})});
  expectTensor(r, {2, 3}, {11, 22, 33, 14, 25, 36});
}

TEST_F(ElementwiseTest, SubBroadcastsBothOperands) {
  // [2,1] - [1,3] -> [2,3]
  Tensor r = run1(binaryFunc("sub", "tensor<2x1xf32>", "tensor<1x3xf32>", "tensor<2x3xf32>"),
                  {f32({2, 1}, {10, 20}), f32({1, 3}, {1, 2, 3})});
  expectTensor(r, {2, 3}, {9, 8, 7, 19, 18, 17});
}

TEST_F(ElementwiseTest, MulBroadcastsScalarAndLeadingDims) {
  Tensor r = run1(binaryFunc("mul", "tensor<f32>", "tensor<2x2xf32>", "tensor<2x2xf32>"),
                  {Tensor::scalar(3), f32({2, 2}, {1, 2, 3, 4})});
  expectTensor(r, {2, 2}, {3, 6, 9, 12});
  // [2,1,2] * [3,1] -> [2,3,2]
  Tensor s = run1(binaryFunc("mul", "tensor<2x1x2xf32>", "tensor<3x1xf32>", "tensor<2x3x2xf32>"),
                  {f32({2, 1, 2}, {1, 2, 3, 4}), f32({3, 1}, {1, 10, 100})});
  expectTensor(s, {2, 3, 2}, {1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400});
}

TEST_F(ElementwiseTest, DivAndPow) {
  Tensor d = run1(binaryFunc("div", "tensor<3xf32>", "tensor<3xf32>", "tensor<3xf32>"),
                  {f32({3}, {1, -3, 1}), f32({3}, {4, 2, 0})});
  expectTensor(d, {3}, {0.25, -1.5, INFINITY});
  Tensor p = run1(binaryFunc("pow", "tensor<3xf32>", "tensor<f32>", "tensor<3xf32>"),
                  {f32({3}, {2, 9, -2}), Tensor::scalar(0.5)});
  expectTensor(p, {3}, {std::sqrt(2.0), 3, NAN});
  Tensor q = run1(binaryFunc("pow", "tensor<2xf32>", "tensor<2xf32>", "tensor<2xf32>"),
                  {f32({2}, {-2, 3}), f32({2}, {3, -1})});
  expectTensor(q, {2}, {-8, 1.0 / 3});
}

TEST_F(ElementwiseTest, IntegerArithmeticWrapsAndTruncates) {
  Tensor add = run1(binaryFunc("add", "tensor<2xi32>", "tensor<2xi32>", "tensor<2xi32>"),
                    {i32({2}, {2147483647, -5}), i32({2}, {1, 3})});
  expectTensor(add, {2}, {-2147483648.0, -2});
  Tensor mul = run1(binaryFunc("mul", "tensor<1xi32>", "tensor<1xi32>", "tensor<1xi32>"),
                    {i32({1}, {65536}), i32({1}, {65536})});
  expectTensor(mul, {1}, {0}); // 2^32 wraps to 0
  Tensor div = run1(binaryFunc("div", "tensor<4xi32>", "tensor<4xi32>", "tensor<4xi32>"),
                    {i32({4}, {-7, 7, -7, 7}), i32({4}, {2, 2, -2, -2})});
  expectTensor(div, {4}, {-3, 3, 3, -3}); // toward zero
  std::string error = runError(
      binaryFunc("div", "tensor<2xi32>", "tensor<2xi32>", "tensor<2xi32>"),
      {i32({2}, {1, 2}), i32({2}, {1, 0})});
  EXPECT_THAT(error, ::testing::HasSubstr("dl.div"));
  EXPECT_THAT(error, ::testing::HasSubstr("division by zero"));
}

TEST_F(ElementwiseTest, MaximumMinimumPropagateNaN) {
  Tensor mx = run1(binaryFunc("maximum", "tensor<3xf32>", "tensor<3xf32>", "tensor<3xf32>"),
                   {f32({3}, {1, 5, NAN}), f32({3}, {2, 4, 0})});
  expectTensor(mx, {3}, {2, 5, NAN});
  Tensor mn = run1(binaryFunc("minimum", "tensor<3xf32>", "tensor<f32>", "tensor<3xf32>"),
                   {f32({3}, {1, 5, -2}), Tensor::scalar(0)});
  expectTensor(mn, {3}, {0, 0, -2});
  Tensor imx = run1(binaryFunc("maximum", "tensor<2xi32>", "tensor<2xi32>", "tensor<2xi32>"),
                    {i32({2}, {-3, 4}), i32({2}, {-4, 9})});
  expectTensor(imx, {2}, {-3, 9});
}

TEST_F(ElementwiseTest, PReluBroadcastsSlopesIntoInput) {
  Tensor r = run1(binaryFunc("prelu", "tensor<2x3xf32>", "tensor<3xf32>", "tensor<2x3xf32>"),
                  {f32({2, 3}, {-1, 2, -3, 4, -5, 0}), f32({3}, {0.1, 0.2, 0.3})});
  expectTensor(r, {2, 3}, {-0.1, 2, -0.9, 4, -1.0, 0});
}

TEST_F(ElementwiseTest, CmpEveryPredicate) {
  std::vector<std::pair<std::string, std::vector<double>>> cases = {
      {"eq", {0, 1, 0}}, {"ne", {1, 0, 1}}, {"lt", {1, 0, 0}},
      {"le", {1, 1, 0}}, {"gt", {0, 0, 1}}, {"ge", {0, 1, 1}}};
  for (auto &[pred, expected] : cases) {
    SCOPED_TRACE(pred);
    Tensor r = run1("func.func @f(%a: tensor<3xf32>, %b: tensor<f32>) -> tensor<3xi1> {\n"
                    "  %r = dl.cmp " + pred + ", %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>\n"
                    "  return %r : tensor<3xi1>\n}",
                    {f32({3}, {1, 2, 3}), Tensor::scalar(2)});
    expectTensor(r, {3}, expected);
    EXPECT_EQ(r.kind, ElementKind::I1);
  }
}

TEST_F(ElementwiseTest, SelectBroadcastsAllThree) {
  Tensor r = run1(R"(func.func @f(%c: tensor<2x1xi1>, %a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
    %r = dl.select %c, %a, %b : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    return %r : tensor<2x3xf32>
  })", {i1({2, 1}, {1, 0}), f32({2, 3}, {1, 2, 3, 4, 5, 6}), Tensor::scalar(-1)});
  expectTensor(r, {2, 3}, {1, 2, 3, -1, -1, -1});
}

TEST_F(ElementwiseTest, UnaryMath) {
  Tensor x = f32({4}, {-2, -0.5, 0.25, 4});
  auto closed = [&](double (*fn)(double)) {
    std::vector<double> v;
    for (double e : x.data)
      v.push_back(fn(e));
    return v;
  };
  expectTensor(run1(unaryFunc("neg", "tensor<4xf32>"), {x}), {4}, {2, 0.5, -0.25, -4});
  expectTensor(run1(unaryFunc("abs", "tensor<4xf32>"), {x}), {4}, {2, 0.5, 0.25, 4});
  expectTensor(run1(unaryFunc("exp", "tensor<4xf32>"), {x}), {4}, closed(std::exp));
  expectTensor(run1(unaryFunc("tanh", "tensor<4xf32>"), {x}), {4}, closed(std::tanh));
  Tensor pos = f32({3}, {0.25, 1, 4});
  expectTensor(run1(unaryFunc("log", "tensor<3xf32>"), {pos}), {3}, {std::log(0.25), 0, std::log(4.0)});
  expectTensor(run1(unaryFunc("sqrt", "tensor<3xf32>"), {pos}), {3}, {0.5, 1, 2});
  expectTensor(run1(unaryFunc("rsqrt", "tensor<3xf32>"), {pos}), {3}, {2, 1, 0.5});
  expectTensor(run1(unaryFunc("log", "tensor<2xf32>"), {f32({2}, {0, -1})}), {2}, {-INFINITY, NAN});
  // i32 neg and abs wrap: -(-2^31) is -2^31.
  expectTensor(run1(unaryFunc("neg", "tensor<2xi32>"), {i32({2}, {5, -2147483648.0})}), {2},
               {-5, -2147483648.0});
  expectTensor(run1(unaryFunc("abs", "tensor<2xi32>"), {i32({2}, {-5, 3})}), {2}, {5, 3});
}

TEST_F(ElementwiseTest, ErfAndCos) {
  Tensor x = f32({3}, {-1, 0, 0.5});
  expectTensor(run1(unaryFunc("erf", "tensor<3xf32>"), {x}), {3},
               {-0.8427007929497149, 0, 0.5204998778130465});
  expectTensor(run1(unaryFunc("cos", "tensor<3xf32>"), {x}), {3},
               {0.5403023058681398, 1, 0.8775825618903728});
}

TEST_F(ElementwiseTest, SinFloorCeilRound) {
  Tensor x = f32({8}, {-2.5, -1.5, -0.5, -0.4, 0.5, 1.5, 2.5, 2.7});
  expectTensor(run1(unaryFunc("sin", "tensor<3xf32>"), {f32({3}, {-1, 0, 0.5})}), {3},
               {-0.8414709848078965, 0, 0.479425538604203});
  expectTensor(run1(unaryFunc("floor", "tensor<8xf32>"), {x}), {8}, {-3, -2, -1, -1, 0, 1, 2, 2});
  expectTensor(run1(unaryFunc("ceil", "tensor<8xf32>"), {x}), {8}, {-2, -1, -0.0, -0.0, 1, 2, 3, 3});
  // Halves to even, as torch.round; -0.4 and -0.5 round to -0.
  Tensor rounded = run1(unaryFunc("round", "tensor<8xf32>"), {x});
  expectTensor(rounded, {8}, {-2, -2, -0.0, -0.0, 0, 2, 2, 3});
  EXPECT_TRUE(std::signbit(rounded.data[2]) && std::signbit(rounded.data[3]));
  Tensor special = f32({4}, {NAN, INFINITY, -INFINITY, -0.0});
  for (const char *op : {"sin", "floor", "ceil", "round"}) {
    SCOPED_TRACE(op);
    Tensor r = run1(unaryFunc(op, "tensor<4xf32>"), {special});
    EXPECT_TRUE(std::isnan(r.data[0]));
    if (std::string(op) == "sin") {
      EXPECT_TRUE(std::isnan(r.data[1]) && std::isnan(r.data[2])); // sin(+-inf) is NaN
    } else {
      EXPECT_EQ(r.data[1], INFINITY);
      EXPECT_EQ(r.data[2], -INFINITY);
    }
    EXPECT_TRUE(r.data[3] == 0 && std::signbit(r.data[3]));
  }
}

TEST_F(ElementwiseTest, SiluHardswishMish) {
  Tensor x = f32({7}, {-4, -3, -1, 0, 1, 3, 4});
  auto closed = [&](const std::function<double(double)> &fn) {
    std::vector<double> v;
    for (double e : x.data)
      v.push_back(fn(e));
    return v;
  };
  auto sigmoid = [](double v) { return 1 / (1 + std::exp(-v)); };
  expectTensor(run1(unaryFunc("silu", "tensor<7xf32>"), {x}), {7},
               closed([&](double v) { return v * sigmoid(v); }));
  // x relu6(x + 3) / 6: 0 up to -3, x itself from 3.
  expectTensor(run1(unaryFunc("hardswish", "tensor<7xf32>"), {x}), {7},
               {0, 0, -1.0 / 3, 0, 2.0 / 3, 3, 4});
  expectTensor(run1(unaryFunc("mish", "tensor<7xf32>"), {x}), {7},
               closed([](double v) { return v * std::tanh(std::log1p(std::exp(v))); }));
  // -inf gives NaN in all three (-inf * 0 in PyTorch's formulas), +inf stays, NaN propagates.
  Tensor special = f32({3}, {-INFINITY, INFINITY, NAN});
  for (const char *op : {"silu", "hardswish", "mish"})
    expectTensor(run1(unaryFunc(op, "tensor<3xf32>"), {special}), {3}, {NAN, INFINITY, NAN});
  // Far below zero, silu and mish are x e^x, not 0.
  expectTensor(run1(unaryFunc("silu", "tensor<1xf32>"), {f32({1}, {-100})}), {1},
               {-100 * std::exp(-100.0) / (1 + std::exp(-100.0))});
}

TEST_F(ElementwiseTest, ModHasTheSignOfTheDivisorAndFmodOfTheDividend) {
  Tensor a = f32({6}, {5.5, -5.5, 5.5, -5.5, -4, 7}), b = f32({6}, {2, 2, -2, -2, 2, INFINITY});
  expectTensor(run1(binaryFunc("mod", "tensor<6xf32>", "tensor<6xf32>", "tensor<6xf32>"), {a, b}),
               {6}, {1.5, 0.5, -0.5, -1.5, 0, 7});
  expectTensor(run1(binaryFunc("fmod", "tensor<6xf32>", "tensor<6xf32>", "tensor<6xf32>"), {a, b}),
               {6}, {1.5, -1.5, 1.5, -1.5, -0.0, 7});
  // Broadcasting a scalar divisor; by zero and of an infinity, NaN; 7 mod -inf is -inf (Python).
  expectTensor(run1(binaryFunc("mod", "tensor<3xf32>", "tensor<f32>", "tensor<3xf32>"),
                    {f32({3}, {-1, 0.25, 7}), Tensor::scalar(0.5)}),
               {3}, {0, 0.25, 0});
  expectTensor(run1(binaryFunc("mod", "tensor<3xf32>", "tensor<3xf32>", "tensor<3xf32>"),
                    {f32({3}, {1, INFINITY, 7}), f32({3}, {0, 2, -INFINITY})}),
               {3}, {NAN, NAN, -INFINITY});
  // Exact at any ratio: fmod(1e30, 7) as the double computes it.
  expectTensor(run1(binaryFunc("fmod", "tensor<1xf32>", "tensor<1xf32>", "tensor<1xf32>"),
                    {f32({1}, {static_cast<double>(1e30f)}), f32({1}, {7})}),
               {1}, {std::fmod(static_cast<double>(1e30f), 7.0)});
  // i32: Python's and C's remainders; by zero, an error as for div.
  Tensor ia = i32({4}, {7, -7, 7, -7}), ib = i32({4}, {3, 3, -3, -3});
  expectTensor(run1(binaryFunc("mod", "tensor<4xi32>", "tensor<4xi32>", "tensor<4xi32>"), {ia, ib}),
               {4}, {1, 2, -2, -1});
  expectTensor(run1(binaryFunc("fmod", "tensor<4xi32>", "tensor<4xi32>", "tensor<4xi32>"), {ia, ib}),
               {4}, {1, -1, 1, -1});
  for (const char *op : {"mod", "fmod"}) {
    std::string error = runError(binaryFunc(op, "tensor<2xi32>", "tensor<2xi32>", "tensor<2xi32>"),
                                 {i32({2}, {1, 2}), i32({2}, {1, 0})});
    EXPECT_THAT(error, ::testing::HasSubstr(std::string("dl.") + op));
    EXPECT_THAT(error, ::testing::HasSubstr("division by zero"));
  }
}

TEST_F(ElementwiseTest, LogicalOpsOnBooleansBroadcast) {
  Tensor a = i1({2, 2}, {0, 0, 1, 1}), b = i1({2}, {0, 1});
  auto logical = [&](const std::string &op) {
    Tensor r = run1(binaryFunc(op, "tensor<2x2xi1>", "tensor<2xi1>", "tensor<2x2xi1>"), {a, b});
    EXPECT_EQ(r.kind, ElementKind::I1) << op;
    return r;
  };
  expectTensor(logical("logical_and"), {2, 2}, {0, 0, 0, 1});
  expectTensor(logical("logical_or"), {2, 2}, {0, 1, 1, 1});
  expectTensor(logical("logical_xor"), {2, 2}, {0, 1, 1, 0});
  Tensor n = run1(unaryFunc("logical_not", "tensor<2x2xi1>"), {a});
  expectTensor(n, {2, 2}, {1, 1, 0, 0});
  EXPECT_EQ(n.kind, ElementKind::I1);
}

TEST_F(ElementwiseTest, OneHotZeroRowForOutOfRangeIds) {
  Tensor r = run1(R"(func.func @f(%x: tensor<2x2xi32>) -> tensor<2x2x3xf32> {
    %r = dl.one_hot %x {classes = 3 : i64} : (tensor<2x2xi32>) -> tensor<2x2x3xf32>
    return %r : tensor<2x2x3xf32>
  })", {i32({2, 2}, {2, 0, -1, 3})});
  expectTensor(r, {2, 2, 3}, {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(r.kind, ElementKind::F32);
}

TEST_F(ElementwiseTest, Activations) {
  Tensor x = f32({5}, {-2, -1, 0, 1, 2});
  expectTensor(run1(unaryFunc("relu", "tensor<5xf32>"), {x}), {5}, {0, 0, 0, 1, 2});
  expectTensor(run1(unaryFunc("step", "tensor<5xf32>"), {x}), {5}, {0, 0, 0, 1, 1});
  double s1 = 1 / (1 + std::exp(-1.0)), s2 = 1 / (1 + std::exp(-2.0));
  expectTensor(run1(unaryFunc("sigmoid", "tensor<5xf32>"), {x}), {5}, {1 - s2, 1 - s1, 0.5, s1, s2});
  // GELU, exact erf form: x * Phi(x).
  expectTensor(run1(unaryFunc("gelu", "tensor<5xf32>"), {x}), {5},
               {-0.04550026389635842, -0.15865525393145707, 0, 0.8413447460685429,
                1.9544997361036416});
  expectTensor(run1(unaryFunc("softplus", "tensor<5xf32>"), {x}), {5},
               {std::log1p(std::exp(-2.0)), std::log1p(std::exp(-1.0)), std::log(2.0),
                1 + std::log1p(std::exp(-1.0)), 2 + std::log1p(std::exp(-2.0))});
  expectTensor(run1(unaryFunc("leaky_relu", "tensor<5xf32>", "{alpha = 2.000000e-01 : f64}"), {x}),
               {5}, {-0.4, -0.2, 0, 1, 2});
  expectTensor(run1(unaryFunc("leaky_relu", "tensor<5xf32>"), {x}), {5},
               {-0.02, -0.01, 0, 1, 2}); // default alpha 0.01
  expectTensor(run1(unaryFunc("elu", "tensor<5xf32>", "{alpha = 2.000000e+00 : f64}"), {x}), {5},
               {2 * (std::exp(-2.0) - 1), 2 * (std::exp(-1.0) - 1), 0, 1, 2});
  expectTensor(run1(unaryFunc("clamp", "tensor<5xf32>", "{min = -1.5 : f64, max = 0.5 : f64}"), {x}),
               {5}, {-1.5, -1, 0, 0.5, 0.5});
}

TEST_F(ElementwiseTest, ActivationsAreStableAtExtremes) {
  Tensor x = f32({2}, {-1000, 1000});
  expectTensor(run1(unaryFunc("sigmoid", "tensor<2xf32>"), {x}), {2}, {0, 1});
  expectTensor(run1(unaryFunc("softplus", "tensor<2xf32>"), {x}), {2}, {0, 1000});
  expectTensor(run1(unaryFunc("relu", "tensor<1xf32>"), {f32({1}, {NAN})}), {1}, {NAN});
}

TEST_F(ElementwiseTest, SoftmaxAlongEitherAxisAndStable) {
  Tensor x = f32({2, 2}, {1000, 1001, 0, std::log(3.0)});
  double a = 1 / (1 + std::exp(1.0));
  expectTensor(run1(unaryFunc("softmax", "tensor<2x2xf32>"), {x}), {2, 2}, {a, 1 - a, 0.25, 0.75});
  expectTensor(run1(unaryFunc("log_softmax", "tensor<2x2xf32>"), {x}), {2, 2},
               {std::log(a), std::log(1 - a), std::log(0.25), std::log(0.75)});
  // Along axis 0: columns [1, 3] and [2, 2].
  Tensor y = f32({2, 2}, {1, 2, 3, 2});
  double b = 1 / (1 + std::exp(2.0));
  expectTensor(run1(unaryFunc("softmax", "tensor<2x2xf32>", "{axis = 0 : i64}"), {y}), {2, 2},
               {b, 0.5, 1 - b, 0.5});
  // Middle axis of a rank-3 tensor.
  Tensor z = f32({1, 2, 2}, {0, 1, 0, 1});
  expectTensor(run1(unaryFunc("softmax", "tensor<1x2x2xf32>", "{axis = 1 : i64}"), {z}), {1, 2, 2},
               {0.5, 0.5, 0.5, 0.5});
}

TEST_F(ElementwiseTest, CastTruncatesTowardZero) {
  Tensor toInt = run1(R"(func.func @f(%x: tensor<5xf32>) -> tensor<5xi32> {
    %r = dl.cast %x : (tensor<5xf32>) -> tensor<5xi32>
    return %r : tensor<5xi32>
  })", {f32({5}, {-1.7, 1.7, 2.5, -0.2, 3})});
  expectTensor(toInt, {5}, {-1, 1, 2, 0, 3});
  EXPECT_EQ(toInt.kind, ElementKind::I32);
  Tensor toBool = run1(R"(func.func @f(%x: tensor<3xf32>) -> tensor<3xi1> {
    %r = dl.cast %x : (tensor<3xf32>) -> tensor<3xi1>
    return %r : tensor<3xi1>
  })", {f32({3}, {0, -0.5, 2})});
  expectTensor(toBool, {3}, {0, 1, 1});
  Tensor fromBool = run1(R"(func.func @f(%x: tensor<2xi1>) -> tensor<2xf32> {
    %r = dl.cast %x : (tensor<2xi1>) -> tensor<2xf32>
    return %r : tensor<2xf32>
  })", {i1({2}, {1, 0})});
  expectTensor(fromBool, {2}, {1, 0});
  EXPECT_EQ(fromBool.kind, ElementKind::F32);
  Tensor fromInt = run1(R"(func.func @f(%x: tensor<2xi32>) -> tensor<2xf32> {
    %r = dl.cast %x : (tensor<2xi32>) -> tensor<2xf32>
    return %r : tensor<2xf32>
  })", {i32({2}, {-3, 7})});
  expectTensor(fromInt, {2}, {-3, 7});
}

} // namespace
} // namespace dl::interp::test
