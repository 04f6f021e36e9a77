//===- GpuConvSchedule.cpp - Register-blocked convolutions on a GPU ---------------===//
//
// The GPU schedule of a direct convolution (conv2d, conv2d_grad_input) with at least
// kChannelsPerThread output channels:
//
//   - each thread computes kChannelsPerThread output channels of one output pixel, in registers:
//     every tap it loads from the padded input serves that many multiply-adds, and the weights it
//     reads are the same for every thread of its block (one broadcast load each);
//   - neighbouring threads take neighbouring pixels (rows and columns flattened), so the loads of a
//     tap and the stores of the outputs are coalesced;
//   - a block holds up to 128 pixels of one image and one group of channels; pixels, channel groups
//     and images are the three dimensions of the grid;
//   - the output group's epilogue (bias, batch norm, activation) runs on the thread's outputs.
//
// The accumulators are computed at the thread's loop, so their allocation is the thread's own
// (unlike the block-level tiles of GpuMatmulSchedule.cpp). The weight gradient keeps one thread per
// element (GpuSchedule.cpp). Checked on pocl like every GPU schedule; not measured on a GPU.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/gpu/GpuSchedule.h"

#include <algorithm>

namespace dl::halide {

using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Output channels per thread.
constexpr int kChannelsPerThread = 4;
/// The most pixels of a block; fewer (rounded up to a warp) when the image has fewer.
constexpr int64_t kPixelsPerBlock = 128;

} // namespace

bool scheduleGpuConvolution(Func owner, const LoweredValue &conv) {
  const ConvolutionFuncs &c = conv.convolution;
  const Shape &shape = conv.type.shape; // [N, OC, OH, OW]
  if (c.form != ConvolutionFuncs::Form::Direct || shape.size() != 4 ||
      shape[1] < kChannelsPerThread || c.sourceChannels == 0)
    return false;
  int64_t pixels = shape[2] * shape[3];
  int threads =
      static_cast<int>(std::min(kPixelsPerBlock, ceilDiv(pixels, kWarpSize) * kWarpSize));

  Var j = Lowering::var(3, 4), i = Lowering::var(2, 4), oc = Lowering::var(1, 4),
      n = Lowering::var(0, 4);
  std::string name = owner.name();
  Var pixel(name + "_px"), pixelBlock(name + "_pb"), pixelThread(name + "_pt"),
      channelGroup(name + "_cg"), channel(name + "_ch");
  owner.split(oc, channelGroup, channel, kChannelsPerThread, TailStrategy::GuardWithIf)
      .fuse(j, i, pixel)
      .split(pixel, pixelBlock, pixelThread, threads, TailStrategy::GuardWithIf)
      .reorder(channel, pixelThread, pixelBlock, channelGroup, n)
      .gpu_blocks(pixelBlock, channelGroup, n)
      .gpu_threads(pixelThread)
      .unroll(channel);

  // A thread's channels, whole even past the last one (the weights' channel index is clamped),
  // the taps outside them: one tap loaded, kChannelsPerThread multiply-adds.
  Func prod = c.product;
  prod.compute_at(owner, pixelThread)
      .store_in(Halide::MemoryType::Register)
      .bound_extent(oc, kChannelsPerThread)
      .unroll(oc);
  std::vector<Halide::RVar> taps = prod.rvars(0); // column, row, input channel
  prod.update().reorder(oc, taps[0], taps[1], taps[2]).unroll(oc);
  return true;
}

} // namespace dl::halide
