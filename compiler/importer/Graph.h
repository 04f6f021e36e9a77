//===- Graph.h - The importer's view of an ONNX graph -------------*- C++ -*-===//
//
// The state of one import: the values by ONNX name, who reads each, which nodes a translator
// absorbed, the program being written, and the parameters already made from initializers. Internal
// to the importer (Context.cpp, Importer.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_GRAPH_H
#define DLC_IMPORTER_GRAPH_H

#include "compiler/importer/Context.h"

#include <map>
#include <set>

namespace dlc::importer {

class Graph {
public:
  Graph(const onnx::GraphProto &graph, int64_t opset, Program &program)
      : proto(graph), opset(opset), program(program) {}

  const onnx::GraphProto &proto;
  int64_t opset;
  Program &program;
  std::map<std::string, Value> values;
  std::map<std::string, std::vector<int>> consumers;   ///< Value name -> reading nodes.
  std::set<std::string> graphOutputs;
  std::set<int> absorbed;                              ///< Nodes already translated.
  std::map<std::string, std::string> stateNames;       ///< Initializer -> its param's name.
  std::map<std::string, int> producer;                 ///< Value name -> the node making it.
};

} // namespace dlc::importer

#endif // DLC_IMPORTER_GRAPH_H
