//===- Importer.cpp - ONNX to .dl -----------------------------------------===//
//
// The walk over a graph: initializers and inputs become Values, each node goes to its op's
// translator (translators/), graph outputs become `output` statements, and --loss/--optimizer add
// a loss and a train block. Patterns.cpp first rewrites the compositions PyTorch exports for one
// builtin (GELU); Attention.cpp recognises exported attention blocks as it reaches them.
//
//===----------------------------------------------------------------------===//
#include "compiler/importer/Importer.h"
#include "compiler/importer/Attention.h"
#include "compiler/importer/Graph.h"
#include "compiler/importer/Patterns.h"

#include <algorithm>
#include <filesystem>

namespace dlc::importer {

const TranslatorTable &translators() {
  static const TranslatorTable table = [] {
    TranslatorTable t;
    registerElementwiseTranslators(t);
    registerLinalgTranslators(t);
    registerConvTranslators(t);
    registerResizeTranslators(t);
    registerNormalizationTranslators(t);
    registerRecurrentTranslators(t);
    registerReductionTranslators(t);
    registerLossTranslators(t);
    registerShapeTranslators(t);
    return t;
  }();
  return table;
}

std::vector<std::string> supportedOps() {
  std::vector<std::string> ops;
  for (const auto &[name, translator] : translators())
    ops.push_back(name);
  return ops;
}

namespace {

/// The static shape of a graph input; a symbolic dimension takes its value from --dim.
Shape inputShape(const onnx::ValueInfoProto &info, const ImportOptions &options) {
  const std::string what = "graph input '" + info.name() + "'";
  if (!info.type().has_tensor_type())
    throw ImportError(what + " is not a tensor (dlc's inputs are tensors)");
  const auto &tensorType = info.type().tensor_type();
  if (!tensorType.has_shape())
    throw ImportError(what + " has no shape; dlc's shapes are static (re-export with fixed shapes)");
  Shape shape;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() > 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    std::string param = dim.has_dim_param() ? dim.dim_param() : "";
    auto it = options.dims.find(param);
    if (param.empty() || it == options.dims.end())
      throw ImportError(what + " has the symbolic dimension '" + (param.empty() ? "?" : param) +
                        "'; dlc's shapes are static: give its size with --dim " +
                        (param.empty() ? "NAME" : param) + "=N" +
                        (param.empty() ? " (this one has no name: re-export with fixed shapes)" : ""));
    shape.push_back(it->second);
  }
  return shape;
}

std::string lossTarget(const std::string &loss, const Value &out, DType &dtype, Shape &shape) {
  static const std::set<std::string> classLosses = {"cross_entropy", "nll"};
  static const std::set<std::string> pairLosses = {"mse", "mae", "huber", "bce", "bce_with_logits",
                                                   "hinge", "kl_div"};
  if (classLosses.count(loss)) {
    if (out.rank() < 2)
      throw ImportError("--loss " + loss + " needs an output of class scores [N, classes], not " +
                        formatShape(out.shape));
    dtype = DType::I32;
    shape = Shape(out.shape.begin(), out.shape.end() - 1);
    return "";
  }
  if (pairLosses.count(loss)) {
    dtype = DType::F32;
    shape = out.shape;
    return "";
  }
  return "--loss " + loss + " is not a loss dlc knows (cross_entropy, nll, mse, mae, huber, bce, "
         "bce_with_logits, hinge, kl_div)";
}

void addTraining(Graph &graph, const ImportOptions &options, const std::string &modelName,
                 const std::string &firstOutput) {
  if (options.loss.empty()) {
    if (!options.optimizer.empty())
      throw ImportError("--optimizer needs --loss (the loss the train block minimizes)");
    return;
  }
  const Value &out = graph.values.at(firstOutput);
  DType dtype = DType::F32;
  Shape shape;
  // --loss NAME or NAME(keyword arguments), e.g. 'cross_entropy(label_smoothing = 0.1)': the
  // arguments follow the output and the target (the frontend checks them).
  std::string name = options.loss, arguments;
  if (size_t open = name.find('('); open != std::string::npos) {
    if (name.back() != ')')
      throw ImportError("--loss " + options.loss + ": expected NAME or NAME(keyword arguments)");
    arguments = name.substr(open + 1, name.size() - open - 2);
    name = name.substr(0, open);
    while (!name.empty() && name.back() == ' ')
      name.pop_back();
  }
  std::string why = lossTarget(name, out, dtype, shape);
  if (!why.empty())
    throw ImportError(why);
  std::string target = graph.program.freshName("target");
  std::string loss = graph.program.freshName("loss");
  graph.program.addTail("input " + target + ": " + formatType(dtype, shape));
  bool hasArguments = arguments.find_first_not_of(' ') != std::string::npos;
  graph.program.addTail("loss " + loss + " = " + name + "(" + out.expr + ", " + target +
                        (hasArguments ? ", " + arguments : "") + ")");
  if (options.optimizer.empty())
    return;
  std::string params = "all";
  if (!options.freeze.empty()) {
    const std::vector<std::string> &all = graph.program.trainables();
    std::string names;
    for (const std::string &name : all)
      names += (names.empty() ? "" : ", ") + name;
    for (const std::string &name : options.freeze)
      if (std::find(all.begin(), all.end(), name) == all.end())
        throw ImportError("--freeze " + name + ": the program has no layer or parameter '" + name +
                          "' (it has " + (names.empty() ? std::string("none") : names) + ")");
    std::vector<std::string> trained;
    for (const std::string &name : all)
      if (std::find(options.freeze.begin(), options.freeze.end(), name) == options.freeze.end())
        trained.push_back(name);
    if (trained.empty())
      throw ImportError("--freeze leaves nothing to train (the program's layers and parameters: " + names + ")");
    params = "[";
    for (size_t i = 0; i < trained.size(); ++i)
      params += (i ? ", " : "") + trained[i];
    params += "]";
  }
  graph.program.setTrainBlock("train " + modelName + " {\n  loss      = " + loss + "\n  params    = " + params +
                              "\n  optimizer = " + options.optimizer + "\n}\n");
}

void translate(Graph &graph) {
  const auto &nodes = graph.proto.node();
  for (int k = 0; k < nodes.size(); ++k) {
    if (graph.absorbed.count(k))
      continue;
    const onnx::NodeProto &node = nodes[k];
    if (importAttention(graph, k))
      continue;
    Context ctx(graph, node, k);
    if (!(node.domain().empty() || node.domain() == "ai.onnx"))
      ctx.fail("ops of domain '" + node.domain() + "' are not ONNX's own; dlc imports the default domain only");
    auto it = translators().find(node.op_type());
    if (it == translators().end())
      ctx.fail("dlc has no translation of the ONNX op " + node.op_type() + " (see the README's table "
               "of supported ops)");
    it->second(ctx);
    ctx.checkAttributesRead();
    for (int i = 0; i < node.output_size(); ++i) {
      // An output only absorbed nodes read (a Gemm's, read by the Relu of its Dense) needs no value.
      bool absorbedOnly = !graph.graphOutputs.count(node.output(i)) && graph.consumers.count(node.output(i));
      for (int reader : absorbedOnly ? graph.consumers[node.output(i)] : std::vector<int>())
        absorbedOnly = absorbedOnly && graph.absorbed.count(reader);
      if (ctx.outputUsed(i) && !graph.values.count(node.output(i)) && !absorbedOnly)
        ctx.fail("output " + std::to_string(i) + " ('" + node.output(i) +
                 "') is used, but dlc's translation does not compute it");
    }
  }
}

} // namespace

