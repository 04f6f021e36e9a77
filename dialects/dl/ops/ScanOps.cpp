//===- ScanOps.cpp - dl.scan and dl.scan_yield ------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;

int64_t ScanOp::getLength() {
  return llvm::cast<RankedTensorType>(getSequences().front().getType()).getDimSize(0);
}

RankedTensorType ScanOp::stackedType(int64_t steps, Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  SmallVector<int64_t> shape{steps};
  shape.append(t.getShape().begin(), t.getShape().end());
  return RankedTensorType::get(shape, t.getElementType());
}

RankedTensorType ScanOp::sliceType(Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  return RankedTensorType::get(t.getShape().drop_front(), t.getElementType());
}

void ScanOp::build(OpBuilder &b, OperationState &state, ValueRange sequences, ValueRange inits,
                   ValueRange captures, TypeRange emitTypes, bool reverse) {
  int64_t steps = llvm::cast<RankedTensorType>(sequences.front().getType()).getDimSize(0);
  SmallVector<Type> results(inits.getTypes());
  for (Type t : emitTypes)
    results.push_back(stackedType(steps, t));
  for (Value v : inits)
    results.push_back(stackedType(steps, v.getType()));
  build(b, state, results, sequences, inits, captures, reverse);
}

LogicalResult ScanOp::verify() {
  if (getSequences().empty())
    return emitOpError("needs at least one sequence to scan over");
  SmallVector<Type> argTypes;
  int64_t steps = -1;
  for (Value s : getSequences()) {
    auto t = llvm::cast<RankedTensorType>(s.getType());
    if (t.getRank() < 1 || (steps >= 0 && t.getDimSize(0) != steps))
      return emitOpError() << "sequences must share their leading (time) dimension; got "
                           << s.getType();
    steps = t.getDimSize(0);
    argTypes.push_back(sliceType(t));
  }
  if (steps < 1)
    return emitOpError("needs at least one step");
  for (Value v : getInits())
    argTypes.push_back(v.getType());
  for (Value v : getCaptures())
    argTypes.push_back(v.getType());
  Block &body = getBodyBlock();
  if (body.empty() || !llvm::isa<ScanYieldOp>(body.back()))
    return emitOpError("body must end with dl.scan_yield");
  if (TypeRange(body.getArgumentTypes()) != TypeRange(argTypes))
    return emitOpError("body arguments must be the sequences' slices, the carries and the "
                       "captures, in that order and of their types");
  auto yield = llvm::cast<ScanYieldOp>(body.back());
  unsigned carries = getNumCarries();
  if (yield.getValues().size() < carries)
    return emitOpError() << "body yields " << yield.getValues().size() << " values for "
                         << carries << " carries";
  SmallVector<Type> expected;
  for (unsigned i = 0; i < carries; ++i) {
    if (yield.getValues()[i].getType() != getInits()[i].getType())
      return emitOpError() << "carry " << i << " enters as " << getInits()[i].getType()
                           << " but the body yields " << yield.getValues()[i].getType();
    expected.push_back(getInits()[i].getType());
  }
  for (Value e : yield.getValues().drop_front(carries))
    expected.push_back(stackedType(steps, e.getType()));
  for (Value v : getInits())
    expected.push_back(stackedType(steps, v.getType()));
  if (TypeRange(getResultTypes()) != TypeRange(expected))
    return emitOpError("results must be the final carries, the stacked emitted values and the "
                       "carries' histories");
  return success();
}
