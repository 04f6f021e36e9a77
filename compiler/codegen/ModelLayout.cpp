//===- ModelLayout.cpp - A planned model as the runtime will see it ----------===//
#include "compiler/codegen/ModelLayout.h"
#include "compiler/codegen/KernelExtraction.h"
#include "compiler/codegen/KernelSharing.h"

#include "runtime/rng/Philox.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <functional>
#include <iomanip>
#include <sstream>

using namespace mlir;
using namespace mlir::dl;

namespace dl::codegen {
namespace {

/// Interns buffer views so that each distinct view is one halide_buffer_t.
class BufferTable {
public:
  explicit BufferTable(std::vector<BufferView> &views) : views_(views) {}

  int get(const BufferView &v) {
    std::ostringstream key;
    key << v.kind << ":" << v.offset << ":" << v.entry << ":" << v.index << ":" << v.parent << ":"
        << v.stride << ":" << v.steps << ":" << dtypeName(v.type.dtype);
    for (int64_t d : v.type.shape)
      key << "," << d;
    auto [it, inserted] = index_.try_emplace(key.str(), static_cast<int>(views_.size()));
    if (inserted)
      views_.push_back(v);
    return it->second;
  }

  const BufferView &at(int index) const { return views_[index]; }

private:
  std::vector<BufferView> &views_;
  std::map<std::string, int> index_;
};

/// The span of the state block that holds the gradient area of training step `step`: its tensors
/// (`<step>.grad.*`, of role gradient) in one run, as dl-expand-optimizers declared them.
LogicalResult gradientArea(ModelOp model, const ModelLayout &layout, const std::string &step,
                           int64_t &offset, int64_t &bytes) {
  std::string prefix = step + ".grad.";
  int64_t begin = -1, end = -1;
  for (const StateTensor &s : layout.state) {
    if (s.role != StateRole::Gradient || s.name.compare(0, prefix.size(), prefix) != 0)
      continue;
    if (begin >= 0 && s.offset != end)
      return model.emitError("the gradient area of '") << step << "' is not contiguous at '"
                                                       << s.name << "'";
    if (begin < 0)
      begin = s.offset;
    end = s.offset + alignTo64(s.type.bytes());
  }
  if (begin < 0)
    return model.emitError("training step '") << step << "' has no gradient area";
  offset = begin;
  bytes = end - begin;
  return success();
}

/// A kernel call of `fusion` over the buffers of `values`, appended to the entry; `rowOf` maps a
/// #dl.slot<step j> to its buffer.
using LayCall = llvm::function_ref<LogicalResult(FusionOp, llvm::DenseMap<Value, int> &,
                                                 llvm::function_ref<int(int64_t)>)>;

/// Lays out a dl.scan kept as a loop (its storage as ScanStorage in DLModel.h describes): the
/// views of its rows, its body's calls, the copies around them, and the buffers of its results.
LogicalResult layLoop(ScanOp scan, BufferTable &table, llvm::DenseMap<Value, int> &bufferOf,
                      EntryLayout &e, LayCall layCall) {
  std::optional<SmallVector<int64_t>> storage = getPlannedScanStorage(scan);
  if (!storage)
    return scan.emitError("the loop has no storage (run dl-plan-memory)");
  ScanLoop loop;
  loop.steps = scan.getLength();
  loop.reverse = scan.getReverse();
  int64_t T = loop.steps;
  bool reverse = loop.reverse;
  auto typeOf = [&](Type type) {
    TensorType t;
    toTensorType(type, t);
    return t;
  };
  // A window of `type` into `parent` (through to the parent's own parent when it is a view).
  auto view = [&](int parent, int64_t offset, int64_t stride, int64_t steps, TensorType type) {
    BufferView p = table.at(parent);
    if (p.kind == BufferView::View) {
      offset += p.offset;
      parent = p.parent;
    }
    BufferView v;
    v.kind = BufferView::View;
    v.parent = parent;
    v.offset = offset;
    v.stride = stride;
    v.steps = steps;
    v.type = type;
    int b = table.get(v);
    if (llvm::find(loop.views, b) == loop.views.end())
      loop.views.push_back(b);
    return b;
  };
  auto region = [&](int64_t offset, int64_t bytes, DType dtype) {
    BufferView v;
    v.kind = BufferView::Arena;
    v.offset = offset;
    v.type.dtype = dtype;
    v.type.shape = {bytes / dtypeBytes(dtype)};
    return table.get(v);
  };

  auto yield = cast<ScanYieldOp>(scan.getBodyBlock().getTerminator());
  unsigned carries = scan.getNumCarries();
  llvm::DenseMap<Value, int> body;
  std::vector<int> rows; // The buffer each yield operand's row is at step t.
  for (auto [seq, arg] : llvm::zip(scan.getSequences(), scan.getSliceArgs())) {
    TensorType row = typeOf(arg.getType());
    body[arg] = view(bufferOf.at(seq), 0, row.bytes(), T, row);
  }
  for (unsigned k = 0; k < carries; ++k) {
    TensorType row = typeOf(scan.getInits()[k].getType());
    int64_t bytes = row.bytes();
    int64_t zero = ScanStorage::carryRowZero(bytes, reverse);
    int storageBuffer =
        region((*storage)[k], ScanStorage::carryBytes(bytes, T, reverse), row.dtype);
    body[scan.getCarryArgs()[k]] = view(storageBuffer, zero, bytes, T, row);
    rows.push_back(view(storageBuffer, zero + (reverse ? -bytes : bytes), bytes, T, row));
    int first = view(storageBuffer, zero + (reverse ? T - 1 : 0) * bytes, 0, 1, row);
    loop.before.push_back({first, bufferOf.at(scan.getInits()[k])});
    TensorType history = typeOf(scan.getHistories()[k].getType());
    bufferOf[scan.getHistories()[k]] = view(storageBuffer, zero, 0, 1, history);
    bufferOf[scan.getFinals()[k]] =
        view(storageBuffer, zero + (reverse ? -bytes : T * bytes), 0, 1, row);
  }
  for (auto [e, stacked] : llvm::enumerate(scan.getStacked())) {
    TensorType row = typeOf(yield.getValues()[carries + e].getType());
    TensorType all = typeOf(stacked.getType());
    int64_t offset = (*storage)[carries + e];
    if (offset >= 0) {
      int b = region(offset, alignTo64(all.bytes()), row.dtype);
      bufferOf[stacked] = view(b, 0, 0, 1, all);
      rows.push_back(view(b, 0, row.bytes(), T, row));
      continue;
    }
    // Stacked in the rows of the carry whose kernel result it also is.
    auto fusion = yield.getValues()[carries + e].getDefiningOp<FusionOp>();
    SlotAttr slot = fusion ? fusion.getSlot(cast<OpResult>(yield.getValues()[carries + e])
                                                 .getResultNumber())
                           : SlotAttr();
    if (!slot || slot.getKind() != SlotKind::step || slot.getValue() >= carries)
      return scan.emitError("emitted value ") << e << " has no storage of its own and is no carry";
    int k = static_cast<int>(slot.getValue());
    int64_t bytes = row.bytes();
    int64_t zero = ScanStorage::carryRowZero(bytes, reverse);
    int storageBuffer = table.at(rows[k]).parent;
    bufferOf[stacked] = view(storageBuffer, zero + (reverse ? -bytes : bytes), 0, 1, all);
    rows.push_back(rows[k]);
  }
  for (auto [arg, capture] : llvm::zip(scan.getCaptureArgs(), scan.getCaptures()))
    body[arg] = bufferOf.at(capture);

  loop.firstCall = e.calls.size();
  auto rowOf = [&](int64_t j) { return rows[j]; };
  for (FusionOp fusion : scan.getBodyBlock().getOps<FusionOp>())
    if (failed(layCall(fusion, body, rowOf)))
      return failure();
  loop.endCall = e.calls.size();
  for (auto [j, v] : llvm::enumerate(yield.getValues()))
    if (body.at(v) != rows[j])
      loop.eachStep.push_back({rows[j], body.at(v)});
  e.loops.push_back(std::move(loop));
  return success();
}

} // namespace

const char *stateRoleName(StateRole role) {
  switch (role) {
  case StateRole::Param:
    return "param";
  case StateRole::Buffer:
    return "buffer";
  case StateRole::Optimizer:
    return "optimizer";
  case StateRole::Gradient:
    return "gradient";
  }
  return "";
}

FailureOr<ModelLayout> layoutModel(ModelOp model) {
  ModelLayout layout;
  layout.name = model.getSymName().str();
  std::optional<PlanSizes> sizes = model.getPlanSizes();
  if (!sizes)
    return model.emitError("the model has no memory plan (run dl-plan-memory)");
  layout.paramBytes = sizes->paramBytes;
  layout.stateBytes = sizes->stateBytes;
  layout.workspaceBytes = sizes->workspaceBytes;

  // The state block, and the init stream of each tensor: its index among params and buffers.
  std::map<std::string, const StateTensor *> stateByName;
  uint32_t k = 0;
  for (Operation &op : model.getBodyBlock()) {
    if (!isa<ParamOp, BufferOp>(op))
      continue;
    StateTensor s;
    s.role = isa<ParamOp>(op) ? StateRole::Param : StateRole::Buffer;
    if (auto role = op.getAttrOfType<StringAttr>(kStateRoleAttr))
      s.role = role.getValue() == kGradientRole ? StateRole::Gradient : StateRole::Optimizer;
    s.name = op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()).str();
    auto type = op.getAttrOfType<TypeAttr>("type").getValue();
    if (!toTensorType(type, s.type))
      return op.emitError() << "compiled models do not support state of type " << type;
    std::optional<int64_t> offset =
        s.isParam() ? cast<ParamOp>(op).getPlannedOffset() : cast<BufferOp>(op).getPlannedOffset();
    if (!offset)
      return op.emitError("the state has no offset (run dl-plan-memory)");
    s.offset = *offset;
    s.init = op.getAttrOfType<StringAttr>("init").str();
    if (auto args = op.getAttrOfType<DictionaryAttr>("init_args"))
      for (NamedAttribute a : args) {
        double v = 0;
        if (auto f = llvm::dyn_cast<FloatAttr>(a.getValue()))
          v = f.getValueAsDouble();
        else if (auto i = llvm::dyn_cast<IntegerAttr>(a.getValue()))
          v = static_cast<double>(i.getInt());
        else
          continue;
        s.initArgs.push_back({a.getName().str(), v});
      }
    s.initStream = rng::kInitStreamBase + k++;
    layout.state.push_back(std::move(s));
  }
  // Params first, then buffers (the descriptor's order, and the memory plan's), each in
  // declaration order; the init streams keep the declaration order of all of them.
  std::stable_partition(layout.state.begin(), layout.state.end(),
                        [](const StateTensor &s) { return s.isParam(); });
  for (const StateTensor &s : layout.state)
    stateByName[s.name] = &s;

