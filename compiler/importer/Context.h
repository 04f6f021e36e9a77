//===- Context.h - What an ONNX op's translator sees ---------------*- C++ -*-===//
//
// The importer translates a graph node by node, in ONNX's topological order, through a table of
// translators keyed by op type (translators/, one file per op family). A translator reads the
// node's inputs (Values: a .dl expression of known type and shape, or a tensor known at import
// time), its attributes (each read one is marked, and an attribute nobody read is an error naming
// it), and defines the node's outputs: as a .dl statement, or as a folded constant. A translator
// that recognises a layer (Gemm as Dense, Conv as Conv2d) declares the instance with its weights,
// and may absorb the node after it (the Add of a MatMul's bias, the Relu after a Gemm).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_CONTEXT_H
#define DLC_IMPORTER_CONTEXT_H

#include "compiler/importer/OnnxLoad.h"
#include "compiler/importer/Program.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dlc::importer {

/// A value of the graph.
struct Value {
  DType dtype = DType::F32;
  Shape shape;
  std::optional<Tensor> known;  ///< Its values, when known at import time.
  std::string expr;             ///< A .dl name (or literal) for it, once it has one.
  std::string initializer;      ///< The ONNX initializer it is, if any.
  /// The initializer it is or was folded from (by Transpose, Reshape, Identity...): a weight, so
  /// a parameter when a builtin uses it, and what names the layer it goes to.
  std::string origin;
  std::string onnxName;
  bool emittedAsOutput = false; ///< Its statement is an `output` line.
  /// A .dl name for this value with dimensions 0 and 1 swapped, when a translator made it so (a
  /// recurrent layer's time-major Y read batch-first by the next layer).
  std::string transposed;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

class Graph;

class Context {
public:
  Context(Graph &graph, const onnx::NodeProto &node, int index);

  const onnx::NodeProto &node() const { return node_; }
  int64_t opset() const;

  // --- Inputs ---
  /// Whether input `i` is given (ONNX leaves optional inputs out or names them "").
  bool has(int i) const;
  int numInputs() const { return node_.input_size(); }
  const Value &input(int i) const;
  /// Input `i`'s values, which must be known at import time (`what` names it in the error).
  const Tensor &known(int i, const std::string &what) const;
  bool isKnown(int i) const { return has(i) && input(i).known.has_value(); }
  /// Whether every given input is known: the node can be folded.
  bool allKnown() const;
  /// A .dl operand for input `i`: its name; a literal for a one-element known f32 tensor whose
  /// rank is at most `resultRank` (so broadcasting is unchanged; -1: never a literal); else the
  /// known tensor as a parameter (an initializer) or buffer (a constant).
  std::string operand(int i, int64_t resultRank = -1);
  /// As operand(i), for a known tensor that is no input (a weight made by the translator).
  std::string stateFor(const Tensor &tensor, const std::string &hint, bool buffer);

  // --- Attributes ---
  bool hasAttr(const std::string &name) const;
  int64_t intAttr(const std::string &name, int64_t fallback);
  double floatAttr(const std::string &name, double fallback);
  std::string stringAttr(const std::string &name, const std::string &fallback);
  std::vector<int64_t> intsAttr(const std::string &name, std::vector<int64_t> fallback);
  const onnx::AttributeProto *attr(const std::string &name);
  /// Marks `name` read without a value check (an attribute with no effect on the result).
  void ignoreAttr(const std::string &name) { read_.insert(name); }

  // --- Errors ---
  /// Throws "<node> (<op>): <message>".
  [[noreturn]] void fail(const std::string &message) const;
  /// Throws: attribute `name` = `value` is not something dlc can express, because `why`.
  [[noreturn]] void unsupported(const std::string &name, const std::string &value,
                                const std::string &why) const;
  /// Fails unless input `i` is f32 (`what` names it).
  void requireFloat(int i, const std::string &what) const;

