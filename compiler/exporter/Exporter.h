//===- Exporter.h - A dl model's forward entry as an ONNX graph -----*- C++ -*-===//
//
// `dlc model.dl --emit=onnx [--init CKPT] -o model.onnx`: the forward function of one dl.model,
// before autodiff, as an opset-17 ONNX graph. Its inputs and outputs keep the .dl names; every
// parameter and buffer the forward reads becomes an initializer named as checkpoints name it
// ("h1.W"), holding the checkpoint's values (--init), else the model's initial values drawn by
// the reference interpreter from `seed`. The driver unrolls scans first (dl-unroll-scans), so a
// recurrent layer exports as its steps. A random draw (normal, uniform) exports as ONNX's
// RandomNormal / RandomUniform, as torch.onnx.export writes torch.randn / torch.rand, or with
// --onnx-random=inputs as a graph input the caller feeds (ops/Random.cpp). An op without an ONNX
// form is an error at its source location, never an approximation.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_EXPORTER_EXPORTER_H
#define DLC_EXPORTER_EXPORTER_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>

namespace dlc::exporter {

/// How a forward entry's random draws export (--onnx-random).
enum class RandomForm {
  Ops,    ///< ONNX's RandomNormal / RandomUniform: the graph draws its own numbers (the default).
  Inputs, ///< One graph input per draw, fed by the caller (dlc's own draws, or any noise).
};

struct ExportOptions {
  std::string model;      ///< --model NAME; empty: the file's one model.
  std::string init;       ///< --init CKPT: a safetensors checkpoint of the model; empty: initial values.
  uint64_t seed = 42;     ///< The seed of the initial values without --init.
  std::string sourceName; ///< The .dl file's name, for the graph's doc string.
  RandomForm random = RandomForm::Ops; ///< --onnx-random=ops|inputs
};

/// Serializes the ONNX model into `bytes`. False with `error` set for a problem without a source
/// location (no such model, a bad checkpoint); false with `error` empty after an op's emitError.
bool exportOnnx(mlir::ModuleOp module, const ExportOptions &options, std::string &bytes, std::string &error);

} // namespace dlc::exporter

#endif // DLC_EXPORTER_EXPORTER_H