bool importOnnx(const std::string &path, const std::string &bytes, const ImportOptions &options,
                ImportResult &result, std::string &error) {
  try {
    onnx::ModelProto model;
    int64_t opset = parseModel(path, bytes, model);
    onnx::GraphProto graphProto = model.graph();
    rewritePatterns(graphProto);

    Program program(options.reserved);
    Graph graph(graphProto, opset, program);
    // From the file's name, made a name the language allows ("model.onnx" gives model_1).
    std::string modelName = options.modelName.empty()
                                ? program.freshName(std::filesystem::path(options.sourceName).stem().string())
                                : options.modelName;
    std::string producer = model.producer_name().empty()
                               ? ""
                               : ", producer " + model.producer_name() + " " + model.producer_version();
    program.addNote("Imported from " + std::filesystem::path(options.sourceName).filename().string() +
                    " by `dlc import` (ONNX opset " + std::to_string(opset) + producer + ").");
    if (!options.weightsName.empty())
      program.addNote("Weights: " + options.weightsName + " (dl-run --init, dl_instance_load).");

    for (const auto &init : graphProto.initializer()) {
      Value v;
      v.known = readTensor(init, "initializer '" + init.name() + "'");
      v.dtype = v.known->dtype;
      v.shape = v.known->shape;
      v.initializer = init.name();
      v.origin = init.name();
      v.onnxName = init.name();
      graph.values[init.name()] = std::move(v);
    }
    for (const auto &info : graphProto.input()) {
      if (graph.values.count(info.name()))
        continue; // An initializer listed as an input too (IR version 3).
      Value v;
      v.dtype = dtypeOf(info.type().tensor_type().elem_type(), "graph input '" + info.name() + "'");
      if (v.dtype == DType::I64) {
        v.dtype = DType::I32;
        program.addNote("Input '" + info.name() + "' is int64 in ONNX, i32 here.");
      }
      v.shape = inputShape(info, options);
      v.expr = program.freshName(info.name());
      v.onnxName = info.name();
      program.addInput(v.expr, v.dtype, v.shape);
      result.inputs.push_back(v.expr);
      result.onnxInputs.push_back(info.name());
      graph.values[info.name()] = std::move(v);
    }
    for (const auto &out : graphProto.output())
      graph.graphOutputs.insert(out.name());
    for (int k = 0; k < graphProto.node_size(); ++k) {
      for (const std::string &in : graphProto.node(k).input())
        if (!in.empty())
          graph.consumers[in].push_back(k);
      for (const std::string &out : graphProto.node(k).output())
        graph.producer[out] = k;
    }

    translate(graph);

    if (graphProto.output_size() == 0)
      throw ImportError("the graph has no outputs");
    for (const auto &out : graphProto.output()) {
      auto it = graph.values.find(out.name());
      if (it == graph.values.end())
        throw ImportError("graph output '" + out.name() + "' is computed by no node");
      Value &v = it->second;
      if (!v.emittedAsOutput) {
        // A constant, an input or another output passed through: give it its own output line.
        std::string expr = v.expr;
        if (expr.empty())
          throw ImportError("graph output '" + out.name() + "' is a constant; dlc's outputs are computed");
        std::string name = program.freshName(out.name());
        program.addStatement("output " + name, expr);
        v.expr = name;
        v.emittedAsOutput = true;
      }
      result.outputs.push_back(v.expr);
      result.onnxOutputs.push_back(out.name());
    }
    addTraining(graph, options, modelName, graphProto.output(0).name());
    result.modelName = modelName;
    result.program = program.render(modelName);
    result.tensors = program.tensors();
    return true;
  } catch (const ImportError &e) {
    error = e.what();
    return false;
  }
}

} // namespace dlc::importer
