//===- Program.h - The .dl program the importer writes -------------*- C++ -*-===//
//
// Collects what the importer decides — inputs, layer instances, model-level parameters and buffers,
// one statement per value, outputs, a train block — and renders it as readable .dl text, with the
// tensors of every parameter and buffer under the names checkpoints give them (`fc1.W` for a layer's,
// the bare name for the model's own). Names are made from the ONNX names, as .dl identifiers, unique,
// and never a keyword, builtin or built-in layer.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_PROGRAM_H
#define DLC_IMPORTER_PROGRAM_H

#include "compiler/importer/Tensor.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dlc::importer {

/// A tensor of the weights file: a parameter or buffer's checkpoint name and its values.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

class Program {
public:
  /// `reserved` answers whether a name is taken by the language (a builtin, a built-in layer).
  explicit Program(std::function<bool(const std::string &)> reserved);

  /// A fresh identifier made from `hint` (an ONNX name: "/fc1/Gemm_output_0" gives
  /// "fc1_Gemm_output_0", "onnx::Relu_7" gives "Relu_7").
  std::string freshName(const std::string &hint);

  void addInput(const std::string &name, DType dtype, const Shape &shape);

  /// Declares `instance = call` (call: "Dense(784, 256, act = relu)") and records each weight as
  /// `instance.param`. Returns the instance's name, made from `hint`.
  std::string addLayer(const std::string &hint, const std::string &call,
                       std::vector<std::pair<std::string, Tensor>> weights);

  /// Declares a model-level `param` (trainable) or `buffer` holding `tensor`; returns its name.
  std::string addState(const std::string &hint, const Tensor &tensor, bool buffer);

  /// A statement of the model body: `lhs = rhs` (lhs may be "output y" or "a, b").
  void addStatement(const std::string &lhs, const std::string &rhs);
  /// Removes the statement `lhs = ...` (a value its one reader no longer reads); false if none.
  bool dropStatement(const std::string &lhs);

  /// A line of the comment block above the model.
  void addNote(const std::string &note) { notes_.push_back(note); }

  /// A line of the model body after the outputs (a loss), and the train block.
  void addTail(const std::string &line) { tail_.push_back(line); }
  void setTrainBlock(const std::string &block) { train_ = block; }

  /// The .dl text of model `name`.
  std::string render(const std::string &name) const;

  const std::vector<NamedTensor> &tensors() const { return tensors_; }
  /// The layer instances and model-level parameters, in declaration order (what `params` lists).
  const std::vector<std::string> &trainables() const { return trainables_; }

private:
  std::function<bool(const std::string &)> reserved_;
  std::set<std::string> taken_;
  std::vector<std::string> notes_, inputs_, declarations_, statements_, tail_;
  std::string train_;
  std::vector<NamedTensor> tensors_;
  std::vector<std::string> trainables_;
};

/// `text` as a .dl identifier: letters, digits and '_', not starting with a digit.
std::string sanitizeName(const std::string &text);

/// "f32[4, 784]".
std::string formatType(DType dtype, const Shape &shape);

} // namespace dlc::importer

#endif // DLC_IMPORTER_PROGRAM_H
