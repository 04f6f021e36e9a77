//===- TrainStepIsolationTest.cpp - Each train step updates only its own ---===//
//
// A model with several train blocks (a GAN's `train gan.disc` and `train gan.gen`, each with
// `params = [...]`) gets one entry per block. This test compiles models/gan.dl with the build's
// dlc, calls each step on its own from a fresh instance, and checks which tensors changed: the
// step's own parameters and optimizer state must change, and every other parameter and the other
// step's state must keep every byte (the discriminator's loss must not move the generator, nor
// the reverse).
//
//===----------------------------------------------------------------------===//
#include "DlcProcess.h"

#include "dl/runtime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace {

/// Every parameter's and buffer's bytes, by name.
std::map<std::string, std::vector<char>> snapshot(dl_instance *inst, const dl_model_info &info) {
  std::map<std::string, std::vector<char>> out;
  auto take = [&](const dl_tensor_info &t) {
    void *data = nullptr;
    const dl_tensor_info *found = nullptr;
    EXPECT_EQ(dl_instance_tensor(inst, t.name, &data, &found), DL_OK) << t.name;
    const char *bytes = static_cast<const char *>(data);
    out[t.name] = std::vector<char>(bytes, bytes + t.bytes);
  };
  for (int i = 0; i < info.n_params; ++i)
    take(info.params[i]);
  for (int i = 0; i < info.n_buffers; ++i)
    take(info.buffers[i]);
  return out;
}

/// Whether tensor `name` belongs to the step `step` ("disc", "gen"): a parameter of one of its
/// layers, or its optimizer state (buffers named "<step>_step.", "disc_step.exp_avg.disc_h.W").
bool ownedBy(const std::string &name, const std::vector<std::string> &layers,
             const std::string &step) {
  for (const std::string &layer : layers)
    if (name.rfind(layer + ".", 0) == 0)
      return true;
  return name.rfind(step + "_step.", 0) == 0;
}

class TrainStepIsolation : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(scratch_.path().empty());
    std::string log;
    library_ = scratch_.path() + "/gan.so";
    ASSERT_TRUE(dl::e2e::runDlc(DLC_BINARY, std::string(DLC_E2E_MODELS_DIR) + "/gan.dl", {},
                                library_, log))
        << log;
    ASSERT_EQ(dl_library_open(library_.c_str(), &lib_), DL_OK) << dl_last_error();
    info_ = dl_library_info(lib_);
  }
  void TearDown() override {
    if (lib_)
      dl_library_close(lib_);
  }

  /// Runs `entry` once on a fresh instance and returns the names of the tensors it changed.
  std::vector<std::string> changedBy(const std::string &entry) {
    dl_options options{DL_DEVICE_CPU, 1, 7};
    dl_instance *inst = nullptr;
    EXPECT_EQ(dl_instance_create(lib_, &options, &inst), DL_OK) << dl_last_error();
    if (!inst)
      return {};
    int index = dl_library_find_entry(lib_, entry.c_str());
    EXPECT_GE(index, 0) << entry;
    std::vector<std::string> changed;
    if (index >= 0) {
      const dl_entry_info &e = info_->entries[index];
      std::vector<std::vector<float>> inputs;
      std::vector<const void *> inputPointers;
      for (int i = 0; i < e.n_inputs; ++i) {
        inputs.emplace_back(e.inputs[i].bytes / sizeof(float));
        for (size_t k = 0; k < inputs.back().size(); ++k)
          inputs.back()[k] = 0.25f * static_cast<float>(k % 7) - 0.5f;
      }
      for (const std::vector<float> &input : inputs)
        inputPointers.push_back(input.data());
      std::vector<std::vector<char>> outputs;
      std::vector<void *> outputPointers;
      for (int i = 0; i < e.n_outputs; ++i)
        outputs.emplace_back(e.outputs[i].bytes);
      for (std::vector<char> &output : outputs)
        outputPointers.push_back(output.data());

      auto before = snapshot(inst, *info_);
      EXPECT_EQ(dl_instance_call(inst, entry.c_str(), inputPointers.data(), e.n_inputs,
                                 outputPointers.data(), e.n_outputs),
                DL_OK)
          << dl_instance_last_error(inst);
      auto after = snapshot(inst, *info_);
      for (const auto &[name, bytes] : before)
        if (after[name] != bytes)
          changed.push_back(name);
    }
    dl_instance_destroy(inst);
    return changed;
  }

  dl::e2e::ScratchDir scratch_;
  std::string library_;
  dl_library *lib_ = nullptr;
  const dl_model_info *info_ = nullptr;
};

TEST_F(TrainStepIsolation, EachStepUpdatesOnlyItsOwnParametersAndState) {
  struct Step {
    std::string entry, name;
    std::vector<std::string> layers;
  };
  std::vector<Step> steps = {{"disc_step", "disc", {"disc_h", "disc_o"}},
                             {"gen_step", "gen", {"gen"}}};
  for (const Step &step : steps) {
    std::vector<std::string> changed = changedBy(step.entry);
    for (const std::string &name : changed)
      EXPECT_TRUE(ownedBy(name, step.layers, step.name))
          << step.entry << " changed " << name << ", which is not its own";
    // Every parameter of its own layers moved (a step that updated nothing would pass above).
    for (int i = 0; i < info_->n_params; ++i) {
      std::string name = info_->params[i].name;
      bool own = false;
      for (const std::string &layer : step.layers)
        own |= name.rfind(layer + ".", 0) == 0;
      if (own) {
        EXPECT_NE(std::find(changed.begin(), changed.end(), name), changed.end())
            << step.entry << " left its own parameter " << name << " unchanged";
      }
    }
  }
}

} // namespace