  BufferTable table(layout.buffers);
  std::map<std::string, std::string> symbolOfFingerprint;
  auto stateView = [&](StringRef name, Type type) -> FailureOr<int> {
    auto it = stateByName.find(name.str());
    BufferView v;
    v.kind = BufferView::State;
    if (it == stateByName.end() || !toTensorType(type, v.type))
      return failure();
    v.offset = it->second->offset;
    return table.get(v);
  };

  for (const Entry &entry : model.getEntries()) {
    EntryLayout e;
    e.name = entry.name;
    e.kind = entry.kind;
    if (!entry.step.empty()) {
      e.step = entry.step;
      if (failed(gradientArea(model, layout, entry.step, e.gradOffset, e.gradBytes)))
        return failure();
      if (auto train = dyn_cast_or_null<TrainOp>(model.lookupSymbol(entry.step)))
        e.accumulate = train.getAccumulate();
    }
    int entryIndex = static_cast<int>(layout.entries.size());
    func::FuncOp func = entry.function;
    if (std::optional<int64_t> ws = getPlannedWorkspaceBytes(func))
      e.workspaceBytes = *ws;
    llvm::DenseMap<Value, int> bufferOf;
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      NamedTensor t;
      if (auto name = func.getArgAttrOfType<StringAttr>(i, "dl.input"))
        t.name = name.str();
      if (!toTensorType(arg.getType(), t.type))
        return func.emitError() << "compiled models do not support inputs of type "
                                << arg.getType();
      BufferView v{BufferView::Input, 0, entryIndex, static_cast<int>(i), t.type};
      bufferOf[arg] = table.get(v);
      e.inputs.push_back(t);
    }
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (auto [j, value] : llvm::enumerate(ret.getOperands())) {
      NamedTensor t;
      if (auto name = func.getResultAttrOfType<StringAttr>(j, "dl.output"))
        t.name = name.str();
      else if (auto loss = func.getResultAttrOfType<StringAttr>(j, "dl.loss"))
        t.name = entry.kind == EntryKind::Eval ? loss.str() : "loss";
      if (!toTensorType(value.getType(), t.type))
        return func.emitError() << "compiled models do not support outputs of type "
                                << value.getType();
      e.outputs.push_back(t);
    }
    // A split train entry shares its grad entry's function and has no calls of its own.
    if (entry.split) {
      e.split = true;
      e.workspaceBytes = 0;
      layout.entries.push_back(std::move(e));
      continue;
    }
    auto outputView = [&](int j) {
      return table.get({BufferView::Output, 0, entryIndex, j, e.outputs[j].type});
    };

