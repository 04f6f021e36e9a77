//===- TextTest.cpp - Character text: vocabulary, splits and windows ------===//
//
// The vocabulary (sorted distinct bytes, ids both ways, the character a message names), the 90/10
// split of files the test writes (plain and gzip) and their errors, and the windows: random starts
// that stay in range, depend on nothing but (seed, step, row) and cover every start, consecutive
// windows that do not overlap, and x/y shifted by one character.
//
//===----------------------------------------------------------------------===//
#include "runtime/data/Text.h"

#include "TempFolder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

using namespace dldata;
using ::testing::HasSubstr;

namespace {

TEST(Vocabulary, IsTheSortedDistinctBytes) {
  Vocabulary v = Vocabulary::of("hello, world\n");
  EXPECT_EQ(v.characters(), std::string("\n ,dehlorw"));
  EXPECT_EQ(v.size(), 10);
  EXPECT_EQ(v.id('\n'), 0);
  EXPECT_EQ(v.id('w'), 9);
  EXPECT_EQ(v.id('z'), -1);
  EXPECT_EQ(v.character(3), 'd');
  for (int32_t id = 0; id < v.size(); ++id)
    EXPECT_EQ(v.id(v.character(id)), id);
}

TEST(Vocabulary, HoldsEveryByteValue) {
  std::string all;
  for (int c = 255; c >= 0; --c)
    all += char(c);
  Vocabulary v = Vocabulary::of(all);
  EXPECT_EQ(v.size(), 256);
  EXPECT_EQ(v.id(0), 0);
  EXPECT_EQ(v.id(0xff), 255);
}

TEST(Vocabulary, EncodesAndDecodes) {
  Vocabulary v = Vocabulary::of("abcab");
  std::vector<int32_t> ids;
  std::string error;
  ASSERT_TRUE(v.encode("cab", ids, error)) << error;
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 0, 1}));
  EXPECT_EQ(v.decode(ids), "cab");
  EXPECT_FALSE(v.encode("abz", ids, error));
  EXPECT_EQ(error, "character 'z' (at position 3) is not in the vocabulary");
  EXPECT_FALSE(v.encode("a\xc3\xa9", ids, error));
  EXPECT_EQ(error, "character byte 0xc3 (at position 2) is not in the vocabulary");
}

TEST(Vocabulary, DescribesCharacters) {
  EXPECT_EQ(describeCharacter('a'), "'a'");
  EXPECT_EQ(describeCharacter(' '), "' '");
  EXPECT_EQ(describeCharacter('\n'), "'\\n'");
  EXPECT_EQ(describeCharacter('\t'), "'\\t'");
  EXPECT_EQ(describeCharacter(0x7f), "byte 0x7f");
  EXPECT_EQ(describeCharacter(0xe9), "byte 0xe9");
}

TEST(TextDataset, SplitsNinetyTen) {
  EXPECT_EQ(trainingCharacters(10), 9);
  EXPECT_EQ(trainingCharacters(19), 17);
  EXPECT_EQ(trainingCharacters(35149), 31634);
  dltest::TempFolder dir;
  std::string text = "abcdefghijklmnopqrst"; // 20 characters: 18 and 2
  for (std::string path : {dir.write("plain.txt", text), dir.writeGzip("packed.txt.gz", text)}) {
    TextDataset data;
    std::string error;
    ASSERT_TRUE(loadTextDataset(path, data, error)) << error;
    EXPECT_EQ(data.path, path);
    EXPECT_EQ(data.characters(), 20);
    EXPECT_EQ(data.vocabulary.size(), 20);
    ASSERT_EQ(data.train.size(), 18u);
    ASSERT_EQ(data.validation.size(), 2u);
    EXPECT_EQ(data.train.front(), 0);
    EXPECT_EQ(data.validation, (std::vector<int32_t>{18, 19}));
  }
}

TEST(TextDataset, VocabularyCoversTheValidationSplit) {
  dltest::TempFolder dir;
  TextDataset data;
  std::string error;
  ASSERT_TRUE(loadTextDataset(dir.write("t.txt", "aaaaaaaaaZ"), data, error)) << error;
  EXPECT_EQ(data.vocabulary.characters(), "Za");
  EXPECT_EQ(data.validation, (std::vector<int32_t>{0}));
}

