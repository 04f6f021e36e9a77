//===- CodegenVsInterpreterTest.cpp - Compiled models against the oracle ---===//
//
// Differential tests of the whole compiler. Each case is a small .dl program (models/, and the
// examples); the test compiles it with the build's `dlc` binary into a model.so, opens it through
// the generic C API (libdlrt_loader), and runs it beside the reference interpreter (double
// precision) over the unfused IR of `dlc --emit=mlir --stage=train`, both from the same seed and
// the same random inputs:
//   - every parameter and buffer right after initialization (the same Philox draws);
//   - forward and eval, before and after training;
//   - three steps of every train entry: the loss of each step and every parameter and buffer
//     (optimizer state included) after it;
//   - for parameters that only dropout (or a random crop) reaches, the set of elements a step
//     leaves unchanged, which is the dropout mask (the crop windows' complement) and must be the
//     interpreter's exactly.
// Each library runs from two seeds (DLC_E2E_SEEDS=N for more), each a fresh instance.
// Floats agree within a relative tolerance with an absolute floor (f32 against double); integers,
// booleans and masks exactly. The interpreter's step counter follows the library's
// (dl_instance_step), so random ops draw the same numbers on both sides.
//
//===----------------------------------------------------------------------===//
#include "CompileQueue.h"
#include "DlcProcess.h"
#include "ReferenceModel.h"
#include "TensorComparison.h"

#include "dl/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace {

using dl::e2e::ReferenceModel;
using dl::e2e::Tolerance;
using dl::interp::Tensor;

/// Train steps taken per train entry.
constexpr int kTrainSteps = 3;

/// Seeds each model runs from (each a fresh instance of the one library): 2, or
/// DLC_E2E_SEEDS, for a longer hunt.
int seedsPerModel() {
  const char *text = std::getenv("DLC_E2E_SEEDS");
  int n = text ? std::atoi(text) : 0;
  return n > 0 ? n : 2;
}

struct ModelCase {
  std::string name;                 ///< The test's name.
  std::string source;               ///< The .dl file.
  uint64_t seed;                    ///< Parameters, inputs and random ops.
  std::vector<std::string> defines; ///< -D NAME=VALUE.
  /// Parameters only dropout reaches, trained by plain SGD: a step leaves exactly the dropped
  /// elements unchanged.
  std::vector<std::string> maskedParams = {};
};

std::string model(const char *file) { return std::string(DLC_E2E_MODELS_DIR) + "/" + file; }
std::string example(const char *file) { return std::string(DLC_EXAMPLES_DIR) + "/" + file; }

const std::vector<ModelCase> &cases() {
  static const std::vector<ModelCase> all = {
      {"elementwise", model("elementwise.dl"), 11, {}},
      {"activations", model("activations.dl"), 12, {}},
      {"math", model("math.dl"), 34, {}},
      {"reduction", model("reduction.dl"), 13, {}},
      {"index", model("index.dl"), 35, {}},
      {"topk", model("topk.dl"), 36, {}},
      {"reduce_max_contraction", model("reduce_max_contraction.dl"), 13, {}},
      {"shape", model("shape.dl"), 14, {}},
      {"loss", model("loss.dl"), 15, {}},
      {"matmul", model("matmul.dl"), 16, {}},
      {"dropout", model("dropout.dl"), 17, {}, {"mask.P"}},
      {"augment", model("augment.dl"), 33, {}, {"mask.P"}},
      {"vae", model("vae.dl"), 18, {}},
      {"optimizers_sgd", model("optim_sgd.dl"), 19, {}},
      {"optimizers_adaptive", model("optim_adaptive.dl"), 20, {}},
      {"gan", model("gan.dl"), 21, {}},
      {"layernorm", model("layernorm.dl"), 22, {}},
      {"batchnorm", model("batchnorm.dl"), 24, {}},
      {"conv", model("conv.dl"), 25, {}},
      {"pooling", model("pooling.dl"), 26, {}},
      {"decoder", model("decoder.dl"), 34, {}},
      // The CNN examples train with Adam, whose first step g / (|g| + eps) magnifies the f32
      // rounding of near-zero gradient elements past the tolerance; conv_bn.dl is their network
      // with SGD.
      {"conv_bn", model("conv_bn.dl"), 28, {}},
      {"attention", model("attention.dl"), 29, {}},
      {"attention_heads", model("attention_heads.dl"), 32, {}},
      // Past 1024 x 1024 scores per head: every attention of the model streamed by blocks of rows.
      {"attention_heads_long", model("attention_heads.dl"), 33, {"B=1", "T=1030", "S=1040"}},
      {"recurrent", model("recurrent.dl"), 30, {}},
      {"embedding", model("embedding.dl"), 31, {}},
      {"gather", model("gather.dl"), 36, {}},
      {"example_xor", example("xor.dl"), 42, {}},
      // -D B=3: the batch from the command line, and one no vector width divides.
      {"mlp", model("mlp.dl"), 23, {"B=3"}},
  };
  return all;
}

