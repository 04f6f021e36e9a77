//===- Reduction.cpp - sum, mean, max, min, logsumexp, argmax, argmin, cumsum, topk ===//
//
// Every reduction maps each input element to the output element it folds into: the output's layout
// is the input's with the reduced dimensions removed (or kept as size 1, which moves nothing), so
// one index map serves both forms of `keepdims`. Empty `axes` reduce every axis.
//
// Floats: the maximum and minimum propagate NaN (as PyTorch does); logsumexp subtracts the maximum
// first and returns it unchanged when it is infinite. i32 sums wrap to 32 bits. argmax and argmin
// return the first index of the extremum (a NaN counts as either, as in PyTorch). cumsum adds in
// element order from +0, in double (PyTorch's CPU accumulator for float32), so a sum that overflows
// f32 on the way and comes back is finite again, as in PyTorch. topk sorts each row by a total
// order: NaN above every number (PyTorch's), equal elements by index (first index first).
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// For each input element, the flat index of the output element it reduces into.
std::vector<int64_t> reductionTargets(const Shape &in, llvm::ArrayRef<int64_t> axesAttr) {
  int64_t rank = static_cast<int64_t>(in.size());
  std::vector<bool> reduced(rank, axesAttr.empty());
  for (int64_t a : axesAttr)
    reduced[normalizeAxis(a, rank)] = true;
  // Strides of the output seen with keepdims; a reduced dimension contributes nothing.
  Shape kept = in;
  for (int64_t d = 0; d < rank; ++d)
    if (reduced[d])
      kept[d] = 1;
  Shape keptStrides = stridesOf(kept);
  std::vector<int64_t> targets(numElementsOf(in));
  std::vector<int64_t> index(rank, 0);
  for (size_t i = 0; i < targets.size(); ++i) {
    int64_t flat = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (!reduced[d])
        flat += index[d] * keptStrides[d];
    targets[i] = flat;
    nextIndex(index, in);
  }
  return targets;
}

/// Sum (and mean: the sum divided by the number of elements folded into each output).
template <typename Op> LogicalResult evalSum(Op op, OpContext &c, bool mean) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  std::vector<int64_t> targets = reductionTargets(x.shape, op.getAxes());
  if (out.kind == ElementKind::I32) {
    std::vector<int64_t> sums(out.data.size(), 0);
    for (size_t i = 0; i < targets.size(); ++i)
      sums[targets[i]] += static_cast<int64_t>(x.data[i]);
    for (size_t o = 0; o < sums.size(); ++o)
      out.data[o] = wrapI32(sums[o]);
    return success();
  }
  for (size_t i = 0; i < targets.size(); ++i)
    out.data[targets[i]] += x.data[i];
  if (mean) {
    double count = static_cast<double>(x.numElements()) / static_cast<double>(out.numElements());
    for (double &v : out.data)
      v /= count;
  }
  return success();
}

/// reduce_max (`isMax`) and reduce_min.
template <typename Op> LogicalResult evalExtremum(Op op, OpContext &c, bool isMax) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  if (x.numElements() == 0 && out.numElements() != 0)
    return c.fail("reduces an empty dimension");
  std::vector<int64_t> targets = reductionTargets(x.shape, op.getAxes());
  std::vector<char> seen(out.data.size(), 0);
  for (size_t i = 0; i < targets.size(); ++i) {
    double v = x.data[i];
    double &acc = out.data[targets[i]];
    if (!seen[targets[i]]) {
      acc = v;
      seen[targets[i]] = 1;
    } else if (!std::isnan(acc) && (std::isnan(v) || (isMax ? v > acc : v < acc))) {
      acc = v;
    }
  }
  return success();
}

LogicalResult evalLogSumExp(dlo::LogSumExpOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  std::vector<int64_t> targets = reductionTargets(x.shape, op.getAxes());
  std::vector<double> maxima(out.data.size(), -std::numeric_limits<double>::infinity());
  for (size_t i = 0; i < targets.size(); ++i) {
    double &m = maxima[targets[i]];
    if (!std::isnan(m) && (std::isnan(x.data[i]) || x.data[i] > m))
      m = x.data[i];
  }
  std::vector<double> sums(out.data.size(), 0.0);
  for (size_t i = 0; i < targets.size(); ++i)
    sums[targets[i]] += std::exp(x.data[i] - maxima[targets[i]]);
  for (size_t o = 0; o < out.data.size(); ++o)
    out.data[o] = std::isinf(maxima[o]) ? maxima[o] : maxima[o] + std::log(sums[o]);
  return success();
}