  // --- Outputs ---
  int numOutputs() const { return node_.output_size(); }
  /// Whether output `i` is named and used (by a node or as a graph output).
  bool outputUsed(int i) const;
  /// Defines output `i` by the statement `<name> = expr`.
  void define(int i, const std::string &expr, DType dtype, const Shape &shape);
  /// Defines outputs by one statement `a, b, c = expr` (each of `shapes`).
  void defineAll(const std::string &expr, DType dtype, const std::vector<Shape> &shapes);
  /// As above, each output of its own element type (TopK's values and indices).
  void defineAll(const std::string &expr, const std::vector<DType> &dtypes,
                 const std::vector<Shape> &shapes);
  /// Output `i` is known: folded at import time, nothing emitted; `origin` is the initializer it
  /// was folded from, when it is a weight rearranged (Value::origin).
  void defineKnown(int i, Tensor tensor, const std::string &origin = "");
  /// Output `i` is input `j` (Identity, inference-mode Dropout).
  void alias(int i, int j);

  // --- Layers and fusion ---
  Program &program();
  /// The one node reading output `i`, when output `i` is no graph output and has one reader.
  const onnx::NodeProto *soleConsumer(int i) const;
  /// The one node reading value `name`, when it is no graph output and has one reader.
  const onnx::NodeProto *soleConsumerOf(const std::string &name) const;
  /// Marks `consumer` translated without defining anything (a node folded into a layer whose
  /// result another absorbed node defines).
  void markAbsorbed(const onnx::NodeProto &consumer);
  /// Marks `consumer` (a node after this one) translated, and defines its output 0 as
  /// `<name> = expr`, <name> from `hint` where given (unless it is a graph output, which keeps its
  /// ONNX name). The caller has checked that it may.
  void absorb(const onnx::NodeProto &consumer, const std::string &expr, DType dtype, const Shape &shape,
              const std::string &hint = "");
  /// The Value of `name` when it is already known to the graph (an input of `consumer`).
  const Value *valueNamed(const std::string &name) const;
  /// The values of `name` when it is known already or made by a Constant node with a `value`
  /// (one later in the graph, which a consumer of this node's output may read); else nullopt.
  std::optional<Tensor> constantNamed(const std::string &name) const;
  /// Whether value `name` is an output of the graph.
  bool isGraphOutput(const std::string &name) const;
  /// Records `transposed` (Value::transposed) for value `name`.
  void setTransposed(const std::string &name, const std::string &transposed);
  /// The nodes reading value `name`, in graph order.
  std::vector<const onnx::NodeProto *> readersOf(const std::string &name) const;
  /// The node making input `i`, or null (a graph input or initializer).
  const onnx::NodeProto *producerOf(int i) const;
  /// Removes the statement that defines value `name` (no graph output) when a translator reads
  /// what it was made from instead (a Transpose pair that cancels); false if there is none.
  bool dropStatementOf(const std::string &name);
  /// A name hint for a layer instance from its weight's initializer ("fc1.weight" gives "fc1").
  std::string layerHint(int weightInput) const;

  /// Fails for every attribute of the node no translator read.
  void checkAttributesRead() const;

private:
  void bind(const std::string &onnxName, const std::string &expr, DType dtype, const Shape &shape,
            const std::string &hint = "");

  Graph &graph_;
  const onnx::NodeProto &node_;
  int index_;
  std::set<std::string> read_;
};

using Translator = std::function<void(Context &)>;
using TranslatorTable = std::map<std::string, Translator>;

/// One function per op family (translators/<Family>.cpp).
void registerElementwiseTranslators(TranslatorTable &table);
void registerLinalgTranslators(TranslatorTable &table);
void registerConvTranslators(TranslatorTable &table);
void registerResizeTranslators(TranslatorTable &table);
void registerNormalizationTranslators(TranslatorTable &table);
void registerRecurrentTranslators(TranslatorTable &table);
void registerReductionTranslators(TranslatorTable &table);
void registerLossTranslators(TranslatorTable &table);
void registerShapeTranslators(TranslatorTable &table);

/// Every translator.
const TranslatorTable &translators();

/// NumPy broadcasting of two shapes; throws through `ctx` when they do not broadcast.
Shape broadcastShapes(const Context &ctx, const Shape &a, const Shape &b);

/// `axis` in [-rank, rank) made non-negative; fails through `ctx` otherwise.
int64_t normalizeAxis(const Context &ctx, int64_t axis, int64_t rank, const std::string &what);

/// "[1, 2]" for ints; a single integer when `collapse` and all equal.
std::string formatInts(const std::vector<int64_t> &values, bool collapse = false);

} // namespace dlc::importer

#endif // DLC_IMPORTER_CONTEXT_H
