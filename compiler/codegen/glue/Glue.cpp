//===- Glue.cpp - Entry points in MLIR's LLVM dialect ------------------------===//
//
// Builds the glue of a model.so (runtime/include/dl/model_abi.h) as an MLIR module in the LLVM
// dialect:
//   - `dl_model_descriptor`, the JSON descriptor;
//   - one `dl_entry_<i>` per entry point: loads each kernel's halide_buffer_t pointers from the
//     instance's table, calls the kernel with the seed and step, returns the first nonzero status,
//     then calls dlrt_copy for the copies the memory plan left; a loop (a dl.scan kept as one)
//     points its views (dlrt_view) and runs its kernels once per step;
//   - `dl_model_entries`, the table of those functions (and, in a library for both the CPU and
//     CUDA, `dl_model_entries_cuda`, the same entries calling the CUDA kernels), a null pointer for
//     a split train entry (ModelLayout.h), which the runtime runs as its grad and apply entries;
//   - the typed entry points of the generated header (`<model>_create`, `<model>_train_step`, ...),
//     each a call of the runtime's dlrt_* function.
// Then translates the module to LLVM IR and emits a position-independent object with LLVM 19.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/glue/Glue.h"
#include "compiler/codegen/halide/HalideCodegen.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
namespace LLVMD = mlir::LLVM;

namespace dl::codegen {
namespace {

class GlueBuilder {
public:
  GlueBuilder(MLIRContext &ctx, const ModelLayout &layout)
      : ctx_(ctx), layout_(layout), b_(&ctx), loc_(UnknownLoc::get(&ctx)) {
    ptr_ = LLVMD::LLVMPointerType::get(&ctx);
    i32_ = b_.getI32Type();
    i64_ = b_.getI64Type();
  }

  OwningOpRef<ModuleOp> build() {
    module_ = ModuleOp::create(loc_, StringRef("glue_" + layout_.name));
    b_.setInsertionPointToEnd(module_->getBody());
    descriptor();
    // One table of entry functions per device the library runs on: a library for both the CPU
    // and CUDA holds each kernel twice, its CUDA version named with kCudaKernelSuffix.
    bool both = layout_.target == "cpu,cuda";
    for (const char *suffix : both ? std::vector<const char *>{"", kCudaKernelSuffix}
                                   : std::vector<const char *>{""}) {
      std::vector<std::string> entryNames;
      // A split train entry has no function: the runtime runs its grad and apply entries.
      for (size_t i = 0; i < layout_.entries.size(); ++i)
        entryNames.push_back(layout_.entries[i].split ? std::string() : entryFunction(i, suffix));
      entryTable(entryNames, std::string("dl_model_entries") + suffix);
    }
    typedEntryPoints();
    return std::move(module_);
  }

private:
  LLVMD::LLVMFuncOp declare(StringRef name, Type result, ArrayRef<Type> params) {
    if (auto f = module_->lookupSymbol<LLVMD::LLVMFuncOp>(name))
      return f;
    OpBuilder::InsertionGuard guard(b_);
    b_.setInsertionPointToStart(module_->getBody());
    return b_.create<LLVMD::LLVMFuncOp>(loc_, name, LLVMD::LLVMFunctionType::get(result, params));
  }

  Value constI32(int64_t v) { return b_.create<LLVMD::ConstantOp>(loc_, i32_, b_.getI32IntegerAttr(v)); }
  Value constI64(int64_t v) { return b_.create<LLVMD::ConstantOp>(loc_, i64_, b_.getI64IntegerAttr(v)); }

  void descriptor() {
    std::string text = modelDescriptor(layout_);
    text.push_back('\0');
    auto type = LLVMD::LLVMArrayType::get(b_.getI8Type(), text.size());
    b_.create<LLVMD::GlobalOp>(loc_, type, /*isConstant=*/true, LLVMD::Linkage::External,
                               "dl_model_descriptor", b_.getStringAttr(text));
  }

