//===- ConvKernelBench.cpp - GFLOP/s of the CNN's convolutions -------------===//
//
// Not a test (nothing here can fail on speed): prints the time and GFLOP/s of the Halide kernels of
// the CNN that dlc must train (Conv2d(1,32,3,padding=1) -> relu -> MaxPool2d(2) ->
// Conv2d(32,64,3,padding=1) -> relu -> MaxPool2d(2) -> ..., batch 64, 28x28) for the host's
// features: conv2d, conv2d_grad_input and conv2d_grad_weight of both layers, the pools, a DCGAN
// generator's conv_transpose2d with its gradients, and, for
// comparison with an im2col formulation, the matmul that im2col would hand to the matmul schedule
// (a lower bound of that formulation's time: it leaves out building the im2col matrix, 9x the
// input, and scattering the result back).
//
//   build-halide/bin/ConvKernelBench [iterations [label-filter]]
//
// Each kernel is compiled once with the JIT and run `iterations` times (default 50) after a warm-up
// run; the best time is reported. HL_NUM_THREADS sets the number of threads (default: all cores);
// DLC_BENCH_STMT_DIR=<dir> writes each kernel's lowered statement there.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/HostTarget.h"
#include "compiler/codegen/halide/Pipeline.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace {

using dl::codegen::DType;
using dl::codegen::Kernel;
using dl::codegen::KernelNode;
using dl::codegen::TensorType;
using Shape = std::vector<int64_t>;

TensorType f32(Shape s) { return {DType::F32, std::move(s)}; }

/// A kernel of one node over fresh inputs.
Kernel oneNode(const std::string &op, const std::vector<Shape> &inputs, const Shape &result,
               const std::map<std::string, std::vector<int64_t>> &ints) {
  Kernel k;
  k.name = op;
  KernelNode node;
  node.op = op;
  node.type = f32(result);
  node.ints = ints;
  for (size_t i = 0; i < inputs.size(); ++i) {
    k.inputs.push_back(f32(inputs[i]));
    node.operands.push_back(static_cast<int>(i));
  }
  k.nodes.push_back(node);
  k.outputs.push_back(static_cast<int>(inputs.size()));
  return k;
}

/// The best time in seconds of `iterations` runs of `kernel` on random inputs.
double bestSeconds(const Kernel &kernel, int iterations, const std::string &label) {
  Halide::Target target = dl::halide::jitTarget();
  dl::halide::BuiltPipeline built = dl::halide::buildPipeline(kernel, target);
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < kernel.inputs.size(); ++i) {
    const Shape &s = kernel.inputs[i].shape;
    Halide::Buffer<float> buffer(std::vector<int>(s.rbegin(), s.rend()));
    buffer.for_each_value([&](float &v) { v = dist(gen); });
    Halide::ImageParam param = built.lowering->inputs()[i];
    param.set(buffer);
  }
  const Shape &out = kernel.typeOf(kernel.outputs[0]).shape;
  Halide::Buffer<float> result(std::vector<int>(out.rbegin(), out.rend()));
  if (const char *dir = std::getenv("DLC_BENCH_STMT_DIR"))
    built.pipeline.compile_to_lowered_stmt(std::string(dir) + "/" + label + ".stmt",
                                           built.arguments, Halide::Text, target);
  if (const char *dir = std::getenv("DLC_BENCH_ASM_DIR"))
    built.pipeline.compile_to_assembly(std::string(dir) + "/" + label + ".s", built.arguments, "f",
                                       target.without_feature(Halide::Target::JIT));
  built.pipeline.compile_jit(target);
  built.pipeline.realize(result, target);
  double best = 1e30;
  for (int it = 0; it < iterations; ++it) {
    auto start = std::chrono::steady_clock::now();
    built.pipeline.realize(result, target);
    auto stop = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(stop - start).count());
  }
  return best;
}

/// Only the kernels whose label contains this (the second argument), when given.
std::string filter;

void report(const std::string &what, const Kernel &kernel, double flops, int iterations) {
  if (what.find(filter) == std::string::npos)
    return;
  std::string label = what;
  std::replace_if(
      label.begin(), label.end(), [](char c) { return !std::isalnum(c); }, '_');
  double s = bestSeconds(kernel, iterations, label);
  if (flops > 0)
    std::printf("%-44s %9.3f ms %8.1f GFLOP/s\n", what.c_str(), s * 1e3, flops / s * 1e-9);
  else
    std::printf("%-44s %9.3f ms\n", what.c_str(), s * 1e3);
}

