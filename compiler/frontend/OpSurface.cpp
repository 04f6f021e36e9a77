//===- OpSurface.cpp - How a .dl program reaches each dl op ---------------===//
//
// The table of OpSurface.h, in the order of dialects/dl/ops/*.td.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/OpSurface.h"

#include "compiler/frontend/ElaboratorImpl.h"

namespace dlc {

namespace {

OpSurface builtin(const char *name) { return {OpSurface::Kind::Builtin, name}; }
OpSurface syntax(const char *form) { return {OpSurface::Kind::Syntax, form}; }
OpSurface internal(const char *why) { return {OpSurface::Kind::Internal, why}; }

} // namespace

const std::map<std::string, OpSurface> &opSurfaces() {
  static const std::map<std::string, OpSurface> table = {
      // ModelOps.td
      {"dl.model", syntax("a `model` block")},
      {"dl.param", syntax("a `param` of a model or layer")},
      {"dl.buffer", syntax("a `buffer` of a model or layer")},
      {"dl.load", syntax("a use of a param or buffer")},
      {"dl.store", syntax("a `train` block (the optimizer's update) and `batchnorm` in training "
                          "mode (its running statistics)")},
      {"dl.train", syntax("a `train` block")},
      // ElementwiseOps.td
      {"dl.constant", syntax("a number literal, `zeros[...]` and `ones[...]`")},
      {"dl.add", syntax("the operator `+`")},
      {"dl.sub", syntax("the operator `-`")},
      {"dl.mul", syntax("the operator `*`")},
      {"dl.div", syntax("the operator `/`")},
      {"dl.pow", builtin("pow")}, // and the operator `**`
      {"dl.maximum", builtin("max")}, // with two operands
      {"dl.minimum", builtin("min")}, // with two operands
      {"dl.mod", builtin("mod")},     // and remainder, and the operator `%` on tensors
      {"dl.fmod", builtin("fmod")},
      {"dl.logical_and", builtin("logical_and")},
      {"dl.logical_or", builtin("logical_or")},
      {"dl.logical_xor", builtin("logical_xor")},
      {"dl.prelu", builtin("prelu")},
      {"dl.cmp", syntax("the comparisons `==`, `!=`, `<`, `<=`, `>`, `>=` (and isnan, isfinite)")},
      {"dl.select", builtin("where")},
      {"dl.neg", syntax("the unary operator `-`")},
      {"dl.abs", builtin("abs")},
      {"dl.exp", builtin("exp")},
      {"dl.log", builtin("log")},
      {"dl.sqrt", builtin("sqrt")},
      {"dl.rsqrt", builtin("rsqrt")},
      {"dl.sigmoid", builtin("sigmoid")},
      {"dl.tanh", builtin("tanh")},
      {"dl.relu", builtin("relu")},
      {"dl.gelu", builtin("gelu")},
      {"dl.softplus", builtin("softplus")},
      {"dl.step", builtin("step")},
      {"dl.erf", builtin("erf")},
      {"dl.cos", builtin("cos")},
      {"dl.sin", builtin("sin")},
      {"dl.floor", builtin("floor")},
      {"dl.ceil", builtin("ceil")},
      {"dl.round", builtin("round")},
      {"dl.silu", builtin("silu")},
      {"dl.hardswish", builtin("hardswish")},
      {"dl.mish", builtin("mish")},
      {"dl.logical_not", builtin("logical_not")},
      {"dl.leaky_relu", builtin("leaky_relu")},
      {"dl.elu", builtin("elu")},
      {"dl.clamp", builtin("clamp")},
      {"dl.softmax", builtin("softmax")},
      {"dl.log_softmax", builtin("log_softmax")},
      {"dl.cast", builtin("f32")}, // and i32
      {"dl.one_hot", builtin("one_hot")}, // and cross_entropy's gradient rule
      // LinalgOps.td
      {"dl.matmul", syntax("the operator `@`")},
      // ConvOps.td
      {"dl.conv2d", builtin("conv2d")},
      {"dl.conv2d_grad_input", internal("gradient only: conv2d's gradient rule builds it")},
      {"dl.conv2d_grad_weight", internal("gradient only: conv2d's gradient rule builds it")},
      {"dl.conv_transpose2d", builtin("conv_transpose2d")},
      // PoolingOps.td
      {"dl.maxpool2d", builtin("maxpool2d")},
      {"dl.maxpool2d_grad", internal("gradient only: maxpool2d's gradient rule builds it")},
      {"dl.avgpool2d", builtin("avgpool2d")},
      {"dl.avgpool2d_grad", internal("gradient only: avgpool2d's gradient rule builds it")},
      // UpsampleOps.td
      {"dl.upsample_bilinear2d", builtin("upsample")}, // mode = "bilinear"
      {"dl.upsample_bilinear2d_grad",
       internal("gradient only: upsample_bilinear2d's gradient rule builds it")},
      // EmbeddingOps.td
      {"dl.embedding", builtin("embedding")},
      {"dl.embedding_grad", internal("gradient only: embedding's gradient rule builds it")},
      {"dl.gather", builtin("gather")},
      {"dl.gather_grad", internal("gradient only: gather's gradient rule builds it")},
      // ReductionOps.td
      {"dl.sum", builtin("sum")},
      {"dl.mean", builtin("mean")},
      {"dl.reduce_max", builtin("max")}, // with one operand
      {"dl.reduce_min", builtin("min")}, // with one operand
      {"dl.logsumexp", builtin("logsumexp")},
      {"dl.argmax", builtin("argmax")},
      {"dl.argmin", builtin("argmin")},
      {"dl.cumsum", builtin("cumsum")},
      {"dl.topk", builtin("topk")},
      // ShapeOps.td
      {"dl.reshape", builtin("reshape")}, // and flatten
      {"dl.transpose", builtin("transpose")},
      {"dl.broadcast_to", builtin("broadcast")},
      {"dl.concat", builtin("concat")},
      {"dl.split", builtin("split")},
      {"dl.slice", syntax("a subscript `x[i, :, a:b]`")},
      {"dl.pad", builtin("pad")},
      // RandomOps.td
      {"dl.dropout", builtin("dropout")},
      {"dl.random_normal", builtin("normal")},
      {"dl.random_uniform", builtin("uniform")},
      {"dl.gaussian_noise", builtin("gaussian_noise")},
      {"dl.random_flip", builtin("random_flip")},
      {"dl.random_crop", builtin("random_crop")}, // and random_translate
      {"dl.random_crop_grad", internal("gradient only: random_crop's gradient rule builds it")},
      // LossOps.td
      {"dl.mse", builtin("mse")},
      {"dl.mae", builtin("mae")},
      {"dl.huber", builtin("huber")},
      {"dl.bce", builtin("bce")},
      {"dl.bce_with_logits", builtin("bce_with_logits")},
      {"dl.hinge", builtin("hinge")},
      {"dl.kl_div", builtin("kl_div")},
      {"dl.cross_entropy", builtin("cross_entropy")},
      {"dl.nll", builtin("nll")},
      {"dl.kl_normal", builtin("kl_normal")},
      // FusionOps.td
      {"dl.fusion", internal("dl-fuse builds the kernels of a compiled model")},
      {"dl.yield", internal("dl-fuse ends each kernel with one")},
      // ScanOps.td
      {"dl.scan", syntax("a `scan` over a sequence")},
      {"dl.scan_yield", syntax("the end of a `scan` body")},
      // AttentionOps.td
      {"dl.attention", builtin("attention")},
      {"dl.attention_grad", internal("gradient only: attention's gradient rule builds it")},
  };
  return table;
}

bool isBuiltin(const std::string &name) { return findBuiltin(name) != nullptr; }

} // namespace dlc
