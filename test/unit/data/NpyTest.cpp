//===- NpyTest.cpp - .npy files: NumPy's bytes, versions, and refusals ----===//
#include "runtime/data/Npy.h"

#include "TempFolder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

using namespace dldata;
using ::testing::HasSubstr;

namespace {

/// The header np.save (NumPy 1.24) writes for np.zeros((3, 4), np.float32): 128 bytes, with room
/// for the first dimension to grow.
const std::string kNumpyF32Header =
    std::string("\x93NUMPY\x01\x00v\x00", 10) +
    "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" + std::string(58, ' ') + "\n";

/// A .npy file of `version` (1, 2 or 3) around `dict` and `data`, padded as NumPy pads.
std::string npyFile(int version, std::string dict, const std::string &data) {
  size_t prefix = version == 1 ? 10 : 12;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict += std::string(total - prefix - dict.size() - 1, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY", 6) + char(version) + char(0);
  uint32_t n = uint32_t(dict.size());
  bytes += char(n & 0xff);
  bytes += char(n >> 8);
  if (version != 1)
    bytes += std::string{char(n >> 16), char(n >> 24)};
  return bytes + dict + data;
}

std::string floats(std::vector<float> values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * 4);
}

TEST(Npy, WritesTheBytesNumPyWrites) {
  EXPECT_EQ(npyHeader(DType::F32, {3, 4}), kNumpyF32Header);
  // np.save of np.zeros((5,), np.int64), np.zeros((), np.float64), np.zeros((2, 0, 3), bool).
  EXPECT_EQ(npyHeader(DType::I64, {5}).substr(10), "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }" +
                                                        std::string(60, ' ') + "\n");
  EXPECT_EQ(npyHeader(DType::F64, {}).substr(10),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" + std::string(62, ' ') + "\n");
  EXPECT_EQ(npyHeader(DType::Bool, {2, 0, 3}).substr(8, 2), std::string("v\x00", 2));
}

TEST(Npy, RoundTripsEveryDType) {
  dltest::TempFolder dir;
  for (DType dtype : {DType::F32, DType::F64, DType::I32, DType::I64, DType::U8, DType::Bool}) {
    Array a = makeArray(dtype, {2, 3});
    for (size_t i = 0; i < a.bytes.size(); ++i)
      a.bytes[i] = dtype == DType::Bool ? (i % 2) : uint8_t(i * 7 + 1);
    std::string path = dir.file(std::string(dtypeName(dtype)) + ".npy");
    std::string error;
    ASSERT_TRUE(writeNpy(path, a, error)) << error;
    Array b;
    ASSERT_TRUE(readNpy(path, b, error)) << error;
    EXPECT_EQ(b.dtype, dtype);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.bytes, a.bytes);
  }
}

TEST(Npy, ReadsNumPyFilesOfEveryVersion) {
  dltest::TempFolder dir;
  std::string data = floats({1, 2, 3, 4, 5, 6});
  std::string numpyWritten = dir.write("numpy.npy", kNumpyF32Header + floats(std::vector<float>(12, 0.5f)));
  Array a;
  std::string error;
  ASSERT_TRUE(readNpy(numpyWritten, a, error)) << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(a.data<float>()[11], 0.5f);
  for (int version : {1, 2, 3}) {
    std::string path = dir.write("v" + std::to_string(version) + ".npy",
                                 npyFile(version, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data));
    ASSERT_TRUE(readNpy(path, a, error)) << error;
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.data<float>()[5], 6.0f);
  }
  // Double quotes, no trailing comma, another key order, Python 2 long literals, and gzip.
  std::string unusual = npyFile(1, "{\"shape\": (6L,), \"fortran_order\": False, \"descr\": \"<f4\"}", data);
  ASSERT_TRUE(readNpy(dir.write("unusual.npy", unusual), a, error)) << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{6}));
  ASSERT_TRUE(readNpy(dir.writeGzip("unusual.npy.gz", unusual), a, error)) << error;
  EXPECT_EQ(a.data<float>()[0], 1.0f);
  // A scalar.
  ASSERT_TRUE(readNpy(dir.write("scalar.npy", npyFile(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
                                                      std::string("\x07\0\0\0", 4))),
                      a, error))
      << error;
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.data<int32_t>()[0], 7);
}

