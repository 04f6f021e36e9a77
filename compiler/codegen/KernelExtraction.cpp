//===- KernelExtraction.cpp - dl.fusion regions as codegen::Kernel ----------===//
#include "compiler/codegen/KernelExtraction.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"

#include <sstream>

using namespace mlir;

namespace dl::codegen {

bool toTensorType(Type type, TensorType &out) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return false;
  Type element = tensor.getElementType();
  if (element.isF32())
    out.dtype = DType::F32;
  else if (element.isInteger(32))
    out.dtype = DType::I32;
  else if (element.isInteger(1))
    out.dtype = DType::I1;
  else
    return false;
  out.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return true;
}

static std::string locationText(Location loc) {
  if (auto call = llvm::dyn_cast<CallSiteLoc>(loc))
    return locationText(call.getCaller());
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn());
  return "";
}

/// Copies the op's attributes, defaults included, into `node` (see KernelSpec.h).
static void copyAttributes(Operation *op, KernelNode &node) {
  NamedAttrList attrs(op->getAttrDictionary());
  if (std::optional<RegisteredOperationName> info = op->getRegisteredInfo())
    info->populateDefaultAttrs(attrs);
  for (NamedAttribute named : attrs) {
    std::string name = named.getName().str();
    Attribute a = named.getValue();
    if (auto i = llvm::dyn_cast<IntegerAttr>(a))
      node.ints[name] = {i.getType().isInteger(1) ? static_cast<int64_t>(i.getValue().getBoolValue())
                                                  : i.getInt()};
    else if (auto b = llvm::dyn_cast<BoolAttr>(a))
      node.ints[name] = {b.getValue()};
    else if (auto f = llvm::dyn_cast<FloatAttr>(a))
      node.floats[name] = f.getValueAsDouble();
    else if (auto arr = llvm::dyn_cast<DenseI64ArrayAttr>(a))
      node.ints[name] = std::vector<int64_t>(arr.asArrayRef().begin(), arr.asArrayRef().end());
    else if (auto s = llvm::dyn_cast<StringAttr>(a))
      node.strings[name] = s.str();
  }
  if (auto cmp = llvm::dyn_cast<mlir::dl::CmpOp>(op))
    node.strings["predicate"] = mlir::dl::stringifyCmpPredicate(cmp.getPredicate()).str();
}

const std::vector<std::string> &opsRewrittenByExtraction() {
  // The SplitOp branch of extractKernel below.
  static const std::vector<std::string> ops = {"split"};
  return ops;
}

