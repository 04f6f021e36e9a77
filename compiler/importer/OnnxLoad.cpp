//===- OnnxLoad.cpp - Reading .onnx files ---------------------------------===//
#include "compiler/importer/OnnxLoad.h"

#include <cstring>

namespace dlc::importer {

int64_t parseModel(const std::string &path, const std::string &bytes, onnx::ModelProto &model) {
  if (bytes.empty())
    throw ImportError("'" + path + "' is empty, not an ONNX model");
  // ParseFromString refuses truncated and malformed messages as a whole; it never reads past the
  // buffer.
  if (!model.ParseFromString(bytes))
    throw ImportError("'" + path + "' is not an ONNX model (the protobuf does not parse: the file "
                      "is truncated or of another kind)");
  if (!model.has_graph())
    throw ImportError("'" + path + "' holds no graph (not an ONNX model?)");
  int64_t opset = -1;
  for (const auto &o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  }
  if (opset < 0)
    throw ImportError("'" + path + "' imports no opset of the default ONNX domain");
  if (opset < kMinOpset || opset > kMaxOpset)
    throw ImportError("'" + path + "' uses opset " + std::to_string(opset) + "; dlc imports opsets " +
                      std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
                      " (re-export with opset_version in that range)");
  return opset;
}

DType dtypeOf(int32_t onnxType, const std::string &what) {
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return DType::F32;
  case onnx::TensorProto::INT32:
    return DType::I32;
  case onnx::TensorProto::INT64:
    return DType::I64;
  case onnx::TensorProto::BOOL:
    return DType::Bool;
  default: {
    std::string name = onnx::TensorProto::DataType_IsValid(onnxType)
                           ? onnx::TensorProto::DataType_Name(onnxType)
                           : "type " + std::to_string(onnxType);
    throw ImportError(what + " has element type " + name +
                      ", which dlc cannot express (it has f32, i32 and bool; ONNX int64 becomes i32)");
  }
  }
}

namespace {

template <typename T> std::vector<double> fromRaw(const std::string &raw, int64_t count, const std::string &what) {
  if (static_cast<int64_t>(raw.size()) != count * static_cast<int64_t>(sizeof(T)))
    throw ImportError(what + " holds " + std::to_string(raw.size()) + " bytes of raw data, but its shape needs " +
                      std::to_string(count * sizeof(T)));
  std::vector<double> out(count);
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
  return out;
}

} // namespace

Tensor readTensor(const onnx::TensorProto &t, const std::string &what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    throw ImportError(what + " keeps its data in an external file, which dlc does not read (save the "
                      "model with its weights inside: onnx.save(model, path, save_as_external_data=False))");
  DType dtype = dtypeOf(t.data_type(), what);
  Shape shape(t.dims().begin(), t.dims().end());
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && count > (int64_t(1) << 40) / d))
      throw ImportError(what + " has the shape " + formatShape(shape) + ", which is negative or too large");
    count *= d;
  }
  std::vector<double> values;
  if (t.has_raw_data()) {
    const std::string &raw = t.raw_data();
    switch (dtype) {
    case DType::F32:
      values = fromRaw<float>(raw, count, what);
      break;
    case DType::I32:
      values = fromRaw<int32_t>(raw, count, what);
      break;
    case DType::I64:
      values = fromRaw<int64_t>(raw, count, what);
      break;
    case DType::Bool:
      values = fromRaw<uint8_t>(raw, count, what);
      break;
    }
  } else {
    switch (dtype) {
    case DType::F32:
      values.assign(t.float_data().begin(), t.float_data().end());
      break;
    case DType::I64:
      values.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case DType::I32:
    case DType::Bool:
      values.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    }
    if (static_cast<int64_t>(values.size()) != count)
      throw ImportError(what + " holds " + std::to_string(values.size()) + " values, but its shape " +
                        formatShape(shape) + " needs " + std::to_string(count));
  }
  return makeTensor(dtype, shape, std::move(values));
}

std::string opName(const onnx::NodeProto &node) {
  if (node.domain().empty() || node.domain() == "ai.onnx")
    return node.op_type();
  return node.domain() + "." + node.op_type();
}

std::string describeNode(const onnx::NodeProto &node, int index) {
  std::string who = node.name().empty() ? "#" + std::to_string(index) : "'" + node.name() + "'";
  return "node " + who + " (" + opName(node) + ")";
}

} // namespace dlc::importer
