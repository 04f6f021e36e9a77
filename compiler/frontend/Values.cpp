//===- Values.cpp - What a .dl expression evaluates to --------------------===//
#include "compiler/frontend/Values.h"

#include <sstream>

namespace dlc {

Val Val::integer(int64_t v) { Val r; r.kind = Kind::Int; r.i = v; return r; }
Val Val::number(double v) { Val r; r.kind = Kind::Float; r.f = v; return r; }
Val Val::boolean(bool v) { Val r; r.kind = Kind::Bool; r.b = v; return r; }
Val Val::string(std::string v) { Val r; r.kind = Kind::String; r.s = std::move(v); return r; }
Val Val::ofTensor(mlir::Value v) { Val r; r.kind = Kind::Tensor; r.tensor = v; return r; }
Val Val::function(std::string name, std::vector<NamedVal> bound) {
  Val r;
  r.kind = Kind::Function;
  r.s = std::move(name);
  r.bound = std::move(bound);
  return r;
}
Val Val::ofLayer(const ast::LayerDecl *decl) { Val r; r.kind = Kind::Layer; r.layer = decl; return r; }
Val Val::ofInstance(std::shared_ptr<LayerInstance> inst) {
  Val r;
  r.kind = Kind::Instance;
  r.instance = std::move(inst);
  return r;
}
Val Val::ofList(std::vector<Val> elements) {
  Val r;
  r.kind = Kind::List;
  r.list = std::move(elements);
  return r;
}

dl::shape::Shape shapeOf(mlir::Type type) {
  auto t = llvm::cast<mlir::RankedTensorType>(type);
  return dl::shape::Shape(t.getShape().begin(), t.getShape().end());
}

std::string describeElement(mlir::Type e) {
  return e.isF32() ? "f32" : e.isF64() ? "f64" : e.isF16() ? "f16" : e.isBF16() ? "bf16"
         : e.isInteger(1) ? "bool" : e.isInteger(32) ? "i32" : "?";
}

std::string describeType(mlir::Type type) {
  auto t = llvm::cast<mlir::RankedTensorType>(type);
  return dl::shape::format(shapeOf(type), describeElement(t.getElementType()));
}

std::string Val::describe() const {
  std::ostringstream os;
  switch (kind) {
  case Kind::None: return "nothing";
  case Kind::Int: return "an integer (" + std::to_string(i) + ")";
  case Kind::Float: os << "a number (" << f << ")"; return os.str();
  case Kind::Bool: return b ? "true" : "false";
  case Kind::String: return "a string";
  case Kind::Tensor: return "a tensor " + describeType(tensor.getType());
  case Kind::Function: return "function '" + s + "'";
  case Kind::Layer: return "layer '" + layer->name + "'";
  case Kind::Instance: return "layer instance '" + instance->path + "'";
  case Kind::List: return "a list of " + std::to_string(list.size());
  }
  return "a value";
}

const Val *Scope::lookup(const std::string &name) const {
  for (const Scope *s = this; s; s = s->parent_) {
    auto it = s->values_.find(name);
    if (it != s->values_.end())
      return &it->second;
  }
  return nullptr;
}

void Scope::collectNames(std::vector<std::string> &out) const {
  for (const Scope *s = this; s; s = s->parent_)
    for (const auto &[name, value] : s->values_)
      out.push_back(name);
}

} // namespace dlc
