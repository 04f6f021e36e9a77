//===- OnnxLoad.h - Reading .onnx files -----------------------------*- C++ -*-===//
//
// Parses an ONNX ModelProto (the protobuf schema of Debian's libonnx-dev) with clean errors for
// files that are not one, checks the opset, and reads TensorProtos (raw or typed data, external
// data refused) into Tensors.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_ONNXLOAD_H
#define DLC_IMPORTER_ONNXLOAD_H

#include "compiler/importer/Tensor.h"

#include <onnx/onnx_pb.h>

#include <stdexcept>
#include <string>

namespace dlc::importer {

/// What the importer throws; caught at its API (Importer.h) and returned as an error message.
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The opsets of the default domain the importer reads (what PyTorch 1.13 exports).
constexpr int64_t kMinOpset = 13, kMaxOpset = 17;

/// Parses `bytes` (the contents of `path`, named in errors) into `model`, checking it has a graph
/// and an opset of the default domain in [kMinOpset, kMaxOpset]; returns that opset.
int64_t parseModel(const std::string &path, const std::string &bytes, onnx::ModelProto &model);

/// The DType of an ONNX TensorProto data type, or throws naming `what`.
DType dtypeOf(int32_t onnxType, const std::string &what);

/// The values of `tensor`; `what` names it in errors.
Tensor readTensor(const onnx::TensorProto &tensor, const std::string &what);

/// "Conv", or "com.microsoft.Foo" for another domain.
std::string opName(const onnx::NodeProto &node);

/// "node 'conv1' (Conv)", or "node #3 (Conv)" when the node has no name.
std::string describeNode(const onnx::NodeProto &node, int index);

} // namespace dlc::importer

#endif // DLC_IMPORTER_ONNXLOAD_H
