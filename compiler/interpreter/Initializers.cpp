//===- Initializers.cpp - Drawing parameters and buffers from their initializers ===//
//
// The initializers a dl.param / dl.buffer names (see runtime/rng/InitializerMath.h for the list and
// the arguments each carries; the frontend fills in fan_in and fan_out by PyTorch's conventions),
// read from the op's attributes and drawn by runtime/rng/InitializerMath.h, the formulas the runtime
// draws with too. `gain` is optional (1 when absent); every other argument is required.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include "runtime/rng/InitializerMath.h"

#include <cmath>

using namespace mlir;

namespace dl::interp {
namespace {

/// Reads numeric argument `name` (a float or an integer attribute) into `out`.
bool argument(DictionaryAttr args, llvm::StringRef name, double &out, std::string &error,
              const double *fallback = nullptr) {
  Attribute a = args ? args.get(name) : Attribute();
  if (auto f = llvm::dyn_cast_or_null<FloatAttr>(a)) {
    out = f.getValueAsDouble();
    return true;
  }
  if (auto i = llvm::dyn_cast_or_null<IntegerAttr>(a)) {
    out = static_cast<double>(i.getInt());
    return true;
  }
  if (!a && fallback) {
    out = *fallback;
    return true;
  }
  error = a ? "argument '" + name.str() + "' is not a number"
            : "missing argument '" + name.str() + "'";
  return false;
}

} // namespace

bool drawInitializer(llvm::StringRef init, DictionaryAttr args, uint64_t seed, uint32_t stream,
                     Tensor &value, std::string &error) {
  const double one = 1.0;
  initializers::Arguments a;
  const initializers::Initializer *entry = initializers::find(init);
  if (!entry) {
    error = "unknown initializer '" + init.str() + "'";
    return false;
  }
  for (std::string_view required : entry->required) {
    double ignored;
    if (!argument(args, StringRef(required.data(), required.size()), ignored, error))
      return false;
  }
  bool fans = init == "xavier_uniform" || init == "xavier_normal" || init == "he_normal" ||
              init == "he_uniform" || init == "orthogonal";
  if (init == "constant" && !argument(args, "value", a.value, error))
    return false;
  if (initializers::drawsFloats(init) && value.kind != ElementKind::F32) {
    error = "initializer '" + init.str() + "' draws floats, but the tensor is " + value.typeString();
    return false;
  }
  if (init == "normal" && (!argument(args, "mean", a.mean, error) || !argument(args, "std", a.std, error)))
    return false;
  if (init == "uniform" && (!argument(args, "lo", a.lo, error) || !argument(args, "hi", a.hi, error)))
    return false;
  if (init == "sinusoidal" && value.rank() != 2) {
    error = "sinusoidal needs a [positions, dim] table, not " + value.typeString();
    return false;
  }
  if (fans && (!argument(args, "fan_in", a.fanIn, error) || !argument(args, "fan_out", a.fanOut, error) ||
               !argument(args, "gain", a.gain, error, &one)))
    return false;
  return initializers::draw(init, a, value.shape, seed, stream,
                    [&](size_t i, double x) { value.data[i] = x; });
}

} // namespace dl::interp
