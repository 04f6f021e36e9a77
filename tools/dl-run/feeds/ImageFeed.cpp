//===- ImageFeed.cpp - Matching entry inputs to images and labels ---------===//
#include "tools/dl-run/feeds/ImageFeed.h"
#include "tools/dl-run/Model.h"

#include <cstring>

namespace dlrun {

std::string imagesPhrase(const std::string &dataSpec) {
  return dataSpec == "fashion-mnist" ? "fashion-mnist images" : "the images in " + dataSpec;
}

namespace {

std::string inputString(const dl_tensor_info &input) {
  return "model input '" + std::string(input.name) + "' is " + typeString(input);
}

/// The elements of one sample of a batched tensor; -1 when it has no batch dimension.
int64_t perSample(const dl_tensor_info &t) {
  if (t.rank < 2 || t.shape[0] <= 0)
    return -1;
  return elementCount(t) / t.shape[0];
}

} // namespace

bool bindImages(const dl_entry_info &entry, const dldata::ImageDataset &data, const std::string &dataSpec,
                ImageBinding &out, std::string &error) {
  ImageBinding binding;
  binding.entry = &entry;
  binding.classes = data.classes;
  int64_t pixels = data.pixelsPerImage();
  std::string imagesAre = imagesPhrase(dataSpec) + " are " + std::to_string(data.height) + "x" +
                          std::to_string(data.width) + " = " + std::to_string(pixels) + " values per sample";
  for (int i = 0; i < entry.n_inputs && binding.imageInput < 0; ++i)
    if (entry.inputs[i].dtype == DL_F32 && perSample(entry.inputs[i]) == pixels)
      binding.imageInput = i;
  if (binding.imageInput < 0) {
    for (int i = 0; i < entry.n_inputs; ++i)
      if (entry.inputs[i].dtype == DL_F32) {
        error = inputString(entry.inputs[i]) + " but " + imagesAre;
        return false;
      }
    std::string inputs;
    for (int i = 0; i < entry.n_inputs; ++i)
      inputs += (i ? ", " : "") + std::string(entry.inputs[i].name) + " " + typeString(entry.inputs[i]);
    error = "entry '" + std::string(entry.name) + "' has no f32 input to take the images (" +
            (inputs.empty() ? "it has no inputs" : "its inputs: " + inputs) + ")";
    return false;
  }
  const dl_tensor_info &images = entry.inputs[binding.imageInput];
  binding.batch = images.shape[0];
  std::string batchNote = " (one per sample of the batch of " + std::to_string(binding.batch) +
                          " that input '" + images.name + "' sets)";
  for (int i = 0; i < entry.n_inputs; ++i) {
    if (i == binding.imageInput)
      continue;
    const dl_tensor_info &input = entry.inputs[i];
    bool classIds = input.dtype == DL_I32 && input.rank == 1 && input.shape[0] == binding.batch;
    bool oneHot = input.dtype == DL_F32 && input.rank == 2 && input.shape[0] == binding.batch &&
                  input.shape[1] == data.classes;
    if (classIds || oneHot) {
      if (binding.labelInput >= 0) {
        error = "model inputs '" + std::string(entry.inputs[binding.labelInput].name) + "' and '" +
                input.name + "' would both take the labels";
        return false;
      }
      binding.labelInput = i;
      binding.oneHot = oneHot;
      continue;
    }
    std::string batch = std::to_string(binding.batch);
    if (input.dtype == DL_I32)
      error = inputString(input) + " but the labels are i32[" + batch + "], one class id per sample" + batchNote;
    else if (input.dtype == DL_F32)
      error = inputString(input) + " but it is neither the images (" + imagesAre + ") nor one-hot labels (f32[" +
              batch + ", " + std::to_string(data.classes) + "])";
    else
      error = inputString(input) + "; dl-run feeds images (f32) and labels (i32 or one-hot f32) only";
    return false;
  }
  // Class scores: the first f32 [B, classes] output. One of [B, C] with 2 <= C < classes is a model
  // built for fewer classes (an error); wider ones are not scores (a VAE's [B, 784] images).
  int narrower = -1;
  for (int i = 0; i < entry.n_outputs; ++i) {
    const dl_tensor_info &output = entry.outputs[i];
    if (output.dtype != DL_F32 || output.rank != 2 || output.shape[0] != binding.batch || output.shape[1] < 2)
      continue;
    if (output.shape[1] == data.classes) {
      binding.scoresOutput = i;
      break;
    }
    if (output.shape[1] < data.classes && narrower < 0)
      narrower = i;
  }
  if (binding.scoresOutput < 0 && narrower >= 0) {
    const dl_tensor_info &scores = entry.outputs[narrower];
    error = "model output '" + std::string(scores.name) + "' is " + typeString(scores) + " but the labels of " +
            dataSpec + " are class ids up to " + std::to_string(data.classes - 1) + " (" +
            std::to_string(data.classes) + " classes)";
    return false;
  }
  out = binding;
  return true;
}

void fillImageBatch(const ImageBinding &binding, const dldata::ImageSplit &split, const int64_t *indices,
                    int64_t count, EntryBuffers &buffers) {
  int64_t pixels = split.images.elements() / std::max<int64_t>(split.size(), 1);
  float *images = buffers.input<float>(binding.imageInput);
  const float *source = split.images.data<float>();
  for (int64_t row = 0; row < count; ++row)
    std::memcpy(images + row * pixels, source + indices[row] * pixels, size_t(pixels) * sizeof(float));
  std::memset(images + count * pixels, 0, size_t((binding.batch - count) * pixels) * sizeof(float));
  if (binding.labelInput < 0)
    return;
  const int32_t *labels = split.labels.data<int32_t>();
  if (binding.oneHot) {
    float *target = buffers.input<float>(binding.labelInput);
    std::memset(target, 0, size_t(binding.batch * binding.classes) * sizeof(float));
    for (int64_t row = 0; row < count; ++row)
      target[row * binding.classes + labels[indices[row]]] = 1.0f;
  } else {
    int32_t *target = buffers.input<int32_t>(binding.labelInput);
    for (int64_t row = 0; row < binding.batch; ++row)
      target[row] = row < count ? labels[indices[row]] : 0;
  }
}

int64_t argmax(const float *scores, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (scores[i] > scores[best])
      best = i;
  return best;
}

} // namespace dlrun