  /// `int32_t dl_entry<suffix>_<i>(halide_buffer_t **buffers, uint64_t seed, uint32_t step)`,
  /// calling the kernels whose symbols end in `suffix`.
  std::string entryFunction(size_t index, const std::string &suffix) {
    const EntryLayout &entry = layout_.entries[index];
    std::string name = "dl_entry" + suffix + "_" + std::to_string(index);
    auto fn = b_.create<LLVMD::LLVMFuncOp>(
        loc_, name, LLVMD::LLVMFunctionType::get(i32_, {ptr_, i64_, i32_}),
        LLVMD::Linkage::Internal);
    Block *block = fn.addEntryBlock(b_);
    Block *fail = b_.createBlock(&fn.getBody(), fn.getBody().end(), {i32_}, {loc_});
    b_.create<LLVMD::ReturnOp>(loc_, fail->getArgument(0));

    b_.setInsertionPointToEnd(block);
    Value buffers = block->getArgument(0), seed = block->getArgument(1),
          step = block->getArgument(2);
    auto bufferPtr = [&](int i) {
      Value slot = b_.create<LLVMD::GEPOp>(loc_, ptr_, ptr_, buffers, ArrayRef<LLVMD::GEPArg>{i});
      return b_.create<LLVMD::LoadOp>(loc_, ptr_, slot).getResult();
    };
    auto checked = [&](Value status) {
      Value zero = constI32(0);
      Value failed = b_.create<LLVMD::ICmpOp>(loc_, LLVMD::ICmpPredicate::ne, status, zero);
      Block *current = b_.getInsertionBlock();
      Block *next = b_.createBlock(fail);
      b_.setInsertionPointToEnd(current);
      b_.create<LLVMD::CondBrOp>(loc_, failed, fail, ValueRange{status}, next, ValueRange{});
      b_.setInsertionPointToEnd(next);
    };
    auto callKernel = [&](const KernelCall &call) {
      SmallVector<Value> args;
      SmallVector<Type> types;
      for (int in : call.inputs)
        args.push_back(bufferPtr(in));
      args.push_back(seed);
      args.push_back(step);
      for (int out : call.outputs)
        args.push_back(bufferPtr(out));
      for (Value a : args)
        types.push_back(a.getType());
      auto kernel = declare(kernelSymbol(call.symbol + suffix), i32_, types);
      checked(b_.create<LLVMD::CallOp>(loc_, kernel, args).getResult());
    };
    auto copyBuffer = [&](const BufferCopy &c) {
      auto copy = declare("dlrt_copy", i32_, {ptr_, ptr_});
      checked(b_.create<LLVMD::CallOp>(loc_, copy,
                                       ValueRange{bufferPtr(c.destination), bufferPtr(c.source)})
                  .getResult());
    };
    // Points view `v` `offset` bytes into its parent.
    auto pointView = [&](int v, Value offset) {
      auto view = declare("dlrt_view", LLVMD::LLVMVoidType::get(&ctx_), {ptr_, ptr_, i64_});
      b_.create<LLVMD::CallOp>(
          loc_, view, ValueRange{bufferPtr(v), bufferPtr(layout_.buffers[v].parent), offset});
    };
    // for (i = 0; i < steps; ++i) { t = reverse ? steps-1-i : i; the step's views, kernels, copies }
    auto runLoop = [&](const ScanLoop &loop) {
      for (int v : loop.views)
        if (layout_.buffers[v].steps == 1)
          pointView(v, constI64(layout_.buffers[v].offset));
      for (const BufferCopy &c : loop.before)
        copyBuffer(c);
      Block *current = b_.getInsertionBlock();
      Block *header = b_.createBlock(fail, {i64_}, {loc_});
      Block *body = b_.createBlock(fail);
      Block *exit = b_.createBlock(fail);
      b_.setInsertionPointToEnd(current);
      b_.create<LLVMD::BrOp>(loc_, ValueRange{constI64(0)}, header);
      b_.setInsertionPointToEnd(header);
      Value i = header->getArgument(0);
      Value more = b_.create<LLVMD::ICmpOp>(loc_, LLVMD::ICmpPredicate::slt, i,
                                            constI64(loop.steps));
      b_.create<LLVMD::CondBrOp>(loc_, more, body, ValueRange{}, exit, ValueRange{});
      b_.setInsertionPointToEnd(body);
      Value t = loop.reverse ? b_.create<LLVMD::SubOp>(loc_, constI64(loop.steps - 1), i).getResult()
                             : i;
      for (int v : loop.views) {
        const BufferView &view = layout_.buffers[v];
        if (view.steps == 1)
          continue;
        Value moved = b_.create<LLVMD::MulOp>(loc_, t, constI64(view.stride));
        pointView(v, b_.create<LLVMD::AddOp>(loc_, moved, constI64(view.offset)));
      }
      for (size_t c = loop.firstCall; c < loop.endCall; ++c)
        callKernel(entry.calls[c]);
      for (const BufferCopy &c : loop.eachStep)
        copyBuffer(c);
      Value nextI = b_.create<LLVMD::AddOp>(loc_, i, constI64(1));
      b_.create<LLVMD::BrOp>(loc_, ValueRange{nextI}, header);
      b_.setInsertionPointToEnd(exit);
    };
    size_t nextCall = 0, nextLoop = 0;
    while (true) {
      if (nextLoop < entry.loops.size() && entry.loops[nextLoop].firstCall == nextCall) {
        runLoop(entry.loops[nextLoop]);
        nextCall = entry.loops[nextLoop++].endCall;
        continue;
      }
      if (nextCall >= entry.calls.size())
        break;
      callKernel(entry.calls[nextCall++]);
    }
    for (const BufferCopy &c : entry.copies)
      copyBuffer(c);
    b_.create<LLVMD::ReturnOp>(loc_, constI32(0));
    b_.setInsertionPointToEnd(module_->getBody());
    return name;
  }

