//===- Structure.cpp - Exporting dl's contractions, windows, reductions and shapes -===//
//
// matmul, conv2d, conv_transpose2d, pooling and bilinear upsampling (Resize), reductions (argmax,
// argmin, cumsum and topk among them), one_hot, shape ops, embedding, gather (GatherElements) and attention (as MatMul, Softmax and MatMul, the causal mask an initializer), and
// constants as initializers. Opset 17 forms:
// ReduceSum, Split, Slice, Pad, Reshape and Expand take their integer lists as int64 inputs;
// ReduceMean/Max/Min/LogSumExp take `axes` as an attribute.
//
//===----------------------------------------------------------------------===//
#include "compiler/exporter/GraphBuilder.h"

#include "dl/DLOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <limits>

namespace dlc::exporter {

using mlir::failure;
using mlir::LogicalResult;
using mlir::Operation;
using mlir::success;

namespace {

std::vector<int64_t> ints(Operation *op, const char *name) {
  auto attr = llvm::dyn_cast_or_null<mlir::DenseI64ArrayAttr>(op->getAttr(name));
  return attr ? std::vector<int64_t>(attr.asArrayRef().begin(), attr.asArrayRef().end())
              : std::vector<int64_t>{};
}

int64_t integer(Operation *op, const char *name) {
  return llvm::cast<mlir::IntegerAttr>(op->getAttr(name)).getInt();
}

std::vector<int64_t> shapeOf(mlir::Value v) {
  auto s = llvm::cast<mlir::ShapedType>(v.getType()).getShape();
  return {s.begin(), s.end()};
}

/// ONNX's pads for a 2-D window: [top, left, bottom, right] from dl's symmetric [h, w].
std::vector<int64_t> pads2d(const std::vector<int64_t> &padding) {
  return {padding[0], padding[1], padding[0], padding[1]};
}

LogicalResult matmul(Operation *op, GraphBuilder &g) {
  g.node1("MatMul", {g.name(op->getOperand(0)), g.name(op->getOperand(1))}, {}, op->getResult(0));
  return success();
}

LogicalResult conv2d(Operation *op, GraphBuilder &g) {
  g.node1("Conv", {g.name(op->getOperand(0)), g.name(op->getOperand(1))},
          {Attr::list("strides", ints(op, "stride")), Attr::list("pads", pads2d(ints(op, "padding"))),
           Attr::list("dilations", ints(op, "dilation"))},
          op->getResult(0));
  return success();
}

LogicalResult convTranspose2d(Operation *op, GraphBuilder &g) {
  g.node1("ConvTranspose", {g.name(op->getOperand(0)), g.name(op->getOperand(1))},
          {Attr::list("strides", ints(op, "stride")), Attr::list("pads", pads2d(ints(op, "padding"))),
           Attr::list("output_padding", ints(op, "output_padding")),
           Attr::list("dilations", ints(op, "dilation"))},
          op->getResult(0));
  return success();
}

LogicalResult pool(Operation *op, GraphBuilder &g) {
  bool max = op->getName().getStringRef() == "dl.maxpool2d";
  std::vector<Attr> attrs = {Attr::list("kernel_shape", ints(op, "kernel_size")),
                             Attr::list("strides", ints(op, "stride")),
                             Attr::list("pads", pads2d(ints(op, "padding")))};
  auto flag = [&](const char *name, bool fallback) {
    auto attr = llvm::dyn_cast_or_null<mlir::BoolAttr>(op->getAttr(name));
    return attr ? attr.getValue() : fallback;
  };
  std::vector<int64_t> dilation = ints(op, "dilation");
  if (max && !dilation.empty())
    attrs.push_back(Attr::list("dilations", dilation));
  if (flag("ceil_mode", false))
    attrs.push_back(Attr::integer("ceil_mode", 1));
  if (!max)
    attrs.push_back(Attr::integer("count_include_pad", flag("count_include_pad", true) ? 1 : 0));
  g.node1(max ? "MaxPool" : "AveragePool", {g.name(op->getOperand(0))}, attrs, op->getResult(0));
  return success();
}

/// upsample_bilinear2d as Resize (linear) to the result's sizes: pytorch_half_pixel (what
/// torch.onnx exports for align_corners = false; half_pixel at every size above 1) or align_corners.
LogicalResult upsampleBilinear(Operation *op, GraphBuilder &g) {
  auto attr = llvm::dyn_cast_or_null<mlir::BoolAttr>(op->getAttr("align_corners"));
  bool corners = attr && attr.getValue();
  g.node1("Resize", {g.name(op->getOperand(0)), "", "", g.int64s(shapeOf(op->getResult(0)))},
          {Attr::text("mode", "linear"),
           Attr::text("coordinate_transformation_mode", corners ? "align_corners" : "pytorch_half_pixel")},
          op->getResult(0));
  return success();
}

LogicalResult reduce(Operation *op, GraphBuilder &g) {
  static const std::map<std::string, std::string> names = {{"dl.sum", "ReduceSum"},
                                                           {"dl.mean", "ReduceMean"},
                                                           {"dl.reduce_max", "ReduceMax"},
                                                           {"dl.reduce_min", "ReduceMin"},
                                                           {"dl.logsumexp", "ReduceLogSumExp"}};
  std::string type = names.at(op->getName().getStringRef().str());
  std::vector<int64_t> axes = ints(op, "axes");
  auto keep = llvm::dyn_cast_or_null<mlir::BoolAttr>(op->getAttr("keepdims"));
  std::vector<Attr> attrs = {Attr::integer("keepdims", keep && keep.getValue() ? 1 : 0)};
  std::vector<std::string> in = {g.name(op->getOperand(0))};
  if (!axes.empty()) { // Empty: every axis, ONNX's default too.
    if (type == "ReduceSum")
      in.push_back(g.int64s(axes));
    else
      attrs.push_back(Attr::list("axes", axes));
  }
  g.node1(type, in, attrs, op->getResult(0));
  return success();
}

/// argmax and argmin: ONNX's ArgMax/ArgMin give int64, cast to dl's i32.
LogicalResult argExtremum(Operation *op, GraphBuilder &g) {
  auto keep = llvm::dyn_cast_or_null<mlir::BoolAttr>(op->getAttr("keepdims"));
  std::string type = op->getName().getStringRef() == "dl.argmax" ? "ArgMax" : "ArgMin";
  std::string index = g.node1(type, {g.name(op->getOperand(0))},
                              {Attr::integer("axis", integer(op, "axis")),
                               Attr::integer("keepdims", keep && keep.getValue() ? 1 : 0)});
  g.node1("Cast", {index}, {Attr::integer("to", onnx::TensorProto::INT32)}, op->getResult(0));
  return success();
}

LogicalResult cumsum(Operation *op, GraphBuilder &g) {
  auto reverse = llvm::dyn_cast_or_null<mlir::BoolAttr>(op->getAttr("reverse"));
  g.node1("CumSum", {g.name(op->getOperand(0)), g.int64s({integer(op, "axis")}, /*scalar=*/true)},
          {Attr::integer("reverse", reverse && reverse.getValue() ? 1 : 0)}, op->getResult(0));
  return success();
}

/// topk as TopK (K an int64 input of one element), its int64 Indices cast to dl's i32. ONNX orders
/// equal elements by index, as dl does.
LogicalResult topk(Operation *op, GraphBuilder &g) {
  auto flag = [&](const char *name) {
    auto b = llvm::dyn_cast_or_null<mlir::BoolAttr>(op->getAttr(name));
    return b ? (b.getValue() ? 1 : 0) : 1; // both default to true
  };
  auto axis = llvm::dyn_cast_or_null<mlir::IntegerAttr>(op->getAttr("axis"));
  std::vector<std::string> out =
      g.node("TopK", {g.name(op->getOperand(0)), g.int64s({integer(op, "k")})},
             {Attr::integer("axis", axis ? axis.getInt() : -1), Attr::integer("largest", flag("largest")),
              Attr::integer("sorted", 1)},
             2);
  g.bind(op->getResult(0), out[0]);
  g.node1("Cast", {out[1]}, {Attr::integer("to", onnx::TensorProto::INT32)}, op->getResult(1));
  return success();
}

/// one_hot as OneHot of int64 ids (the form PyTorch exports); a negative id, which ONNX would count
/// from the end, is first replaced by `classes`, out of range, so that its row is zeros as in dl.
LogicalResult oneHot(Operation *op, GraphBuilder &g) {
  int64_t classes = integer(op, "classes");
  std::string ids = g.node1("Cast", {g.name(op->getOperand(0))}, {Attr::integer("to", onnx::TensorProto::INT64)});
  std::string negative = g.node1("Less", {ids, g.int64s({0}, /*scalar=*/true)}, {});
  std::string depth = g.int64s({classes}, /*scalar=*/true);
  std::string inRange = g.node1("Where", {negative, depth, ids}, {});
  dl::interp::Tensor offOn;
  offOn.shape = {2};
  offOn.data = {0.0, 1.0};
  g.node1("OneHot", {inRange, depth, g.initializer("off_on", offOn)}, {Attr::integer("axis", -1)},
          op->getResult(0));
  return success();
}

LogicalResult reshape(Operation *op, GraphBuilder &g) {
  g.node1("Reshape", {g.name(op->getOperand(0)), g.int64s(shapeOf(op->getResult(0)))}, {}, op->getResult(0));
  return success();
}

LogicalResult broadcastTo(Operation *op, GraphBuilder &g) {
  g.node1("Expand", {g.name(op->getOperand(0)), g.int64s(shapeOf(op->getResult(0)))}, {}, op->getResult(0));
  return success();
}

LogicalResult transpose(Operation *op, GraphBuilder &g) {
  g.node1("Transpose", {g.name(op->getOperand(0))}, {Attr::list("perm", ints(op, "perm"))}, op->getResult(0));
  return success();
}

LogicalResult concat(Operation *op, GraphBuilder &g) {
  std::vector<std::string> in;
  for (mlir::Value v : op->getOperands())
    in.push_back(g.name(v));
  g.node1("Concat", in, {Attr::integer("axis", integer(op, "axis"))}, op->getResult(0));
  return success();
}

LogicalResult split(Operation *op, GraphBuilder &g) {
  int64_t axis = integer(op, "axis");
  std::vector<int64_t> sizes;
  for (mlir::Value r : op->getResults()) {
    std::vector<int64_t> s = shapeOf(r);
    sizes.push_back(s[axis < 0 ? axis + static_cast<int64_t>(s.size()) : axis]);
  }
  std::vector<std::string> out = g.node("Split", {g.name(op->getOperand(0)), g.int64s(sizes)},
                                        {Attr::integer("axis", axis)}, static_cast<int>(op->getNumResults()));
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    g.bind(op->getResult(i), out[i]);
  return success();
}

LogicalResult slice(Operation *op, GraphBuilder &g) {
  std::vector<int64_t> start = ints(op, "start"), axes;
  for (size_t i = 0; i < start.size(); ++i)
    axes.push_back(static_cast<int64_t>(i));
  g.node1("Slice", {g.name(op->getOperand(0)), g.int64s(start), g.int64s(ints(op, "limit")), g.int64s(axes),
                    g.int64s(ints(op, "stride"))},
          {}, op->getResult(0));
  return success();
}

LogicalResult pad(Operation *op, GraphBuilder &g) {
  std::vector<int64_t> pads = ints(op, "low"), high = ints(op, "high");
  pads.insert(pads.end(), high.begin(), high.end());
  double value = llvm::cast<mlir::FloatAttr>(op->getAttr("value")).getValueAsDouble();
  std::vector<std::string> in = {g.name(op->getOperand(0)), g.int64s(pads)};
  if (value != 0.0)
    in.push_back(g.scalar(value));
  g.node1("Pad", in, {}, op->getResult(0));
  return success();
}

LogicalResult embedding(Operation *op, GraphBuilder &g) {
  g.node1("Gather", {g.name(op->getOperand(1)), g.name(op->getOperand(0))}, {Attr::integer("axis", 0)},
          op->getResult(0));
  return success();
}

/// gather as GatherElements of the i32 index (ONNX takes int32 indices as they are; dl's are in
/// [0, s), so ONNX's negative form never arises).
LogicalResult gather(Operation *op, GraphBuilder &g) {
  int64_t rank = static_cast<int64_t>(shapeOf(op->getOperand(0)).size()), axis = integer(op, "axis");
  g.node1("GatherElements", {g.name(op->getOperand(0)), g.name(op->getOperand(1))},
          {Attr::integer("axis", axis < 0 ? axis + rank : axis)}, op->getResult(0));
  return success();
}

LogicalResult attention(Operation *op, GraphBuilder &g) {
  auto attn = llvm::cast<mlir::dl::AttentionOp>(op);
  std::vector<int64_t> q = shapeOf(attn.getQ()), k = shapeOf(attn.getK());
  std::vector<int64_t> perm;
  for (size_t i = 0; i < k.size(); ++i)
    perm.push_back(static_cast<int64_t>(i));
  std::swap(perm[k.size() - 1], perm[k.size() - 2]);
  std::string kT = g.node1("Transpose", {g.name(attn.getK())}, {Attr::list("perm", perm)});
  std::string scores = g.node1("MatMul", {g.name(attn.getQ()), kT});
  scores = g.node1("Mul", {scores, g.scalar(attn.getScale().convertToDouble())});
  if (attn.getCausal()) {
    int64_t tq = q[q.size() - 2], tk = k[k.size() - 2];
    dl::interp::Tensor mask = dl::interp::Tensor::filled({tq, tk}, 0.0);
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = i + 1; j < tk; ++j)
        mask.data[i * tk + j] = -std::numeric_limits<double>::infinity();
    scores = g.node1("Add", {scores, g.initializer("causal_mask", mask)});
  }
  std::string weights = g.node1("Softmax", {scores}, {Attr::integer("axis", -1)});
  g.node1("MatMul", {weights, g.name(attn.getV())}, {}, op->getResult(0));
  return success();
}

LogicalResult constant(Operation *op, GraphBuilder &g) {
  auto value = llvm::dyn_cast<mlir::DenseElementsAttr>(op->getAttr("value"));
  if (!value)
    return op->emitError("--emit=onnx: a constant that is not dense has no ONNX form here");
  auto type = llvm::cast<mlir::ShapedType>(value.getType());
  dl::interp::Tensor t;
  t.shape = {type.getShape().begin(), type.getShape().end()};
  if (type.getElementType().isF32()) {
    for (const llvm::APFloat &v : value.getValues<llvm::APFloat>())
      t.data.push_back(v.convertToDouble());
  } else {
    t.kind = type.getElementType().isInteger(1) ? dl::interp::ElementKind::I1 : dl::interp::ElementKind::I32;
    for (const llvm::APInt &v : value.getValues<llvm::APInt>())
      t.data.push_back(static_cast<double>(t.kind == dl::interp::ElementKind::I1 ? v.getZExtValue()
                                                                                 : v.getSExtValue()));
  }
  g.bind(op->getResult(0), g.initializer("const", t));
  return success();
}

} // namespace

void addStructureExporters(llvm::StringMap<OpExporter> &table) {
  table["dl.matmul"] = matmul;
  table["dl.conv2d"] = conv2d;
  table["dl.conv_transpose2d"] = convTranspose2d;
  table["dl.upsample_bilinear2d"] = upsampleBilinear;
  table["dl.maxpool2d"] = pool;
  table["dl.avgpool2d"] = pool;
  for (const char *r : {"dl.sum", "dl.mean", "dl.reduce_max", "dl.reduce_min", "dl.logsumexp"})
    table[r] = reduce;
  table["dl.argmax"] = argExtremum;
  table["dl.argmin"] = argExtremum;
  table["dl.cumsum"] = cumsum;
  table["dl.one_hot"] = oneHot;
  table["dl.reshape"] = reshape;
  table["dl.broadcast_to"] = broadcastTo;
  table["dl.transpose"] = transpose;
  table["dl.concat"] = concat;
  table["dl.split"] = split;
  table["dl.topk"] = topk;
  table["dl.slice"] = slice;
  table["dl.pad"] = pad;
  table["dl.embedding"] = embedding;
  table["dl.gather"] = gather;
  table["dl.attention"] = attention;
  table["dl.constant"] = constant;
}

} // namespace dlc::exporter
