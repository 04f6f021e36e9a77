//===- TextSample.cpp - dl-run sample --text: continuing a prompt ---------===//
//
// Generates --length characters after --prompt, one forward call per character: the last T
// characters of the prompt and what has been generated so far go into row 0 of x (every row gets
// the same, so a model that mixes rows sees one context), left-padded with spaces, or with the
// prompt's first character when the text has no space, while shorter than T. The logits at the
// last position (row 0, position T-1) give the next character: drawn from
// softmax(logits / --temperature) over the K ids of the vocabulary (ids K..V-1 name no
// character), or their argmax at temperature 0. Draw k uses Philox with --seed, stream
// kTextSampleStream and index k, so one seed and one model give one text.
//
// The prompt and the characters go to `out` as they come, nothing else, so the text can be piped.
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/feeds/TextFeed.h"

#include "runtime/rng/Philox.h"

#include <algorithm>

namespace dlrun {

namespace {

/// A uniform draw in [0, 1) with 53 random bits, from Philox's first two words.
double uniform53(uint64_t seed, uint64_t index) {
  dl::rng::Words4 words = dl::rng::drawWords(seed, index, dldata::kTextSampleStream, 0);
  uint64_t bits = uint64_t(words.w[0]) << 21 | words.w[1] >> 11;
  return double(bits) * 0x1p-53;
}

} // namespace

int sampleText(const Options &options, std::ostream &out, std::ostream &err) {
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  const dl_entry_info *entry = model.chooseEntry(options.entry, {DL_ENTRY_FORWARD}, "forward entry", error);
  if (!entry)
    return fail(err, error);
  if (entry->kind == DL_ENTRY_TRAIN)
    return fail(err, "entry '" + std::string(entry->name) + "' is a train step; sample runs a forward entry");
  TextBinding binding;
  int logits = -1;
  int64_t classes = 0;
  if (!bindText(*entry, false, binding, error) || !findLogits(binding, logits, classes, error))
    return fail(err, error);
  dldata::TextDataset text;
  if (!dldata::loadTextDataset(options.text, text, error))
    return fail(err, error);
  const dldata::Vocabulary &vocabulary = text.vocabulary;
  if (!checkVocabulary(entry->outputs[logits], classes, vocabulary, options.text, error))
    return fail(err, error);
  std::vector<int32_t> context;
  if (!vocabulary.encode(options.prompt, context, error))
    return fail(err, "--prompt: " + error + " of " + options.text + " (" + std::to_string(vocabulary.size()) +
                         " characters)");

  int32_t padding = vocabulary.id(' ') >= 0 ? vocabulary.id(' ') : context.front();
  int64_t b = binding.batch, t = binding.length;
  EntryBuffers buffers(*entry);
  int32_t *x = buffers.input<int32_t>(binding.contextInput);
  out << options.prompt << std::flush;
  for (int64_t k = 0; k < options.length; ++k) {
    // Row 0: the last T ids, left-padded; then the same in every other row.
    contextRow(context, t, padding, x);
    for (int64_t row = 1; row < b; ++row)
      std::copy(x, x + t, x + row * t);
    if (!model.call(*entry, buffers.inputPointers(), buffers.outputPointers(), error)) {
      out << "\n";
      return fail(err, error);
    }
    const float *last = buffers.output<float>(logits) + (t - 1) * classes;
    int32_t id = drawCharacter(last, vocabulary.size(), options.temperature, uniform53(options.seed, uint64_t(k)));
    if (id < 0) {
      out << "\n";
      return fail(err, "the logits of '" + std::string(entry->outputs[logits].name) + "' are not finite at character " +
                           std::to_string(k + 1) + " (is the checkpoint trained, and the right one?)");
    }
    context.push_back(id);
    out << char(vocabulary.character(id)) << std::flush;
  }
  out << "\n";
  return kExitOk;
}

} // namespace dlrun
