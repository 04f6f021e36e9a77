//===- ArrayTest.cpp - Shapes, sizes and conversions of dldata::Array -----===//
#include "runtime/data/Array.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace dldata;
using ::testing::HasSubstr;

namespace {

template <typename T> Array arrayOf(DType dtype, std::vector<T> values) {
  Array a = makeArray(dtype, {int64_t(values.size())});
  std::memcpy(a.bytes.data(), values.data(), values.size() * sizeof(T));
  return a;
}

TEST(Array, DescribesShapes) {
  EXPECT_EQ(describe(DType::F32, {128, 784}), "f32[128, 784]");
  EXPECT_EQ(describe(DType::Bool, {}), "bool[]");
  EXPECT_EQ(makeArray(DType::I64, {2, 3}).bytes.size(), 48u);
  EXPECT_EQ(makeArray(DType::F32, {}).elements(), 1);
}

TEST(Array, ElementCountRejectsNegativeAndHugeShapes) {
  uint64_t count = 0;
  EXPECT_TRUE(checkedElementCount({60000, 28, 28}, 1, count));
  EXPECT_EQ(count, 47040000u);
  EXPECT_TRUE(checkedElementCount({0, 1LL << 40}, 4, count));
  EXPECT_EQ(count, 0u);
  EXPECT_FALSE(checkedElementCount({-1, 3}, 4, count));
  EXPECT_FALSE(checkedElementCount({1LL << 20, 1LL << 20}, 4, count)); // 4 TiB
  EXPECT_FALSE(checkedElementCount({1LL << 32, 1LL << 32, 1LL << 32}, 1, count)); // overflows u64
}

TEST(Array, ConvertsFloatsAndWholeNumbers) {
  Array out;
  std::string error;
  ASSERT_TRUE(convert(arrayOf<double>(DType::F64, {0.1, -2, 3e10}), DType::F32, out, error)) << error;
  EXPECT_EQ(out.dtype, DType::F32);
  EXPECT_EQ(out.data<float>()[0], 0.1f);
  EXPECT_EQ(out.data<float>()[2], 3e10f);
  ASSERT_TRUE(convert(arrayOf<double>(DType::F64, {0, 9, -4}), DType::I32, out, error)) << error;
  EXPECT_EQ(out.data<int32_t>()[1], 9);
  EXPECT_EQ(out.data<int32_t>()[2], -4);
  ASSERT_TRUE(convert(arrayOf<int64_t>(DType::I64, {7, 2147483647}), DType::I32, out, error));
  EXPECT_EQ(out.data<int32_t>()[1], 2147483647);
  ASSERT_TRUE(convert(arrayOf<uint8_t>(DType::U8, {0, 255}), DType::F32, out, error));
  EXPECT_EQ(out.data<float>()[1], 255.0f);
}

TEST(Array, ConversionNamesTheValueItCannotKeep) {
  Array out;
  std::string error;
  EXPECT_FALSE(convert(arrayOf<double>(DType::F64, {1, 2.5}), DType::I32, out, error));
  EXPECT_EQ(error, "element 1 is 2.5, not a whole number as i32 needs");
  EXPECT_FALSE(convert(arrayOf<int64_t>(DType::I64, {2147483648LL}), DType::I32, out, error));
  EXPECT_EQ(error, "element 0 is 2147483648, outside the range of i32");
  EXPECT_FALSE(convert(arrayOf<double>(DType::F64, {4294967296.0}), DType::I32, out, error));
  EXPECT_THAT(error, HasSubstr("outside the range of i32"));
  EXPECT_FALSE(convert(arrayOf<double>(DType::F64, {9.3e18}), DType::I64, out, error));
  EXPECT_THAT(error, HasSubstr("outside the range of i64"));
  EXPECT_FALSE(convert(arrayOf<int32_t>(DType::I32, {0, 1, 2}), DType::Bool, out, error));
  EXPECT_EQ(error, "element 2 is 2, outside the range of bool");
  EXPECT_FALSE(convert(arrayOf<float>(DType::F32, {std::nanf("")}), DType::I32, out, error));
  EXPECT_THAT(error, HasSubstr("not a whole number"));
}

} // namespace
