//===- GatherTest.cpp - dl.gather and dl.gather_grad in the interpreter ---===//
//
// gather picks elements along axis 0 and axis 1 as torch.gather does (the index may be smaller
// than the input on the other axis, and larger along the axis); the scatter-add sums the gradient
// of repeated indices and leaves unpicked elements zero; an index outside [0, s[axis]), negative
// or too large, fails either op with the index, its position and the axis' extent.
//
//===----------------------------------------------------------------------===//
#include "InterpreterTestUtil.h"

namespace dl::interp::test {
namespace {

using ::testing::HasSubstr;

using GatherTest = InterpreterTest;

std::string gatherText(int axis, const std::string &index) {
  return R"(func.func @f(%x: tensor<3x4xf32>, %i: tensor<)" + index +
         R"(xi32>) -> tensor<)" + index + R"(xf32> {
  %g = dl.gather %x, %i {axis = )" + std::to_string(axis) + R"( : i64} : (tensor<3x4xf32>, tensor<)" +
         index + "xi32>) -> tensor<" + index + R"(xf32>
  return %g : tensor<)" + index + R"(xf32>
})";
}

const char *scatter = R"(func.func @f(%i: tensor<2x3xi32>, %g: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %t = dl.gather_grad %i, %g {axis = 1 : i64, input_shape = array<i64: 2, 4>} : (tensor<2x3xi32>, tensor<2x3xf32>) -> tensor<2x4xf32>
  return %t : tensor<2x4xf32>
})";

Tensor input() { return f32({3, 4}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}); }

TEST_F(GatherTest, AlongAxisZero) {
  // torch.gather(x, 0, [[0, 2, 1, 0], [2, 2, 0, 1], [1, 0, 0, 0], [0, 0, 2, 2]]): the index has
  // more rows than x.
  Tensor r = run1(gatherText(0, "4x4"),
                  {input(), i32({4, 4}, {0, 2, 1, 0, 2, 2, 0, 1, 1, 0, 0, 0, 0, 0, 2, 2})});
  expectTensor(r, {4, 4}, {0, 21, 12, 3, 20, 21, 2, 13, 10, 1, 2, 3, 0, 1, 22, 23});
}

TEST_F(GatherTest, AlongAxisOneWithASmallerIndex) {
  Tensor r = run1(gatherText(1, "2x3"), {input(), i32({2, 3}, {3, 0, 3, 1, 1, 2})});
  expectTensor(r, {2, 3}, {3, 0, 3, 11, 11, 12});
}

TEST_F(GatherTest, GradientSumsRepeatedIndices) {
  Tensor r = run1(scatter, {i32({2, 3}, {3, 3, 0, 2, 2, 2}), f32({2, 3}, {1, 2, 4, 8, 16, 32})});
  expectTensor(r, {2, 4}, {4, 0, 0, 3, 0, 0, 56, 0});
}

TEST_F(GatherTest, OutOfRangeIndicesFailTheLookup) {
  std::string error = runError(gatherText(1, "2x3"), {input(), i32({2, 3}, {0, 1, 2, 3, 4, 0})});
  EXPECT_THAT(error, HasSubstr("test.mlir:"));
  EXPECT_THAT(error, HasSubstr("dl.gather: index 4 at [1, 1] of the index i32[2, 3] is outside "
                               "the input's axis 1 [0, 4)"));
  error = runError(gatherText(0, "2x3"), {input(), i32({2, 3}, {0, -1, 1, 2, 2, 2})});
  EXPECT_THAT(error, HasSubstr("index -1 at [0, 1]"));
}

TEST_F(GatherTest, OutOfRangeIndicesFailTheGradient) {
  std::string error = runError(scatter, {i32({2, 3}, {0, 1, 2, 3, 0, 5}), f32({2, 3}, {0, 0, 0, 0, 0, 0})});
  EXPECT_THAT(error, HasSubstr("dl.gather_grad: index 5 at [1, 2] of the index i32[2, 3] is "
                               "outside the input's axis 1 [0, 4)"));
}

} // namespace
} // namespace dl::interp::test
