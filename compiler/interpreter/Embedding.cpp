//===- Embedding.cpp - dl.embedding and dl.embedding_grad -----------------===//
//
// The lookup copies row ids[s] of the table [V, D] to position s of the result; its gradient adds
// row s of the incoming gradient into row ids[s] of a zero [V, D] table, in row-major order of s
// (so repeated ids sum, in the order compiled kernels add them). An id outside [0, V) fails the
// op with the id, its position and V, as the compiled kernels do.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <algorithm>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// Row `ids.data[i]` of a table of `rows` rows, or failure naming the id and its position.
LogicalResult rowOf(OpContext &c, const Tensor &ids, int64_t i, int64_t rows, int64_t &row) {
  double id = ids.data[i];
  row = static_cast<int64_t>(id);
  if (id >= 0 && id < static_cast<double>(rows))
    return success();
  std::string position;
  int64_t rest = i;
  for (size_t d = ids.shape.size(); d-- > 0;) {
    position = std::to_string(rest % ids.shape[d]) + (position.empty() ? "" : ", ") + position;
    rest /= ids.shape[d];
  }
  return c.fail("id " + std::to_string(row) + " at [" + position + "] of the ids " +
                ids.typeString() + " is outside the table's rows [0, " + std::to_string(rows) +
                ")");
}

LogicalResult evalEmbedding(dlo::EmbeddingOp, OpContext &c) {
  const Tensor &ids = c.operand(0), &table = c.operand(1);
  Tensor &out = c.result();
  int64_t rows = table.shape[0], dim = table.shape[1];
  for (int64_t i = 0; i < ids.numElements(); ++i) {
    int64_t row;
    if (failed(rowOf(c, ids, i, rows, row)))
      return failure();
    std::copy_n(table.data.begin() + row * dim, dim, out.data.begin() + i * dim);
  }
  return success();
}

LogicalResult evalEmbeddingGrad(dlo::EmbeddingGradOp, OpContext &c) {
  const Tensor &ids = c.operand(0), &grad = c.operand(1);
  Tensor &out = c.result();
  int64_t rows = out.shape[0], dim = out.shape[1];
  for (int64_t i = 0; i < ids.numElements(); ++i) {
    int64_t row;
    if (failed(rowOf(c, ids, i, rows, row)))
      return failure();
    for (int64_t d = 0; d < dim; ++d)
      out.data[row * dim + d] += grad.data[i * dim + d];
  }
  return success();
}

} // namespace

void registerEmbeddingKernels(KernelTable &t) {
  addKernel<dlo::EmbeddingOp>(t, evalEmbedding);
  addKernel<dlo::EmbeddingGradOp>(t, evalEmbeddingGrad);
}

} // namespace dl::interp
