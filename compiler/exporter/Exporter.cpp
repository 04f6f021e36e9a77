//===- Exporter.cpp - A dl model's forward entry as an ONNX graph ---------===//
#include "compiler/exporter/Exporter.h"

#include "compiler/exporter/Checkpoint.h"
#include "compiler/exporter/GraphBuilder.h"

#include "dl/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <set>

namespace dlc::exporter {

const llvm::StringMap<OpExporter> &exporters() {
  static const llvm::StringMap<OpExporter> table = [] {
    llvm::StringMap<OpExporter> t;
    addElementwiseExporters(t);
    addStructureExporters(t);
    addRandomExporters(t);
    return t;
  }();
  return table;
}

namespace {

mlir::dl::ModelOp chooseModel(mlir::ModuleOp module, const std::string &wanted, std::string &error) {
  mlir::dl::ModelOp chosen;
  std::string names;
  int count = 0;
  module.walk([&](mlir::dl::ModelOp m) {
    names += (names.empty() ? "" : ", ") + m.getSymName().str();
    ++count;
    if (wanted.empty() || m.getSymName() == wanted)
      chosen = m;
  });
  if (wanted.empty() && count > 1)
    error = "the file defines several models (" + names + "); choose one with --model NAME";
  else if (!chosen)
    error = count == 0 ? "the file defines no model" : "no model '" + wanted + "' (the file defines " + names + ")";
  return error.empty() ? chosen : mlir::dl::ModelOp();
}

/// The interpreter holding the model's state: initial values, then the checkpoint's.
bool loadState(dl::interp::Interpreter &interp, mlir::dl::ModelOp model, const ExportOptions &options,
               std::set<std::string> &fromCheckpoint, std::string &error) {
  if (!interp.initialize(&error))
    return false;
  if (options.init.empty())
    return true;
  std::map<std::string, dl::interp::Tensor> tensors;
  if (!readCheckpoint(options.init, tensors, error))
    return false;
  for (auto &[name, tensor] : tensors) {
    if (!interp.state(name))
      continue; // Optimizer state and the like: the forward reads none of it.
    std::string type = tensor.typeString(), expected = interp.state(name)->typeString();
    if (!interp.setState(name, std::move(tensor))) {
      error = "checkpoint '" + options.init + "' holds '" + name + "' as " + type + ", but model '" +
              model.getSymName().str() + "' declares it " + expected;
      return false;
    }
    fromCheckpoint.insert(name);
  }
  return true;
}

} // namespace

bool exportOnnx(mlir::ModuleOp module, const ExportOptions &options, std::string &bytes, std::string &error) {
  mlir::dl::ModelOp model = chooseModel(module, options.model, error);
  if (!model)
    return false;
  auto forward = model.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward) {
    error = "model '" + model.getSymName().str() + "' has no forward entry (no `output` declared) to export";
    return false;
  }
  dl::interp::Interpreter interp(model, options.seed);
  std::set<std::string> fromCheckpoint;
  if (!loadState(interp, model, options, fromCheckpoint, error))
    return false;

  onnx::ModelProto proto;
  proto.set_ir_version(8); // What opset 17 pairs with.
  proto.set_producer_name("dlc");
  proto.set_model_version(1);
  onnx::OperatorSetIdProto *opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto &graph = *proto.mutable_graph();
  graph.set_name(model.getSymName().str());
  graph.set_doc_string("The forward entry of model " + model.getSymName().str() +
                       (options.sourceName.empty() ? "" : " (" + options.sourceName + ")") +
                       ", exported by dlc --emit=onnx.");
  GraphBuilder g(graph, options.random);

  // Inputs and outputs keep the .dl names; reserved first so no other value takes them.
  std::vector<std::string> outputNames;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
    auto attr = forward.getArgAttrOfType<mlir::StringAttr>(i, "dl.input");
    std::string name = g.fresh(attr ? attr.str() : "input" + std::to_string(i));
    g.bind(forward.getArgument(i), name);
    g.input(name, forward.getArgument(i).getType());
  }
  for (unsigned i = 0; i < forward.getNumResults(); ++i) {
    auto attr = forward.getResultAttrOfType<mlir::StringAttr>(i, "dl.output");
    outputNames.push_back(g.fresh(attr ? attr.str() : "output" + std::to_string(i)));
  }

  std::map<std::string, std::string> loaded;
  bool ok = true;
  for (mlir::Operation &op : forward.getBody().front()) {
    if (auto load = llvm::dyn_cast<mlir::dl::LoadOp>(op)) {
      std::string symbol = load.getName().str();
      if (!options.init.empty() && !fromCheckpoint.count(symbol)) {
        error = "checkpoint '" + options.init + "' lacks '" + symbol + "', which the forward entry reads";
        return false;
      }
      auto it = loaded.find(symbol);
      if (it == loaded.end())
        it = loaded.emplace(symbol, g.initializer(symbol, *interp.state(symbol))).first;
      g.bind(load.getResult(), it->second);
      continue;
    }
    if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
      for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
        onnx::NodeProto *n = graph.add_node();
        n->set_op_type("Identity");
        n->set_name(g.fresh("output_" + outputNames[i]));
        n->add_input(g.name(ret.getOperand(i)));
        n->add_output(outputNames[i]);
        setValueInfo(graph.add_output(), outputNames[i], ret.getOperand(i).getType());
      }
      continue;
    }
    auto it = exporters().find(op.getName().getStringRef());
    if (it == exporters().end()) {
      op.emitError() << "--emit=onnx: " << op.getName().getStringRef() << " has no ONNX translation";
      ok = false;
      continue;
    }
    if (mlir::failed(it->second(&op, g)))
      ok = false;
  }
  if (!ok)
    return false;
  for (const auto &[key, value] : g.notes()) {
    onnx::StringStringEntryProto *entry = proto.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }
  if (!proto.SerializeToString(&bytes)) {
    error = "the ONNX model could not be serialized (over protobuf's 2 GiB limit?)";
    return false;
  }
  return true;
}

} // namespace dlc::exporter
