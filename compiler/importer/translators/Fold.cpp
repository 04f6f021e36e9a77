//===- Fold.cpp - Computing known tensors at import time ------------------===//
#include "compiler/importer/translators/Fold.h"

#include <cmath>

namespace dlc::importer {

std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

namespace {

/// The flat index into a tensor of `shape` (broadcast to `out`) of the element at `index` of `out`.
int64_t broadcastIndex(const Shape &shape, const Shape &out, const std::vector<int64_t> &index) {
  std::vector<int64_t> strides = stridesOf(shape);
  size_t offset = out.size() - shape.size();
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat += (shape[d] == 1 ? 0 : index[d + offset]) * strides[d];
  return flat;
}

/// Calls fn(index) for every multi-index of `shape`, in row-major order.
void forEachIndex(const Shape &shape, const std::function<void(const std::vector<int64_t> &)> &fn) {
  int64_t n = numElements(shape);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    fn(index);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

} // namespace

Tensor foldBinary(const Tensor &a, const Tensor &b, const Shape &out, DType dtype,
                  const std::function<double(double, double)> &fn) {
  std::vector<double> values;
  values.reserve(numElements(out));
  bool integer = dtype == DType::I32 || dtype == DType::I64;
  forEachIndex(out, [&](const std::vector<int64_t> &index) {
    double v = fn(a.values[broadcastIndex(a.shape, out, index)], b.values[broadcastIndex(b.shape, out, index)]);
    // Integer arithmetic stays integral: ONNX's integer Div truncates (shape arithmetic such as
    // PyTorch's (E + 2) / 3 for an attention's in-projection split).
    values.push_back(integer && std::isfinite(v) ? std::trunc(v) : v);
  });
  return makeTensor(dtype, out, std::move(values));
}

Tensor foldUnary(const Tensor &a, DType dtype, const std::function<double(double)> &fn) {
  std::vector<double> values;
  for (double v : a.values)
    values.push_back(fn(v));
  return makeTensor(dtype, a.shape, std::move(values));
}

Tensor foldGather(const Tensor &data, const std::vector<int64_t> &indices, const Shape &indexShape,
                  int64_t axis) {
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), indexShape.begin(), indexShape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  int64_t outer = numElements(Shape(data.shape.begin(), data.shape.begin() + axis));
  int64_t inner = numElements(Shape(data.shape.begin() + axis + 1, data.shape.end()));
  std::vector<double> values;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t idx : indices)
      for (int64_t i = 0; i < inner; ++i)
        values.push_back(data.values[(o * data.shape[axis] + idx) * inner + i]);
  return makeTensor(data.dtype, out, std::move(values));
}

Tensor foldGatherElements(const Tensor &data, const std::vector<int64_t> &indices,
                          const Shape &indexShape, int64_t axis) {
  std::vector<int64_t> strides = stridesOf(data.shape);
  std::vector<double> values;
  size_t p = 0;
  forEachIndex(indexShape, [&](const std::vector<int64_t> &at) {
    int64_t flat = 0;
    for (size_t d = 0; d < at.size(); ++d)
      flat += (static_cast<int64_t>(d) == axis ? indices[p] : at[d]) * strides[d];
    values.push_back(data.values[flat]);
    ++p;
  });
  return makeTensor(data.dtype, indexShape, std::move(values));
}

Tensor foldSlice(const Tensor &data, const std::vector<int64_t> &starts, const std::vector<int64_t> &ends,
                 const std::vector<int64_t> &steps) {
  Shape out;
  for (size_t d = 0; d < data.shape.size(); ++d) {
    int64_t n = steps[d] > 0 ? (ends[d] - starts[d] + steps[d] - 1) / steps[d]
                             : (starts[d] - ends[d] - steps[d] - 1) / -steps[d];
    out.push_back(std::max<int64_t>(n, 0));
  }
  std::vector<int64_t> strides = stridesOf(data.shape);
  std::vector<double> values;
  forEachIndex(out, [&](const std::vector<int64_t> &index) {
    int64_t flat = 0;
    for (size_t d = 0; d < out.size(); ++d)
      flat += (starts[d] + index[d] * steps[d]) * strides[d];
    values.push_back(data.values[flat]);
  });
  return makeTensor(data.dtype, out, std::move(values));
}

Tensor foldTranspose(const Tensor &data, const std::vector<int64_t> &perm) {
  Shape out;
  for (int64_t p : perm)
    out.push_back(data.shape[p]);
  std::vector<int64_t> strides = stridesOf(data.shape);
  std::vector<double> values;
  forEachIndex(out, [&](const std::vector<int64_t> &index) {
    int64_t flat = 0;
    for (size_t d = 0; d < out.size(); ++d)
      flat += index[d] * strides[perm[d]];
    values.push_back(data.values[flat]);
  });
  return makeTensor(data.dtype, out, std::move(values));
}

Tensor foldConcat(const std::vector<const Tensor *> &parts, int64_t axis) {
  Shape out = parts[0]->shape;
  out[axis] = 0;
  for (const Tensor *p : parts)
    out[axis] += p->shape[axis];
  int64_t outer = numElements(Shape(out.begin(), out.begin() + axis));
  std::vector<double> values;
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor *p : parts) {
      int64_t chunk = numElements(Shape(p->shape.begin() + axis, p->shape.end()));
      values.insert(values.end(), p->values.begin() + o * chunk, p->values.begin() + (o + 1) * chunk);
    }
  return makeTensor(parts[0]->dtype, out, std::move(values));
}

} // namespace dlc::importer
