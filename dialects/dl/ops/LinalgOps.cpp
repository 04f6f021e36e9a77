//===- LinalgOps.cpp - Matrix products ------------------------------------===//
#include "GradBuilder.h"
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  Type lhs = adaptor.getLhs().getType(), rhs = adaptor.getRhs().getType();
  Type element = llvm::cast<RankedTensorType>(lhs).getElementType();
  if (llvm::cast<RankedTensorType>(rhs).getElementType() != element)
    return inferenceError(location, "matmul operands have different element types: " +
                                        typeString(lhs) + " and " + typeString(rhs));
  shape::Shape out;
  std::string why;
  if (!shape::matmul(shapeOf(lhs), shapeOf(rhs), out, why))
    return inferenceError(location, "matmul shapes do not agree: " + typeString(lhs) + " @ " +
                                        typeString(rhs) + " (" + why + ")");
  inferred.push_back(tensorOf(out, element));
  return success();
}

/// The value with its last two dimensions swapped.
static Value swapLastTwo(GradBuilder &g, Value v) {
  int64_t rank = llvm::cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return g.transpose(v, perm);
}

LogicalResult MatmulOp::buildVJP(OpBuilder &b, ArrayRef<Value> dy, SmallVectorImpl<Value> &dx) {
  // With A [.., M, K] and B [.., K, N]: dA = dY B^T and dB = A^T dY, each summed over the batch
  // dimensions it was broadcast along. Vectors are first promoted to matrices, as NumPy does.
  GradBuilder g(b, getLoc());
  Type element = GradBuilder::elementOf(getLhs());
  shape::Shape as = shapeOf(getLhs().getType()), bs = shapeOf(getRhs().getType());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  shape::Shape ys;
  std::string why;
  shape::matmul(as, bs, ys, why);
  Value a = g.reshape(getLhs(), tensorOf(as, element));
  Value bm = g.reshape(getRhs(), tensorOf(bs, element));
  Value dY = g.reshape(dy[0], tensorOf(ys, element));
  Value dA = g.sumToType(g.matmul(dY, swapLastTwo(g, bm)), a.getType());
  Value dB;
  if (bs.size() == 2 && as.size() > 2) {
    // A weight shared by every batch (x [B, T, K] @ W [K, N]): one product over all B*T rows,
    // A^T dY as [K, B*T] x [B*T, N], rather than B products summed afterwards.
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < as.size(); ++i)
      rows *= as[i];
    Value a2 = g.reshape(a, tensorOf({rows, as.back()}, element));
    Value dY2 = g.reshape(dY, tensorOf({rows, ys.back()}, element));
    dB = g.matmul(swapLastTwo(g, a2), dY2);
  } else {
    dB = g.sumToType(g.matmul(swapLastTwo(g, a), dY), bm.getType());
  }
  dx.push_back(g.reshape(dA, getLhs().getType()));
  dx.push_back(g.reshape(dB, getRhs().getType()));
  return success();
}
