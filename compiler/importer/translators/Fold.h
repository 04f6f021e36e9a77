//===- Fold.h - Computing known tensors at import time -------------*- C++ -*-===//
//
// What translators use to fold a node whose inputs are all known (shape arithmetic, constants):
// element-wise maps with NumPy broadcasting, gathers, slices and transposes on Tensors.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_IMPORTER_TRANSLATORS_FOLD_H
#define DLC_IMPORTER_TRANSLATORS_FOLD_H

#include "compiler/importer/Tensor.h"

#include <functional>

namespace dlc::importer {

/// fn(a[i], b[i]) over the broadcast shape `out`, of dtype `dtype`.
Tensor foldBinary(const Tensor &a, const Tensor &b, const Shape &out, DType dtype,
                  const std::function<double(double, double)> &fn);

/// fn(a[i]) of dtype `dtype`.
Tensor foldUnary(const Tensor &a, DType dtype, const std::function<double(double)> &fn);

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const Shape &shape);

/// The elements of `data` along `axis` at `indices` (numpy.take).
Tensor foldGather(const Tensor &data, const std::vector<int64_t> &indices, const Shape &indexShape,
                  int64_t axis);

/// torch.gather(data, axis, indices) for non-negative `indices` of shape `indexShape`.
Tensor foldGatherElements(const Tensor &data, const std::vector<int64_t> &indices,
                          const Shape &indexShape, int64_t axis);

/// `data[starts[d]:ends[d]:steps[d]]` per dimension (all dimensions given, already clamped).
Tensor foldSlice(const Tensor &data, const std::vector<int64_t> &starts, const std::vector<int64_t> &ends,
                 const std::vector<int64_t> &steps);

/// `data` transposed by `perm`.
Tensor foldTranspose(const Tensor &data, const std::vector<int64_t> &perm);

/// `parts` concatenated along `axis`.
Tensor foldConcat(const std::vector<const Tensor *> &parts, int64_t axis);

} // namespace dlc::importer

#endif // DLC_IMPORTER_TRANSLATORS_FOLD_H