    // A kernel call over the buffers of `values`; `rowOf` gives the buffer of a #dl.slot<step j>.
    auto layCall = [&](FusionOp fusion, llvm::DenseMap<Value, int> &values,
                       llvm::function_ref<int(int64_t)> rowOf) -> LogicalResult {
      KernelCall call;
      call.fusion = fusion;
      for (Value input : fusion.getInputs())
        call.inputs.push_back(values.at(input));
      for (auto [i, result] : llvm::enumerate(fusion.getResults())) {
        SlotAttr slot = fusion.getSlot(i);
        if (!slot || (slot.getKind() == SlotKind::step && !rowOf))
          return fusion.emitError("the kernel has no memory plan (run dl-plan-memory)");
        BufferView v;
        toTensorType(result.getType(), v.type);
        int b;
        if (slot.getKind() == SlotKind::arena) {
          v.kind = BufferView::Arena;
          v.offset = slot.getValue();
          b = table.get(v);
        } else if (slot.getKind() == SlotKind::state) {
          StringRef symbol = slot.getSymbol().getValue();
          FailureOr<int> s = stateView(symbol, result.getType());
          if (failed(s))
            return fusion.emitError() << "no state '" << symbol << "' to write in place";
          b = *s;
        } else if (slot.getKind() == SlotKind::step) {
          b = rowOf(slot.getValue());
        } else {
          b = outputView(static_cast<int>(slot.getValue()));
        }
        values[result] = b;
        call.outputs.push_back(b);
      }
      FailureOr<Kernel> kernel = extractKernel(fusion);
      if (failed(kernel))
        return failure();
      std::string fingerprint = kernelFingerprint(*kernel);
      auto [it, inserted] = symbolOfFingerprint.try_emplace(fingerprint, kernel->name);
      call.symbol = it->second;
      if (inserted)
        layout.kernels[kernel->name] = std::move(*kernel);
      e.calls.push_back(std::move(call));
      return success();
    };

