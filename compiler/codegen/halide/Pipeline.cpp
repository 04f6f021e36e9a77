//===- Pipeline.cpp - A kernel's nodes, outputs and schedule as one pipeline ===//
//
// See Pipeline.h. The driver of the translation: it fills the op table from the families, lowers
// the nodes in order, groups the outputs by shape into Tuple-valued output Funcs whose buffers are
// declared dense with the static shape (so Halide checks the caller's buffers and folds strides
// into constants), and asks cpu/CpuSchedule.cpp for the CPU schedule or gpu/GpuSchedule.cpp for
// the GPU one.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/halide/Pipeline.h"
#include "compiler/codegen/halide/HalideCodegen.h"

namespace dl::halide {

namespace {

const OpTable &opTable() {
  static const OpTable table = [] {
    OpTable t;
    registerElementwiseLowerings(t);
    registerLinalgLowerings(t);
    registerConvLowerings(t);
    registerPoolingLowerings(t);
    registerUpsampleLowerings(t);
    registerEmbeddingLowerings(t);
    registerReductionLowerings(t);
    registerShapeLowerings(t);
    registerRandomLowerings(t);
    registerLossLowerings(t);
    registerAttentionLowerings(t);
    return t;
  }();
  return table;
}

/// Declares every buffer of `func` dense, starting at 0, with the extents of `shape` (or, in a
/// kernel of any length, those of the caller's buffers). (Halide takes the bounds of a Tuple's
/// first buffer for all of them, and refuses them for the others.)
void constrainOutputBuffers(Halide::Func &func, const Shape &shape, bool anyLength) {
  bool first = true;
  for (Halide::OutputImageParam buffer : func.output_buffers()) {
    int64_t stride = 1;
    for (size_t h = 0; h < shape.size(); ++h) {
      int64_t extent = shape[shape.size() - 1 - h];
      if (first && anyLength)
        buffer.dim(static_cast<int>(h)).set_min(0);
      else if (first)
        buffer.dim(static_cast<int>(h)).set_bounds(0, static_cast<int>(extent));
      buffer.dim(static_cast<int>(h)).set_stride(static_cast<int>(stride));
      stride *= extent;
    }
    first = false;
  }
}

} // namespace

BuiltPipeline buildPipeline(const codegen::Kernel &kernel, const Halide::Target &target) {
  BuiltPipeline built;
  built.lowering = std::make_unique<Lowering>(kernel, target.has_gpu_feature());
  Lowering &l = *built.lowering;
  l.lowerNodes(opTable());

  if (kernel.outputs.empty())
    throw LoweringError(kernel.name + ": a kernel needs at least one output");
  for (size_t p = 0; p < kernel.outputs.size(); ++p) {
    int v = kernel.outputs[p];
    if (v < 0 || v >= kernel.numValues())
      throw LoweringError(kernel.name + ": output #" + std::to_string(p) + " refers to value " +
                          std::to_string(v) + ", which does not exist");
    const Shape &shape = kernel.typeOf(v).shape;
    auto group = std::find_if(built.groups.begin(), built.groups.end(),
                              [&](const OutputGroup &g) { return g.shape == shape; });
    if (group == built.groups.end()) {
      built.groups.push_back(
          OutputGroup{Halide::Func("out" + std::to_string(built.groups.size())), shape, {}, {}});
      group = built.groups.end() - 1;
    }
    group->values.push_back(v);
    group->positions.push_back(p);
  }

  std::vector<Halide::Func> outputs;
  built.bufferOfOutput.assign(kernel.outputs.size(), 0);
  size_t buffer = 0;
  for (OutputGroup &g : built.groups) {
    std::vector<Halide::Expr> elements;
    Index index = Lowering::coordinates(g.shape.size());
    for (int v : g.values)
      elements.push_back(Lowering::call(l.value(v).func, index));
    std::vector<Halide::Var> args;
    for (size_t h = 0; h < g.shape.size(); ++h)
      args.push_back(Lowering::var(g.shape.size() - 1 - h, g.shape.size()));
    if (elements.size() == 1)
      g.func(args) = elements[0];
    else
      g.func(args) = Halide::Tuple(elements);
    constrainOutputBuffers(g.func, g.shape, kernel.anyLength);
    for (size_t p : g.positions)
      built.bufferOfOutput[p] = buffer++;
    outputs.push_back(g.func);
  }

  if (target.has_gpu_feature())
    scheduleForGpu(l, built.groups, target);
  else
    scheduleForCpu(l, built.groups, target);

  for (const Halide::ImageParam &input : l.inputs())
    built.arguments.push_back(input);
  built.arguments.push_back(l.seed());
  built.arguments.push_back(l.step());
  built.pipeline = Halide::Pipeline(outputs);
  return built;
}

} // namespace dl::halide

std::vector<std::string> dl::codegen::halideLoweredOps() {
  std::vector<std::string> names;
  for (const auto &entry : dl::halide::opTable())
    names.push_back(entry.first);
  return names;
}
