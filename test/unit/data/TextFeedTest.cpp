//===- TextFeedTest.cpp - dl-run's matching of entries to character text --===//
//
// tools/dl-run/feeds/TextFeed on entries described by hand (no model is run): which input takes the
// context and which the targets, the errors for entries that take no text, the logits and V, the
// windows written into an entry's buffers, the context row of a sample, and the draw of a
// character from a row of logits.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/feeds/TextFeed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <deque>

using namespace dlrun;
using ::testing::HasSubstr;

namespace {

/// Entries described by hand; the shapes live as long as the fixture.
class TextEntries : public ::testing::Test {
protected:
  dl_tensor_info tensor(const char *name, dl_dtype dtype, std::vector<int64_t> shape) {
    shapes.push_back(std::move(shape));
    size_t bytes = 4;
    for (int64_t d : shapes.back())
      bytes *= size_t(d);
    return dl_tensor_info{name, dtype, int(shapes.back().size()), shapes.back().data(), bytes};
  }
  dl_entry_info entry(const char *name, dl_entry_kind kind, const std::vector<dl_tensor_info> &inputs,
                      const std::vector<dl_tensor_info> &outputs = {}) {
    tensors.push_back(inputs);
    const dl_tensor_info *in = tensors.back().data();
    tensors.push_back(outputs);
    return dl_entry_info{name, kind, int(inputs.size()), in, int(outputs.size()), tensors.back().data()};
  }
  std::deque<std::vector<int64_t>> shapes;
  std::deque<std::vector<dl_tensor_info>> tensors;
};

TEST_F(TextEntries, ContextIsXElseTheFirstNotNamedY) {
  struct Case {
    const char *first, *second;
    int context;
  } cases[] = {{"x", "y", 0}, {"y", "x", 1}, {"tokens", "targets", 0}, {"y", "ids", 1}, {"ids", "x", 1}};
  for (const Case &c : cases) {
    dl_entry_info e = entry("train_step", DL_ENTRY_TRAIN,
                            {tensor(c.first, DL_I32, {4, 8}), tensor(c.second, DL_I32, {4, 8})});
    TextBinding binding;
    std::string error;
    ASSERT_TRUE(bindText(e, true, binding, error)) << error;
    EXPECT_EQ(binding.contextInput, c.context) << c.first << ", " << c.second;
    EXPECT_EQ(binding.targetInput, 1 - c.context) << c.first << ", " << c.second;
    EXPECT_EQ(binding.batch, 4);
    EXPECT_EQ(binding.length, 8);
  }
  dl_entry_info forward = entry("forward", DL_ENTRY_FORWARD, {tensor("x", DL_I32, {4, 8})});
  TextBinding binding;
  std::string error;
  ASSERT_TRUE(bindText(forward, false, binding, error)) << error;
  EXPECT_EQ(binding.contextInput, 0);
  EXPECT_EQ(binding.targetInput, -1);
}

TEST_F(TextEntries, EntriesThatTakeNoTextAreNamed) {
  TextBinding binding;
  std::string error;
  dl_entry_info images = entry("train_step", DL_ENTRY_TRAIN,
                               {tensor("x", DL_F32, {16, 784}), tensor("y", DL_I32, {16})});
  EXPECT_FALSE(bindText(images, true, binding, error));
  EXPECT_EQ(error, "entry 'train_step' has no i32 [B, T] input for the characters (its inputs: x f32[16, 784], "
                   "y i32[16]); --text feeds a language model's i32 [B, T] inputs x (character ids) and y (the "
                   "next characters)");
  dl_entry_info extra = entry("train_step", DL_ENTRY_TRAIN,
                              {tensor("x", DL_I32, {4, 8}), tensor("y", DL_I32, {4, 8}), tensor("z", DL_F32, {4})});
  EXPECT_FALSE(bindText(extra, true, binding, error));
  EXPECT_THAT(error, HasSubstr("model input 'z' is f32[4], which text does not fill"));
  dl_entry_info shapes = entry("train_step", DL_ENTRY_TRAIN, {tensor("x", DL_I32, {4, 8}), tensor("y", DL_I32, {4, 9})});
  EXPECT_FALSE(bindText(shapes, true, binding, error));
  EXPECT_THAT(error, HasSubstr("model inputs 'x' i32[4, 8] and 'y' i32[4, 9] differ"));
  dl_entry_info three = entry("train_step", DL_ENTRY_TRAIN,
                              {tensor("a", DL_I32, {4, 8}), tensor("b", DL_I32, {4, 8}), tensor("c", DL_I32, {4, 8})});
  EXPECT_FALSE(bindText(three, true, binding, error));
  EXPECT_THAT(error, HasSubstr("entry 'train_step' has 3 i32 [B, T] inputs"));
  dl_entry_info one = entry("train_step", DL_ENTRY_TRAIN, {tensor("x", DL_I32, {4, 8})});
  EXPECT_FALSE(bindText(one, true, binding, error));
  EXPECT_THAT(error, HasSubstr("entry 'train_step' has one i32 [B, T] input, 'x', and no second one for the targets"));
}

TEST_F(TextEntries, LogitsGiveV) {
  dl_entry_info forward = entry("forward", DL_ENTRY_FORWARD, {tensor("x", DL_I32, {4, 8})},
                                {tensor("h", DL_F32, {4, 8}), tensor("logits", DL_F32, {4, 8, 96})});
  TextBinding binding;
  std::string error;
  ASSERT_TRUE(bindText(forward, false, binding, error)) << error;
  int output = -1;
  int64_t classes = 0;
  ASSERT_TRUE(findLogits(binding, output, classes, error)) << error;
  EXPECT_EQ(output, 1);
  EXPECT_EQ(classes, 96);
  dl_entry_info flat = entry("forward", DL_ENTRY_FORWARD, {tensor("x", DL_I32, {4, 8})},
                             {tensor("logits", DL_F32, {32, 50})});
  ASSERT_TRUE(bindText(flat, false, binding, error)) << error;
  ASSERT_TRUE(findLogits(binding, output, classes, error)) << error;
  EXPECT_EQ(classes, 50);

  dldata::Vocabulary vocabulary = dldata::Vocabulary::of("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  EXPECT_FALSE(checkVocabulary(flat.outputs[0], classes, vocabulary, "t.txt", error));
  EXPECT_EQ(error, "the text t.txt has a vocabulary of 62 characters but model output 'logits' is f32[32, 50], "
                   "V = 50; the model's V must be at least 62");
  EXPECT_TRUE(checkVocabulary(forward.outputs[1], 96, vocabulary, "t.txt", error));

  dl_entry_info none = entry("forward", DL_ENTRY_FORWARD, {tensor("x", DL_I32, {4, 8})},
                             {tensor("p", DL_F32, {4, 96})});
  ASSERT_TRUE(bindText(none, false, binding, error)) << error;
  EXPECT_FALSE(findLogits(binding, output, classes, error));
  EXPECT_EQ(error, "entry 'forward' has no output of logits f32[4, 8, V] or f32[32, V] (its outputs: p f32[4, 96]); "
                   "--text needs them for V and for sampling");
}

TEST_F(TextEntries, WindowsFillContextAndTargets) {
  dl_entry_info e = entry("train_step", DL_ENTRY_TRAIN, {tensor("y", DL_I32, {3, 4}), tensor("x", DL_I32, {3, 4})});
  TextBinding binding;
  std::string error;
  ASSERT_TRUE(bindText(e, true, binding, error)) << error;
  EntryBuffers buffers(e);
  std::vector<int32_t> split(40);
  for (size_t i = 0; i < split.size(); ++i)
    split[i] = int32_t(i);
  fillConsecutiveWindows(binding, split, 2, buffers);
  const int32_t *x = buffers.input<int32_t>(1), *y = buffers.input<int32_t>(0);
  // Windows 2, 3, 4 start at 8, 12, 16: consecutive, not overlapping.
  EXPECT_EQ(std::vector<int32_t>(x, x + 12), (std::vector<int32_t>{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
  EXPECT_EQ(std::vector<int32_t>(y, y + 12), (std::vector<int32_t>{9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}));
  fillRandomWindows(binding, split, 42, 7, buffers);
  for (int64_t row = 0; row < 3; ++row) {
    int64_t start = dldata::randomWindowStart(42, 7, row, 40, 4);
    for (int64_t t = 0; t < 4; ++t) {
      EXPECT_EQ(x[row * 4 + t], start + t);
      EXPECT_EQ(y[row * 4 + t], start + t + 1);
    }
  }
}

TEST(ContextRow, LastCharactersLeftPadded) {
  int32_t row[4];
  contextRow({7, 8}, 4, 0, row);
  EXPECT_EQ(std::vector<int32_t>(row, row + 4), (std::vector<int32_t>{0, 0, 7, 8}));
  contextRow({1, 2, 3, 4, 5, 6}, 4, 0, row);
  EXPECT_EQ(std::vector<int32_t>(row, row + 4), (std::vector<int32_t>{3, 4, 5, 6}));
  contextRow({1, 2, 3, 4}, 4, 9, row);
  EXPECT_EQ(std::vector<int32_t>(row, row + 4), (std::vector<int32_t>{1, 2, 3, 4}));
}

TEST(DrawCharacter, ArgmaxAtTemperatureZero) {
  float logits[] = {0.5f, 2.0f, -1.0f, 2.0f, 9.0f};
  EXPECT_EQ(drawCharacter(logits, 4, 0.0, 0.99), 1); // the first of equals; id 4 is past the vocabulary
  EXPECT_EQ(drawCharacter(logits, 5, 0.0, 0.0), 4);
}

TEST(DrawCharacter, FollowsTheSoftmax) {
  // softmax(log p) = p: ids 0, 1, 2 with 0.2, 0.5, 0.3.
  float logits[] = {std::log(0.2f), std::log(0.5f), std::log(0.3f)};
  EXPECT_EQ(drawCharacter(logits, 3, 1.0, 0.0), 0);
  EXPECT_EQ(drawCharacter(logits, 3, 1.0, 0.19), 0);
  EXPECT_EQ(drawCharacter(logits, 3, 1.0, 0.21), 1);
  EXPECT_EQ(drawCharacter(logits, 3, 1.0, 0.69), 1);
  EXPECT_EQ(drawCharacter(logits, 3, 1.0, 0.71), 2);
  EXPECT_EQ(drawCharacter(logits, 3, 1.0, 0.999999), 2);
  // Temperature 0.5 squares the probabilities: 0.04, 0.25, 0.09 of 0.38.
  EXPECT_EQ(drawCharacter(logits, 3, 0.5, 0.04 / 0.38 + 0.01), 1);
  EXPECT_EQ(drawCharacter(logits, 3, 0.5, 0.29 / 0.38 + 0.01), 2);
  // Huge logits neither overflow nor lose the winner.
  float large[] = {1000.0f, 1001.0f};
  EXPECT_EQ(drawCharacter(large, 2, 1.0, 0.5), 1);
  float bad[] = {0.0f, NAN};
  EXPECT_EQ(drawCharacter(bad, 2, 1.0, 0.5), -1);
  EXPECT_EQ(drawCharacter(bad, 2, 0.0, 0.5), -1);
}

} // namespace