/// The three convolutions of one layer: x [n, c, h, h], w [o, c, 3, 3], padding 1.
void convLayer(const std::string &name, int64_t n, int64_t c, int64_t h, int64_t o,
               int iterations) {
  Shape x{n, c, h, h}, w{o, c, 3, 3}, y{n, o, h, h};
  std::map<std::string, std::vector<int64_t>> geometry{
      {"stride", {1, 1}}, {"padding", {1, 1}}, {"dilation", {1, 1}}};
  double flops = 2.0 * n * o * h * h * c * 9;
  report(name + " conv2d", oneNode("conv2d", {x, w}, y, geometry), flops, iterations);
  auto withInputSize = geometry;
  withInputSize["input_size"] = {h, h};
  report(name + " conv2d_grad_input", oneNode("conv2d_grad_input", {y, w}, x, withInputSize), flops,
         iterations);
  auto withKernelSize = geometry;
  withKernelSize["kernel_size"] = {3, 3};
  report(name + " conv2d_grad_weight", oneNode("conv2d_grad_weight", {x, y}, w, withKernelSize),
         flops, iterations);
  // im2col's products: [n*h*h, c*9] x [c*9, o], and for the weight gradient [o, n*h*h] x
  // [n*h*h, c*9] (the input gradient's [n*h*h, o] x [o, c*9] is then scattered back).
  int64_t m = n * h * h, k = c * 9;
  report(name + " im2col matmul (forward)", oneNode("matmul", {{m, k}, {k, o}}, {m, o}, {}), flops,
         iterations);
  report(name + " im2col matmul (input grad)", oneNode("matmul", {{m, o}, {o, k}}, {m, k}, {}),
         flops, iterations);
  report(name + " im2col matmul (weight grad)", oneNode("matmul", {{o, m}, {m, k}}, {o, k}, {}),
         flops, iterations);
}

/// A DCGAN generator's transposed convolution: x [n, c, h, h] to [n, o, 2h, 2h], W [c, o, 4, 4],
/// stride 2, padding 1; and its gradients as conv_transpose2d's VJP builds them (a conv2d for x,
/// conv2d_grad_weight with the roles of x and y swapped for W). Compare with
/// bench/conv/conv_transpose_torch.py (PyTorch's F.conv_transpose2d on the same shape).
void deconvLayer(const std::string &name, int64_t n, int64_t c, int64_t h, int64_t o,
                 int iterations) {
  Shape x{n, c, h, h}, w{c, o, 4, 4}, y{n, o, 2 * h, 2 * h};
  std::map<std::string, std::vector<int64_t>> geometry{
      {"stride", {2, 2}}, {"padding", {1, 1}}, {"dilation", {1, 1}}};
  double flops = 2.0 * n * c * h * h * o * 16;
  auto transposed = geometry;
  transposed["output_padding"] = {0, 0};
  report(name + " conv_transpose2d", oneNode("conv_transpose2d", {x, w}, y, transposed), flops,
         iterations);
  report(name + " its x gradient (conv2d)", oneNode("conv2d", {y, w}, x, geometry), flops,
         iterations);
  auto withKernelSize = geometry;
  withKernelSize["kernel_size"] = {4, 4};
  report(name + " its W gradient (conv2d_grad_weight)",
         oneNode("conv2d_grad_weight", {y, x}, w, withKernelSize), flops, iterations);
}

void poolLayer(const std::string &name, int64_t n, int64_t c, int64_t h, int iterations) {
  Shape x{n, c, h, h}, y{n, c, h / 2, h / 2};
  std::map<std::string, std::vector<int64_t>> window{
      {"kernel_size", {2, 2}}, {"stride", {2, 2}}, {"padding", {0, 0}}};
  report(name + " maxpool2d", oneNode("maxpool2d", {x}, y, window), 0, iterations);
  report(name + " maxpool2d_grad", oneNode("maxpool2d_grad", {x, y}, x, window), 0, iterations);
}

} // namespace

int main(int argc, char **argv) {
  int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  filter = argc > 2 ? argv[2] : "";
  std::printf("target %s\n", dl::halide::jitTarget().to_string().c_str());
  try {
    report("relu [64,32,28,28]", oneNode("relu", {{64, 32, 28, 28}}, {64, 32, 28, 28}, {}), 0,
           iterations);
    convLayer("conv1 [64,1,28,28]->[64,32,28,28]", 64, 1, 28, 32, iterations);
    convLayer("conv2 [64,32,14,14]->[64,64,14,14]", 64, 32, 14, 64, iterations);
    deconvLayer("deconv [64,128,7,7]->[64,64,14,14]", 64, 128, 7, 64, iterations);
    poolLayer("pool1 [64,32,28,28]", 64, 32, 28, iterations);
    poolLayer("pool2 [64,64,14,14]", 64, 64, 14, iterations);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
