//===- Random.cpp - Exporting dl's random draws ---------------------------===//
//
// normal(shape, mean, std) and uniform(shape, lo, hi) in a forward entry (dl.random_normal,
// dl.random_uniform), in the form --onnx-random chooses:
//   ops     (the default) ONNX's RandomNormal (mean, scale) or RandomUniform (low, high) of the
//           draw's shape, float, without a seed: what torch.onnx.export writes for torch.randn and
//           torch.rand. The graph draws its own numbers, which are not dlc's Philox streams.
//   inputs  a graph input of the draw's type in its place, which the caller feeds: the numbers dlc
//           drew, or any other noise. The model's metadata_props say under "dlc.random.<input>"
//           how dlc draws it, as JSON: {"draw": "normal", "stream": S, "mean": M, "std": D,
//           "at": "file:line:col"} (uniform: "lo" and "hi"); runtime/rng/Philox.h turns the
//           instance's seed, that stream and the step counter into the very numbers.
// Either way the draw's value is named after where the .dl file draws it, `normal_<line>_<col>`
// (a built-in layer's draw: where the user calls the layer).
//
// The training-mode draws (dropout, gaussian_noise, random_flip, random_crop) never reach a forward
// entry: in inference mode the frontend emits the identity (random_crop: the centre window) for
// them, as PyTorch's eval() does, so they have no exporter.
//
//===----------------------------------------------------------------------===//
#include "compiler/exporter/GraphBuilder.h"

#include "dl/DLOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/Path.h"

#include <cstdio>
#include <cstdlib>

namespace dlc::exporter {

using mlir::LogicalResult;
using mlir::Operation;
using mlir::success;

namespace {

/// The shortest decimal text that reads back as `v` (JSON's and the doc strings' numbers).
std::string number(double v) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v)
      break;
  }
  return text;
}

/// Where the user's .dl file draws: a built-in layer's op is a CallSiteLoc whose caller is the
/// user's call of the layer.
mlir::FileLineColLoc drawSite(mlir::Location loc) {
  while (auto call = llvm::dyn_cast<mlir::CallSiteLoc>(loc))
    loc = call.getCaller();
  return loc->findInstanceOf<mlir::FileLineColLoc>();
}

/// `text` as a JSON string's contents.
std::string jsonEscaped(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04x", c);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

/// A draw of `kind` ("normal" or "uniform") from dlc's `stream` whose two parameters, `first` and
/// `second`, are named `names` in dlc and `onnxNames` in ONNX's RandomNormal / RandomUniform.
LogicalResult draw(Operation *op, GraphBuilder &g, const char *kind, const char *onnxType, int64_t stream,
                   double first, double second, std::pair<const char *, const char *> names,
                   std::pair<const char *, const char *> onnxNames) {
  auto type = llvm::cast<mlir::ShapedType>(op->getResult(0).getType());
  mlir::FileLineColLoc site = drawSite(op->getLoc());
  std::string hint = kind, at;
  if (site) {
    hint += "_" + std::to_string(site.getLine()) + "_" + std::to_string(site.getColumn());
    at = llvm::sys::path::filename(site.getFilename().strref()).str() + ":" +
         std::to_string(site.getLine()) + ":" + std::to_string(site.getColumn());
  }
  if (g.randomForm() == RandomForm::Ops) {
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    std::string drawn = g.node(onnxType, {},
                               {Attr::integer("dtype", onnx::TensorProto::FLOAT), Attr::list("shape", shape),
                                Attr::real(onnxNames.first, first), Attr::real(onnxNames.second, second)},
                               1, hint)
                            .front();
    g.bind(op->getResult(0), drawn);
    return success();
  }
  std::string name = g.fresh(hint);
  g.bind(op->getResult(0), name);
  std::string shapeText;
  for (int64_t d : type.getShape())
    shapeText += (shapeText.empty() ? "" : ", ") + std::to_string(d);
  g.input(name, type,
          std::string(kind) + "([" + shapeText + "], " + names.first + " = " + number(first) + ", " +
              names.second + " = " + number(second) + ")" + (at.empty() ? "" : " drawn at " + at) +
              "; dlc draws it from Philox4x32-10 stream " + std::to_string(stream) +
              " keyed by the instance's seed at the step counter (runtime/rng/Philox.h)");
  g.note("dlc.random." + name,
         std::string("{\"draw\": \"") + kind + "\", \"stream\": " + std::to_string(stream) + ", \"" +
             names.first + "\": " + number(first) + ", \"" + names.second + "\": " + number(second) +
             ", \"at\": \"" + jsonEscaped(at) + "\"}");
  return success();
}

} // namespace

void addRandomExporters(llvm::StringMap<OpExporter> &table) {
  // The typed accessors give an attribute's default where the op leaves it out.
  table["dl.random_normal"] = [](Operation *op, GraphBuilder &g) {
    auto normal = llvm::cast<mlir::dl::RandomNormalOp>(op);
    return draw(op, g, "normal", "RandomNormal", normal.getStream(), normal.getMean().convertToDouble(),
                normal.getStd().convertToDouble(), {"mean", "std"}, {"mean", "scale"});
  };
  table["dl.random_uniform"] = [](Operation *op, GraphBuilder &g) {
    auto uniform = llvm::cast<mlir::dl::RandomUniformOp>(op);
    return draw(op, g, "uniform", "RandomUniform", uniform.getStream(), uniform.getLo().convertToDouble(),
                uniform.getHi().convertToDouble(), {"lo", "hi"}, {"low", "high"});
  };
}

} // namespace dlc::exporter
