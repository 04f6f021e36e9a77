//===- Patterns.h - Compositions PyTorch exports for one builtin ---*- C++ -*-===//
//
// Before translation, rewrites the node chains an exporter writes for one dlc builtin into a single
// node the translators know: PyTorch 1.13 exports nn.GELU as x * (1 + erf(x / sqrt 2)) * 0.5, which
// becomes one `Gelu` node (ONNX's own op since opset 20), translated as dlc's exact gelu. Only
// chains whose intermediate values nothing else reads are rewritten.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_PATTERNS_H
#define DLC_IMPORTER_PATTERNS_H

#include <onnx/onnx_pb.h>

namespace dlc::importer {

void rewritePatterns(onnx::GraphProto &graph);

} // namespace dlc::importer

#endif // DLC_IMPORTER_PATTERNS_H
