//===- MemoryPlan.cpp - The memory plan's attributes ------------------------===//
//
// #dl.slot (its syntax and verifier), the dialect's check of every attribute of the memory plan
// (DLModel.h) where it appears, and the accessors the plan is written and read through. What the
// plan should be is dl-plan-memory's business (compiler/transforms/PlanMemory.cpp); this file only
// says what a well-formed plan looks like: slots that match the kernel's results and name real
// state and real entry outputs of the same type, and byte counts that are non-negative multiples
// of 64.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace mlir::dl;

//===----------------------------------------------------------------------===//
// #dl.slot
//===----------------------------------------------------------------------===//

Attribute SlotAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<SlotKind> kind = symbolizeSlotKind(keyword);
  if (!kind) {
    parser.emitError(loc) << "expected 'arena', 'state', 'output' or 'step', not '" << keyword
                          << "'";
    return {};
  }
  int64_t value = 0;
  FlatSymbolRefAttr symbol;
  if (*kind == SlotKind::state ? parser.parseAttribute(symbol) : parser.parseInteger(value))
    return {};
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(), *kind, value,
                    symbol);
}

void SlotAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifySlotKind(getKind()) << " ";
  if (getKind() == SlotKind::state)
    printer.printAttribute(getSymbol());
  else
    printer << getValue();
  printer << ">";
}

