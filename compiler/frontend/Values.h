//===- Values.h - What a .dl expression evaluates to --------------*- C++ -*-===//
//
// The elaborator evaluates every expression to a Val: a compile-time number, bool, string or list; a
// tensor (an SSA value of the function being built); a function (a builtin, possibly with keyword
// arguments already bound: `leaky_relu(alpha = 0.2)` passed as an activation); a layer definition; or
// a layer instance with its parameters and sub-layers. Shapes are static, so every tensor's type is
// known the moment it is made.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_FRONTEND_VALUES_H
#define DLC_FRONTEND_VALUES_H

#include "compiler/frontend/AST.h"
#include "dl/ShapeRules.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dlc {

struct LayerInstance;
struct Val;
using NamedVal = std::pair<std::string, Val>;

struct Val {
  enum class Kind { None, Int, Float, Bool, String, Tensor, Function, Layer, Instance, List };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;                  ///< A string's contents, or a function's name.
  mlir::Value tensor;
  std::vector<NamedVal> bound;    ///< A function's keyword arguments bound so far.
  const ast::LayerDecl *layer = nullptr;
  std::shared_ptr<LayerInstance> instance;
  std::vector<Val> list;

  static Val integer(int64_t v);
  static Val number(double v);
  static Val boolean(bool v);
  static Val string(std::string v);
  static Val ofTensor(mlir::Value v);
  static Val function(std::string name, std::vector<NamedVal> bound = {});
  static Val ofLayer(const ast::LayerDecl *decl);
  static Val ofInstance(std::shared_ptr<LayerInstance> inst);
  static Val ofList(std::vector<Val> elements);

  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  bool isTensor() const { return kind == Kind::Tensor; }
  double asDouble() const { return kind == Kind::Int ? double(i) : f; }
  mlir::RankedTensorType tensorType() const {
    return llvm::cast<mlir::RankedTensorType>(tensor.getType());
  }
  /// How a message names this value: "an integer (3)", "a tensor f32[4, 8]", "function 'relu'".
  std::string describe() const;
};

/// Names visible at one point of a program: a chain of scopes ending at the globals.
class Scope {
public:
  explicit Scope(const Scope *parent = nullptr) : parent_(parent) {}
  void define(const std::string &name, Val value, SourceLoc loc) {
    values_[name] = std::move(value);
    locs_[name] = loc;
  }
  /// The value bound to `name` here or in an enclosing scope, or null.
  const Val *lookup(const std::string &name) const;
  /// Where `name` was bound in this scope itself (not the enclosing ones), if it was.
  const SourceLoc *definedHere(const std::string &name) const {
    auto it = locs_.find(name);
    return it == locs_.end() ? nullptr : &it->second;
  }
  /// Every visible name, for "did you mean" suggestions.
  void collectNames(std::vector<std::string> &out) const;

private:
  const Scope *parent_;
  std::map<std::string, Val> values_;
  std::map<std::string, SourceLoc> locs_;
};

/// One instance of a layer: `hidden = Dense(2, 8)` creates `hidden`, whose parameters are named
/// `hidden.W` and `hidden.b`. Its scope holds the layer's arguments, parameters and sub-layers.
struct LayerInstance {
  LayerInstance(std::string path, const ast::LayerDecl *decl, const Scope *globals)
      : path(std::move(path)), decl(decl), scope(globals) {}
  std::string path;
  const ast::LayerDecl *decl;
  Scope scope;
  std::vector<std::string> memberNames;  ///< In declaration order.
};

/// The language's spelling of a tensor type: f32[4, 8], i32[128], bool[4].
std::string describeType(mlir::Type type);

/// The language's spelling of an element type: f32, i32, bool.
std::string describeElement(mlir::Type element);

/// The shape of a ranked tensor type.
dl::shape::Shape shapeOf(mlir::Type type);

} // namespace dlc

#endif // DLC_FRONTEND_VALUES_H
