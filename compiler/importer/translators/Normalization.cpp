//===- Normalization.cpp - BatchNormalization and LayerNormalization ------===//
//
// Inference-mode BatchNormalization with initializer statistics becomes a `BatchNorm` layer (its
// momentum is PyTorch's, 1 - ONNX's; in dlc's train steps it normalizes with the batch's statistics
// and updates the running ones, as PyTorch does). LayerNormalization over the last axis becomes a
// `LayerNorm` layer. Training-mode BatchNormalization, and the optional statistics outputs, are
// errors.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"

#include <cstdlib>

namespace dlc::importer {

namespace {

/// Input `i` as a known f32 vector of `n` values.
Tensor vectorInput(Context &c, int i, int64_t n, const std::string &what) {
  const Tensor &t = c.known(i, what);
  if (t.dtype != DType::F32 || t.size() != n)
    c.fail(what + " must be an f32 vector of " + std::to_string(n) + ", not " + dtypeName(t.dtype) +
           formatShape(t.shape));
  return makeTensor(DType::F32, {n}, t.values);
}

/// 1 - m for a float32 m, computed from m's shortest decimal form (0.9 gives 0.1, not 0.100000024).
std::string oneMinus(double m) {
  double decimal = std::strtod(formatFloat(m).c_str(), nullptr);
  return formatFloat(1.0 - decimal);
}

void batchNorm(Context &c) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  if (x.rank() != 2 && x.rank() != 4)
    c.fail("its input is " + formatShape(x.shape) + "; dlc's batchnorm takes [N, C] or [N, C, H, W]");
  if (c.intAttr("training_mode", 0) != 0)
    c.unsupported("training_mode", "1", "the graph normalizes with the batch's statistics; export "
                  "the model in eval mode (model.eval(), training=TrainingMode.PRESERVE); dlc's "
                  "train steps use the batch's statistics by themselves");
  int64_t n = x.shape[1];
  Tensor gamma = vectorInput(c, 1, n, "the scale"), beta = vectorInput(c, 2, n, "the bias");
  Tensor mean = vectorInput(c, 3, n, "the running mean"), var = vectorInput(c, 4, n, "the running variance");
  double eps = c.floatAttr("epsilon", 1e-5), momentum = c.floatAttr("momentum", 0.9);
  std::string call = "BatchNorm(" + std::to_string(n);
  if (oneMinus(momentum) != "0.1")
    call += ", momentum = " + oneMinus(momentum);
  if (formatFloat(eps) != "1e-05")
    call += ", eps = " + formatFloat(eps);
  call += ")";
  std::string inst = c.program().addLayer(c.layerHint(1), call,
                                          {{"gamma", gamma}, {"beta", beta}, {"running_mean", mean}, {"running_var", var}});
  c.define(0, inst + "(" + c.operand(0) + ")", DType::F32, x.shape);
}

void layerNorm(Context &c) {
  c.requireFloat(0, "X");
  const Value &x = c.input(0);
  int64_t axis = normalizeAxis(c, c.intAttr("axis", -1), x.rank(), "axis");
  if (axis != x.rank() - 1)
    c.unsupported("axis", std::to_string(axis), "dlc's LayerNorm normalizes over the last axis only");
  int64_t stash = c.intAttr("stash_type", 1);
  (void)stash; // The precision of the statistics; dlc keeps them in f32, as stash_type 1 does.
  int64_t n = x.shape.back();
  Tensor gamma = vectorInput(c, 1, n, "the scale");
  Tensor beta = c.has(2) ? vectorInput(c, 2, n, "the bias") : makeTensor(DType::F32, {n}, std::vector<double>(n, 0.0));
  double eps = c.floatAttr("epsilon", 1e-5);
  std::string call = "LayerNorm(" + std::to_string(n) + (formatFloat(eps) != "1e-05" ? ", eps = " + formatFloat(eps) : "") + ")";
  std::string inst = c.program().addLayer(c.layerHint(1), call, {{"gamma", gamma}, {"beta", beta}});
  c.define(0, inst + "(" + c.operand(0) + ")", DType::F32, x.shape);
}

} // namespace

void registerNormalizationTranslators(TranslatorTable &t) {
  t["BatchNormalization"] = batchNorm;
  t["LayerNormalization"] = layerNorm;
}

} // namespace dlc::importer
