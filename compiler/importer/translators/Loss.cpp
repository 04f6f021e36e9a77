//===- Loss.cpp - ONNX's class losses -------------------------------------===//
//
// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss (opset 13 on), each one builtin:
// cross_entropy / nll with `weight`, `ignore_index`, `reduction` and `axis = 1` (ONNX's scores are
// [N, C, d1, ...], the classes on axis 1, as PyTorch's). SoftmaxCrossEntropyLoss's optional second
// output, the log-probabilities, is log_softmax along that axis. Both ops' definitions are
// PyTorch's: "mean" divides by the sum of the weights of the labels not ignored.
//
// Where dlc differs: ONNX without `ignore_index` ignores no label, while dlc's default, -100 as
// PyTorch's, ignores -100; ONNX leaves a label outside [0, C) undefined, so a model cannot tell.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Context.h"

namespace dlc::importer {

namespace {

Translator classLoss(std::string builtin) {
  return [builtin](Context &c) {
    c.requireFloat(0, "its scores");
    const Value &x = c.input(0), &y = c.input(1);
    if (x.rank() < 2)
      c.fail("needs scores [N, C, d1, ...] of rank 2 or more");
    if (y.dtype != DType::I32 && y.dtype != DType::I64)
      c.fail("needs integer labels");
    std::string reduction = c.stringAttr("reduction", "mean");
    if (reduction != "mean" && reduction != "sum" && reduction != "none")
      c.unsupported("reduction", reduction, "ONNX defines \"mean\", \"sum\" and \"none\"");
    std::string expr = builtin + "(" + c.operand(0) + ", " + c.operand(1);
    if (c.has(2)) {
      c.requireFloat(2, "its weight");
      expr += ", weight = " + c.operand(2);
    }
    if (c.hasAttr("ignore_index"))
      expr += ", ignore_index = " + std::to_string(c.intAttr("ignore_index", -100));
    if (reduction != "mean")
      expr += ", reduction = \"" + reduction + "\"";
    if (x.rank() > 2)
      expr += ", axis = 1";
    expr += ")";
    Shape rows = x.shape;
    rows.erase(rows.begin() + 1);
    c.define(0, expr, DType::F32, reduction == "none" ? rows : Shape{});
    if (c.numOutputs() > 1 && c.outputUsed(1))
      c.define(1, "log_softmax(" + c.operand(0) + ", axis = 1)", DType::F32, x.shape);
  };
}

} // namespace

void registerLossTranslators(TranslatorTable &t) {
  t["SoftmaxCrossEntropyLoss"] = classLoss("cross_entropy");
  t["NegativeLogLikelihoodLoss"] = classLoss("nll");
}

} // namespace dlc::importer