/// gtest prints a case by its name rather than its bytes.
void PrintTo(const ModelCase &c, std::ostream *os) { *os << c.name; }

/// A model.so opened through the generic API, with one instance.
struct CompiledModel {
  dl_library *library = nullptr;
  dl_instance *instance = nullptr;
  const dl_model_info *info = nullptr;

  ~CompiledModel() {
    if (instance)
      dl_instance_destroy(instance);
    if (library)
      dl_library_close(library);
  }
};

class CodegenVsInterpreter : public ::testing::TestWithParam<ModelCase> {
protected:
  /// Starts compiling the models of the selected cases.
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  /// Waits for the case's library and opens it; false (with a failure recorded) when it cannot.
  bool compileModel();
  /// A fresh instance and interpreter, parameters and inputs drawn from `seed`.
  bool startFrom(uint64_t seed);
  /// Every phase, stopping at the first that fails.
  void compareRun();
  /// Every parameter and buffer of the library against the interpreter's.
  void compareStates(const std::string &phase);
  /// Calls entry `index` on both sides and compares every output; returns the library's outputs.
  std::vector<Tensor> compareCall(int index, const std::string &phase, bool split = false);
  /// forward and eval.
  void compareInference(const std::string &phase);
  /// One step of train entry `index`.
  void compareTrainStep(int index, int step);

  std::string label(const std::string &phase, const std::string &what) const {
    return GetParam().name + "/" + seedLabel_ + "/" + phase + "/" + what;
  }

  static std::unique_ptr<dl::e2e::ScratchDir> scratch_;
  static std::unique_ptr<dl::e2e::CompileQueue> queue_;
  CompiledModel compiled_;
  std::unique_ptr<ReferenceModel> reference_;
  std::map<std::string, Tensor> inputs_;
  Tolerance tolerance_;
  std::string seedLabel_;
};

std::unique_ptr<dl::e2e::ScratchDir> CodegenVsInterpreter::scratch_;
std::unique_ptr<dl::e2e::CompileQueue> CodegenVsInterpreter::queue_;

void CodegenVsInterpreter::SetUpTestSuite() {
  // The cases this run selected (--gtest_filter; ctest runs one), in the order they run.
  std::vector<dl::e2e::CompileJob> jobs;
  const ::testing::TestSuite *suite = ::testing::UnitTest::GetInstance()->current_test_suite();
  for (int i = 0; suite && i < suite->total_test_count(); ++i) {
    const ::testing::TestInfo *test = suite->GetTestInfo(i);
    std::string name = test->name();
    name = name.substr(name.find('/') + 1);
    for (const ModelCase &c : cases())
      if (c.name == name && test->should_run())
        jobs.push_back({c.name, c.source, c.defines});
  }
  scratch_ = std::make_unique<dl::e2e::ScratchDir>();
  // Two at a time: one compile uses every core for its kernels while the other is in its serial
  // parts (frontend, Halide runtime, link).
  queue_ = std::make_unique<dl::e2e::CompileQueue>(DLC_BINARY, scratch_->path(), std::move(jobs),
                                                   /*workers=*/2);
}

void CodegenVsInterpreter::TearDownTestSuite() {
  queue_.reset();
  scratch_.reset();
}

bool CodegenVsInterpreter::compileModel() {
  const ModelCase &c = GetParam();
  if (scratch_->path().empty()) {
    ADD_FAILURE() << "cannot create a scratch folder";
    return false;
  }
  std::string library, log;
  if (!queue_->wait(c.name, library, log)) {
    ADD_FAILURE() << c.name << ": dlc failed:\n" << log;
    return false;
  }
  if (dl_library_open(library.c_str(), &compiled_.library) != DL_OK) {
    ADD_FAILURE() << c.name << ": dl_library_open: " << dl_last_error();
    return false;
  }
  compiled_.info = dl_library_info(compiled_.library);
  return true;
}

