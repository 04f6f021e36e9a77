//===- Dataset.h - Image classification data sets (Fashion-MNIST) -*- C++ -*-===//
//
// The data set behind `dl-run --data fashion-mnist|PATH`: a folder holding the four IDX files of the
// MNIST layout (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each possibly with a .gz suffix). `fashion-mnist` names the folder of
// Debian's dataset-fashion-mnist package.
//
// Images become f32 in [0, 1] (pixel / 255) and are then, by default, z-score normalized with one
// mean and one standard deviation computed over every pixel of the TRAINING split only, applied to
// both splits: the test split must not leak into training, not even through its statistics.
// Generative models whose outputs are pixel intensities (a sigmoid, a binary cross-entropy against
// the image) take the [0, 1] values instead (Pixels::Unit).
//
//===----------------------------------------------------------------------===//
#ifndef DL_RUNTIME_DATA_DATASET_H
#define DL_RUNTIME_DATA_DATASET_H

#include "runtime/data/Array.h"

#include <string>

namespace dldata {

/// Where `--data fashion-mnist` looks.
constexpr const char *kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

struct ImageSplit {
  Array images; ///< f32 [N, H, W], normalized.
  Array labels; ///< i32 [N], class ids.

  int64_t size() const { return labels.shape.empty() ? 0 : labels.shape[0]; }
};

/// What the images' f32 values are: z-scores with the training split's statistics, or pixel / 255.
enum class Pixels { Standardized, Unit };

struct ImageDataset {
  std::string folder;
  ImageSplit train, test;
  int64_t height = 0, width = 0;
  int64_t classes = 0;     ///< The largest label of either split plus one.
  double mean = 0, std = 1; ///< Of the training pixels in [0, 1], before normalization.
  Pixels pixels = Pixels::Standardized;

  int64_t pixelsPerImage() const { return height * width; }
};

/// The folder `spec` names: kFashionMnistFolder for "fashion-mnist", otherwise `spec` itself.
std::string datasetFolder(const std::string &spec);

/// The file of `stem` ("train-images-idx3-ubyte") in `folder`, plain or with .gz; empty when
/// neither exists.
std::string findIdxFile(const std::string &folder, const std::string &stem);

/// Loads both splits of the data set `spec` names, checks that images and labels agree (u8 images
/// of rank 3 with one size across splits, u8 labels of rank 1, one label per image) and converts the
/// images as `pixels` says. False with an error naming the file or folder at fault.
bool loadImageDataset(const std::string &spec, ImageDataset &out, std::string &error,
                      Pixels pixels = Pixels::Standardized);

/// Converts u8 images to f32 / 255 and z-score normalizes them with `mean` and `std`.
Array normalizeImages(const Array &images, double mean, double std);

/// The mean and the (population) standard deviation of the pixels of u8 `images`, scaled to [0, 1].
void pixelStatistics(const Array &images, double &mean, double &std);

} // namespace dldata

#endif // DL_RUNTIME_DATA_DATASET_H
