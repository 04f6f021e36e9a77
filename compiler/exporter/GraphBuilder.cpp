//===- GraphBuilder.cpp - The ONNX graph an export writes -----------------===//
#include "compiler/exporter/GraphBuilder.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cctype>

namespace dlc::exporter {

std::string GraphBuilder::fresh(const std::string &hint) {
  std::string base;
  for (char c : hint)
    base += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' ? c : '_';
  if (base.empty())
    base = "v";
  std::string name = base;
  for (int i = 1; taken_.count(name); ++i)
    name = base + "_" + std::to_string(i);
  taken_.insert(name);
  return name;
}

std::string GraphBuilder::name(mlir::Value value) const {
  auto it = names_.find(value);
  return it == names_.end() ? std::string() : it->second;
}

std::vector<std::string> GraphBuilder::node(const std::string &opType, const std::vector<std::string> &inputs,
                                            const std::vector<Attr> &attrs, int outputs,
                                            const std::string &hint) {
  onnx::NodeProto *n = graph_.add_node();
  n->set_op_type(opType);
  n->set_name(fresh("node" + std::to_string(nodes_++) + "_" + opType));
  for (const std::string &in : inputs)
    n->add_input(in);
  std::vector<std::string> out;
  for (int i = 0; i < outputs; ++i) {
    out.push_back(fresh(hint.empty() ? opType : hint));
    n->add_output(out.back());
  }
  for (const Attr &a : attrs) {
    onnx::AttributeProto *p = n->add_attribute();
    p->set_name(a.name);
    switch (a.kind) {
    case Attr::Int:
      p->set_type(onnx::AttributeProto::INT);
      p->set_i(a.i);
      break;
    case Attr::Float:
      p->set_type(onnx::AttributeProto::FLOAT);
      p->set_f(static_cast<float>(a.f));
      break;
    case Attr::Ints:
      p->set_type(onnx::AttributeProto::INTS);
      for (int64_t v : a.ints)
        p->add_ints(v);
      break;
    case Attr::String:
      p->set_type(onnx::AttributeProto::STRING);
      p->set_s(a.s);
      break;
    }
  }
  return out;
}

std::string GraphBuilder::node1(const std::string &opType, const std::vector<std::string> &inputs,
                                const std::vector<Attr> &attrs, mlir::Value result) {
  std::string out = node(opType, inputs, attrs, 1).front();
  if (result)
    bind(result, out);
  return out;
}

std::string GraphBuilder::initializer(const std::string &hint, const dl::interp::Tensor &tensor) {
  onnx::TensorProto *t = graph_.add_initializer();
  std::string name = fresh(hint);
  t->set_name(name);
  for (int64_t d : tensor.shape)
    t->add_dims(d);
  switch (tensor.kind) {
  case dl::interp::ElementKind::F32: {
    t->set_data_type(onnx::TensorProto::FLOAT);
    std::string raw(tensor.data.size() * sizeof(float), '\0');
    for (size_t i = 0; i < tensor.data.size(); ++i) {
      float v = static_cast<float>(tensor.data[i]);
      std::memcpy(&raw[i * sizeof(float)], &v, sizeof(float));
    }
    t->set_raw_data(raw);
    break;
  }
  case dl::interp::ElementKind::I32:
    t->set_data_type(onnx::TensorProto::INT32);
    for (double v : tensor.data)
      t->add_int32_data(static_cast<int32_t>(v));
    break;
  default:
    t->set_data_type(onnx::TensorProto::BOOL);
    for (double v : tensor.data)
      t->add_int32_data(v != 0);
    break;
  }
  return name;
}

std::string GraphBuilder::int64s(const std::vector<int64_t> &values, bool scalar) {
  auto key = std::make_pair(values, scalar);
  auto it = int64s_.find(key);
  if (it != int64s_.end())
    return it->second;
  onnx::TensorProto *t = graph_.add_initializer();
  std::string name = fresh("const_i64");
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  if (!scalar)
    t->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values)
    t->add_int64_data(v);
  int64s_[key] = name;
  return name;
}

std::string GraphBuilder::scalar(double value) {
  auto it = scalars_.find(value);
  if (it != scalars_.end())
    return it->second;
  std::string name = initializer("const_f32", dl::interp::Tensor::scalar(value));
  scalars_[value] = name;
  return name;
}

void GraphBuilder::input(const std::string &name, mlir::Type type, const std::string &doc) {
  onnx::ValueInfoProto *info = graph_.add_input();
  setValueInfo(info, name, type);
  if (!doc.empty())
    info->set_doc_string(doc);
}

void setValueInfo(onnx::ValueInfoProto *info, const std::string &name, mlir::Type type) {
  info->set_name(name);
  auto shaped = llvm::cast<mlir::ShapedType>(type);
  onnx::TypeProto_Tensor *t = info->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnxElementType(shaped.getElementType()));
  onnx::TensorShapeProto *shape = t->mutable_shape();
  for (int64_t d : shaped.getShape())
    shape->add_dim()->set_dim_value(d);
}

int32_t onnxElementType(mlir::Type elementType) {
  if (elementType.isF32())
    return onnx::TensorProto::FLOAT;
  if (elementType.isInteger(1))
    return onnx::TensorProto::BOOL;
  if (elementType.isInteger(32))
    return onnx::TensorProto::INT32;
  return onnx::TensorProto::UNDEFINED;
}

} // namespace dlc::exporter
