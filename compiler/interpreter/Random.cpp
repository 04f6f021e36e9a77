//===- Random.cpp - dropout, random_normal, random_uniform -----------------===//
//
// The random ops draw element by element through runtime/rng/Philox.h with the instance's seed, the
// op's `stream` attribute and the interpreter's step, exactly as that header's convention says, so
// the generated kernels can be compared with these values bit for bit in the random part.
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

} // namespace

void registerRandomKernels(KernelTable &t) {
  addKernel<dlo::DropoutOp>(t, evalDropout);
  addKernel<dlo::RandomNormalOp>(t, evalRandomNormal);
  addKernel<dlo::RandomUniformOp>(t, evalRandomUniform);
}

} // namespace dl::interp