/// argmax and argmin: the first index of the extremum along the axis; the first NaN wins both, as
/// in PyTorch.
template <typename Op> LogicalResult evalArgExtremum(Op op, OpContext &c, bool isMax) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  AxisView v = viewAround(x.shape, normalizeAxis(op.getAxis(), x.rank()));
  if (v.size == 0 && out.numElements() != 0)
    return c.fail(std::string("takes the ") + (isMax ? "argmax" : "argmin") +
                  " of an empty dimension");
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t in = 0; in < v.inner; ++in) {
      int64_t best = 0;
      double bestValue = x.data[o * v.size * v.inner + in];
      for (int64_t j = 1; j < v.size && !std::isnan(bestValue); ++j) {
        double value = x.data[(o * v.size + j) * v.inner + in];
        if ((isMax ? value > bestValue : value < bestValue) || std::isnan(value)) {
          best = j;
          bestValue = value;
        }
      }
      out.data[o * v.inner + in] = static_cast<double>(best);
    }
  return success();
}

/// cumsum: a running sum from +0 in element order (from the end with `reverse`), as PyTorch's CPU
/// kernel adds (in double); i32 sums wrap to 32 bits at each element.
LogicalResult evalCumsum(dlo::CumsumOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &out = c.result();
  AxisView v = viewAround(x.shape, normalizeAxis(op.getAxis(), x.rank()));
  bool isInt = out.kind == ElementKind::I32;
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t in = 0; in < v.inner; ++in) {
      double sum = 0.0;
      int64_t isum = 0;
      for (int64_t k = 0; k < v.size; ++k) {
        int64_t j = op.getReverse() ? v.size - 1 - k : k;
        int64_t at = (o * v.size + j) * v.inner + in;
        if (isInt) {
          isum = static_cast<int64_t>(wrapI32(isum + static_cast<int64_t>(x.data[at])));
          out.data[at] = static_cast<double>(isum);
        } else {
          sum += x.data[at];
          out.data[at] = sum;
        }
      }
    }
  return success();
}

/// topk: the k best elements of each row along the axis, best first, by a stable sort with NaN
/// larger than every number (PyTorch's order: first for `largest`, last otherwise); ties keep
/// index order. `sorted = false` is sorted too.
LogicalResult evalTopk(dlo::TopkOp op, OpContext &c) {
  const Tensor &x = c.operand(0);
  Tensor &values = c.result(0), &indices = c.result(1);
  int64_t axis = normalizeAxis(op.getAxis(), x.rank());
  AxisView v = viewAround(x.shape, axis);
  int64_t k = op.getK();
  bool largest = op.getLargest();
  std::vector<int64_t> order(v.size);
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t in = 0; in < v.inner; ++in) {
      auto at = [&](int64_t j) { return x.data[(o * v.size + j) * v.inner + in]; };
      for (int64_t j = 0; j < v.size; ++j)
        order[j] = j;
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        double p = at(a), q = at(b);
        if (std::isnan(p) || std::isnan(q))
          return largest ? std::isnan(p) && !std::isnan(q) : std::isnan(q) && !std::isnan(p);
        return largest ? p > q : p < q;
      });
      for (int64_t s = 0; s < k; ++s) {
        int64_t to = (o * k + s) * v.inner + in;
        values.data[to] = at(order[s]);
        indices.data[to] = static_cast<double>(order[s]);
      }
    }
  return success();
}

} // namespace

void registerReductionKernels(KernelTable &t) {
  addKernel<dlo::SumOp>(t, [](dlo::SumOp op, OpContext &c) { return evalSum(op, c, false); });
  addKernel<dlo::MeanOp>(t, [](dlo::MeanOp op, OpContext &c) { return evalSum(op, c, true); });
  addKernel<dlo::ReduceMaxOp>(t, [](dlo::ReduceMaxOp op, OpContext &c) {
    return evalExtremum(op, c, /*isMax=*/true);
  });
  addKernel<dlo::ReduceMinOp>(t, [](dlo::ReduceMinOp op, OpContext &c) {
    return evalExtremum(op, c, /*isMax=*/false);
  });
  addKernel<dlo::LogSumExpOp>(t, evalLogSumExp);
  addKernel<dlo::ArgmaxOp>(t, [](dlo::ArgmaxOp op, OpContext &c) {
    return evalArgExtremum(op, c, /*isMax=*/true);
  });
  addKernel<dlo::ArgminOp>(t, [](dlo::ArgminOp op, OpContext &c) {
    return evalArgExtremum(op, c, /*isMax=*/false);
  });
  addKernel<dlo::CumsumOp>(t, evalCumsum);
  addKernel<dlo::TopkOp>(t, evalTopk);
}

} // namespace dl::interp
