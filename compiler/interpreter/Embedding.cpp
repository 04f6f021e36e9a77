//===- Embedding.cpp - dl.embedding and dl.embedding_grad -----------------===//
//
// The lookup copies row ids[s] of the table [V, D] to position s of the result; its gradient adds
// row s of the incoming gradient into row ids[s] of a zero [V, D] table, in row-major order of s
// (so repeated ids sum, in the order compiled kernels add them). An id outside [0, V) fails the
// op with the id, its position and V, as the compiled kernels do.
//
// gather reads, for each position p of the index, the input at p with its axis coordinate
// replaced by index[p]; its gradient adds grad[p] there into a zero tensor of the input's shape,
// in row-major order of p. An index outside [0, s[axis]) fails the op the same way.
//
//===----------------------------------------------------------------------===//
#include "compiler/interpreter/Kernels.h"

#include <algorithm>

using namespace mlir;
namespace dlo = mlir::dl;

namespace dl::interp {
namespace {

/// Row `ids.data[i]` of a table of `rows` rows, or failure naming the id and its position (as
/// "<noun> <id> at [position] of the <group> <type> is outside <what> [0, rows)").
LogicalResult rowOf(OpContext &c, const Tensor &ids, int64_t i, int64_t rows, int64_t &row,
                    const std::string &noun = "id", const std::string &group = "ids",
                    const std::string &what = "the table's rows") {
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
  return c.fail(noun + " " + std::to_string(row) + " at [" + position + "] of the " + group + " " +
                ids.typeString() + " is outside " + what + " [0, " + std::to_string(rows) + ")");
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

/// The flat offset into `input` (shape `inputShape`) of index position `p` (flat, in the index's
/// shape) with its `axis` coordinate replaced by the index's value there, or failure naming it.
LogicalResult gatheredOffset(OpContext &c, const Tensor &index, int64_t p,
                             const std::vector<int64_t> &inputShape, int64_t axis,
                             int64_t &offset) {
  int64_t extent = inputShape[axis];
  int64_t at;
  if (failed(rowOf(c, index, p, extent, at, "index", "index",
                   "the input's axis " + std::to_string(axis))))
    return failure();
  offset = 0;
  int64_t rest = p, stride = 1;
  for (size_t d = inputShape.size(); d-- > 0;) {
    int64_t coordinate = rest % index.shape[d];
    rest /= index.shape[d];
    offset += (static_cast<int64_t>(d) == axis ? at : coordinate) * stride;
    stride *= inputShape[d];
  }
  return success();
}

LogicalResult evalGather(dlo::GatherOp op, OpContext &c) {
  const Tensor &input = c.operand(0), &index = c.operand(1);
  Tensor &out = c.result();
  int64_t rank = static_cast<int64_t>(input.shape.size());
  int64_t axis = normalizeAxis(static_cast<int64_t>(op.getAxis()), rank);
  for (int64_t p = 0; p < index.numElements(); ++p) {
    int64_t offset;
    if (failed(gatheredOffset(c, index, p, input.shape, axis, offset)))
      return failure();
    out.data[p] = input.data[offset];
  }
  return success();
}

LogicalResult evalGatherGrad(dlo::GatherGradOp op, OpContext &c) {
  const Tensor &index = c.operand(0), &grad = c.operand(1);
  Tensor &out = c.result();
  std::fill(out.data.begin(), out.data.end(), 0.0);
  int64_t rank = static_cast<int64_t>(out.shape.size());
  int64_t axis = normalizeAxis(static_cast<int64_t>(op.getAxis()), rank);
  for (int64_t p = 0; p < index.numElements(); ++p) {
    int64_t offset;
    if (failed(gatheredOffset(c, index, p, out.shape, axis, offset)))
      return failure();
    out.data[offset] += grad.data[p];
  }
  return success();
}

} // namespace

void registerEmbeddingKernels(KernelTable &t) {
  addKernel<dlo::GatherOp>(t, evalGather);
  addKernel<dlo::GatherGradOp>(t, evalGatherGrad);
  addKernel<dlo::EmbeddingOp>(t, evalEmbedding);
  addKernel<dlo::EmbeddingGradOp>(t, evalEmbeddingGrad);
}

} // namespace dl::interp
