//===- Linalg.cpp - Matrix products ----------------------------------------===//
//
// dl.matmul with NumPy's semantics: the last two dimensions multiply, leading (batch) dimensions
// broadcast, and a 1-D operand is a row (left) or column (right) vector whose added dimension is
// dropped again. Dropping a size-1 dimension does not move any element, so the product is computed
// in the promoted [batch..., M, N] layout and stored under the result type's shape unchanged.
//
// The loops run i-k-j so the innermost one walks both B and C contiguously; a 128x784 @ 784x256
// product takes a few tens of milliseconds.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <algorithm>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// An operand as [batch..., rows, cols], with a 1-D vector promoted to a row or a column.
struct MatrixView {
  Shape batch;
  int64_t rows, cols;
};

MatrixView promote(const Shape &shape, bool isLeft) {
  if (shape.size() == 1)
    return isLeft ? MatrixView{{}, 1, shape[0]} : MatrixView{{}, shape[0], 1};
  MatrixView v;
  v.batch.assign(shape.begin(), shape.end() - 2);
  v.rows = shape[shape.size() - 2];
  v.cols = shape[shape.size() - 1];
  return v;
}

/// The NumPy broadcast of two batch shapes (the verifier has checked they are compatible).
Shape broadcastBatch(const Shape &a, const Shape &b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    out[out.size() - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

LogicalResult evalMatmul(dlo::MatmulOp, OpContext &c) {
  const Tensor &a = c.operand(0), &b = c.operand(1);
  Tensor &out = c.result();
  MatrixView va = promote(a.shape, /*isLeft=*/true), vb = promote(b.shape, /*isLeft=*/false);
  if (va.cols != vb.rows)
    return c.fail("inner dimensions differ: " + a.typeString() + " @ " + b.typeString());
  int64_t m = va.rows, k = va.cols, n = vb.cols;
  Shape batch = broadcastBatch(va.batch, vb.batch);
  // Which batch of each operand feeds each batch of the result.
  std::vector<int64_t> batchA = broadcastIndices(va.batch, batch);
  std::vector<int64_t> batchB = broadcastIndices(vb.batch, batch);
  if (static_cast<int64_t>(out.data.size()) != static_cast<int64_t>(batchA.size()) * m * n)
    return c.fail("result " + out.typeString() + " does not hold the product of " +
                  a.typeString() + " @ " + b.typeString());
  for (size_t p = 0; p < batchA.size(); ++p) {
    const double *A = a.data.data() + batchA[p] * m * k;
    const double *B = b.data.data() + batchB[p] * k * n;
    double *C = out.data.data() + p * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t kk = 0; kk < k; ++kk) {
        double aik = A[i * k + kk];
        for (int64_t j = 0; j < n; ++j)
          C[i * n + j] += aik * B[kk * n + j];
      }
  }
  return success();
}

} // namespace

void registerLinalgKernels(KernelTable &t) { addKernel<dlo::MatmulOp>(t, evalMatmul); }

} // namespace dl::interp
