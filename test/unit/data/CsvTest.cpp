//===- CsvTest.cpp - Numeric CSV: headers, widths, bad values -------------===//
#include "runtime/data/Csv.h"

#include "TempFolder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace dldata;
using ::testing::ElementsAre;

namespace {

TEST(Csv, ReadsRowsWithAndWithoutHeader) {
  Array a;
  std::vector<std::string> header;
  std::string error;
  ASSERT_TRUE(parseCsv("t.csv", "step, loss\n1, 0.5\r\n2,0.25\n\n3 ,1e-3\n", a, &header, error)) << error;
  EXPECT_THAT(header, ElementsAre("step", "loss"));
  EXPECT_EQ(a.dtype, DType::F64);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(a.data<double>()[1], 0.5);
  EXPECT_EQ(a.data<double>()[5], 1e-3);
  ASSERT_TRUE(parseCsv("t.csv", "-1.5,2\n3,4", a, &header, error)) << error;
  EXPECT_TRUE(header.empty());
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(a.data<double>()[0], -1.5);
  EXPECT_EQ(a.data<double>()[3], 4.0);
}

TEST(Csv, ByteOrderMarkIsNotAHeader) {
  // Spreadsheets start UTF-8 CSV with EF BB BF: the first row is still data, and a header's first
  // name does not carry the mark.
  Array a;
  std::vector<std::string> header;
  std::string error;
  ASSERT_TRUE(parseCsv("t.csv", "\xEF\xBB\xBF" "1,2\n3,4\n", a, &header, error)) << error;
  EXPECT_TRUE(header.empty());
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(a.data<double>()[0], 1.0);
  ASSERT_TRUE(parseCsv("t.csv", "\xEF\xBB\xBF" "x,y\n1,2\n", a, &header, error)) << error;
  EXPECT_THAT(header, ElementsAre("x", "y"));
}

TEST(Csv, ErrorsNameLineAndColumn) {
  Array a;
  std::string error;
  EXPECT_FALSE(parseCsv("t.csv", "a,b\n1,2\n3,x\n", a, nullptr, error));
  EXPECT_EQ(error, "t.csv:3: column 2: 'x' is not a number");
  EXPECT_FALSE(parseCsv("t.csv", "1,2\n3,\n", a, nullptr, error));
  EXPECT_EQ(error, "t.csv:2: column 2: empty value");
  EXPECT_FALSE(parseCsv("t.csv", "1,2\n\n3,4,5\n", a, nullptr, error));
  EXPECT_EQ(error, "t.csv:3: 3 values, but line 1 has 2");
  EXPECT_FALSE(parseCsv("t.csv", "a,b,c\n1,2\n", a, nullptr, error));
  EXPECT_EQ(error, "t.csv:2: 2 values, but line 1 has 3");
  EXPECT_FALSE(parseCsv("t.csv", "a,b\n", a, nullptr, error));
  EXPECT_EQ(error, "t.csv: no rows of numbers");
  EXPECT_FALSE(parseCsv("t.csv", "1.5.2\n", a, nullptr, error));
  EXPECT_EQ(error, "t.csv: no rows of numbers"); // the only line is a header
}

TEST(Csv, ReadsFilesPlainOrCompressed) {
  dltest::TempFolder dir;
  Array a;
  std::string error;
  for (std::string path : {dir.write("a.csv", "x\n1\n2\n"), dir.writeGzip("a.csv.gz", "x\n1\n2\n")}) {
    ASSERT_TRUE(readCsv(path, a, nullptr, error)) << error;
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 1}));
  }
  EXPECT_FALSE(readCsv(dir.write("bin.csv", std::string("\x00\x01", 2)), a, nullptr, error));
  EXPECT_EQ(error, dir.file("bin.csv") + ": a binary file, not CSV text");
}

} // namespace