FailureOr<Kernel> extractKernel(mlir::dl::FusionOp fusion) {
  Kernel kernel;
  kernel.name = fusion.getKernel().str();
  llvm::DenseMap<Value, int> ids;
  Block &body = fusion.getBodyBlock();
  for (BlockArgument arg : body.getArguments()) {
    TensorType t;
    if (!toTensorType(arg.getType(), t))
      return fusion.emitError() << "kernels do not support values of type " << arg.getType();
    ids[arg] = kernel.inputs.size();
    kernel.inputs.push_back(t);
  }
  auto addNode = [&](KernelNode node, Value result) {
    ids[result] = kernel.numValues();
    kernel.nodes.push_back(std::move(node));
  };
  for (Operation &op : body.without_terminator()) {
    KernelNode node;
    node.op = op.getName().stripDialect().str();
    node.location = locationText(op.getLoc());
    for (Value operand : op.getOperands())
      node.operands.push_back(ids.at(operand));
    copyAttributes(&op, node);
    if (auto split = llvm::dyn_cast<mlir::dl::SplitOp>(op)) {
      // One slice per part along the axis.
      auto inputType = llvm::cast<RankedTensorType>(split.getInput().getType());
      int64_t rank = inputType.getRank(), axis = split.getAxis();
      if (axis < 0)
        axis += rank;
      int64_t begin = 0;
      for (Value result : split.getResults()) {
        KernelNode slice;
        slice.op = "slice";
        slice.location = node.location;
        slice.operands = node.operands;
        if (!toTensorType(result.getType(), slice.type))
          return op.emitError() << "kernels do not support values of type " << result.getType();
        std::vector<int64_t> start(rank, 0), limit(inputType.getShape().begin(),
                                                   inputType.getShape().end()), stride(rank, 1);
        start[axis] = begin;
        limit[axis] = begin + slice.type.shape[axis];
        begin = limit[axis];
        slice.ints = {{"start", start}, {"limit", limit}, {"stride", stride}};
        addNode(std::move(slice), result);
      }
      continue;
    }
    if (auto topk = llvm::dyn_cast<mlir::dl::TopkOp>(op)) {
      // Two nodes named "topk": the indices (ints["result"] = 1, reading the input), then the
      // values (ints["result"] = 0), which read the input at those indices (KernelSpec.h).
      KernelNode indices = node, values = node;
      indices.ints["result"] = {1};
      values.ints["result"] = {0};
      if (!toTensorType(topk.getIndices().getType(), indices.type) ||
          !toTensorType(topk.getValues().getType(), values.type))
        return op.emitError() << "kernels do not support values of type " << topk.getInput().getType();
      addNode(std::move(indices), topk.getIndices());
      values.operands.push_back(ids.at(topk.getIndices()));
      addNode(std::move(values), topk.getValues());
      continue;
    }
    if (op.getNumResults() != 1)
      return op.emitError() << "'" << op.getName() << "' cannot be compiled into a kernel";
    if (!toTensorType(op.getResult(0).getType(), node.type))
      return op.emitError() << "kernels do not support values of type "
                            << op.getResult(0).getType();
    if (auto constant = llvm::dyn_cast<mlir::dl::ConstantOp>(op)) {
      auto value = llvm::cast<DenseElementsAttr>(constant.getValue());
      node.splat = value.isSplat();
      if (llvm::isa<FloatType>(value.getElementType())) {
        for (const APFloat &f : value.getValues<APFloat>()) {
          node.constant.push_back(f.convertToDouble());
          if (node.splat)
            break;
        }
      } else {
        for (const APInt &i : value.getValues<APInt>()) {
          node.constant.push_back(value.getElementType().isInteger(1)
                                      ? static_cast<double>(i.getBoolValue())
                                      : static_cast<double>(i.getSExtValue()));
          if (node.splat)
            break;
        }
      }
      node.ints.erase("value");
    }
    addNode(std::move(node), op.getResult(0));
  }
  for (Value v : body.getTerminator()->getOperands())
    kernel.outputs.push_back(ids.at(v));
  return kernel;
}

void writeNodeAttributes(std::ostream &os, const KernelNode &node) {
  for (auto &[k, v] : node.ints) {
    os << k << "=";
    for (int64_t x : v)
      os << x << ",";
  }
  for (auto &[k, v] : node.floats)
    os << k << "=" << v << ";";
  for (auto &[k, v] : node.strings)
    os << k << "=" << v << ";";
  for (double c : node.constant)
    os << c << ",";
}

std::string kernelFingerprint(const Kernel &kernel) {
  std::ostringstream os;
  os.precision(17);
  auto type = [&](const TensorType &t) {
    os << dtypeName(t.dtype) << "[";
    for (int64_t d : t.shape)
      os << d << ",";
    os << "]";
  };
  for (const TensorType &t : kernel.inputs)
    type(t);
  os << "|";
  for (const KernelNode &n : kernel.nodes) {
    os << n.op << "(";
    for (int v : n.operands)
      os << v << ",";
    os << ")";
    type(n.type);
    writeNodeAttributes(os, n);
    os << (n.splat ? "s" : "") << "\n";
  }
  for (int v : kernel.outputs)
    os << v << ",";
  os << (kernel.anyLength ? "|any" : "");
  return os.str();
}

} // namespace dl::codegen