  void entryTable(const std::vector<std::string> &names, const std::string &symbol) {
    auto type = LLVMD::LLVMArrayType::get(ptr_, std::max<size_t>(names.size(), 1));
    auto global = b_.create<LLVMD::GlobalOp>(loc_, type, /*isConstant=*/true,
                                             LLVMD::Linkage::External, symbol,
                                             Attribute());
    OpBuilder::InsertionGuard guard(b_);
    b_.createBlock(&global.getInitializerRegion());
    Value table = b_.create<LLVMD::UndefOp>(loc_, type);
    for (size_t i = 0; i < names.size(); ++i) {
      Value fn = names[i].empty() ? b_.create<LLVMD::ZeroOp>(loc_, ptr_).getResult()
                                  : b_.create<LLVMD::AddressOfOp>(loc_, ptr_, names[i]).getResult();
      table = b_.create<LLVMD::InsertValueOp>(loc_, table, fn, ArrayRef<int64_t>{int64_t(i)});
    }
    if (names.empty())
      table = b_.create<LLVMD::InsertValueOp>(loc_, table, b_.create<LLVMD::ZeroOp>(loc_, ptr_),
                                              ArrayRef<int64_t>{0});
    b_.create<LLVMD::ReturnOp>(loc_, table);
  }

  /// A function `name(params...)` that returns `callee(params...)`.
  void forward(const std::string &name, StringRef callee, Type result, ArrayRef<Type> params) {
    auto target = declare(callee, result, params);
    auto fn = b_.create<LLVMD::LLVMFuncOp>(loc_, name, LLVMD::LLVMFunctionType::get(result, params));
    Block *block = fn.addEntryBlock(b_);
    b_.setInsertionPointToEnd(block);
    auto call = b_.create<LLVMD::CallOp>(loc_, target, block->getArguments());
    if (isa<LLVMD::LLVMVoidType>(result))
      b_.create<LLVMD::ReturnOp>(loc_, ValueRange{});
    else
      b_.create<LLVMD::ReturnOp>(loc_, call.getResult());
    b_.setInsertionPointToEnd(module_->getBody());
  }