bool CodegenVsInterpreter::startFrom(uint64_t seed) {
  const ModelCase &c = GetParam();
  if (compiled_.instance)
    dl_instance_destroy(compiled_.instance);
  compiled_.instance = nullptr;
  seedLabel_ = "seed " + std::to_string(seed);
  dl_options options{DL_DEVICE_CPU, /*threads=*/0, seed};
  if (dl_instance_create(compiled_.library, &options, &compiled_.instance) != DL_OK) {
    ADD_FAILURE() << c.name << ": dl_instance_create: " << dl_last_error();
    return false;
  }
  std::string error;
  reference_ = ReferenceModel::load(c.source, c.defines, compiled_.info->name, seed, error);
  if (!reference_) {
    ADD_FAILURE() << c.name << ": " << error;
    return false;
  }
  if (!reference_->drawInputs(seed, inputs_, error)) {
    ADD_FAILURE() << c.name << ": " << error;
    return false;
  }
  return true;
}

void CodegenVsInterpreter::compareRun() {
  // Later phases only repeat an earlier phase's mismatch: stop at the first phase that fails.
  compareStates("initialization");
  if (HasFailure())
    return;
  compareInference("before training");
  if (HasFailure())
    return;
  const dl_model_info &info = *compiled_.info;
  int trainEntries = 0;
  for (int i = 0; i < info.n_entries; ++i) {
    if (info.entries[i].kind != DL_ENTRY_TRAIN)
      continue;
    ++trainEntries;
    for (int step = 0; step < kTrainSteps; ++step) {
      compareTrainStep(i, step);
      if (HasFailure())
        return;
    }
  }
  EXPECT_GT(trainEntries, 0) << GetParam().name
                             << " has no train entry: nothing of backward is tested";
  compareInference("after training");
}

void CodegenVsInterpreter::compareStates(const std::string &phase) {
  const dl_model_info &info = *compiled_.info;
  auto compare = [&](const dl_tensor_info &declared) {
    void *data = nullptr;
    const dl_tensor_info *actual = nullptr;
    if (dl_instance_tensor(compiled_.instance, declared.name, &data, &actual) != DL_OK) {
      ADD_FAILURE() << label(phase, declared.name) << ": dl_instance_tensor: "
                    << dl_instance_last_error(compiled_.instance);
      return;
    }
    const Tensor *expected = reference_->interpreter().state(declared.name);
    if (!expected) {
      ADD_FAILURE() << label(phase, declared.name) << ": the interpreter has no such state";
      return;
    }
    EXPECT_TRUE(dl::e2e::matches(label(phase, declared.name), dl::e2e::fromHost(data, *actual),
                                 *expected, tolerance_));
  };
  for (int i = 0; i < info.n_params; ++i)
    compare(info.params[i]);
  for (int i = 0; i < info.n_buffers; ++i)
    compare(info.buffers[i]);
}

std::vector<Tensor> CodegenVsInterpreter::compareCall(int index, const std::string &phase,
                                                      bool split) {
  const dl_entry_info &entry = compiled_.info->entries[index];
  bool train = entry.kind == DL_ENTRY_TRAIN;
  std::string what = phase + "/" + entry.name + (split ? " (grad, apply)" : "");

  std::vector<std::vector<unsigned char>> inputBytes, outputBytes;
  std::vector<const void *> inputs;
  std::vector<void *> outputs;
  for (int i = 0; i < entry.n_inputs; ++i) {
    auto it = inputs_.find(entry.inputs[i].name);
    if (it == inputs_.end()) {
      ADD_FAILURE() << label(what, entry.inputs[i].name) << ": the interpreter's model has no "
                    << "such input";
      return {};
    }
    inputBytes.push_back(dl::e2e::toHost(it->second, entry.inputs[i]));
  }
  for (auto &bytes : inputBytes)
    inputs.push_back(bytes.data());
  for (int i = 0; i < entry.n_outputs; ++i)
    outputBytes.emplace_back(entry.outputs[i].bytes);
  for (auto &bytes : outputBytes)
    outputs.push_back(bytes.data());

  // The interpreter draws with the step the library is about to use.
  reference_->interpreter().step = dl_instance_step(compiled_.instance);
  std::string error;
  auto expected = reference_->call(entry.name, train, inputs_, error);
  if (mlir::failed(expected)) {
    ADD_FAILURE() << label(what, "interpreter") << ": " << error;
    return {};
  }
  // A split step runs the same training step as `<step>_grad` then `<step>_apply`, which the
  // interpreter's fused `<step>.update` must match as well.
  bool called;
  if (split) {
    std::string grad = std::string(entry.name) + "_grad", apply = std::string(entry.name) + "_apply";
    called = dl_instance_call(compiled_.instance, grad.c_str(), inputs.data(), entry.n_inputs,
                              outputs.data(), entry.n_outputs) == DL_OK &&
             dl_instance_call(compiled_.instance, apply.c_str(), nullptr, 0, outputs.data(),
                              entry.n_outputs) == DL_OK;
  } else {
    called = dl_instance_call(compiled_.instance, entry.name, inputs.data(), entry.n_inputs,
                              outputs.data(), entry.n_outputs) == DL_OK;
  }
  if (!called) {
    ADD_FAILURE() << label(what, "call") << ": " << dl_instance_last_error(compiled_.instance);
    return {};
  }
  if (expected->size() != static_cast<size_t>(entry.n_outputs)) {
    ADD_FAILURE() << label(what, "outputs") << ": the library returns " << entry.n_outputs
                  << " tensors, the interpreter " << expected->size();
    return {};
  }
  std::vector<Tensor> actual;
  for (int i = 0; i < entry.n_outputs; ++i) {
    actual.push_back(dl::e2e::fromHost(outputBytes[i].data(), entry.outputs[i]));
    EXPECT_TRUE(dl::e2e::matches(label(what, entry.outputs[i].name), actual.back(),
                                 (*expected)[i], tolerance_));
  }
  return actual;
}

