//===- FusionOps.cpp - dl.fusion and dl.yield -------------------------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace mlir::dl;

LogicalResult FusionOp::verify() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "has " << getInputs().size() << " inputs but its region takes "
                         << body.getNumArguments() << " arguments";
  for (auto [input, arg] : llvm::zip(getInputs(), body.getArguments()))
    if (input.getType() != arg.getType())
      return emitOpError() << "input of type " << input.getType()
                           << " is bound to a region argument of type " << arg.getType();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "yields " << yield.getValues().size()
                         << " values whose types differ from its results";
  return success();
}
