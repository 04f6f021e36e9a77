//===- GraphBuilder.h - The ONNX graph an export writes -------------*- C++ -*-===//
//
// What an op's exporter sees: the names given to MLIR values, and ways to add ONNX nodes and
// initializers (constants and weights) to the graph. One ONNX value per MLIR value; every value
// name is unique in the graph.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_EXPORTER_GRAPHBUILDER_H
#define DLC_EXPORTER_GRAPHBUILDER_H

#include "compiler/exporter/Exporter.h"
#include "compiler/interpreter/Interpreter.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace dlc::exporter {

/// An attribute of a node: a name and an int, a float, or a list of ints.
struct Attr {
  std::string name;
  enum Kind { Int, Float, Ints, String } kind;
  int64_t i = 0;
  double f = 0;
  std::vector<int64_t> ints;
  std::string s;
  static Attr integer(std::string name, int64_t v) { return {std::move(name), Int, v, 0, {}, {}}; }
  static Attr real(std::string name, double v) { return {std::move(name), Float, 0, v, {}, {}}; }
  static Attr list(std::string name, std::vector<int64_t> v) {
    return {std::move(name), Ints, 0, 0, std::move(v), {}};
  }
  static Attr text(std::string name, std::string v) { return {std::move(name), String, 0, 0, {}, std::move(v)}; }
};

class GraphBuilder {
public:
  GraphBuilder(onnx::GraphProto &graph, RandomForm random = RandomForm::Ops) : graph_(graph), random_(random) {}

  /// How random draws export (--onnx-random).
  RandomForm randomForm() const { return random_; }

  /// A graph-unique name made from `hint`.
  std::string fresh(const std::string &hint);
  /// The ONNX name of `value` (set by bind or by the node that made it).
  std::string name(mlir::Value value) const;
  void bind(mlir::Value value, const std::string &name) { names_[value] = name; }
  bool bound(mlir::Value value) const { return names_.count(value) != 0; }

  /// Adds a node of `opType` reading `inputs`, writing fresh values named after `hint`, which it
  /// returns (`outputs` of them).
  std::vector<std::string> node(const std::string &opType, const std::vector<std::string> &inputs,
                                const std::vector<Attr> &attrs = {}, int outputs = 1,
                                const std::string &hint = "");
  /// The one-output form, its result bound to `result` when given.
  std::string node1(const std::string &opType, const std::vector<std::string> &inputs,
                    const std::vector<Attr> &attrs = {}, mlir::Value result = {});

  /// An initializer holding `tensor` (float, int32 or bool by its kind) under a name made from `hint`.
  std::string initializer(const std::string &hint, const dl::interp::Tensor &tensor);
  /// An int64 initializer (shapes, split sizes, axes), shared between nodes that need the same.
  std::string int64s(const std::vector<int64_t> &values, bool scalar = false);
  /// A float scalar initializer.
  std::string scalar(double value);

  /// Adds a graph input `name` (already fresh) of tensor type `type`, documented by `doc`.
  void input(const std::string &name, mlir::Type type, const std::string &doc = "");
  /// A key and value for the model's metadata_props (written by exportOnnx, in order).
  void note(const std::string &key, const std::string &value) { notes_.emplace_back(key, value); }
  const std::vector<std::pair<std::string, std::string>> &notes() const { return notes_; }

private:
  onnx::GraphProto &graph_;
  RandomForm random_;
  std::vector<std::pair<std::string, std::string>> notes_;
  llvm::DenseMap<mlir::Value, std::string> names_;
  std::set<std::string> taken_;
  std::map<std::pair<std::vector<int64_t>, bool>, std::string> int64s_;
  std::map<double, std::string> scalars_;
  int nodes_ = 0;
};

/// Exports one dl op into `graph`, binding its results; failure (after op->emitError) when the op
/// or one of its attributes has no ONNX form.
using OpExporter = std::function<mlir::LogicalResult(mlir::Operation *, GraphBuilder &)>;

/// The table: dl op name ("dl.add") -> its exporter. One family a file under ops/.
const llvm::StringMap<OpExporter> &exporters();
void addElementwiseExporters(llvm::StringMap<OpExporter> &table);
void addStructureExporters(llvm::StringMap<OpExporter> &table);
void addRandomExporters(llvm::StringMap<OpExporter> &table);

/// ONNX's element type for an MLIR tensor type's element type (f32, i32, i1).
int32_t onnxElementType(mlir::Type elementType);

/// Sets `info` to the value `name` of tensor type `type` (element type and static shape).
void setValueInfo(onnx::ValueInfoProto *info, const std::string &name, mlir::Type type);

} // namespace dlc::exporter

#endif // DLC_EXPORTER_GRAPHBUILDER_H