TEST(TextDataset, Errors) {
  dltest::TempFolder dir;
  TextDataset data;
  std::string error;
  EXPECT_FALSE(loadTextDataset(dir.file("missing.txt"), data, error));
  EXPECT_EQ(error, dir.file("missing.txt") + ": cannot open: No such file or directory");
  EXPECT_FALSE(loadTextDataset(dir.write("empty.txt", ""), data, error));
  EXPECT_EQ(error, dir.file("empty.txt") + ": the text is empty");
  EXPECT_FALSE(loadTextDataset(dir.path(), data, error));
  EXPECT_THAT(error, HasSubstr("is a folder, not a file"));
}

TEST(TextWindows, RandomStartsStayInRangeAndDependOnSeedStepAndRow) {
  // A split of 26 characters and windows of 16 + 1: starts 0..9.
  std::set<int64_t> seen;
  for (uint64_t step = 0; step < 200; ++step)
    for (int64_t row = 0; row < 8; ++row) {
      int64_t start = randomWindowStart(42, step, row, 26, 16);
      ASSERT_GE(start, 0);
      ASSERT_LE(start, 9);
      EXPECT_EQ(start, randomWindowStart(42, step, row, 26, 16));
      seen.insert(start);
    }
  EXPECT_EQ(seen.size(), 10u);
  // One window of 17 in 17 characters: always 0.
  EXPECT_EQ(randomWindowStart(7, 3, 1, 17, 16), 0);
  // Different seeds, steps and rows draw different starts (in a range of a million, a repeat
  // among these few draws would be a broken key or counter).
  std::set<int64_t> draws;
  for (uint64_t seed : {1, 2})
    for (uint64_t step : {uint64_t(0), uint64_t(1), uint64_t(1) << 32})
      for (int64_t row : {0, 1})
        draws.insert(randomWindowStart(seed, step, row, 1000016, 16));
  EXPECT_EQ(draws.size(), 12u);
}

TEST(TextWindows, RandomStartsAreUniform) {
  // 20000 draws over 10 starts: each count is 2000 +- about 42 (one standard deviation).
  std::vector<int> counts(10);
  for (uint64_t step = 0; step < 2500; ++step)
    for (int64_t row = 0; row < 8; ++row)
      ++counts[size_t(randomWindowStart(5, step, row, 14, 4))];
  for (int c : counts) {
    EXPECT_GT(c, 1800);
    EXPECT_LT(c, 2200);
  }
}

TEST(TextWindows, ConsecutiveWindowsDoNotOverlap) {
  EXPECT_EQ(consecutiveWindows(16, 16), 0);
  EXPECT_EQ(consecutiveWindows(17, 16), 1);
  EXPECT_EQ(consecutiveWindows(32, 16), 1);
  EXPECT_EQ(consecutiveWindows(33, 16), 2);
  EXPECT_EQ(consecutiveWindows(3515, 16), 219);
  EXPECT_EQ(consecutiveWindows(0, 1), 0);
}

TEST(TextWindows, TargetsAreTheNextCharacters) {
  std::vector<int32_t> ids{5, 6, 7, 8, 9, 10};
  int32_t x[3], y[3];
  copyWindow(ids, 2, 3, x, y);
  EXPECT_EQ(std::vector<int32_t>(x, x + 3), (std::vector<int32_t>{7, 8, 9}));
  EXPECT_EQ(std::vector<int32_t>(y, y + 3), (std::vector<int32_t>{8, 9, 10}));
}

TEST(TextDataset, Gpl3) {
  const char *path = "/usr/share/common-licenses/GPL-3";
  if (!std::ifstream(path))
    GTEST_SKIP() << path << " is not installed";
  TextDataset data;
  std::string error;
  ASSERT_TRUE(loadTextDataset(path, data, error)) << error;
  EXPECT_EQ(int64_t(data.train.size()), trainingCharacters(data.characters()));
  EXPECT_GT(data.vocabulary.size(), 60);
  EXPECT_LT(data.vocabulary.size(), 96);
  EXPECT_GE(data.vocabulary.id('\n'), 0);
  EXPECT_GE(data.vocabulary.id(' '), 0);
}

} // namespace
