//===- ImageFeed.h - Feeding an image data set to an entry --------*- C++ -*-===//
//
// Matches an entry's inputs to an image data set (runtime/data/Dataset.h): the f32 input whose
// per-sample size is the image size takes the images, whatever its shape ([B, 784], [B, 1, 28, 28],
// ...); an i32 input [B] takes the class ids, or an f32 input [B, classes] one-hot labels. The
// batch size B is the image input's first dimension. Shapes that do not fit are errors naming
// both sides, as is a [B, classes] output with fewer classes than the data set has. Then fills batches from a split, given the samples' indices; rows past the last
// sample of a partial batch are zeros (labels 0), and callers ignore them.
//
//===----------------------------------------------------------------------===//
#ifndef DL_TOOLS_DLRUN_FEEDS_IMAGEFEED_H
#define DL_TOOLS_DLRUN_FEEDS_IMAGEFEED_H

#include "tools/dl-run/feeds/EntryBuffers.h"

#include "dl/runtime.h"
#include "runtime/data/Dataset.h"

#include <string>

namespace dlrun {

struct ImageBinding {
  const dl_entry_info *entry = nullptr;
  int64_t batch = 0;     ///< B, the samples of one call.
  int imageInput = -1;   ///< The input that takes the images.
  int labelInput = -1;   ///< The input that takes the labels; -1 when the entry has none.
  bool oneHot = false;   ///< The label input is f32 [B, classes].
  int64_t classes = 0;   ///< The data set's class count.
  /// The entry's output to take the argmax of: its first f32 output of shape [B, classes];
  /// -1 when it has none.
  int scoresOutput = -1;
};

/// How messages name the data set: "fashion-mnist images" or "the images in PATH".
std::string imagesPhrase(const std::string &dataSpec);

/// Binds every input of `entry` to the images or labels of `data`; false with an error naming the
/// input, its type and what the data offers.
bool bindImages(const dl_entry_info &entry, const dldata::ImageDataset &data, const std::string &dataSpec,
                ImageBinding &out, std::string &error);

/// Fills the inputs of `buffers` with samples `indices[0..count)` of `split` (count <= B).
void fillImageBatch(const ImageBinding &binding, const dldata::ImageSplit &split, const int64_t *indices,
                    int64_t count, EntryBuffers &buffers);

/// The index of the largest of `n` scores (the first of equals).
int64_t argmax(const float *scores, int64_t n);

} // namespace dlrun

#endif // DL_TOOLS_DLRUN_FEEDS_IMAGEFEED_H