LogicalResult SlotAttr::verify(function_ref<InFlightDiagnostic()> emitError, SlotKind kind,
                               int64_t value, FlatSymbolRefAttr symbol) {
  if ((kind == SlotKind::state) != static_cast<bool>(symbol))
    return emitError() << "a " << stringifySlotKind(kind) << " slot "
                       << (symbol ? "takes no symbol" : "needs a symbol");
  switch (kind) {
  case SlotKind::arena:
    if (value < 0 || value % kPlanAlignment != 0)
      return emitError() << "arena offset " << value << " is not a non-negative multiple of "
                         << kPlanAlignment << " bytes";
    break;
  case SlotKind::output:
    if (value < 0)
      return emitError() << "output index " << value << " is negative";
    break;
  case SlotKind::step:
    if (value < 0)
      return emitError() << "yield operand " << value << " is negative";
    break;
  case SlotKind::state:
    if (value != 0)
      return emitError() << "a state slot takes no offset";
    break;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The plan's attributes where they appear
//===----------------------------------------------------------------------===//

/// `dl.slots` on a dl.fusion: one #dl.slot per result, each naming state or an entry output that
/// holds the result's type.
static LogicalResult verifySlots(Operation *op, Attribute value) {
  auto fusion = llvm::dyn_cast<FusionOp>(op);
  if (!fusion)
    return op->emitOpError() << "carries '" << kSlotsAttr << "', which only a dl.fusion has";
  auto slots = llvm::dyn_cast<ArrayAttr>(value);
  if (!slots)
    return op->emitOpError() << "'" << kSlotsAttr << "' must be an array of #dl.slot";
  if (slots.size() != fusion->getNumResults())
    return op->emitOpError() << "has " << fusion->getNumResults() << " results but "
                             << slots.size() << " slots in '" << kSlotsAttr << "'";
  for (auto [i, element] : llvm::enumerate(slots)) {
    auto slot = llvm::dyn_cast<SlotAttr>(element);
    if (!slot)
      return op->emitOpError() << "slot " << i << " is " << element << ", not a #dl.slot";
    Type type = fusion->getResult(i).getType();
    if (slot.getKind() == SlotKind::state) {
      Operation *target = SymbolTable::lookupNearestSymbolFrom(op, slot.getSymbol());
      Type stored;
      if (auto param = llvm::dyn_cast_or_null<ParamOp>(target))
        stored = param.getType();
      else if (auto buffer = llvm::dyn_cast_or_null<BufferOp>(target))
        stored = buffer.getType();
      else
        return op->emitOpError() << "writes result " << i << " in place into '"
                                 << slot.getSymbol().getValue()
                                 << "', which is not a parameter or buffer of the model";
      if (stored != type)
        return op->emitOpError() << "writes result " << i << " of type " << type
                                 << " in place into '" << slot.getSymbol().getValue()
                                 << "', which holds " << stored;
    } else if (slot.getKind() == SlotKind::step) {
      auto scan = llvm::dyn_cast_or_null<ScanOp>(op->getParentOp());
      if (!scan)
        return op->emitOpError() << "writes result " << i
                                 << " to a step's row of a scan's storage outside a dl.scan body";
      auto yield = llvm::cast<ScanYieldOp>(scan.getBodyBlock().getTerminator());
      if (slot.getValue() >= static_cast<int64_t>(yield.getValues().size()))
        return op->emitOpError() << "writes result " << i << " to yield operand "
                                 << slot.getValue() << " of a scan body that yields "
                                 << yield.getValues().size();
      if (yield.getValues()[slot.getValue()] != fusion->getResult(i))
        return op->emitOpError() << "writes result " << i << " to the row of yield operand "
                                 << slot.getValue() << ", which yields another value";
    } else if (slot.getKind() == SlotKind::output) {
      auto func = op->getParentOfType<func::FuncOp>();
      auto results = func ? func.getFunctionType().getResults() : ArrayRef<Type>();
      if (slot.getValue() >= static_cast<int64_t>(results.size()))
        return op->emitOpError() << "writes result " << i << " to output " << slot.getValue()
                                 << " of a function with " << results.size() << " results";
      if (results[slot.getValue()] != type)
        return op->emitOpError() << "writes result " << i << " of type " << type << " to output "
                                 << slot.getValue() << ", of type " << results[slot.getValue()];
    }
  }
  return success();
}

/// A byte count or offset of the plan: a non-negative i64 multiple of 64.
static LogicalResult verifyBytes(Operation *op, StringRef name, Attribute value) {
  auto bytes = llvm::dyn_cast<IntegerAttr>(value);
  if (!bytes || !bytes.getType().isInteger(64))
    return op->emitOpError() << "'" << name << "' must be an i64 byte count";
  int64_t v = bytes.getInt();
  if (v < 0 || v % kPlanAlignment != 0)
    return op->emitOpError() << "'" << name << "' is " << v
                             << " bytes, not a non-negative multiple of " << kPlanAlignment;
  return success();
}

/// `dl.scan_storage` on a dl.scan: one arena offset (a multiple of 64) or -1 per yield operand;
/// -1 only for an emitted value.
static LogicalResult verifyScanStorage(Operation *op, Attribute value) {
  auto scan = llvm::dyn_cast<ScanOp>(op);
  if (!scan)
    return op->emitOpError() << "carries '" << kScanStorageAttr << "', which only a dl.scan has";
  auto offsets = llvm::dyn_cast<DenseI64ArrayAttr>(value);
  unsigned yielded = scan.getNumCarries() + scan.getNumEmits();
  if (!offsets || offsets.size() != static_cast<int64_t>(yielded))
    return op->emitOpError() << "'" << kScanStorageAttr << "' must hold " << yielded
                             << " offsets, one per yield operand";
  for (auto [k, offset] : llvm::enumerate(offsets.asArrayRef())) {
    if (offset == -1 && k >= scan.getNumCarries())
      continue;
    if (offset < 0 || offset % kPlanAlignment != 0)
      return op->emitOpError() << "storage " << k << " at " << offset
                               << " is not a non-negative multiple of " << kPlanAlignment;
  }
  return success();
}

LogicalResult DLDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto misplaced = [&](StringRef where) {
    return op->emitOpError() << "carries '" << name << "', which only " << where << " has";
  };
  if (name == kSlotsAttr)
    return verifySlots(op, attr.getValue());
  if (name == kScanStorageAttr)
    return verifyScanStorage(op, attr.getValue());
  if (name == kOffsetAttr && !llvm::isa<ParamOp, BufferOp>(op))
    return misplaced("a dl.param or dl.buffer");
  if ((name == kParamBytesAttr || name == kStateBytesAttr) && !llvm::isa<ModelOp>(op))
    return misplaced("a dl.model");
  if (name == kWorkspaceBytesAttr && !llvm::isa<ModelOp, func::FuncOp>(op))
    return misplaced("a dl.model or an entry function");
  if (name == kOffsetAttr || name == kParamBytesAttr || name == kStateBytesAttr ||
      name == kWorkspaceBytesAttr)
    return verifyBytes(op, name, attr.getValue());
  return success();
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

SlotAttr FusionOp::getSlot(unsigned i) {
  auto slots = (*this)->getAttrOfType<ArrayAttr>(kSlotsAttr);
  if (!slots || i >= slots.size())
    return {};
  return llvm::dyn_cast<SlotAttr>(slots[i]);
}

void FusionOp::setSlots(ArrayRef<SlotAttr> slots) {
  SmallVector<Attribute> elements(slots.begin(), slots.end());
  (*this)->setAttr(kSlotsAttr, ArrayAttr::get(getContext(), elements));
}

static std::optional<int64_t> bytesAttr(Operation *op, StringRef name) {
  if (auto bytes = op->getAttrOfType<IntegerAttr>(name))
    return bytes.getInt();
  return std::nullopt;
}

std::optional<PlanSizes> ModelOp::getPlanSizes() {
  auto params = bytesAttr(*this, kParamBytesAttr);
  auto state = bytesAttr(*this, kStateBytesAttr);
  auto workspace = bytesAttr(*this, kWorkspaceBytesAttr);
  if (!params || !state || !workspace)
    return std::nullopt;
  return PlanSizes{*params, *state, *workspace};
}

std::optional<SmallVector<int64_t>> mlir::dl::getPlannedScanStorage(ScanOp scan) {
  auto offsets = scan->getAttrOfType<DenseI64ArrayAttr>(kScanStorageAttr);
  if (!offsets)
    return std::nullopt;
  return SmallVector<int64_t>(offsets.asArrayRef());
}

void mlir::dl::setPlannedScanStorage(ScanOp scan, ArrayRef<int64_t> offsets) {
  scan->setAttr(kScanStorageAttr, DenseI64ArrayAttr::get(scan.getContext(), offsets));
}

void ModelOp::setPlanSizes(const PlanSizes &sizes) {
  Builder b(getContext());
  (*this)->setAttr(kParamBytesAttr, b.getI64IntegerAttr(sizes.paramBytes));
  (*this)->setAttr(kStateBytesAttr, b.getI64IntegerAttr(sizes.stateBytes));
  (*this)->setAttr(kWorkspaceBytesAttr, b.getI64IntegerAttr(sizes.workspaceBytes));
}

std::optional<int64_t> mlir::dl::getPlannedWorkspaceBytes(func::FuncOp entry) {
  return bytesAttr(entry, kWorkspaceBytesAttr);
}

void mlir::dl::setPlannedWorkspaceBytes(func::FuncOp entry, int64_t bytes) {
  entry->setAttr(kWorkspaceBytesAttr, Builder(entry.getContext()).getI64IntegerAttr(bytes));
}