  /// The API of ModelSymbols.h (modelApiSuffixes), which the link exports and no other function.
  void typedEntryPoints() {
    const std::string &m = layout_.name;
    Type voidType = LLVMD::LLVMVoidType::get(&ctx_);
    forward(m + "_create", "dlrt_create", i32_, {ptr_, ptr_});
    forward(m + "_destroy", "dlrt_destroy", voidType, {ptr_});
    forward(m + "_param", "dlrt_tensor", i32_, {ptr_, ptr_, ptr_, ptr_});
    forward(m + "_save", "dlrt_save", i32_, {ptr_, ptr_});
    forward(m + "_load", "dlrt_load", i32_, {ptr_, ptr_});
    forward(m + "_step", "dlrt_step", i64_, {ptr_});
    forward(m + "_last_error", "dlrt_last_error", ptr_, {ptr_});
    forward(m + "_info", "dlrt_info", ptr_, {});
    forward(m + "_set_communicator", "dlrt_set_communicator", i32_, {ptr_, ptr_});
    forward(m + "_gradients", "dlrt_gradients", i32_, {ptr_, i32_, ptr_, ptr_});

    // <model>_<entry>(m, inputs..., outputs...) -> dlrt_call(m, i, inputs, n, outputs, n).
    auto call = declare("dlrt_call", i32_, {ptr_, i32_, ptr_, i32_, ptr_, i32_});
    for (size_t i = 0; i < layout_.entries.size(); ++i) {
      const EntryLayout &e = layout_.entries[i];
      size_t nIn = e.inputs.size(), nOut = e.outputs.size();
      SmallVector<Type> params(1 + nIn + nOut, ptr_);
      auto fn = b_.create<LLVMD::LLVMFuncOp>(loc_, m + "_" + e.name,
                                             LLVMD::LLVMFunctionType::get(i32_, params));
      Block *block = fn.addEntryBlock(b_);
      b_.setInsertionPointToEnd(block);
      auto array = [&](size_t first, size_t count) {
        auto type = LLVMD::LLVMArrayType::get(ptr_, std::max<size_t>(count, 1));
        Value base = b_.create<LLVMD::AllocaOp>(loc_, ptr_, type, constI64(1));
        for (size_t k = 0; k < count; ++k) {
          Value slot = b_.create<LLVMD::GEPOp>(loc_, ptr_, type, base,
                                               ArrayRef<LLVMD::GEPArg>{0, int32_t(k)});
          b_.create<LLVMD::StoreOp>(loc_, block->getArgument(first + k), slot);
        }
        return base;
      };
      Value inputs = array(1, nIn), outputs = array(1 + nIn, nOut);
      Value status = b_.create<LLVMD::CallOp>(
                            loc_, call,
                            ValueRange{block->getArgument(0), constI32(i), inputs, constI32(nIn),
                                       outputs, constI32(nOut)})
                         .getResult();
      b_.create<LLVMD::ReturnOp>(loc_, status);
      b_.setInsertionPointToEnd(module_->getBody());
    }
  }

  MLIRContext &ctx_;
  const ModelLayout &layout_;
  OpBuilder b_;
  Location loc_;
  OwningOpRef<ModuleOp> module_;
  Type ptr_, i32_, i64_;
};

} // namespace

OwningOpRef<ModuleOp> buildGlueModule(MLIRContext &context, const ModelLayout &layout) {
  context.getOrLoadDialect<LLVMD::LLVMDialect>();
  return GlueBuilder(context, layout).build();
}

std::unique_ptr<llvm::Module> translateGlue(ModuleOp glue, llvm::LLVMContext &llvmContext,
                                            std::string &error) {
  registerBuiltinDialectTranslation(*glue->getContext());
  registerLLVMDialectTranslation(*glue->getContext());
  auto module = translateModuleToLLVMIR(glue, llvmContext, glue.getName().value_or("glue"));
  if (!module) {
    error = "cannot translate the glue to LLVM IR";
    return nullptr;
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  module->setTargetTriple(triple);
  return module;
}

bool emitObject(llvm::Module &module, const std::string &path, std::string &error) {
  std::string triple = module.getTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, "x86-64", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
  module.setDataLayout(machine->createDataLayout());
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "LLVM cannot emit an object file for " + triple;
    return false;
  }
  passes.run(module);
  out.flush();
  return true;
}

} // namespace dl::codegen
