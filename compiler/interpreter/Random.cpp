//===- Random.cpp - dropout, random draws, data augmentation ---------------===//
//
// The random ops draw through runtime/rng/Philox.h with the instance's seed, the op's `stream`
// attribute and the interpreter's step, exactly as that header's convention says, so the generated
// kernels can be compared with these values bit for bit in the random part: element by element
// (dropout, random_normal, random_uniform, gaussian_noise), or once per sample of the batch
// (random_flip, random_crop and its adjoint random_crop_grad).
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include "runtime/rng/Philox.h"

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// The Philox stream and step of an op: the convention's 32-bit words.
struct DrawKey {
  uint64_t seed;
  uint32_t stream, step;
};

DrawKey keyOf(OpContext &c, int64_t stream) {
  return {c.interp.seed(), static_cast<uint32_t>(stream), static_cast<uint32_t>(c.interp.step)};
}

LogicalResult evalDropout(dlo::DropoutOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  double p = op.getP().convertToDouble();
  DrawKey k = keyOf(c, op.getStream());
  double scale = 1.0 / (1.0 - p);
  for (size_t i = 0; i < out.data.size(); ++i) {
    bool keep = rng::uniform01(k.seed, i, k.stream, k.step) >= p;
    out.data[i] = keep ? x.data[i] * scale : 0.0;
  }
  return success();
}

LogicalResult evalRandomNormal(dlo::RandomNormalOp op, OpContext &c) {
  Tensor &out = c.result();
  double mean = op.getMean().convertToDouble(), std = op.getStd().convertToDouble();
  DrawKey k = keyOf(c, op.getStream());
  for (size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = mean + std * rng::normal(k.seed, i, k.stream, k.step);
  return success();
}

LogicalResult evalRandomUniform(dlo::RandomUniformOp op, OpContext &c) {
  Tensor &out = c.result();
  double lo = op.getLo().convertToDouble(), hi = op.getHi().convertToDouble();
  DrawKey k = keyOf(c, op.getStream());
  for (size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = lo + (hi - lo) * rng::uniform01(k.seed, i, k.stream, k.step);
  return success();
}

LogicalResult evalGaussianNoise(dlo::GaussianNoiseOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  double std = op.getStd().convertToDouble();
  DrawKey k = keyOf(c, op.getStream());
  for (size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = x.data[i] + std * rng::normal(k.seed, i, k.stream, k.step);
  return success();
}

LogicalResult evalRandomFlip(dlo::RandomFlipOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  int64_t axis = normalizeAxis(op.getAxis(), 4);
  double p = op.getP().convertToDouble();
  DrawKey k = keyOf(c, op.getStream());
  Dims4 d(x.shape);
  std::vector<int64_t> index(4, 0);
  for (int64_t n = 0; n < d.d0; ++n) {
    bool flip = rng::unitBelow(rng::drawWords(k.seed, n, k.stream, k.step).w[0], p);
    for (int64_t ch = 0; ch < d.d1; ++ch)
      for (int64_t h = 0; h < d.d2; ++h)
        for (int64_t w = 0; w < d.d3; ++w) {
          index = {n, ch, h, w};
          if (flip)
            index[axis] = x.shape[axis] - 1 - index[axis];
          out.data[d.at(n, ch, h, w)] = x.data[d.at(index[0], index[1], index[2], index[3])];
        }
  }
  return success();
}

/// The window of sample `n` of a random crop of an input of spatial size [H, W] to [h, w] with
/// `padding`: its top-left corner in the padded input (Philox.h's per-sample convention).
std::pair<int64_t, int64_t> cropCorner(const DrawKey &k, int64_t n, int64_t H, int64_t W, int64_t h,
                                       int64_t w, llvm::ArrayRef<int64_t> padding) {
  rng::Words4 words = rng::drawWords(k.seed, n, k.stream, k.step);
  uint32_t rows = static_cast<uint32_t>(H + 2 * padding[0] - h + 1);
  uint32_t cols = static_cast<uint32_t>(W + 2 * padding[1] - w + 1);
  return {rng::below(words.w[0], rows), rng::below(words.w[1], cols)};
}

LogicalResult evalRandomCrop(dlo::RandomCropOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  llvm::ArrayRef<int64_t> padding = op.getPadding();
  DrawKey k = keyOf(c, op.getStream());
  Dims4 in(x.shape), o(out.shape);
  for (int64_t n = 0; n < o.d0; ++n) {
    auto [top, left] = cropCorner(k, n, in.d2, in.d3, o.d2, o.d3, padding);
    for (int64_t ch = 0; ch < o.d1; ++ch)
      for (int64_t i = 0; i < o.d2; ++i)
        for (int64_t j = 0; j < o.d3; ++j) {
          int64_t r = i + top - padding[0], s = j + left - padding[1];
          out.data[o.at(n, ch, i, j)] = in.inside(r, s) ? x.data[in.at(n, ch, r, s)] : 0.0;
        }
  }
  return success();
}

LogicalResult evalRandomCropGrad(dlo::RandomCropGradOp op, OpContext &c) {
  const Tensor &gy = c.operand(0);
  Tensor &out = c.result();
  llvm::ArrayRef<int64_t> padding = op.getPadding();
  DrawKey k = keyOf(c, op.getStream());
  Dims4 g(gy.shape), o(out.shape);
  for (int64_t n = 0; n < o.d0; ++n) {
    auto [top, left] = cropCorner(k, n, o.d2, o.d3, g.d2, g.d3, padding);
    for (int64_t ch = 0; ch < o.d1; ++ch)
      for (int64_t r = 0; r < o.d2; ++r)
        for (int64_t s = 0; s < o.d3; ++s) {
          int64_t i = r + padding[0] - top, j = s + padding[1] - left;
          out.data[o.at(n, ch, r, s)] = g.inside(i, j) ? gy.data[g.at(n, ch, i, j)] : 0.0;
        }
  }
  return success();
}

} // namespace

void registerRandomKernels(KernelTable &t) {
  addKernel<dlo::DropoutOp>(t, evalDropout);
  addKernel<dlo::RandomNormalOp>(t, evalRandomNormal);
  addKernel<dlo::RandomUniformOp>(t, evalRandomUniform);
  addKernel<dlo::GaussianNoiseOp>(t, evalGaussianNoise);
  addKernel<dlo::RandomFlipOp>(t, evalRandomFlip);
  addKernel<dlo::RandomCropOp>(t, evalRandomCrop);
  addKernel<dlo::RandomCropGradOp>(t, evalRandomCropGrad);
}

} // namespace dl::interp
