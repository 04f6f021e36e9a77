//===- TextFeed.h - Feeding character text to a language model ----*- C++ -*-===//
//
// Matches an entry's inputs to `--text` (runtime/data/Text.h). A character-level language model
// takes two i32 inputs of one shape [B, T]: the context (x: T character ids per row) and the
// targets (y: the character after each of x's). The input named `x` takes the context, else the
// first input not named `y`; the other takes the targets. A forward entry needs the context only.
// Any other input, or i32 inputs of different shapes, is an error naming it.
//
// V comes from the forward entry's logits: its first f32 output shaped [B, T, V] or [B*T, V]. The
// text's vocabulary of K characters must fit (V >= K); ids K..V-1 name no character.
//
// Then the batches: B random windows of the training split for one train step, or B consecutive
// windows of the validation split; and the draw of one character from a row of logits.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_FEEDS_TEXTFEED_H
#define DL_TOOLS_DLRUN_FEEDS_TEXTFEED_H

#include "tools/dl-run/feeds/EntryBuffers.h"

#include "dl/runtime.h"
#include "runtime/data/Text.h"

#include <string>
#include <vector>

namespace dlrun {

struct TextBinding {
  const dl_entry_info *entry = nullptr;
  int64_t batch = 0;   ///< B, the windows of one call.
  int64_t length = 0;  ///< T, the characters of x per window.
  int contextInput = -1;
  int targetInput = -1; ///< -1 when the entry takes no targets (a forward entry).
};

/// Binds the inputs of `entry` to text; `needTargets` for train and eval entries. False with an
/// error naming the entry's inputs when they are not the character ids of a language model.
bool bindText(const dl_entry_info &entry, bool needTargets, TextBinding &out, std::string &error);

/// The logits of `binding`'s entry: the index of its first f32 output of shape [B, T, V] or
/// [B*T, V], and V. False with an error listing the entry's outputs.
bool findLogits(const TextBinding &binding, int &output, int64_t &classes, std::string &error);

/// Checks that `classes` (the V of `logits`) holds the vocabulary of the text at `path`.
bool checkVocabulary(const dl_tensor_info &logits, int64_t classes, const dldata::Vocabulary &vocabulary,
                     const std::string &path, std::string &error);

/// Fills x and y with B windows of `split` at random offsets, those of train step `step`.
void fillRandomWindows(const TextBinding &binding, const std::vector<int32_t> &split, uint64_t seed,
                       uint64_t step, EntryBuffers &buffers);

/// Fills x and y with the consecutive windows first, first + 1, ..., first + B - 1 of `split`.
void fillConsecutiveWindows(const TextBinding &binding, const std::vector<int32_t> &split, int64_t first,
                            EntryBuffers &buffers);

/// Writes the context row of a sample: the last `length` of `ids`, left-padded with `padding`
/// while there are fewer.
void contextRow(const std::vector<int32_t> &ids, int64_t length, int32_t padding, int32_t *row);

/// Draws a character id below `count` from softmax(logits / temperature), with `u` uniform in
/// [0, 1): the first id whose cumulative probability exceeds u. At temperature 0, the argmax (the
/// first of equals). -1 when one of the logits is not finite.
int32_t drawCharacter(const float *logits, int64_t count, double temperature, double u);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_FEEDS_TEXTFEED_H