    for (Operation &op : func.getBody().front()) {
      if (auto load = dyn_cast<LoadOp>(op)) {
        FailureOr<int> b = stateView(load.getName(), load.getType());
        if (failed(b))
          return load.emitError("cannot lay out this load");
        bufferOf[load.getResult()] = *b;
        continue;
      }
      if (auto scan = dyn_cast<ScanOp>(op)) {
        if (failed(layLoop(scan, table, bufferOf, e, layCall)))
          return failure();
        continue;
      }
      if (auto fusion = dyn_cast<FusionOp>(op))
        if (failed(layCall(fusion, bufferOf, nullptr)))
          return failure();
    }
    // Returned values not written in place first (they may read state a store replaces), then
    // stored values not written in place.
    for (auto [j, value] : llvm::enumerate(ret.getOperands())) {
      int out = outputView(static_cast<int>(j));
      if (bufferOf.at(value) != out)
        e.copies.push_back({out, bufferOf.at(value)});
    }
    for (auto store : func.getBody().front().getOps<StoreOp>()) {
      FailureOr<int> s = stateView(store.getName(), store.getValue().getType());
      if (failed(s))
        return store.emitError("cannot lay out this store");
      if (bufferOf.at(store.getValue()) != *s)
        e.copies.push_back({*s, bufferOf.at(store.getValue())});
    }
    layout.entries.push_back(std::move(e));
  }
  shareKernelsAcrossSizes(layout);
  return layout;
}

