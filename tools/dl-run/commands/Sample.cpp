//===- Sample.cpp - dl-run sample: a generator's images as a PNG grid -----===//
//
// Calls the forward entry (or --entry) once with its inputs zero-filled (a generator's forward
// usually has none; its noise comes from the instance's --seed), takes the image-shaped f32 output
// (--output, else the first one: [B, N] with N a perfect square, [B, H, W] or [B, 1, H, W]) and
// writes its B images, values clamped to [0, 1], to --out as one grayscale PNG grid. It also prints
// the images' spread (how much they differ from each other), which is near 0 when a GAN has
// collapsed to a single image. With --text, sample continues a prompt instead (TextSample.cpp).
//
//===----------------------------------------------------------------------===//
#include "tools/dl-run/Commands.h"
#include "tools/dl-run/feeds/EntryBuffers.h"
#include "tools/dl-run/output/Png.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dlrun {

namespace {

/// Black pixels between and around the images of the grid.
constexpr int kGridPadding = 2;

const char *const kImageShapes =
    "f32[B, N] with N a perfect square (784 = 28x28), f32[B, H, W] or f32[B, 1, H, W]";

struct ImageShape {
  int64_t count = 0, height = 0, width = 0;
};

/// The side of a square of `n` pixels, or 0 when `n` is not a perfect square.
int64_t squareSide(int64_t n) {
  int64_t side = int64_t(std::llround(std::sqrt(double(n))));
  return n > 0 && side * side == n ? side : 0;
}

/// Whether `tensor` holds a batch of grayscale images, and their shape.
bool imageShape(const dl_tensor_info &tensor, ImageShape &shape) {
  if (tensor.dtype != DL_F32 || tensor.rank < 2 || tensor.rank > 4 || tensor.shape[0] < 1)
    return false;
  shape.count = tensor.shape[0];
  if (tensor.rank == 2) {
    shape.height = shape.width = squareSide(tensor.shape[1]);
  } else if (tensor.rank == 3 || tensor.shape[1] == 1) {
    shape.height = tensor.shape[tensor.rank - 2];
    shape.width = tensor.shape[tensor.rank - 1];
  }
  return shape.height > 0 && shape.width > 0;
}

/// The output --output names, else the entry's first image-shaped one; its index, or -1 with
/// `error` set.
int chooseImageOutput(const dl_entry_info &entry, const std::string &name, ImageShape &shape,
                      std::string &error) {
  std::string names;
  for (int i = 0; i < entry.n_outputs; ++i) {
    const dl_tensor_info &output = entry.outputs[i];
    names += (i ? ", " : "") + std::string(output.name) + " " + typeString(output);
    if (!name.empty() && name != output.name)
      continue;
    if (imageShape(output, shape))
      return i;
    if (!name.empty()) {
      error = "output '" + name + "' of entry '" + entry.name + "' is " + typeString(output) +
              ", not a batch of images; expected " + kImageShapes;
      return -1;
    }
  }
  if (!name.empty())
    error = "entry '" + std::string(entry.name) + "' has no output '" + name +
            "' (its outputs: " + (names.empty() ? "none" : names) + ")";
  else
    error = "entry '" + std::string(entry.name) +
            "' has no output shaped like a batch of images (its outputs: " +
            (names.empty() ? "none" : names) + "); expected " + kImageShapes;
  return -1;
}

/// The spread of `count` images of `pixels` values each: every pixel's standard deviation across
/// the images (values clamped to [0, 1], as drawn), averaged over the pixels. 0 when every image is
/// the same (a GAN collapsed to one output); 0.27 across 64 of Fashion-MNIST's own images.
double spreadOf(const float *images, int64_t count, int64_t pixels) {
  if (count < 2)
    return 0;
  double total = 0;
  for (int64_t p = 0; p < pixels; ++p) {
    double sum = 0, squares = 0;
    for (int64_t i = 0; i < count; ++i) {
      double v = images[i * pixels + p];
      v = std::isnan(v) ? 0 : std::clamp(v, 0.0, 1.0);
      sum += v;
      squares += v * v;
    }
    double mean = sum / double(count);
    total += std::sqrt(std::max(squares / double(count) - mean * mean, 0.0));
  }
  return total / double(pixels);
}

} // namespace

int runSample(const Options &options, std::ostream &out, std::ostream &err) {
  if (!options.text.empty())
    return sampleText(options, out, err);
  std::string error;
  Model model;
  if (!openModel(options, model, error))
    return fail(err, error);
  const dl_entry_info *entry =
      model.chooseEntry(options.entry, {DL_ENTRY_FORWARD}, "forward entry", error);
  if (!entry)
    return fail(err, error);
  ImageShape shape;
  int index = chooseImageOutput(*entry, options.output, shape, error);
  if (index < 0)
    return fail(err, error);
  EntryBuffers buffers(*entry); // zero-filled inputs
  if (!model.call(*entry, buffers.inputPointers(), buffers.outputPointers(), error))
    return fail(err, error);

  int64_t columns =
      options.columns > 0 ? options.columns : int64_t(std::ceil(std::sqrt(double(shape.count))));
  columns = std::min(columns, shape.count);
  Grid grid = imageGrid(buffers.output<float>(index), int(shape.count), int(shape.height),
                        int(shape.width), int(columns), kGridPadding);
  if (!writePng(options.out, grid.width, grid.height, 1, grid.pixels.data(), error))
    return fail(err, error);
  int64_t rows = (shape.count + columns - 1) / columns;
  out << "sample " << entry->name << ": " << shape.count << " images of " << shape.height << "x"
      << shape.width << " from '" << entry->outputs[index].name << "' -> " << options.out << " ("
      << columns << "x" << rows << " grid, " << grid.width << "x" << grid.height << " pixels)\n";
  char spread[64];
  std::snprintf(spread, sizeof spread, "%.4f",
                spreadOf(buffers.output<float>(index), shape.count, shape.height * shape.width));
  out << "spread " << spread << " (per-pixel standard deviation across the images, averaged)\n";
  return kExitOk;
}

} // namespace dlrun
