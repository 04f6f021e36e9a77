//===- Program.cpp - The .dl program the importer writes ------------------===//
#include "compiler/importer/Program.h"

#include <cctype>

namespace dlc::importer {

namespace {

/// Words a .dl program cannot use as a value name: keywords and declaration words.
const std::set<std::string> &languageWords() {
  static const std::set<std::string> words = {
      "const", "layer",  "model", "train", "import", "return", "scan", "true", "false", "input",
      "output", "param", "buffer", "loss", "apply", "emit",  "carry", "along", "in",   "assert",
      "zeros", "ones",   "all",   "B"};
  return words;
}

} // namespace

std::string sanitizeName(const std::string &text) {
  std::string s = text;
  if (s.rfind("onnx::", 0) == 0)
    s = s.substr(6);
  // PyTorch names node outputs "/scope/Op_output_0": keep "scope/Op".
  size_t suffix = s.rfind("_output_0");
  if (suffix != std::string::npos && suffix + 9 == s.size() && suffix > 0)
    s = s.substr(0, suffix);
  std::string out;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (ok)
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.empty())
    out = "v";
  if (std::isdigit(static_cast<unsigned char>(out[0])))
    out = "v" + out;
  return out;
}

std::string formatType(DType dtype, const Shape &shape) {
  return std::string(dtype == DType::F32 ? "f32" : dtype == DType::Bool ? "bool" : "i32") + formatShape(shape);
}

Program::Program(std::function<bool(const std::string &)> reserved) : reserved_(std::move(reserved)) {}

std::string Program::freshName(const std::string &hint) {
  std::string base = sanitizeName(hint);
  auto free = [&](const std::string &name) {
    return !taken_.count(name) && !languageWords().count(name) && !(reserved_ && reserved_(name));
  };
  std::string name = base;
  for (int i = 1; !free(name); ++i)
    name = base + "_" + std::to_string(i);
  taken_.insert(name);
  return name;
}

void Program::addInput(const std::string &name, DType dtype, const Shape &shape) {
  inputs_.push_back("input " + name + ": " + formatType(dtype, shape));
}

std::string Program::addLayer(const std::string &hint, const std::string &call,
                              std::vector<std::pair<std::string, Tensor>> weights) {
  std::string name = freshName(hint);
  declarations_.push_back(name + " = " + call);
  trainables_.push_back(name);
  for (auto &[param, tensor] : weights)
    tensors_.push_back({name + "." + param, std::move(tensor)});
  return name;
}

std::string Program::addState(const std::string &hint, const Tensor &tensor, bool buffer) {
  std::string name = freshName(hint);
  declarations_.push_back(std::string(buffer ? "buffer " : "param ") + name + ": " +
                          formatShape(tensor.shape) + " = zeros");
  if (!buffer)
    trainables_.push_back(name);
  Tensor stored = tensor;
  stored.dtype = DType::F32;
  tensors_.push_back({name, std::move(stored)});
  return name;
}

void Program::addStatement(const std::string &lhs, const std::string &rhs) {
  statements_.push_back(lhs + " = " + rhs);
}

bool Program::dropStatement(const std::string &lhs) {
  for (auto it = statements_.begin(); it != statements_.end(); ++it)
    if (it->compare(0, lhs.size() + 3, lhs + " = ") == 0) {
      statements_.erase(it);
      return true;
    }
  return false;
}

std::string Program::render(const std::string &name) const {
  std::string text;
  for (const std::string &note : notes_)
    text += "# " + note + "\n";
  text += "\nmodel " + name + " {\n";
  auto block = [&](const std::vector<std::string> &lines) {
    if (lines.empty())
      return;
    for (const std::string &line : lines)
      text += "  " + line + "\n";
    text += "\n";
  };
  block(inputs_);
  block(declarations_);
  block(statements_);
  block(tail_);
  if (text.size() >= 2 && text[text.size() - 2] == '\n')
    text.pop_back();
  text += "}\n";
  if (!train_.empty())
    text += "\n" + train_;
  return text;
}

} // namespace dlc::importer
