//===- ReductionOps.cpp - Reductions --------------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;
namespace shape = ::dl::shape;

namespace mlir::dl {

LogicalResult inferReduction(std::optional<Location> loc, Type input, ArrayRef<int64_t> axes,
                             bool keepdims, SmallVectorImpl<Type> &inferred) {
  shape::Shape out;
  std::string why;
  if (!shape::reduce(shapeOf(input), std::vector<int64_t>(axes.begin(), axes.end()), keepdims, out,
                     why))
    return inferenceError(loc, "cannot reduce " + typeString(input) + ": " + why);
  inferred.push_back(tensorOf(out, llvm::cast<RankedTensorType>(input).getElementType()));
  return success();
}

} // namespace mlir::dl

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> reduced;
  if (failed(inferReduction(location, adaptor.getInput().getType(), {static_cast<int64_t>(adaptor.getAxis())},
                            adaptor.getKeepdims(), reduced)))
    return failure();
  inferred.push_back(tensorOf(shapeOf(reduced[0]), IntegerType::get(context, 32)));
  return success();
}
