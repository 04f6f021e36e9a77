//===- Descriptor.cpp - The model descriptor, read and checked -------------===//
//
// parseDescriptor() walks the JSON of dl/model_abi.h once, with a message for each way it can be
// wrong that names the array element ("state[2] 'h1.W': ...") and the key, checks each
// initializer against the catalogue of runtime/rng/InitializerMath.h, then builds the C view
// (dl_model_info) over the parsed strings and shapes.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Descriptor.h"

#include "runtime/core/Json.h"
#include "runtime/rng/InitializerMath.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace dl::rt {
namespace {

using json::Kind;
using json::Value;

/// No tensor, block or offset may reach this many bytes (keeps every sum far from overflow).
constexpr int64_t kMaxBytes = int64_t(1) << 48;
/// Halide's extents and strides are int32.
constexpr int64_t kMaxBufferElements = INT32_MAX;

size_t alignUp64(size_t n) { return (n + 63) & ~size_t(63); }

/// "a string", "an array", ... for messages.
std::string withArticle(Kind kind) {
  bool vowel = kind == Kind::Array || kind == Kind::Object;
  return kind == Kind::Null ? "null" : std::string(vowel ? "an " : "a ") + json::kindName(kind);
}

/// Reads the keys of one JSON object, prefixing every message with `where`.
class ObjectReader {
public:
  ObjectReader(const Value &object, std::string where, std::string &error)
      : object_(object), where_(std::move(where)), error_(error) {}

  const std::string &where() const { return where_; }

  bool fail(const std::string &what) {
    error_ = where_ + ": " + what;
    return false;
  }

  const Value *member(const char *key, Kind kind) {
    const Value *v = object_.find(key);
    if (!v) {
      fail(std::string("missing key '") + key + "'");
      return nullptr;
    }
    if (v->kind != kind) {
      fail(std::string("'") + key + "' is " + withArticle(v->kind) + ", not " +
           withArticle(kind));
      return nullptr;
    }
    return v;
  }

  bool string(const char *key, std::string &out) {
    const Value *v = member(key, Kind::String);
    if (!v)
      return false;
    out = v->string;
    return true;
  }

  bool integer(const char *key, int64_t lo, int64_t hi, int64_t &out) {
    const Value *v = member(key, Kind::Number);
    if (!v)
      return false;
    if (!v->isInteger || v->integer < lo || v->integer > hi)
      return fail(std::string("'") + key + "' must be an integer in [" + std::to_string(lo) +
                  ", " + std::to_string(hi) + "]");
    out = v->integer;
    return true;
  }

  bool size(const char *key, size_t &out) {
    int64_t v;
    if (!integer(key, 0, kMaxBytes, v))
      return false;
    out = static_cast<size_t>(v);
    return true;
  }

  bool dtype(dl_dtype &out) {
    std::string name;
    if (!string("dtype", name))
      return false;
    if (name == "f32")
      out = DL_F32;
    else if (name == "i32")
      out = DL_I32;
    else if (name == "bool")
      out = DL_BOOL;
    else
      return fail("unknown dtype '" + name + "' (f32, i32 or bool)");
    return true;
  }

  /// Reads "shape" and returns its byte count for `dtype` in `bytes`.
  bool shape(dl_dtype dtype, std::vector<int64_t> &out, size_t &bytes) {
    const Value *v = member("shape", Kind::Array);
    if (!v)
      return false;
    out.clear();
    int64_t elements = 1;
    for (const Value &d : v->array) {
      if (d.kind != Kind::Number || !d.isInteger || d.integer < 0 || d.integer > kMaxBytes)
        return fail("'shape' holds something other than a non-negative integer");
      out.push_back(d.integer);
      if (__builtin_mul_overflow(elements, d.integer, &elements) || elements > kMaxBytes)
        return fail("the tensor is too large");
    }
    bytes = static_cast<size_t>(elements) * dtypeBytes(dtype);
    if (bytes > static_cast<size_t>(kMaxBytes))
      return fail("the tensor is too large");
    return true;
  }