TEST(Npy, RefusesFortranOrderBigEndianAndOtherDTypes) {
  dltest::TempFolder dir;
  std::string data = floats({1, 2, 3, 4, 5, 6});
  Array a;
  std::string error;
  std::string fortran = dir.write("f.npy", npyFile(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data));
  EXPECT_FALSE(readNpy(fortran, a, error));
  EXPECT_EQ(error, fortran + ": Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead");
  std::string big = dir.write("b.npy", npyFile(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data));
  EXPECT_FALSE(readNpy(big, a, error));
  EXPECT_EQ(error, big + ": big-endian data ('>f4') is not supported; convert it with a.astype('<f4') before saving");
  EXPECT_FALSE(readNpy(dir.write("h.npy", npyFile(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (12,), }", data)),
                       a, error));
  EXPECT_THAT(error, HasSubstr("dtype '<f2' is not supported (expected one of <f4 <f8 <i4 <i8 |u1 |b1)"));
  EXPECT_FALSE(readNpy(dir.write("s.npy", npyFile(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", data)),
                       a, error));
  EXPECT_THAT(error, HasSubstr("structured dtypes are not supported"));
  EXPECT_FALSE(readNpy(dir.write("bool.npy", npyFile(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", "\x01\x02")),
                       a, error));
  EXPECT_THAT(error, HasSubstr("bool element 1 is 2, not 0 or 1"));
}

TEST(Npy, MalformedAndTruncatedFilesAreErrors) {
  dltest::TempFolder dir;
  std::string data = floats({1, 2, 3, 4, 5, 6});
  Array a;
  std::string error;
  std::string good = npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data);
  std::string cut = dir.write("cut.npy", good.substr(0, good.size() - 4));
  EXPECT_FALSE(readNpy(cut, a, error));
  EXPECT_EQ(error, cut + ": truncated: expected 24 bytes of f32[2, 3] data, found 20");
  EXPECT_FALSE(readNpy(dir.write("long.npy", good + "!"), a, error));
  EXPECT_THAT(error, HasSubstr("1 byte after the f32[2, 3] data"));
  EXPECT_FALSE(readNpy(dir.write("nokey.npy", npyFile(1, "{'descr': '<f4', 'fortran_order': False}", data)), a, error));
  EXPECT_THAT(error, HasSubstr("malformed header: the key 'shape' is missing"));
  EXPECT_FALSE(readNpy(dir.write("neg.npy", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", data)),
                       a, error));
  EXPECT_THAT(error, HasSubstr("malformed header: expected a non-negative integer in the shape"));
  EXPECT_FALSE(readNpy(dir.write("huge.npy", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (999999999, 999999999), }", data)),
                       a, error));
  EXPECT_THAT(error, HasSubstr("describes more than"));
  EXPECT_FALSE(readNpy(dir.write("gig.npy", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1024, 1024, 256), }", data)),
                       a, error));
  EXPECT_THAT(error, HasSubstr("truncated: expected 1073741824 bytes of f32[1024, 1024, 256] data, found 24"));
  EXPECT_FALSE(readNpy(dir.write("v9.npy", std::string("\x93NUMPY\x09\x00", 8) + good.substr(8)), a, error));
  EXPECT_THAT(error, HasSubstr(".npy format version 9.0 is not supported"));
  EXPECT_FALSE(readNpy(dir.write("hlen.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\x7f", 12)), a, error));
  EXPECT_THAT(error, HasSubstr("the .npy header claims 2147483647 bytes"));
  std::string notNpy = dir.write("x.npy", "1,2,3\n");
  EXPECT_FALSE(readNpy(notNpy, a, error));
  EXPECT_EQ(error, notNpy + ": not a .npy file (it does not start with \"\\x93NUMPY\")");
  // Every prefix of a valid file is an error, never a crash or a success.
  for (size_t n = 0; n < good.size(); ++n) {
    std::string path = dir.write("prefix.npy", good.substr(0, n));
    EXPECT_FALSE(readNpy(path, a, error)) << n;
    EXPECT_THAT(error, HasSubstr(path + ": "));
  }
}

TEST(Npy, WriteFailuresLeaveNothingBehind) {
  dltest::TempFolder dir;
  Array a = makeArray(DType::F32, {2});
  std::string error;
  std::string path = dir.file("no/such/folder/out.npy");
  EXPECT_FALSE(writeNpy(path, a, error));
  EXPECT_EQ(error, path + ": cannot write: No such file or directory");
}

} // namespace
