//===- Attention.h - nn.MultiheadAttention's export as one layer ---*- C++ -*-===//
//
// The importer's one multi-node pattern that needs the input's shape (so it runs during
// translation, not in Patterns.cpp): the self-attention torch.onnx.export writes for
// nn.MultiheadAttention and nn.TransformerEncoderLayer becomes a MultiHeadAttention layer.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_ATTENTION_H
#define DLC_IMPORTER_ATTENTION_H

namespace dlc::importer {

class Graph;

/// When node `k` starts the exported attention chain (exactly as PyTorch writes it), declares the
/// layer, defines the chain's result, marks its nodes translated and returns true; else changes
/// nothing and returns false.
bool importAttention(Graph &graph, int k);

} // namespace dlc::importer

#endif // DLC_IMPORTER_ATTENTION_H