//===----------------------------------------------------------------------===//
// The descriptor
//===----------------------------------------------------------------------===//

namespace {

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string jsonType(const TensorType &t) {
  std::string out = "\"dtype\": \"";
  out += t.dtype == DType::I1 ? "bool" : dtypeName(t.dtype);
  out += "\", \"shape\": [";
  for (size_t i = 0; i < t.shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(t.shape[i]);
  return out + "]";
}

std::string jsonNumber(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

const char *entryKindName(EntryKind kind) {
  switch (kind) {
  case EntryKind::Forward:
    return "forward";
  case EntryKind::Eval:
    return "eval";
  case EntryKind::Train:
    return "train";
  case EntryKind::Grad:
    return "grad";
  case EntryKind::Apply:
    return "apply";
  }
  return "";
}

} // namespace

std::string modelDescriptor(const ModelLayout &layout) {
  std::ostringstream os;
  os << "{\n  \"format\": \"dlc-model\", \"version\": 1,\n";
  os << "  \"name\": " << jsonString(layout.name) << ", \"target\": " << jsonString(layout.target)
     << ",\n";
  os << "  \"param_bytes\": " << layout.paramBytes << ", \"state_bytes\": " << layout.stateBytes
     << ", \"workspace_bytes\": " << layout.workspaceBytes << ",\n";
  os << "  \"state\": [";
  for (size_t i = 0; i < layout.state.size(); ++i) {
    const StateTensor &s = layout.state[i];
    os << (i ? ",\n" : "\n") << "    {\"name\": " << jsonString(s.name) << ", \"kind\": \""
       << stateRoleName(s.role) << "\", " << jsonType(s.type)
       << ", \"offset\": " << s.offset << ", \"bytes\": " << s.type.bytes()
       << ", \"init\": " << jsonString(s.init) << ", \"init_args\": {";
    for (size_t a = 0; a < s.initArgs.size(); ++a)
      os << (a ? ", " : "") << jsonString(s.initArgs[a].first) << ": "
         << jsonNumber(s.initArgs[a].second);
    os << "}, \"init_stream\": " << s.initStream << "}";
  }
  os << "\n  ],\n  \"entries\": [";
  for (size_t i = 0; i < layout.entries.size(); ++i) {
    const EntryLayout &e = layout.entries[i];
    auto tensors = [&](const std::vector<NamedTensor> &list) {
      std::string out = "[";
      for (size_t t = 0; t < list.size(); ++t)
        out += (t ? ", " : "") + std::string("{\"name\": ") + jsonString(list[t].name) + ", " +
               jsonType(list[t].type) + "}";
      return out + "]";
    };
    os << (i ? ",\n" : "\n") << "    {\"name\": " << jsonString(e.name) << ", \"kind\": \""
       << entryKindName(e.kind) << "\", \"step\": " << jsonString(e.step)
       << ", \"accumulate\": " << e.accumulate << (e.split ? ", \"split\": true" : "")
       << ", \"grad_offset\": " << e.gradOffset
       << ", \"grad_bytes\": " << e.gradBytes << ",\n     \"inputs\": " << tensors(e.inputs)
       << ",\n     \"outputs\": " << tensors(e.outputs) << "}";
  }
  os << "\n  ],\n  \"buffers\": [";
  for (size_t i = 0; i < layout.buffers.size(); ++i) {
    const BufferView &b = layout.buffers[i];
    os << (i ? ",\n" : "\n") << "    {\"kind\": ";
    switch (b.kind) {
    case BufferView::Arena:
      os << "\"arena\", \"offset\": " << b.offset;
      break;
    case BufferView::State:
      os << "\"state\", \"offset\": " << b.offset;
      break;
    case BufferView::Input:
    case BufferView::Output:
      os << (b.kind == BufferView::Input ? "\"input\"" : "\"output\"") << ", \"entry\": " << b.entry
         << ", \"index\": " << b.index;
      break;
    case BufferView::View:
      os << "\"view\", \"parent\": " << b.parent << ", \"offset\": " << b.offset
         << ", \"stride\": " << b.stride << ", \"steps\": " << b.steps;
      break;
    }
    os << ", " << jsonType(b.type) << "}";
  }
  os << "\n  ]\n}\n";
  return os.str();
}

//===----------------------------------------------------------------------===//
// --emit=memplan
//===----------------------------------------------------------------------===//

std::string memoryPlanReport(const ModelLayout &layout) {
  std::ostringstream os;
  auto typeText = [](const TensorType &t) {
    std::string s = dtypeName(t.dtype);
    s += "[";
    for (size_t i = 0; i < t.shape.size(); ++i)
      s += (i ? ", " : "") + std::to_string(t.shape[i]);
    return s + "]";
  };
  std::function<std::string(int)> where = [&](int b) -> std::string {
    const BufferView &v = layout.buffers[b];
    switch (v.kind) {
    case BufferView::View: {
      std::string at = std::to_string(v.offset);
      if (v.steps > 1)
        at += (v.stride >= 0 ? " + " : " - ") + std::to_string(std::abs(v.stride)) + "*t";
      return where(v.parent) + " + (" + at + ")";
    }
    case BufferView::Arena:
      return "arena+" + std::to_string(v.offset);
    case BufferView::State: {
      for (const StateTensor &s : layout.state)
        if (s.offset == v.offset)
          return "state " + s.name;
      return "state+" + std::to_string(v.offset);
    }
    case BufferView::Input:
      return "input " + layout.entries[v.entry].inputs[v.index].name;
    case BufferView::Output:
      return "output " + layout.entries[v.entry].outputs[v.index].name;
    }
    return std::string();
  };
  os << "model " << layout.name << "\n";
  os << "  parameters  " << layout.paramBytes << " bytes\n";
  os << "  state       " << layout.stateBytes << " bytes (buffers and optimizer state)\n";
  os << "  workspace   " << layout.workspaceBytes << " bytes (arena, per instance)\n";
  os << "\nstate block\n";
  for (const StateTensor &s : layout.state)
    os << "  " << std::setw(10) << s.offset << "  " << std::setw(10) << s.type.bytes() << "  "
       << std::left << std::setw(10) << stateRoleName(s.role) << std::right << s.name << " " << typeText(s.type) << "\n";
  for (const EntryLayout &e : layout.entries) {
    if (e.split) {
      os << "\nentry " << e.name << ": runs " << e.step << "_grad, then " << e.step
         << "_apply (no kernels of its own)\n";
      continue;
    }
    os << "\nentry " << e.name << ": " << e.calls.size() << " kernels, workspace "
       << e.workspaceBytes << " bytes\n";
    auto copy = [&](const char *indent, const BufferCopy &c) {
      os << indent << "copy " << where(c.source) << " -> " << where(c.destination) << "\n";
    };
    size_t nextLoop = 0;
    for (size_t i = 0; i < e.calls.size(); ++i) {
      const ScanLoop *loop = nextLoop < e.loops.size() && e.loops[nextLoop].firstCall == i
                                 ? &e.loops[nextLoop]
                                 : nullptr;
      if (loop) {
        for (const BufferCopy &c : loop->before)
          copy("  ", c);
        os << "  loop t = " << (loop->reverse ? std::to_string(loop->steps - 1) + " .. 0" :
                                                "0 .. " + std::to_string(loop->steps - 1))
           << "\n";
      }
      bool inLoop = false;
      for (const ScanLoop &l : e.loops)
        inLoop |= i >= l.firstCall && i < l.endCall;
      const char *indent = inLoop ? "    " : "  ";
      const KernelCall &c = e.calls[i];
      os << indent << c.symbol << "\n";
      for (int b : c.inputs)
        os << indent << "    in   " << typeText(layout.buffers[b].type) << " @ " << where(b) << "\n";
      for (int b : c.outputs)
        os << indent << "    out  " << typeText(layout.buffers[b].type) << " @ " << where(b) << "\n";
      if (nextLoop < e.loops.size() && e.loops[nextLoop].endCall == i + 1) {
        for (const BufferCopy &c : e.loops[nextLoop].eachStep)
          copy("    ", c);
        ++nextLoop;
      }
    }
    for (const BufferCopy &c : e.copies)
      copy("  ", c);
  }
  return os.str();
}

} // namespace dl::codegen
