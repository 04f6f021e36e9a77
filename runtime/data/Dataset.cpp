//===- Dataset.cpp - Loading and normalizing an IDX image data set --------===//
#include "runtime/data/Dataset.h"
#include "runtime/data/Idx.h"

#include <algorithm>
#include <cmath>
#include <sys/stat.h>

namespace dldata {

namespace {

bool isFile(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

bool isFolder(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

/// Reads one split's images and labels and checks them against each other.
bool loadSplit(const std::string &folder, const std::string &prefix, ImageSplit &split, Array &rawImages,
               std::string &error) {
  std::string imagesPath = findIdxFile(folder, prefix + "-images-idx3-ubyte");
  std::string labelsPath = findIdxFile(folder, prefix + "-labels-idx1-ubyte");
  if (imagesPath.empty() || labelsPath.empty()) {
    error = folder + ": no " + prefix + (imagesPath.empty() ? "-images-idx3-ubyte" : "-labels-idx1-ubyte") +
            "[.gz]; a data set folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, "
            "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each possibly gzip-compressed";
    return false;
  }
  Array labels;
  if (!readIdx(imagesPath, rawImages, error) || !readIdx(labelsPath, labels, error))
    return false;
  if (rawImages.dtype != DType::U8 || rawImages.shape.size() != 3) {
    error = imagesPath + ": expected u8 images of shape [N, height, width], found " +
            describe(rawImages.dtype, rawImages.shape);
    return false;
  }
  if (labels.dtype != DType::U8 || labels.shape.size() != 1) {
    error = labelsPath + ": expected u8 labels of shape [N], found " + describe(labels.dtype, labels.shape);
    return false;
  }
  if (labels.shape[0] != rawImages.shape[0]) {
    error = labelsPath + ": " + std::to_string(labels.shape[0]) + " labels for " +
            std::to_string(rawImages.shape[0]) + " images in " + imagesPath;
    return false;
  }
  if (rawImages.shape[0] == 0) {
    error = imagesPath + ": no images";
    return false;
  }
  std::string unused;
  convert(labels, DType::I32, split.labels, unused); // u8 always fits i32.
  return true;
}

} // namespace

std::string datasetFolder(const std::string &spec) {
  return spec == "fashion-mnist" ? std::string(kFashionMnistFolder) : spec;
}

std::string findIdxFile(const std::string &folder, const std::string &stem) {
  for (const char *suffix : {"", ".gz"}) {
    std::string path = folder + "/" + stem + suffix;
    if (isFile(path))
      return path;
  }
  return "";
}

void pixelStatistics(const Array &images, double &mean, double &std) {
  const uint8_t *pixels = images.data<uint8_t>();
  size_t n = images.bytes.size();
  // Exact sums of integers, then one division: no drift over tens of millions of pixels.
  uint64_t sum = 0, sumSquares = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += pixels[i];
    sumSquares += uint64_t(pixels[i]) * pixels[i];
  }
  double meanRaw = n ? double(sum) / double(n) : 0;
  double variance = n ? double(sumSquares) / double(n) - meanRaw * meanRaw : 0;
  mean = meanRaw / 255.0;
  std = std::sqrt(std::max(variance, 0.0)) / 255.0;
}

Array normalizeImages(const Array &images, double mean, double std) {
  Array out = makeArray(DType::F32, images.shape);
  const uint8_t *pixels = images.data<uint8_t>();
  float *values = out.data<float>();
  // A table of the 256 possible results, each computed once in double precision.
  float table[256];
  for (int p = 0; p < 256; ++p)
    table[p] = float((p / 255.0 - mean) / std);
  for (size_t i = 0; i < images.bytes.size(); ++i)
    values[i] = table[pixels[i]];
  return out;
}

bool loadImageDataset(const std::string &spec, ImageDataset &out, std::string &error, Pixels pixels) {
  std::string folder = datasetFolder(spec);
  if (!isFolder(folder)) {
    error = spec == "fashion-mnist"
                ? folder + ": no such folder; install Debian's dataset-fashion-mnist package, or give "
                           "--data a folder holding the four IDX files"
                : folder + ": no such folder (--data takes fashion-mnist or a folder holding the four "
                           "IDX files of the MNIST layout)";
    return false;
  }
  ImageDataset dataset;
  dataset.folder = folder;
  Array trainRaw, testRaw;
  if (!loadSplit(folder, "train", dataset.train, trainRaw, error) ||
      !loadSplit(folder, "t10k", dataset.test, testRaw, error))
    return false;
  if (trainRaw.shape[1] != testRaw.shape[1] || trainRaw.shape[2] != testRaw.shape[2]) {
    error = folder + ": the training images are " + std::to_string(trainRaw.shape[1]) + "x" +
            std::to_string(trainRaw.shape[2]) + " but the test images " + std::to_string(testRaw.shape[1]) +
            "x" + std::to_string(testRaw.shape[2]);
    return false;
  }
  dataset.height = trainRaw.shape[1];
  dataset.width = trainRaw.shape[2];
  pixelStatistics(trainRaw, dataset.mean, dataset.std);
  if (!(dataset.std > 0)) {
    error = folder + ": every training pixel has the same value; the images cannot be normalized";
    return false;
  }
  dataset.pixels = pixels;
  // Unit pixels are pixel / 255: the normalization with mean 0 and standard deviation 1.
  bool unit = pixels == Pixels::Unit;
  double center = unit ? 0.0 : dataset.mean, scale = unit ? 1.0 : dataset.std;
  dataset.train.images = normalizeImages(trainRaw, center, scale);
  dataset.test.images = normalizeImages(testRaw, center, scale);
  int64_t maxLabel = 0;
  for (const ImageSplit *split : {&dataset.train, &dataset.test})
    for (int64_t i = 0; i < split->size(); ++i)
      maxLabel = std::max<int64_t>(maxLabel, split->labels.data<int32_t>()[i]);
  dataset.classes = maxLabel + 1;
  out = std::move(dataset);
  return true;
}

} // namespace dldata
