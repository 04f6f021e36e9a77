//===- CompileModel.cpp - From a planned model to model.so and friends ------===//
#include "compiler/codegen/CompileModel.h"
#include "compiler/codegen/Header.h"
#include "compiler/codegen/ModelLayout.h"
#include "compiler/codegen/glue/Glue.h"
#include "compiler/codegen/halide/HalideCodegen.h"
#include "compiler/codegen/link/Link.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>

using namespace mlir;

namespace dl::codegen {
namespace {

/// A scratch folder removed with everything in it when the build ends.
class ScratchDir {
public:
  bool create(std::string &error) {
    llvm::SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("dlc", path)) {
      error = "cannot create a temporary folder: " + ec.message();
      return false;
    }
    path_ = std::string(path);
    return true;
  }
  ~ScratchDir() {
    if (!path_.empty())
      llvm::sys::fs::remove_directories(path_);
  }
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

FailureOr<ModelLayout> selectAndLayout(ModuleOp module, const std::string &wanted,
                                                    std::string &error) {
  SmallVector<mlir::dl::ModelOp> models;
  module.walk([&](mlir::dl::ModelOp m) { models.push_back(m); });
  mlir::dl::ModelOp chosen;
  std::string names;
  for (auto m : models) {
    names += (names.empty() ? "" : ", ") + m.getSymName().str();
    if (wanted.empty() ? models.size() == 1 : m.getSymName() == wanted)
      chosen = m;
  }
  if (!chosen) {
    error = models.empty()        ? "the file defines no model"
            : !wanted.empty()     ? "no model '" + wanted + "' (the file defines " + names + ")"
                                  : "the file defines several models (" + names +
                                    "); choose one with --model NAME";
    return failure();
  }
  FailureOr<ModelLayout> layout = layoutModel(chosen);
  if (failed(layout))
    error = "cannot lay out model '" + chosen.getSymName().str() + "'";
  return layout;
}

/// Compiles every kernel and Halide's runtime, one per core at a time (Halide compiles independent
/// pipelines on separate threads); the first error wins.
bool compileObjectsInParallel(const ModelLayout &layout, const std::string &target,
                              const ScratchDir &scratch, std::vector<std::string> &objects,
                              std::string &error) {
  // Longest first, so that no long job starts last while the other cores idle: Halide's runtime
  // (about a second), then the kernels by their number of nodes.
  std::vector<std::function<bool(std::string &)>> jobs;
  std::string runtimeObject = scratch.file("halide_runtime.o");
  objects.push_back(runtimeObject);
  jobs.push_back([runtimeObject, &target](std::string &why) {
    return compileHalideRuntime(target, runtimeObject, why);
  });
  std::vector<const Kernel *> kernels;
  for (auto &[name, kernel] : layout.kernels)
    kernels.push_back(&kernel);
  std::stable_sort(kernels.begin(), kernels.end(), [](const Kernel *a, const Kernel *b) {
    return a->nodes.size() > b->nodes.size();
  });
  for (const Kernel *k : kernels) {
    std::string object = scratch.file(k->name + ".o");
    objects.push_back(object);
    jobs.push_back([k, object, &target](std::string &why) {
      if (compileKernel(*k, target, object, why))
        return true;
      why = "kernel " + k->name + ": " + why;
      return false;
    });
  }

  std::atomic<size_t> next{0};
  std::mutex mutex;
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      std::string why;
      if (!jobs[i](why)) {
        std::lock_guard<std::mutex> lock(mutex);
        if (error.empty())
          error = why;
      }
    }
  };
  unsigned threads = std::max(1u, std::min(std::thread::hardware_concurrency(), 8u));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(worker);
  worker();
  for (std::thread &t : pool)
    t.join();
  return error.empty();
}

} // namespace

bool buildArtifact(ModuleOp module, const BuildOptions &options, std::string &text,
                   std::string &error) {
  if (options.target != "cpu" && options.target != "cuda") {
    error = "unknown target '" + options.target + "' (expected cpu or cuda)";
    return false;
  }
  if (options.emit == "ptx" && options.target != "cuda") {
    error = "--emit=ptx needs --target=cuda";
    return false;
  }
  FailureOr<ModelLayout> layout = selectAndLayout(module, options.model, error);
  if (failed(layout))
    return false;
  layout->target = options.target;
  if (options.emit == "memplan") {
    text = memoryPlanReport(*layout);
    return true;
  }
  if (options.emit == "header") {
    text = modelHeader(*layout, options.sourceName);
    return true;
  }
  std::string target;
  if (options.target == "cuda" ? !halideTargetForCuda(options.cpu, target, error)
                               : !halideTargetForCpu(options.cpu, target, error))
    return false;
  if (options.emit == "ptx") {
    // One PTX module per kernel, each after a line naming it (ptxas takes one module per file).
    for (auto &[name, kernel] : layout->kernels) {
      std::string ptx;
      if (!kernelPtx(kernel, target, ptx, error)) {
        error = "kernel " + name + ": " + error;
        return false;
      }
      text += "// kernel " + name + "\n" + ptx + (ptx.empty() || ptx.back() == '\n' ? "" : "\n");
    }
    return true;
  }
  if (options.emit == "halide") {
    for (auto &[name, kernel] : layout->kernels) {
      std::string stmt;
      if (!lowerKernel(kernel, target, stmt, error)) {
        error = "kernel " + name + ": " + error;
        return false;
      }
      text += "// kernel " + name + "\n" + stmt + "\n";
    }
    return true;
  }

  OwningOpRef<ModuleOp> glue = buildGlueModule(*module->getContext(), *layout);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> glueIR = translateGlue(*glue, llvmContext, error);
  if (!glueIR)
    return false;
  if (options.emit == "llvm") {
    llvm::raw_string_ostream os(text);
    glueIR->print(os, nullptr);
    return true;
  }
  if (options.emit == "obj") {
    std::string temporary = options.output + ".tmp";
    if (!emitObject(*glueIR, temporary, error))
      return false;
    if (std::rename(temporary.c_str(), options.output.c_str()) != 0) {
      std::remove(temporary.c_str());
      error = "cannot write '" + options.output + "'";
      return false;
    }
    return true;
  }

  // The shared library.
  ScratchDir scratch;
  if (!scratch.create(error))
    return false;
  LinkJob job;
  if (!compileObjectsInParallel(*layout, target, scratch, job.objects, error))
    return false;
  std::string glueObject = scratch.file("glue.o");
  if (!emitObject(*glueIR, glueObject, error))
    return false;
  job.objects.push_back(glueObject);
  job.runtimeArchive = defaultRuntimeArchive();
  job.exportPrefix = layout->name + "_";
  job.output = options.output;
  job.scratchDir = scratch.path();
  return linkSharedLibrary(job, error);
}

} // namespace dl::codegen