void CodegenVsInterpreter::compareInference(const std::string &phase) {
  const dl_model_info &info = *compiled_.info;
  for (int i = 0; i < info.n_entries; ++i)
    if (info.entries[i].kind == DL_ENTRY_FORWARD || info.entries[i].kind == DL_ENTRY_EVAL)
      compareCall(i, phase);
}

void CodegenVsInterpreter::compareTrainStep(int index, int step) {
  const std::string phase =
      std::string(compiled_.info->entries[index].name) + " " + std::to_string(step + 1);

  // The masked parameters before the step, on both sides.
  struct Masked {
    std::string name;
    Tensor compiledBefore, referenceBefore;
  };
  std::vector<Masked> masked;
  for (const std::string &name : GetParam().maskedParams) {
    void *data = nullptr;
    const dl_tensor_info *info = nullptr;
    const Tensor *reference = reference_->interpreter().state(name);
    ASSERT_EQ(dl_instance_tensor(compiled_.instance, name.c_str(), &data, &info), DL_OK)
        << label(phase, name) << ": " << dl_instance_last_error(compiled_.instance);
    ASSERT_NE(reference, nullptr) << label(phase, name) << ": the interpreter has no such state";
    masked.push_back({name, dl::e2e::fromHost(data, *info), *reference});
  }

  // Odd steps run split at the gradient (`<step>_grad`, `<step>_apply`).
  compareCall(index, "step " + phase, /*split=*/step % 2 == 1);
  compareStates("after step " + phase);

  for (const Masked &m : masked) {
    void *data = nullptr;
    const dl_tensor_info *info = nullptr;
    ASSERT_EQ(dl_instance_tensor(compiled_.instance, m.name.c_str(), &data, &info), DL_OK);
    // An element the mask keeps gets a gradient and changes; one it drops keeps its value.
    std::vector<bool> compiledKept =
        dl::e2e::changedElements(m.compiledBefore, dl::e2e::fromHost(data, *info));
    std::vector<bool> referenceKept = dl::e2e::changedElements(
        m.referenceBefore, *reference_->interpreter().state(m.name));
    int differ = 0, dropped = 0;
    for (size_t i = 0; i < compiledKept.size(); ++i) {
      dropped += !referenceKept[i];
      if (compiledKept[i] != referenceKept[i] && differ++ < 8)
        ADD_FAILURE() << label("step " + phase, m.name)
                      << dl::e2e::multiIndex(m.referenceBefore.shape, i) << ": the dropout mask "
                      << (compiledKept[i] ? "keeps" : "drops") << " it in the compiled model, "
                      << (referenceKept[i] ? "keeps" : "drops") << " it in the interpreter";
    }
    EXPECT_EQ(differ, 0) << label("step " + phase, m.name) << ": dropout masks differ";
    // A mask that keeps or drops everything would check nothing.
    EXPECT_GT(dropped, 0) << label("step " + phase, m.name) << ": the mask drops nothing";
    EXPECT_LT(dropped, static_cast<int>(compiledKept.size()))
        << label("step " + phase, m.name) << ": the mask drops everything";
  }
}

TEST_P(CodegenVsInterpreter, Matches) {
  const ModelCase &c = GetParam();
  ASSERT_TRUE(compileModel());
  for (int k = 0; k < seedsPerModel(); ++k) {
    if (!startFrom(c.seed + 1000 * k))
      return;
    compareRun();
    if (HasFailure())
      return;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, CodegenVsInterpreter, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<ModelCase> &info) {
                           return info.param.name;
                         });

} // namespace