  bool tensor(TensorSpec &out) {
    return string("name", out.name) && dtype(out.dtype) && shape(out.dtype, out.shape, out.bytes);
  }

private:
  const Value &object_;
  std::string where_;
  std::string &error_;
};

std::string describe(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Checks that `init` names an initializer of the catalogue (runtime/rng/InitializerMath.h),
/// carries the arguments it needs and suits `tensor`'s dtype and rank. False with `error` saying
/// what is wrong.
bool checkInitializer(const InitSpec &init, const TensorSpec &tensor, std::string &error) {
  const initializers::Initializer *entry = initializers::find(init.name);
  if (!entry) {
    error = "unknown initializer '" + init.name + "'";
    return false;
  }
  for (std::string_view name : entry->required)
    if (!init.args.count(std::string(name))) {
      error = "initializer '" + init.name + "' needs argument '" + std::string(name) + "'";
      return false;
    }
  if (initializers::drawsFloats(init.name) && tensor.dtype != DL_F32) {
    error = "initializer '" + init.name + "' draws floats, but the tensor is " +
            dl_dtype_name(tensor.dtype);
    return false;
  }
  if (init.name == "constant") {
    double v = init.args.at("value");
    if (tensor.dtype == DL_I32 && (v != std::trunc(v) || v < INT32_MIN || v > INT32_MAX)) {
      error = "constant " + std::to_string(v) + " is not an i32 value";
      return false;
    }
    if (tensor.dtype == DL_BOOL && v != 0.0 && v != 1.0) {
      error = "constant " + std::to_string(v) + " is not a bool value (0 or 1)";
      return false;
    }
  }
  if (init.name == "sinusoidal" && tensor.shape.size() != 2) {
    error = "sinusoidal needs a [positions, dim] table, not rank " +
            std::to_string(tensor.shape.size());
    return false;
  }
  return true;
}

/// The array at `key` of the root, each element an object.
const Value *objectArray(const Value &root, const char *key, std::string &error) {
  ObjectReader reader(root, "descriptor", error);
  const Value *array = reader.member(key, Kind::Array);
  if (!array)
    return nullptr;
  for (size_t i = 0; i < array->array.size(); ++i)
    if (array->array[i].kind != Kind::Object) {
      error = std::string("descriptor: ") + key + "[" + std::to_string(i) + "] is not an object";
      return nullptr;
    }
  return array;
}

bool parseState(const Value &root, ModelDescription &model, std::string &error) {
  const Value *states = objectArray(root, "state", error);
  if (!states)
    return false;
  std::set<std::string> names;
  bool seenBuffer = false;
  for (size_t i = 0; i < states->array.size(); ++i) {
    const Value &object = states->array[i];
    StateSpec state;
    const Value *nameValue = object.find("name");
    std::string where = "state[" + std::to_string(i) + "]";
    if (nameValue && nameValue->kind == Kind::String)
      where += " '" + nameValue->string + "'";
    ObjectReader r(object, where, error);
    std::string kind;
    int64_t stream;
    if (!r.tensor(state.tensor) || !r.string("kind", kind) || !r.size("offset", state.offset) ||
        !r.string("init", state.init.name) || !r.integer("init_stream", 0, UINT32_MAX, stream))
      return false;
    state.init.stream = static_cast<uint32_t>(stream);
    if (state.tensor.name.empty())
      return r.fail("empty name");
    if (!names.insert(state.tensor.name).second)
      return r.fail("a second state tensor of this name");
    if (kind == "param")
      state.role = StateRole::Param;
    else if (kind == "buffer")
      state.role = StateRole::Buffer;
    else if (kind == "optimizer")
      state.role = StateRole::Optimizer;
    else if (kind == "gradient")
      state.role = StateRole::Gradient;
    else
      return r.fail("kind '" + kind + "' is not 'param', 'buffer', 'optimizer' or 'gradient'");
    state.isParam = kind == "param";
    if (state.isParam && seenBuffer)
      return r.fail("a param after a buffer (params come first)");
    seenBuffer |= !state.isParam;
    size_t bytes;
    if (!r.size("bytes", bytes))
      return false;
    if (bytes != state.tensor.bytes)
      return r.fail("'bytes' is " + std::to_string(bytes) + ", but " +
                    dl_dtype_name(state.tensor.dtype) + describe(state.tensor.shape) + " takes " +
                    std::to_string(state.tensor.bytes));
    if (state.offset % 64 != 0)
      return r.fail("'offset' " + std::to_string(state.offset) + " is not a multiple of 64");
    const Value *args = r.member("init_args", Kind::Object);
    if (!args)
      return false;
    for (const auto &[key, value] : args->object) {
      if (value.kind != Kind::Number)
        return r.fail("init_args '" + key + "' is not a number");
      state.init.args[key] = value.number;
    }
    std::string why;
    if (!checkInitializer(state.init, state.tensor, why))
      return r.fail(why);
    model.states.push_back(std::move(state));
  }

  // The state block: tensors must not overlap.
  std::vector<const StateSpec *> byOffset;
  for (const StateSpec &s : model.states)
    byOffset.push_back(&s);
  std::sort(byOffset.begin(), byOffset.end(),
            [](const StateSpec *a, const StateSpec *b) { return a->offset < b->offset; });
  size_t end = 0;
  const StateSpec *previous = nullptr;
  for (const StateSpec *s : byOffset) {
    if (previous && s->offset < end && s->tensor.bytes > 0) {
      error = "descriptor: state '" + s->tensor.name + "' at offset " + std::to_string(s->offset) +
              " overlaps '" + previous->tensor.name + "'";
      return false;
    }
    if (s->tensor.bytes > 0) {
      end = std::max(end, s->offset + s->tensor.bytes);
      previous = s;
    }
  }
  model.stateBlockBytes = alignUp64(end);
  return true;
}

/// The optional keys of a training entry: "step", "accumulate", "split", "grad_offset",
/// "grad_bytes".
bool parseGradientArea(const Value &object, ObjectReader &r, EntrySpec &entry) {
  if (object.find("step") && !r.string("step", entry.step))
    return false;
  if (object.find("accumulate") && !r.integer("accumulate", 1, 65536, entry.accumulate))
    return false;
  if (object.find("split")) {
    const Value *split = r.member("split", Kind::Bool);
    if (!split)
      return false;
    entry.split = split->boolean;
  }
  if (object.find("grad_offset") && !r.size("grad_offset", entry.gradOffset))
    return false;
  if (object.find("grad_bytes") && !r.size("grad_bytes", entry.gradBytes))
    return false;
  bool training = entry.kind == DL_ENTRY_TRAIN || entry.kind == DL_ENTRY_GRAD ||
                  entry.kind == DL_ENTRY_APPLY;
  if (!training && (!entry.step.empty() || entry.gradBytes != 0))
    return r.fail("a " + std::string(entry.kind == DL_ENTRY_EVAL ? "eval" : "forward") +
                  " entry has a training step or gradient area");
  if (entry.kind != DL_ENTRY_TRAIN && training && (entry.step.empty() || entry.gradBytes == 0))
    return r.fail("a grad or apply entry without its step and gradient area");
  if (entry.split && (entry.kind != DL_ENTRY_TRAIN || entry.gradBytes == 0))
    return r.fail("a split entry that is no train entry with a gradient area");
  if (entry.gradOffset % 64 != 0 || entry.gradBytes % 64 != 0)
    return r.fail("the gradient area (offset " + std::to_string(entry.gradOffset) + ", " +
                  std::to_string(entry.gradBytes) + " bytes) is not 64-byte aligned");
  if (entry.gradBytes != 0 && entry.gradBytes < 128)
    return r.fail("the gradient area of " + std::to_string(entry.gradBytes) +
                  " bytes has no room for its count and loss");
  return true;
}

/// Pairs every train entry with the grad and apply entries of its step, which must share its
/// gradient area (and the grad entry its inputs), inside the state block.
bool linkTrainingEntries(ModelDescription &model, std::string &error) {
  auto fail = [&](const EntrySpec &e, const std::string &what) {
    error = "descriptor: entry '" + e.name + "': " + what;
    return false;
  };
  for (EntrySpec &e : model.entries) {
    if (e.gradBytes == 0)
      continue;
    if (e.gradOffset + e.gradBytes > model.stateBlockBytes)
      return fail(e, "its gradient area ends at byte " + std::to_string(e.gradOffset + e.gradBytes) +
                         ", past the state block's " + std::to_string(model.stateBlockBytes));
    if (e.kind != DL_ENTRY_TRAIN)
      continue;
    for (size_t j = 0; j < model.entries.size(); ++j) {
      const EntrySpec &other = model.entries[j];
      if (other.step != e.step || other.kind == DL_ENTRY_TRAIN)
        continue;
      if (other.gradOffset != e.gradOffset || other.gradBytes != e.gradBytes)
        return fail(other, "its gradient area differs from that of '" + e.name + "'");
      (other.kind == DL_ENTRY_GRAD ? e.gradEntry : e.applyEntry) = static_cast<int>(j);
    }
    if (e.gradEntry < 0 || e.applyEntry < 0)
      return fail(e, "its step '" + e.step + "' lacks a grad or apply entry");
    const EntrySpec &grad = model.entries[e.gradEntry], &apply = model.entries[e.applyEntry];
    bool sameInputs = grad.inputs.size() == e.inputs.size();
    for (size_t i = 0; sameInputs && i < e.inputs.size(); ++i)
      sameInputs = grad.inputs[i].dtype == e.inputs[i].dtype &&
                   grad.inputs[i].bytes == e.inputs[i].bytes;
    if (!sameInputs || grad.outputs.size() != 1 || e.outputs.size() != 1 ||
        !apply.inputs.empty() || apply.outputs.size() != 1)
      return fail(e, "its grad and apply entries do not take its inputs and return its loss");
  }
  return true;
}

bool parseEntries(const Value &root, ModelDescription &model, std::string &error) {
  const Value *entries = objectArray(root, "entries", error);
  if (!entries)
    return false;
  std::set<std::string> names;
  for (size_t i = 0; i < entries->array.size(); ++i) {
    const Value &object = entries->array[i];
    EntrySpec entry;
    ObjectReader r(object, "entries[" + std::to_string(i) + "]", error);
    std::string kind;
    if (!r.string("name", entry.name) || !r.string("kind", kind))
      return false;
    ObjectReader named(object, r.where() + " '" + entry.name + "'", error);
    if (entry.name.empty())
      return named.fail("empty name");
    if (!names.insert(entry.name).second)
      return named.fail("a second entry of this name");
    if (kind == "forward")
      entry.kind = DL_ENTRY_FORWARD;
    else if (kind == "eval")
      entry.kind = DL_ENTRY_EVAL;
    else if (kind == "train")
      entry.kind = DL_ENTRY_TRAIN;
    else if (kind == "grad")
      entry.kind = DL_ENTRY_GRAD;
    else if (kind == "apply")
      entry.kind = DL_ENTRY_APPLY;
    else
      return named.fail("kind '" + kind + "' is not 'forward', 'eval', 'train', 'grad' or 'apply'");
    if (!parseGradientArea(object, named, entry))
      return false;
    for (const char *key : {"inputs", "outputs"}) {
      const Value *list = named.member(key, Kind::Array);
      if (!list)
        return false;
      auto &tensors = std::string(key) == "inputs" ? entry.inputs : entry.outputs;
      for (size_t t = 0; t < list->array.size(); ++t) {
        std::string where = named.where() + " " + key + "[" + std::to_string(t) + "]";
        if (list->array[t].kind != Kind::Object)
          return named.fail(std::string(key) + "[" + std::to_string(t) + "] is not an object");
        TensorSpec tensor;
        ObjectReader tr(list->array[t], where, error);
        if (!tr.tensor(tensor))
          return false;
        tensors.push_back(std::move(tensor));
      }
    }
    model.entries.push_back(std::move(entry));
  }
  return true;
}

bool parseBuffers(const Value &root, ModelDescription &model, std::string &error) {
  const Value *buffers = objectArray(root, "buffers", error);
  if (!buffers)
    return false;
  for (size_t i = 0; i < buffers->array.size(); ++i) {
    BufferSpec buffer;
    ObjectReader r(buffers->array[i], "buffers[" + std::to_string(i) + "]", error);
    std::string kind;
    if (!r.string("kind", kind) || !r.dtype(buffer.dtype) ||
        !r.shape(buffer.dtype, buffer.shape, buffer.bytes))
      return false;
    if (buffer.bytes / dtypeBytes(buffer.dtype) > static_cast<size_t>(kMaxBufferElements))
      return r.fail("more elements than a Halide buffer can index");
    if (kind == "arena" || kind == "state") {
      bool arena = kind == "arena";
      buffer.kind = arena ? BufferKind::Arena : BufferKind::State;
      if (!r.size("offset", buffer.offset))
        return false;
      if (buffer.offset % 64 != 0)
        return r.fail("'offset' " + std::to_string(buffer.offset) + " is not a multiple of 64");
      size_t limit = arena ? model.workspaceBytes : model.stateBlockBytes;
      if (buffer.offset + buffer.bytes > limit)
        return r.fail(std::string("bytes [") + std::to_string(buffer.offset) + ", " +
                      std::to_string(buffer.offset + buffer.bytes) + ") lie outside the " +
                      (arena ? "workspace" : "state block") + " of " + std::to_string(limit) +
                      " bytes");
    } else if (kind == "input" || kind == "output") {
      bool input = kind == "input";
      buffer.kind = input ? BufferKind::Input : BufferKind::Output;
      int64_t entry, index;
      if (!r.integer("entry", 0, INT32_MAX, entry) || !r.integer("index", 0, INT32_MAX, index))
        return false;
      if (entry >= static_cast<int64_t>(model.entries.size()))
        return r.fail("entry " + std::to_string(entry) + " does not exist");
      const EntrySpec &e = model.entries[entry];
      const auto &tensors = input ? e.inputs : e.outputs;
      if (index >= static_cast<int64_t>(tensors.size()))
        return r.fail("entry '" + e.name + "' has no " + kind + " " + std::to_string(index));
      const TensorSpec &t = tensors[index];
      if (t.dtype != buffer.dtype || t.bytes != buffer.bytes)
        return r.fail(std::string(dl_dtype_name(buffer.dtype)) + describe(buffer.shape) +
                      " does not match " + kind + " '" + t.name + "' of entry '" + e.name +
                      "', " + dl_dtype_name(t.dtype) + describe(t.shape));
      buffer.entry = static_cast<int>(entry);
      buffer.index = static_cast<int>(index);
    } else if (kind == "view") {
      buffer.kind = BufferKind::View;
      int64_t parent, offset, stride, steps;
      if (!r.integer("parent", 0, INT32_MAX, parent) || !r.integer("offset", 0, INT64_MAX, offset) ||
          !r.integer("stride", INT64_MIN, INT64_MAX, stride) ||
          !r.integer("steps", 1, INT32_MAX, steps))
        return false;
      if (parent >= static_cast<int64_t>(i) || model.buffers[parent].kind == BufferKind::View)
        return r.fail("'parent' " + std::to_string(parent) +
                      " is not an earlier buffer that is not a view");
      // Every step's window lies inside the parent (the parent's bytes bound every term, so the
      // arithmetic cannot overflow once each is checked).
      int64_t parentBytes = static_cast<int64_t>(model.buffers[parent].bytes);
      int64_t bytes = static_cast<int64_t>(buffer.bytes);
      bool inside = offset <= parentBytes && bytes <= parentBytes - offset;
      if (inside && steps > 1) {
        int64_t span = parentBytes / (steps - 1) + 1;
        int64_t last = stride > -span && stride < span ? offset + stride * (steps - 1) : -1;
        inside = last >= 0 && last <= parentBytes - bytes;
      }
      if (!inside)
        return r.fail("its " + std::to_string(steps) + " windows of " + std::to_string(bytes) +
                      " bytes at " + std::to_string(offset) + " + " + std::to_string(stride) +
                      "*t leave parent " + std::to_string(parent) + " of " +
                      std::to_string(parentBytes) + " bytes");
      buffer.parent = static_cast<int>(parent);
      buffer.offset = static_cast<size_t>(offset);
      buffer.stride = stride;
      buffer.steps = steps;
    } else {
      return r.fail("kind '" + kind + "' is not 'arena', 'state', 'input', 'output' or 'view'");
    }
    model.buffers.push_back(std::move(buffer));
  }
  return true;
}

dl_tensor_info viewOf(const TensorSpec &t) {
  dl_tensor_info info{};
  info.name = t.name.c_str();
  info.dtype = t.dtype;
  info.rank = static_cast<int>(t.shape.size());
  info.shape = t.shape.data();
  info.bytes = t.bytes;
  return info;
}

} // namespace

size_t dtypeBytes(dl_dtype dtype) { return dtype == DL_BOOL ? 1 : 4; }

const StateSpec *ModelDescription::findState(const std::string &name) const {
  for (const StateSpec &s : states)
    if (s.tensor.name == name)
      return &s;
  return nullptr;
}

size_t ModelDescription::stateIndexOf(const dl_tensor_info *tensor) const {
  return static_cast<size_t>(tensor - stateInfos_.data());
}

const dl_tensor_info &ModelDescription::stateInfo(size_t stateIndex) const {
  return stateInfos_[stateIndex];
}

void ModelDescription::buildView() {
  // Params and buffers are consecutive in `states`, so one array serves as both C lists.
  stateInfos_.clear();
  size_t numParams = 0;
  for (const StateSpec &s : states) {
    stateInfos_.push_back(viewOf(s.tensor));
    numParams += s.isParam;
  }
  entryTensorInfos_.assign(entries.size() * 2, {});
  entryInfos_.clear();
  for (size_t e = 0; e < entries.size(); ++e) {
    for (const TensorSpec &t : entries[e].inputs)
      entryTensorInfos_[2 * e].push_back(viewOf(t));
    for (const TensorSpec &t : entries[e].outputs)
      entryTensorInfos_[2 * e + 1].push_back(viewOf(t));
    dl_entry_info info{};
    info.name = entries[e].name.c_str();
    info.kind = entries[e].kind;
    info.n_inputs = static_cast<int>(entries[e].inputs.size());
    info.inputs = entryTensorInfos_[2 * e].data();
    info.n_outputs = static_cast<int>(entries[e].outputs.size());
    info.outputs = entryTensorInfos_[2 * e + 1].data();
    info.grad_offset = entries[e].gradOffset;
    info.grad_bytes = entries[e].gradBytes;
    entryInfos_.push_back(info);
  }
  info = dl_model_info{};
  info.name = name.c_str();
  info.target = target.c_str();
  info.n_entries = static_cast<int>(entryInfos_.size());
  info.entries = entryInfos_.data();
  info.n_params = static_cast<int>(numParams);
  info.params = stateInfos_.data();
  info.n_buffers = static_cast<int>(states.size() - numParams);
  info.buffers = stateInfos_.data() + numParams;
  info.param_bytes = paramBytes;
  info.state_bytes = stateBytes;
  info.workspace_bytes = workspaceBytes;
}

std::unique_ptr<ModelDescription> parseDescriptor(const char *text, std::string &error) {
  if (!text) {
    error = "the model has no descriptor";
    return nullptr;
  }
  Value root;
  std::string why;
  if (!json::parse(text, root, why)) {
    error = "the model descriptor is not valid JSON: " + why;
    return nullptr;
  }
  if (root.kind != Kind::Object) {
    error = "the model descriptor is not a JSON object";
    return nullptr;
  }
  auto model = std::make_unique<ModelDescription>();
  ObjectReader r(root, "descriptor", error);
  std::string format;
  int64_t version;
  if (!r.string("format", format))
    return nullptr;
  if (format != "dlc-model") {
    r.fail("format '" + format + "' is not 'dlc-model'");
    return nullptr;
  }
  if (!r.integer("version", 0, INT32_MAX, version))
    return nullptr;
  if (version != 1) {
    r.fail("version " + std::to_string(version) + " (this runtime reads version 1)");
    return nullptr;
  }
  if (!r.string("name", model->name) || !r.string("target", model->target) ||
      !r.size("param_bytes", model->paramBytes) || !r.size("state_bytes", model->stateBytes) ||
      !r.size("workspace_bytes", model->workspaceBytes))
    return nullptr;
  if (model->target != "cpu" && model->target != "cuda" && model->target != "cpu,cuda") {
    r.fail("target '" + model->target + "' is not 'cpu', 'cuda' or 'cpu,cuda'");
    return nullptr;
  }
  if (!parseState(root, *model, error) || !parseEntries(root, *model, error) ||
      !linkTrainingEntries(*model, error) || !parseBuffers(root, *model, error))
    return nullptr;
  model->buildView();
  return model;
}

} // namespace dl::rt
