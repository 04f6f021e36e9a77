//===- ArrayFileTest.cpp - Telling .npy, IDX and CSV apart by content ------===//
#include "runtime/data/ArrayFile.h"
#include "runtime/data/Npy.h"

#include "TempFolder.h"

#include <gtest/gtest.h>

using namespace dldata;

namespace {

TEST(ArrayFile, DetectsTheFormatFromTheBytes) {
  dltest::TempFolder dir;
  Array a = makeArray(DType::I32, {3});
  a.data<int32_t>()[2] = 5;
  std::string error;
  ASSERT_TRUE(writeNpy(dir.file("labels.csv"), a, error)) << error; // a .npy despite its name
  std::string npy = dltest::readBytes(dir.file("labels.csv"));
  std::string idx = std::string("\0\0\x08\x01\0\0\0\x02", 8) + "\x03\x04";
  struct Case {
    std::string path;
    FileFormat format;
    std::vector<int64_t> shape;
  } cases[] = {
      {dir.file("labels.csv"), FileFormat::Npy, {3}},
      {dir.writeGzip("labels.npy.gz", npy), FileFormat::Npy, {3}},
      {dir.write("labels.idx", idx), FileFormat::Idx, {2}},
      {dir.writeGzip("labels.bin", idx), FileFormat::Idx, {2}},
      {dir.write("labels.npy", "4\n5\n6\n"), FileFormat::Csv, {3, 1}},
  };
  for (const Case &c : cases) {
    FileFormat format;
    ASSERT_TRUE(detectFormat(c.path, format, error)) << error;
    EXPECT_EQ(format, c.format) << c.path;
    Array b;
    ASSERT_TRUE(readArrayFile(c.path, b, error)) << error;
    EXPECT_EQ(b.shape, c.shape) << c.path;
  }
  Array b;
  EXPECT_FALSE(readArrayFile(dir.file("absent.npy"), b, error));
  EXPECT_EQ(error, dir.file("absent.npy") + ": cannot open: No such file or directory");
}

} // namespace
