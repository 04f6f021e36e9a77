//===- CompileModel.cpp - From a planned model to model.so and friends ------===//
#include "compiler/codegen/CompileModel.h"
#include "compiler/codegen/ForkedJobs.h"
#include "compiler/codegen/Header.h"
#include "compiler/codegen/ModelLayout.h"
#include "compiler/codegen/ModelSymbols.h"
#include "compiler/codegen/glue/Glue.h"
#include "compiler/codegen/halide/HalideCodegen.h"
#include "compiler/codegen/link/Link.h"
#include "compiler/codegen/link/Temporaries.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>

using namespace mlir;

namespace dl::codegen {
namespace {

/// A scratch folder removed with everything in it when the build ends, or when dlc is killed
/// (Temporaries.h).
class ScratchDir {
public:
  bool create(std::string &error) {
    llvm::SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("dlc", path)) {
      error = "cannot create a temporary folder: " + ec.message();
      return false;
    }
    path_ = std::string(path);
    tracked_.track(path_);
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
  TemporaryPath tracked_; ///< Destroyed after the folder is removed.
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

/// The kernels of one device: compiled for `target`, their symbols ending in `suffix`.
struct KernelSet {
  std::string target;
  std::string suffix;
};

/// Writes Halide's runtime (for `runtimeTarget`) and compiles every kernel of every set, one per
/// core at a time, each in a child process; the first error wins.
bool compileObjectsInParallel(const ModelLayout &layout, const std::vector<KernelSet> &sets,
                              const std::string &runtimeTarget, const ScratchDir &scratch,
                              std::vector<std::string> &objects, PhaseTimes *times,
                              std::string &error) {
  // Halide's runtime: written from the copy compiled with dlc (HalideCodegen.h), no job.
  std::string runtimeObject = scratch.file("halide_runtime.o");
  if (!writeHalideRuntime(runtimeTarget, runtimeObject, error))
    return false;
  objects.push_back(runtimeObject);
  if (times)
    times->phase("Halide runtime object");
  // Longest first, so that no long job starts last while the other cores idle: the kernels by
  // their number of nodes. Each job's name and node count, for --time-phases.
  std::vector<std::function<bool(std::string &)>> jobs;
  std::vector<PhaseTimes::Job> described;
  // Each kernel of each set, renamed with the set's suffix.
  std::vector<std::pair<Kernel, const KernelSet *>> kernels;
  for (const KernelSet &set : sets)
    for (auto &[name, kernel] : layout.kernels) {
      kernels.emplace_back(kernel, &set);
      kernels.back().first.name += set.suffix;
    }
  std::stable_sort(kernels.begin(), kernels.end(), [](const auto &a, const auto &b) {
    return a.first.nodes.size() > b.first.nodes.size();
  });
  for (const auto &[kernel, set] : kernels) {
    std::string object = scratch.file(kernel.name + ".o");
    objects.push_back(object);
    jobs.push_back([k = &kernel, target = &set->target, object](std::string &why) {
      CompileTimes seconds;
      if (compileKernel(*k, *target, object, why, &seconds)) {
        why = encodeJobSeconds(seconds.lower, seconds.llvm);
        return true;
      }
      why = "kernel " + k->name + ": " + why;
      return false;
    });
    described.push_back({kernel.name, kernel.nodes.size()});
  }

  // In children forked from this process (ForkedJobs.h: byte-identical libraries), one per core.
  unsigned parallel = std::max(1u, std::min(std::thread::hardware_concurrency(), 8u));
  auto run = [&](size_t job, std::string &why) { return jobs[job](why); };
  std::vector<std::string> reports;
  if (!runForkedJobs(jobs.size(), parallel, run, error, &reports))
    return false;
  if (times)
    for (size_t j = 0; j < jobs.size(); ++j) {
      decodeJobSeconds(reports[j], described[j].lower, described[j].llvm);
      times->job(described[j]);
    }
  return true;
}

} // namespace

bool buildArtifact(ModuleOp module, const BuildOptions &options, std::string &text,
                   std::string &error) {
  if (options.target != "cpu" && options.target != "cuda" && options.target != "cpu,cuda") {
    error = "unknown target '" + options.target + "' (expected cpu, cuda or cpu,cuda)";
    return false;
  }
  bool forCpu = options.target != "cuda", forCuda = options.target != "cpu";
  if (options.emit == "ptx" && !forCuda) {
    error = "--emit=ptx needs --target=cuda";
    return false;
  }
  PhaseTimes *times = options.times;
  auto phase = [&](const char *name) {
    if (times)
      times->phase(name);
  };
  FailureOr<ModelLayout> layout = selectAndLayout(module, options.model, error);
  if (failed(layout))
    return false;
  phase("kernel extraction and layout");
  layout->target = options.target;
  if (options.emit == "memplan") {
    text = memoryPlanReport(*layout);
    return true;
  }
  if (options.emit == "header") {
    text = modelHeader(*layout, options.sourceName);
    return true;
  }
  // The kernels of each device: the Halide target and the suffix of their symbols.
  std::vector<KernelSet> sets;
  std::string cpuTarget, cudaTarget;
  if (forCpu) {
    if (!halideTargetForCpu(options.cpu, cpuTarget, error))
      return false;
    sets.push_back({cpuTarget, ""});
  }
  if (forCuda) {
    if (!halideTargetForCuda(options.cpu, cudaTarget, error))
      return false;
    sets.push_back({cudaTarget, forCpu ? kCudaKernelSuffix : ""});
  }
  if (options.emit == "ptx") {
    // One PTX module per kernel, each after a line naming it (ptxas takes one module per file).
    for (auto &[name, kernel] : layout->kernels) {
      std::string ptx;
      if (!kernelPtx(kernel, cudaTarget, ptx, error)) {
        error = "kernel " + name + ": " + error;
        return false;
      }
      text += "// kernel " + name + "\n" + ptx + (ptx.empty() || ptx.back() == '\n' ? "" : "\n");
    }
    return true;
  }
  if (options.emit == "halide") {
    for (const KernelSet &set : sets)
      for (auto &[name, kernel] : layout->kernels) {
        std::string stmt;
        if (!lowerKernel(kernel, set.target, stmt, error)) {
          error = "kernel " + name + set.suffix + ": " + error;
          return false;
        }
        text += "// kernel " + name + set.suffix + "\n" + stmt + "\n";
      }
    return true;
  }

  OwningOpRef<ModuleOp> glue = buildGlueModule(*module->getContext(), *layout);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> glueIR = translateGlue(*glue, llvmContext, error);
  if (!glueIR)
    return false;
  phase("glue (MLIR LLVM dialect to LLVM IR)");
  if (options.emit == "llvm") {
    llvm::raw_string_ostream os(text);
    glueIR->print(os, nullptr);
    return true;
  }
  if (options.emit == "obj") {
    std::string temporary = options.output + ".tmp";
    TemporaryPath tracked(temporary);
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
  // Halide's runtime for the CUDA target holds the CPU's too.
  std::string runtimeTarget = forCuda ? cudaTarget : cpuTarget;
  if (!compileObjectsInParallel(*layout, sets, runtimeTarget, scratch, job.objects, times, error))
    return false;
  phase("kernels (children, in parallel)");
  std::string glueObject = scratch.file("glue.o");
  if (!emitObject(*glueIR, glueObject, error))
    return false;
  phase("glue object (LLVM 19)");
  job.objects.push_back(glueObject);
  job.runtimeArchive = defaultRuntimeArchive();
  std::vector<std::string> entries;
  for (const EntryLayout &e : layout->entries)
    entries.push_back(e.name);
  job.exports = modelExports(layout->name, entries);
  job.output = options.output;
  job.scratchDir = scratch.path();
  if (!linkSharedLibrary(job, error))
    return false;
  phase("link");
  return true;
}

} // namespace dl::codegen
